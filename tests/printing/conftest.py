"""Fixtures for printing: the core's warehouse, a raw TCP printer, orders taken through the stations."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from tests.core.conftest import (  # noqa: F401
    cli_environment,
    ORDERS,
    STOCK,
    db,
    db_path,
    labels,
    settings,
    stocked,
    warehouse,
    write,
)
from warehouse_tui.workflow.stations import open_session

CONFIG = """
station = "PACK-1"

[ship_from]
name = "Example Goods Ltd"
address1 = "1 Dock Road"
city = "Leeds"
postal_code = "LS1 1AA"
country = "GB"

[carriers.ups]
shipper_number = "A1B2C3"
service = "03"
"""


class Listener:
    """A raw port like a Zebra printer's 9100: each connection's bytes, one entry per document."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.spec = f"tcp://127.0.0.1:{self.port}"
        self.jobs: list[bytes] = []
        self.on_job = None  # called with each job as it arrives
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                if self._stop.is_set():  # closed, and no job still waiting to be taken
                    return
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                self.jobs.append(data)
                if self.on_job is not None:
                    self.on_job(data)

    def close(self):
        self._stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pick(database, conf, ref, tote):
    p = open_session("pick", database, conf, station="PICK-1")
    fb = p.handle(ref)
    while fb.expect in ("bin", "item"):
        fb = p.handle(fb.bin if fb.expect == "bin" else fb.sku)
        assert fb.ok, fb
    fb = p.handle(tote)
    assert fb.ok and fb.expect == "order", fb


def pack(database, conf, tote, boxes_after=(), **kw):
    """Pack the tote's order; ``boxes_after``: after how many units to close a parcel in BOX-S."""
    k = open_session("pack", database, conf, station="PACK-1", **kw)
    fb = k.handle(tote)
    assert fb.ok, fb
    n = 0
    while fb.expect == "item":
        fb = k.handle(fb.sku)
        assert fb.ok, fb
        n += 1
        if n in boxes_after:
            fb = k.handle("BOX-S")
            assert fb.ok, fb
    fb = k.handle("%DONE")
    assert fb.ok and fb.expect == "order", fb
    return fb


def packed(database, conf, ref, tote, **kw):
    pick(database, conf, ref, tote)
    return pack(database, conf, tote, **kw)


def ship(database, conf, ref, tote, **kw):
    """Pick, pack and label the order, then scan every label: the tracking numbers."""
    packed(database, conf, ref, tote, **kw)
    lb = open_session("label", database, conf, station="LABEL-1")
    fb = lb.handle(ref)
    assert fb.ok and fb.expect == "label", fb
    numbers = fb.tracking_numbers or [fb.tracking_number]
    for n in numbers:
        fb = lb.handle(n)
        assert fb.ok, fb
    assert fb.expect == "order", fb
    return numbers


def run(*args, env=None, stdin: bytes | str | None = None, check=True, cwd=None) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    p = subprocess.run([sys.executable, "-m", "warehouse_tui", *map(str, args)], input=data,
                       capture_output=True, env=env, timeout=120, cwd=cwd, check=False)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr.decode()}")
    return p


@pytest.fixture
def cli_env(tmp_path, db_path):  # noqa: F811
    """The same database file as ``db``, a UPS-only config, labels to a folder."""
    return cli_environment(tmp_path, db_path, CONFIG, printed="printed")


SUPERVISOR_PIN = "60514"


@pytest.fixture
def supervisor_env(cli_env, db):
    """The commands run by bob, a supervisor, with his PIN: for overrides such as ``label void``."""
    from warehouse_tui.workflow.pins import add_operator, set_pin

    with db.write() as s:
        add_operator(s, "bob", "supervisor", station=None, by=None)
        s.flush()
        set_pin(s, "bob", SUPERVISOR_PIN, station=None, by=None)
    return dict(cli_env, WAREHOUSE_OPERATOR="bob", WAREHOUSE_PIN=SUPERVISOR_PIN)
