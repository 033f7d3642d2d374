"""The core and the headless station never load Textual or Rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "warehouse_tui.workflow.stations",
    "warehouse_tui.workflow.importing",
    "warehouse_tui.workflow.confirmations",
    "warehouse_tui.workflow.lookup",
    "warehouse_tui.workflow.views",
    "warehouse_tui.workflow.reprint",
    "warehouse_tui.headless",
    "warehouse_tui.commands",
    "warehouse_tui.cli",
    "warehouse_tui.demo",
    "warehouse_tui.scanning.grammar",
    "warehouse_tui.scanning.check",
    "warehouse_tui.documents.scanner_test",
    "warehouse_tui.cli_order_show",
    "warehouse_tui.channels.registry",
    "warehouse_tui.documents.zpl",
    "warehouse_tui.sync.service",
    "warehouse_tui.sync.status",
    "warehouse_tui.cli_sync",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_module_does_not_load_textual(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_headless_station_run_does_not_load_textual(db_path):
    code = (
        "import sys\n"
        "from warehouse_tui.cli import main\n"
        f"rc = main(['--db', {str(db_path)!r}, 'station', '--mode', 'pick', '--operator', 'alice'])\n"
        "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], input=b"%NEXT\n", capture_output=True, check=True)
    last = p.stdout.decode().splitlines()[-1]
    assert last == "0 []"
