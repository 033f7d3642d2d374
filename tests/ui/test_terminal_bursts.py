"""The real console in a real terminal (tmux): scans written to the terminal ten at a time, ten
20 ms apart, and one far too long; what the database recorded afterwards is the judge."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from tests.ui.conftest import copy_db
from warehouse_tui.db import open_database
from warehouse_tui.domain.models import Event
from warehouse_tui.workflow.queues import queue_page

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

PROGRAM = Path(sys.executable).with_name("warehouse-tui")
STATION = "TMUX-B"


class Terminal:
    """One tmux server of the test's own, one window of 80x24."""

    def __init__(self, tmp_path: Path, name: str) -> None:
        self.socket = f"wt-{os.getpid()}-{name}"
        self.target = name
        self.tmp_path = tmp_path

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", self.target, "-x", "80", "-y", "24", command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.target)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def write(self, data: str) -> None:
        """Bytes to the terminal in one tmux command: one write, as a burst from a scanner."""
        self.tmux("send-keys", "-t", self.target, "-H", *(f"{b:02x}" for b in data.encode()))

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.target, *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def scans(db) -> list[Event]:
    with db.session() as s:
        return list(s.exec(select(Event).where(Event.type == "scan", Event.station == STATION)
                           .order_by(Event.id)))


def wait_for_scans(db, n: int, timeout: float = 60.0) -> list[Event]:
    end = time.monotonic() + timeout
    got = scans(db)
    while len(got) < n and time.monotonic() < end:
        time.sleep(0.2)
        got = scans(db)
    time.sleep(1.0)  # and nothing more than those comes after
    return scans(db)


@pytest.fixture
def console(tmp_path, demo_db_file):
    db_path = copy_db(demo_db_file, tmp_path / "warehouse.db")
    db = open_database(db_path)
    term = Terminal(tmp_path, "burst")
    done = tmp_path / "exit"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TERM": "xterm-256color"}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    term.start(f"env {exports} {PROGRAM} --db {db_path} --station {STATION} --operator alice "
               f"--printer dir:{tmp_path / 'printed'}; echo $? > {done}")
    try:
        term.wait_for("WAREHOUSE")
        term.keys("F2")
        term.wait_for("Waiting to pick")
        time.sleep(0.3)
        yield term, db, done
    finally:
        term.close()
        db.dispose()


def quit_console(term: Terminal, done: Path) -> None:
    term.keys("C-q")
    end = time.monotonic() + 20
    while not done.exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert done.exists(), "the console did not quit"
    assert done.read_text().strip() == "0"


def test_ten_scans_in_one_write_and_ten_at_20_ms_all_arrive_in_order(console):
    term, db, done = console
    with db.session() as s:
        oid = queue_page(s, "pick", limit=1)[0].id
    term.write(f"ORD-{oid}\r")
    term.wait_for("GO TO BIN")
    first = [f"ONEW-{n:04d}" for n in range(4, 14)]
    term.write("".join(code + "\r" for code in first))  # ten scans in one write
    got = wait_for_scans(db, 11)
    assert [e.scan for e in got] == [f"ORD-{oid}"] + first

    second = [f"ONEW-{n:04d}" for n in range(14, 24)]
    for code in second:  # ten scans, each in one write, 20 ms apart
        term.write(code + "\r")
        time.sleep(0.020)
    got = wait_for_scans(db, 21)
    assert [e.scan for e in got] == [f"ORD-{oid}"] + first + second
    assert all(e.ok is False for e in got[1:])  # other orders' ids, refused while one is in hand
    screen = term.screen()
    assert "ONEW-0023" in screen  # the last refusal is on screen
    quit_console(term, done)


def test_a_scan_of_5000_characters_in_a_terminal_is_one_refused_scan(console):
    term, db, done = console
    term.write("L" * 5000 + "\r")
    got = wait_for_scans(db, 1)
    assert len(got) == 1
    assert got[0].ok is False
    assert "5,000 characters, more than 4,096" in got[0].message
    term.wait_for("more than 4,096")
    quit_console(term, done)
