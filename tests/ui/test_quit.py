"""Nothing keeps the console from quitting: the first demo on a fresh machine, a query that
never returns, a shutdown that hangs. Each in a real terminal (tmux), ctrl+q, then the exit."""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.ui.conftest import copy_db
from tests.ui.test_terminal_bursts import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

PROGRAM = Path(sys.executable).with_name("warehouse-tui")


def env_prefix(tmp_path: Path) -> str:
    return (f"env XDG_CONFIG_HOME={tmp_path / 'config'} XDG_DATA_HOME={tmp_path / 'data'} "
            f"TERM=xterm-256color")


def wait_exit(done: Path, timeout: float = 90.0) -> str | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if done.exists() and done.read_text().strip():
            return done.read_text().strip()
        time.sleep(0.1)
    return None


def run_and_quit(tmp_path: Path, command: str, ready: str, name: str) -> tuple[str | None, str]:
    term = Terminal(tmp_path, name)
    done = tmp_path / "exit"
    term.start(f"{command}; echo $? > {done}; sleep 600")
    try:
        term.wait_for(ready, timeout=180)
        time.sleep(0.2)
        term.keys("C-q")
        code = wait_exit(done)
        return code, term.screen()
    finally:
        term.close()


def test_the_first_demo_on_a_fresh_machine_quits_from_the_login_screen(tmp_path):
    code, _ = run_and_quit(tmp_path, f"{env_prefix(tmp_path)} {PROGRAM} demo --orders 20", "LOG IN", "fresh")
    assert code == "0"
    assert (tmp_path / "data" / "warehouse-tui" / "warehouse.db").is_file()


# A stand-in for a database, a printer or a device that never answers: the home screen's query
# waits on an event nobody sets. The console runs as a user runs it, through the command line.
STUCK_QUERY = """
import sys, threading
from textual import work
from warehouse_tui.ui import home

never = threading.Event()

@work(thread=True, group="home", exclusive=True)
def _load(self):
    never.wait()

home.HomeScreen._load = _load
from warehouse_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""

# A shutdown that never finishes: the home screen's unmount waits for ever.
STUCK_SHUTDOWN = """
import asyncio, sys
from warehouse_tui.ui import home

async def on_unmount(self):
    await asyncio.Event().wait()

home.HomeScreen.on_unmount = on_unmount
from warehouse_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("script", [STUCK_QUERY, STUCK_SHUTDOWN], ids=["query-never-returns", "shutdown-hangs"])
def test_ctrl_q_quits_whatever_is_still_running(tmp_path, demo_db_file, script):
    db_path = copy_db(demo_db_file, tmp_path / "warehouse.db")
    runner = tmp_path / "console.py"
    runner.write_text(textwrap.dedent(script), encoding="utf-8")
    command = (f"{env_prefix(tmp_path)} {sys.executable} {runner} --db {db_path} --station QUIT-1 "
               f"--operator alice --printer dir:{tmp_path / 'printed'}")
    code, screen = run_and_quit(tmp_path, command, "WAREHOUSE", "stuck")
    assert code == "0", f"the console did not quit; the screen was:\n{screen}"
    assert "WAREHOUSE" not in screen  # the terminal is back as it was, not the console's last frame
    if script is STUCK_SHUTDOWN:
        logged = (tmp_path / "data" / "warehouse-tui" / "warehouse-tui.log").read_text(encoding="utf-8")
        assert "did not finish quitting" in logged
