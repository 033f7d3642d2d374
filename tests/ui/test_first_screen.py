"""The console draws its first screen before the database layer, the migrations, the
documents and the channels are imported; the database opens behind it."""

from __future__ import annotations

import json
import subprocess
import sys

SLOW = ("sqlalchemy", "sqlmodel", "alembic", "reportlab")

# The console as `warehouse-tui --db ...` starts it, run headless. The moment the database
# starts opening (once the first screen has been drawn), the modules loaded so far and the
# screen shown are noted; the app quits once a flow screen is up.
DRIVER = r"""
import json, sys
from textual.app import App
import warehouse_tui.ui.app as console

SLOW = %r
seen = {}
_open = console.WarehouseApp._open_database

def open_database(self):
    seen["screen"] = type(self.screen).__name__
    seen["loaded"] = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in SLOW}
                            | {m for m in sys.modules if m.startswith("warehouse_tui.channels.") and m != "warehouse_tui.channels.base"})
    return _open(self)

console.WarehouseApp._open_database = open_database
_run = App.run

def run(self, *a, **k):
    async def until_home(pilot):
        for _ in range(400):
            await pilot.pause(0.05)
            if type(pilot.app.screen).__name__ == "HomeScreen":
                break
        seen["then"] = type(pilot.app.screen).__name__
        seen["loaded_after"] = sorted(m for m in SLOW[:2] if m in sys.modules)
        await pilot.pause(0.2)
        seen["frozen"] = __import__("gc").get_freeze_count()
        pilot.app.exit(0)
    return _run(self, headless=True, size=(80, 24), auto_pilot=until_home)

App.run = run
from warehouse_tui.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, **seen}))
"""


def _console(*argv: str, env=None) -> dict:
    p = subprocess.run([sys.executable, "-c", DRIVER % (SLOW,), *argv], capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    return {**json.loads(p.stdout.strip().splitlines()[-1]), "stderr": p.stderr}


def test_first_screen_is_drawn_before_the_database_layer_is_imported(tmp_path, monkeypatch):
    subprocess.run([sys.executable, "-m", "warehouse_tui", "--db", str(tmp_path / "w.db"), "operator", "add",
                    "alice"], check=True, capture_output=True, timeout=120)
    seen = _console("--db", str(tmp_path / "w.db"), "--operator", "alice", "--station", "PACK-1")
    assert seen["rc"] == 0
    assert seen["screen"] == "StartScreen"
    assert seen["loaded"] == []
    # and the database did open behind it: the home screen came, over the database layer
    assert seen["then"] == "HomeScreen"
    assert seen["loaded_after"] == ["sqlalchemy", "sqlmodel"]
    # what start-up loaded is left out of the cycle collector's full collections from then on
    assert seen["frozen"] > 50_000


def test_a_database_at_another_schema_is_said_after_the_first_screen(tmp_path):
    import sqlite3

    path = tmp_path / "w.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        con.execute("INSERT INTO alembic_version VALUES ('9999')")
    seen = _console("--db", str(path), "--operator", "alice")
    assert seen["screen"] == "StartScreen"
    assert seen["rc"] == 2
    assert seen.get("then") != "HomeScreen"
    assert "schema 9999" in seen["stderr"] and "db upgrade" in seen["stderr"]
