"""A station meets a full disk or a read-only database: it answers ``ok: false`` with the
reason, keeps the order in hand, records nothing of the refused scan, and goes on when the
fault clears. The faults are real: a small tmpfs filled to the last byte, the same tmpfs
remounted read-only, a PostgreSQL database switched to read-only."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
import time
from pathlib import Path

import pytest

from tests import engines
from warehouse_tui.db import PING_AFTER_IDLE_S
from tests.core.conftest import ORDERS, STOCK, cli_environment, write
from tests.core.station_proc import LiveStation
from tests.core.test_station_cli import CONFIG, run, show, stock


def _mount_tmpfs(where: Path, size: str = "32m") -> None:
    where.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.decode().strip()}")


def _fill(where: Path) -> Path:
    filler = where / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def small_disk(tmp_path, db_path):
    if engines.ON_POSTGRES:
        pytest.skip("a full disk of an SQLite file")
    disk = tmp_path / "disk"
    _mount_tmpfs(disk)
    db = disk / "warehouse.db"
    db.write_bytes(Path(db_path).read_bytes())
    yield disk, db
    subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _picking(env, tmp_path):
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)


def test_a_full_disk_refuses_the_scan_and_the_station_goes_on(tmp_path, small_disk):
    disk, db = small_disk
    env = cli_environment(tmp_path, db, CONFIG)
    _picking(env, tmp_path)
    st = LiveStation("pick", env)
    try:
        assert st.scan("BAR-1001")["expect"] == "bin"
        assert st.scan("A-01-03")["expect"] == "item"
        filler = _fill(disk)
        answers = [st.scan("5012345678900") for _ in range(3)]
        assert all(a["ok"] is False for a in answers), answers
        assert all("disk is full" in a["message"] for a in answers)
        # the order stays in hand, at the step it had reached
        assert all(a["order"] == "BAR-1001" and a["expect"] == "item" for a in answers)
        filler.unlink()
        again = st.scan("5012345678900")
        assert again["ok"] is True, again
        assert "1 of 2" in again["message"]
        assert st.close() == 0
    finally:
        if st.proc.poll() is None:
            st.kill()
    # exactly one unit left the shelf: the refused scans changed nothing
    assert stock("MUG-BLU", env)["on_hand"] == 9
    line = next(ln for ln in show("BAR-1001", env)["lines"] if ln["sku"] == "MUG-BLU")
    assert line["picked"] == 1
    assert "Traceback" not in st.log


def _immutable(on: bool, *files: Path) -> None:
    p = subprocess.run(["chattr", "+i" if on else "-i", *map(str, files)], capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"chattr is not supported here: {p.stderr.decode().strip()}")


def test_a_database_file_that_cannot_be_written_refuses_scans_until_it_can(tmp_path, db_path):
    if engines.ON_POSTGRES:
        pytest.skip("an SQLite file")
    env = cli_environment(tmp_path, db_path, CONFIG)
    _picking(env, tmp_path)
    st = LiveStation("pick", env)
    files = [Path(db_path), Path(f"{db_path}-wal")]
    try:
        assert st.scan("BAR-1001")["ok"]
        _immutable(True, *files)  # even root cannot write an immutable file
        try:
            refused = [st.scan("A-01-03") for _ in range(2)]
        finally:
            _immutable(False, *files)
        assert all(r["ok"] is False and r["order"] == "BAR-1001" for r in refused), refused
        assert all("cannot be written" in r["message"] or "read-only" in r["message"] for r in refused), refused
        ok = st.scan("A-01-03")
        assert ok["ok"] is True and ok["expect"] == "item", ok
        assert st.close() == 0
    finally:
        if st.proc.poll() is None:
            st.kill()
    assert show("BAR-1001", env)["status"] == "picking"
    assert "Traceback" not in st.log


def _drop_connections(name: str) -> None:
    """The server ends every connection to the database, as a restart or a failover does."""
    with engines._server() as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


@contextmanager
def _pick_station_on_postgres(tmp_path, db_path):
    """A headless pick station with BAR-1001 in hand; its database's name. After: it never
    printed a traceback."""
    env = cli_environment(tmp_path, db_path, CONFIG)
    _picking(env, tmp_path)
    st = LiveStation("pick", env)
    try:
        assert st.scan("BAR-1001")["ok"]
        yield st, str(db_path).rsplit("/", 1)[-1], env
        assert st.close() == 0
    finally:
        if st.proc.poll() is None:
            st.kill()
    assert "Traceback" not in st.log


@engines.postgres_only
def test_postgres_read_only_then_writable(tmp_path, db_path):
    with _pick_station_on_postgres(tmp_path, db_path) as (st, name, _env):
        with engines._server() as conn:
            conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        _drop_connections(name)
        refused = st.scan("A-01-03")
        assert refused["ok"] is False and "read-only" in refused["message"], refused
        assert refused["order"] == "BAR-1001"
        with engines._server() as conn:
            conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
        _drop_connections(name)
        ok = st.scan("A-01-03")
        if not ok["ok"]:  # the first use of a connection the server dropped
            ok = st.scan("A-01-03")
        assert ok["ok"] is True, ok


@engines.postgres_only
def test_postgres_connections_dropped_between_scans_cost_no_scan(tmp_path, db_path):
    """The server drops every connection (a restart, a failover): the next scan is answered,
    at once (a scan on a connection that turns out dead is tried again on a new one) and after
    a pause (a connection idle for a while is pinged before use)."""
    with _pick_station_on_postgres(tmp_path, db_path) as (st, name, env):
        _drop_connections(name)
        ok = st.scan("A-01-03")
        assert ok["ok"] is True and ok["expect"] == "item", ok
        _drop_connections(name)
        time.sleep(PING_AFTER_IDLE_S + 0.5)
        ok = st.scan(ok["sku"])
        assert ok["ok"] is True, ok
    assert show("BAR-1001", env)["status"] in ("picking", "picked")
