import sys

from warehouse_tui.cli import main

sys.exit(main())
