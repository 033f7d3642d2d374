"""The database: engines, sessions and migrations.

Everything SQLite-specific lives here: the search folding function the triggers call, WAL mode,
foreign keys, the busy timeout, taking the write lock at the start of a write transaction
(``BEGIN IMMEDIATE``, so two stations never deadlock upgrading a read lock) and
``PRAGMA data_version`` for cheap change detection.
Everything else speaks portable SQLAlchemy, so the same code runs on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from warehouse_tui.domain import models
from warehouse_tui.domain.folding import fold_padded

BUSY_TIMEOUT_S = 15


def register_functions(dbapi_conn: sqlite3.Connection) -> None:
    """SQL functions the schema's triggers call (search folding); every connection needs them."""
    dbapi_conn.create_function("wt_fold", 1, fold_padded, deterministic=True)


class DatabaseError(Exception):
    pass


def to_url(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        register_functions(dbapi_conn)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys = ON")
        if make_url(url).database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            self.read_engine = self.write_engine = create_engine(url, pool_pre_ping=True)
        self._watch_lock = threading.Lock()
        self._watch_conn: sqlite3.Connection | None = None

    @property
    def path(self) -> str | None:
        return make_url(self.url).database if self.is_sqlite else None

    def session(self) -> Session:
        """A session for reading."""
        return Session(self.read_engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commits at the end, rolls back on any exception."""
        with Session(self.write_engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def change_token(self) -> int:
        """A number that changes whenever any connection commits a change."""
        if self.is_sqlite and self.path:
            with self._watch_lock:
                if self._watch_conn is None:
                    self._watch_conn = sqlite3.connect(self.path, check_same_thread=False)
                return int(self._watch_conn.execute("PRAGMA data_version").fetchone()[0])
        # elsewhere every change writes an event: the ledger's head is the token
        with self.session() as s:
            return int(s.execute(select(func.max(models.Event.id))).scalar() or 0)

    def dispose(self) -> None:
        if self._watch_conn is not None:
            self._watch_conn.close()
            self._watch_conn = None
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()


def open_database(path_or_url: str | Path, *, migrate: bool = True) -> Database:
    """Open a database; an empty one gets the schema, an older one asks for ``db upgrade``."""
    from warehouse_tui import migrations

    url = to_url(path_or_url)
    if url.startswith("sqlite:///") and "memory" not in url:
        Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    current, head = migrations.current_revision(db), migrations.head_revision()
    if current == head:
        return db
    if current is None and migrate:
        migrations.upgrade(db)
        from warehouse_tui.workflow.boxes import add_standard_boxes

        with db.write() as s:
            add_standard_boxes(s)
        return db
    if current is None:
        raise DatabaseError(f"{url}: no warehouse schema; run 'warehouse-tui db upgrade'")
    raise DatabaseError(
        f"{url}: the database is at schema {current}, this release needs {head}: "
        "back it up and run 'warehouse-tui db upgrade'"
    )


def open_for(settings, migrate: bool = True) -> Database:
    """The database the settings name; a missing or older schema is a usage error."""
    from warehouse_tui.errors import Usage

    try:
        return open_database(settings.db, migrate=migrate)
    except DatabaseError as exc:
        raise Usage(str(exc)) from None
