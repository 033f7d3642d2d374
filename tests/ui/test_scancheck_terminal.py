"""The scanner check in a real terminal (tmux): a scanner with the wrong layout, then one with no
Enter, then a good code, typed as fast as a scanner types."""

from __future__ import annotations

import os
import subprocess
import time

from tests.ui.conftest import copy_db
from tests.ui.test_terminal import PROGRAM, pytestmark, tmux, wait_for  # noqa: F401
from warehouse_tui.scanning.check import SHEET

CODE128, UPCA, EAN13 = SHEET[:3]


def test_the_scanner_check_names_each_fault_in_a_real_terminal(tmp_path, demo_db_file):
    db_path = copy_db(demo_db_file, tmp_path / "warehouse.db")
    session = f"whc-{os.getpid()}"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TERM": "xterm-256color"}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    command = f"env {exports} {PROGRAM} --db {db_path} --station TMUX-2 --operator alice"
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", command)
    try:
        wait_for(session, "WAREHOUSE")
        tmux("send-keys", "-t", session, "F11")
        wait_for(session, "SCAN CODE 1 OF 5")
        time.sleep(0.3)
        qwertz = CODE128.data.translate(str.maketrans("ZyYz", "YzZy"))
        tmux("send-keys", "-t", session, "-l", qwertz, ";", "send-keys", "-t", session, "Enter")
        screen = wait_for(session, "QWERTZ")
        assert f"arrived  {qwertz}" in screen

        time.sleep(0.3)
        tmux("send-keys", "-t", session, "-l", EAN13.data)  # no Enter: the scan never ends
        screen = wait_for(session, "never ended")
        assert "EAN-13" in screen

        time.sleep(0.3)
        tmux("send-keys", "-t", session, "-l", UPCA.data, ";", "send-keys", "-t", session, "Enter")
        wait_for(session, "UPC-A GOOD")
        tmux("send-keys", "-t", session, "C-q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
