"""The real program in a real terminal (tmux): keys typed as fast as a scanner, then the database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.conftest import copy_db
from warehouse_tui.db import open_database
from warehouse_tui.domain.models import Order
from warehouse_tui.workflow.queues import queue_page

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

PROGRAM = Path(sys.executable).with_name("warehouse-tui")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def wait_for(session: str, text: str, timeout: float = 15.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_a_fast_scan_in_a_real_terminal_claims_the_order(tmp_path, demo_db_file):
    db_path = copy_db(demo_db_file, tmp_path / "warehouse.db")
    db = open_database(db_path)
    with db.session() as s:
        oid = queue_page(s, "pick", limit=1)[0].id
    session = f"wh-{os.getpid()}"
    done = tmp_path / "exit"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TERM": "xterm-256color"}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    command = (f"env {exports} {PROGRAM} --db {db_path} --station TMUX-1 --operator alice "
               f"--printer dir:{tmp_path / 'printed'}; echo $? > {done}")
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        wait_for(session, "WAREHOUSE")
        tmux("send-keys", "-t", session, "F2")
        wait_for(session, "Waiting to pick")
        time.sleep(0.3)
        # one tmux command: the code and Enter reach the terminal together, as from a scanner
        tmux("send-keys", "-t", session, "-l", f"ORD-{oid}", ";", "send-keys", "-t", session, "Enter")
        wait_for(session, "GO TO BIN")
        with db.session() as s:
            order = s.get(Order, oid)
            assert (order.status, order.station) == ("picking", "TMUX-1")
        screen = tmux("capture-pane", "-p", "-t", session)
        assert f"ORD-{oid}" in screen  # in the last scans, not left in the scan field
        tmux("send-keys", "-t", session, "C-q")
        end = time.monotonic() + 10
        while not done.exists() and time.monotonic() < end:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        db.dispose()
