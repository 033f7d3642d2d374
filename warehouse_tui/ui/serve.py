"""The console in a browser: textual-serve runs one console per browser tab.

Nothing comes from the internet: the page is our own template (textual-serve's loads its
font from a CDN), and the font, script and style sheet are served by `serve` itself. Each
tab's console is started by this module (``python -m warehouse_tui.ui.serve``) with the
settings `serve` was given, and without an operator: whoever opens the page scans their badge,
as at any console.
"""

from __future__ import annotations

import sys
from pathlib import Path

from warehouse_tui.config import Settings

TEMPLATES = Path(__file__).with_name("serve_templates")


def session_command(settings: Settings) -> list[str]:
    """The command line of one browser tab's console."""
    parts = [sys.executable, "-m", "warehouse_tui.ui.serve", "--db", settings.db, "--station", settings.station,
             "--printer", settings.printer, "--label-format", settings.label_format,
             "--label-dpi", str(settings.label_dpi), "--scanner", "keyboard"]
    # a config file is passed on only when there is one (the default path may not exist)
    if settings.config and Path(settings.config).is_file():
        parts += ["--config", settings.config]
    return parts


def serve(settings: Settings, host: str, port: int) -> int:
    import shlex

    from textual_serve.server import Server

    server = Server(shlex.join(session_command(settings)), host=host, port=port, title="warehouse-tui",
                    templates_path=TEMPLATES)
    server.serve()
    return 0


def session_main(argv: list[str]) -> int:
    """One browser tab's console: the usual options; the operator always scans a badge."""
    from warehouse_tui import commands
    from warehouse_tui.cli import build_parser, settings_from
    from warehouse_tui.config import ConfigError
    from warehouse_tui.errors import Usage

    try:
        settings = settings_from(build_parser().parse_args(argv))
        settings.operator = None  # not the config's, not WAREHOUSE_OPERATOR's: a badge scan
        return commands.console(settings)
    except (ConfigError, Usage) as exc:
        print(f"warehouse-tui: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(session_main(sys.argv[1:]))
