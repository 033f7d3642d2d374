"""SQLite: a process that answers scans copies the write-ahead log into the database file from
a thread of its own, so no scan's commit waits for that copy and its fsync."""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import func
from sqlmodel import select

from tests import engines
from warehouse_tui.domain.models import Event
from warehouse_tui.workflow.stations import open_session


def _events_in_the_file_alone(path: str) -> int:
    """Events in the database file itself, the write-ahead log not read (immutable=1)."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()


@engines.sqlite_only
def test_scans_reach_the_database_file_without_a_commit_copying_them(warehouse, settings):
    station = open_session("pick", warehouse, settings)
    with warehouse.write_engine.connect() as conn:  # the station's commits never checkpoint
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    for i in range(30):
        assert not station.handle(f"NO-SUCH-{i}").ok
    with warehouse.session() as s:
        recorded = s.exec(select(func.count()).select_from(Event)).one()
    deadline = time.monotonic() + 10
    while _events_in_the_file_alone(warehouse.path) < recorded and time.monotonic() < deadline:
        time.sleep(0.1)
    # thirty events are far from SQLite's own 1,000-page checkpoint: only the thread copied them
    assert _events_in_the_file_alone(warehouse.path) == recorded
    warehouse.dispose()
    assert not any(t.name == "wal-checkpoint" and t.is_alive() for t in threading.enumerate())


def test_the_connection_used_last_is_used_again(warehouse):
    """A connection's page cache is warm for the rows it just read; another connection's is
    stale after every commit. Once several threads have opened connections, the next
    transactions still go to the one used last, not to each in turn."""
    db = warehouse
    for engine in {db.read_engine, db.write_engine}:
        held = [engine.connect() for _ in range(3)]  # three threads at once
        raw = [c.connection.dbapi_connection for c in held]
        for c in held:
            c.close()
        for _ in range(4):
            with engine.connect() as c:
                assert c.connection.dbapi_connection is raw[-1]
