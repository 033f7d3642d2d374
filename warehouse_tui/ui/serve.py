"""The console in a browser: textual-serve runs one console per browser tab."""

from __future__ import annotations

import shlex
import sys

from textual_serve.server import Server

from warehouse_tui.config import Settings


def serve(settings: Settings, host: str, port: int) -> int:
    parts = [sys.executable, "-m", "warehouse_tui", "--db", settings.db, "--station", settings.station]
    if settings.config:
        parts += ["--config", settings.config]
    if settings.operator:
        parts += ["--operator", settings.operator]
    Server(shlex.join(parts), host=host, port=port, title="warehouse-tui").serve()
    return 0
