"""A headless station reading a serial scanner (a real pseudo-terminal) runs until stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.core.conftest import ORDERS, STOCK, write
from tests.core.test_station_cli import cli_env, run  # noqa: F401


def test_serial_scanner_feeds_the_headless_station(tmp_path, cli_env):  # noqa: F811
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    master, slave = os.openpty()
    device = os.ttyname(slave)
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "station", "--mode", "pick",
                          "--scanner", f"{device}?baud=115200"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        for line in p.stderr:  # the station says when its scanner is open
            if b"connected" in line and b"disconnected" not in line:
                break
        answers = []
        for code in (b"BAR-1001\r\n", b"A-01-03\r", b"NOPE\n"):
            os.write(master, code)
            answers.append(json.loads(p.stdout.readline()))
        assert [a["scan"] for a in answers] == ["BAR-1001", "A-01-03", "NOPE"]
        assert [a["ok"] for a in answers] == [True, True, False]
        assert answers[1]["expect"] == "item"
        assert p.poll() is None  # a station with a scanner runs on, its stdin open and silent
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
        os.close(slave)
