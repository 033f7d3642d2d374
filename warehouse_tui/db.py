"""The database: engines, sessions and migrations.

Everything engine-specific lives here. SQLite: the search folding function the triggers
call, WAL mode, foreign keys, the busy timeout,
taking the write lock at the start of a write transaction (``BEGIN IMMEDIATE``, so two
stations never deadlock upgrading a read lock) and ``PRAGMA data_version`` for cheap change
detection. PostgreSQL (psycopg 3): READ COMMITTED; every statement that writes a table fires
a trigger that signals the channel consoles ``LISTEN`` on (migration 0008), delivered when its
transaction commits. Everything else speaks portable SQLAlchemy; counts
change in SQL (``SET n = n - 1``) or under row locks, so no engine loses an update.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from warehouse_tui.domain.folding import fold_padded

BUSY_TIMEOUT_S = 15
PING_AFTER_IDLE_S = 5.0  # PostgreSQL: a pooled connection idle this long is pinged before use
BULK_CACHE_KB = 65536  # SQLite: the page cache of an import's connections (see Database.for_bulk_writes)
CHECKPOINT_EVERY_S = 0.5  # SQLite, in processes that answer scans: see Database.checkpoint_in_background


def register_functions(dbapi_conn: sqlite3.Connection) -> None:
    """SQL functions the schema's triggers call (search folding); every connection needs them."""
    dbapi_conn.create_function("wt_fold", 1, fold_padded, deterministic=True)


class DatabaseError(Exception):
    pass


QUIET_NOTIFY_WITHIN_S = 2.0  # PostgreSQL: a quiet commit's NOTIFY arrives within this, or never
_QUIET = "warehouse_quiet_commit"  # Session.info key: the Database whose listener ignores its commits
CHANNEL = "warehouse_changes"  # PostgreSQL: the channel every committed write signals (migration 0008)


def to_url(path_or_url: str | Path) -> str:
    """An SQLAlchemy URL: a plain path is an SQLite file; ``postgresql://`` uses psycopg 3."""
    text = str(path_or_url)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    for plain in ("postgresql://", "postgres://"):
        if text.startswith(plain):
            return "postgresql+psycopg://" + text[len(plain):]
    return text


def is_postgres_url(path_or_url: str | Path) -> bool:
    return to_url(path_or_url).startswith("postgresql")


def _postgres_engine(url: str) -> Engine:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseError("PostgreSQL needs psycopg 3: pip install 'warehouse-tui[postgres]'") from None
    engine = create_engine(url, pool_size=4, max_overflow=8, pool_use_lifo=True, isolation_level="READ COMMITTED",
                           connect_args={"connect_timeout": 10, "application_name": "warehouse-tui"})

    # A connection that sat idle is pinged before use (the server may have restarted since);
    # one in steady use is not, which saves a round trip a transaction. Should it fail anyway,
    # SQLAlchemy sees the disconnect and the station tries the scan again on a new connection.
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record):  # pragma: no cover - trivial
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        idle_from = record.info.get("idle_from")  # None: just connected
        if idle_from is not None and time.monotonic() - idle_from > PING_AFTER_IDLE_S:
            try:
                engine.dialect.do_ping(dbapi_conn)
            except Exception as exc:
                raise DisconnectionError(str(exc)) from exc

    return engine


def _sqlite_engine(url: str, immediate: bool, more_pragmas=None) -> Engine:
    # Last in, first out: the connection used last is used again. Each SQLite connection keeps a
    # page cache that another connection's commit makes stale; handing out the pool's
    # connections in turn (first in, first out) read the pages of a scan's rows from the file
    # again on every scan once several threads had opened connections (the console).
    kw = {"pool_use_lifo": True} if make_url(url).database not in (None, "", ":memory:") else {}
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}, **kw)

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
            if more_pragmas is not None:
                more_pragmas(cur)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - trivial
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self._checkpointer: tuple[threading.Thread, threading.Event] | None = None
        self._bulk = False
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True, more_pragmas=self._write_pragmas)
        else:
            self.read_engine = self.write_engine = _postgres_engine(url)
        # PostgreSQL: reads without BEGIN and ROLLBACK, each statement on its own. Under READ
        # COMMITTED every statement of a transaction already sees what was committed before it
        # began, so a read-only transaction gains nothing from its BEGIN but two round trips
        # (a screen reads the order in hand after every scan). SQLite's reads keep their
        # transaction: there it is one snapshot across the reads.
        self._reads = self.read_engine if self.is_sqlite else \
            self.read_engine.execution_options(isolation_level="AUTOCOMMIT")
        self._watch_lock = threading.Lock()
        self._watch_conn: sqlite3.Connection | None = None
        self._listen_conn = None  # PostgreSQL: a connection that LISTENs
        self._notified = 0
        self._theirs = 0  # of those, the ones not sent by this process's quiet commits
        # PostgreSQL, while listening: this process's quiet commits whose NOTIFY is still to
        # come, by the server process (of the connection) that sends it: when each was made
        self._quiet: dict[int, deque[float]] = {}

    @property
    def path(self) -> str | None:
        return make_url(self.url).database if self.is_sqlite else None

    def session(self) -> Session:
        """A session for reading (PostgreSQL: statements outside a transaction, see ``_reads``)."""
        return Session(self._reads, expire_on_commit=False)

    @contextmanager
    def write(self, quiet: bool = False) -> Iterator[Session]:
        """A write transaction: commits at the end, rolls back on any exception. ``quiet``:
        the writer shows what it changed itself (a console's scans), so this process's own
        listener does not count its commits among the changes it reports as theirs."""
        with Session(self.write_engine, expire_on_commit=False) as s:
            if quiet and self._listen_conn is not None:
                s.info[_QUIET] = self
            try:
                yield s
                # PostgreSQL: the tables' triggers notify listeners when (and only if) it commits
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def change_token(self, theirs: bool = False) -> int:
        """A number that changes whenever any connection commits a change. ``theirs``: all but
        this process's quiet commits (PostgreSQL; SQLite cannot tell them apart)."""
        if self.is_sqlite and self.path:
            with self._watch_lock:
                if self._watch_conn is None:
                    self._watch_conn = sqlite3.connect(self.path, check_same_thread=False)
                return int(self._watch_conn.execute("PRAGMA data_version").fetchone()[0])
        return self._listen(theirs)

    def _listen(self, theirs: bool) -> int:
        """PostgreSQL: the number of NOTIFYs seen by a connection that LISTENs (no query runs
        unless a notification is waiting)."""
        import psycopg

        with self._watch_lock:
            if self._listen_conn is None or self._listen_conn.closed:
                u = make_url(self.url)
                self._listen_conn = psycopg.connect(
                    host=u.host or "", port=u.port or 5432, user=u.username or "", password=u.password or "",
                    dbname=u.database or "", autocommit=True, connect_timeout=10,
                    application_name="warehouse-tui listen")
                self._listen_conn.execute(f"LISTEN {CHANNEL}")
                self._notified += 1  # a new connection may have missed changes
                self._theirs += 1
            for heard in self._listen_conn.notifies(timeout=0):
                self._heard(heard)
            return self._theirs if theirs else self._notified

    def _heard(self, notify) -> None:
        """One NOTIFY counted; and among theirs, unless one of this process's quiet commits
        sent it (the same server process, a moment ago)."""
        self._notified += 1
        waiting = self._quiet.get(notify.pid)
        if waiting:
            while waiting and time.monotonic() - waiting[0] > QUIET_NOTIFY_WITHIN_S:
                waiting.popleft()  # a commit that changed nothing sent none
            if waiting:
                waiting.popleft()
                return
        self._theirs += 1

    def _committing_quietly(self, s: Session) -> None:
        """Before a quiet commit: its NOTIFY is expected from its connection's server process
        (noted before the commit, so the listener never hears it first)."""
        pid = s.connection().connection.dbapi_connection.info.backend_pid
        self._quiet.setdefault(pid, deque()).append(time.monotonic())

    def wait_for_change(self, since: int, timeout: float, theirs: bool = False) -> int:
        """Block until the change token differs from ``since`` (another connection committed
        a change) or the timeout passes; the token then. PostgreSQL wakes on the NOTIFY;
        SQLite has no notifications and looks every 0.1 s. ``theirs``: as ``change_token``."""

        deadline = time.monotonic() + timeout
        token = self.change_token(theirs)
        while token == since and time.monotonic() < deadline:
            if self.is_sqlite:
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
            else:
                with self._watch_lock:
                    for heard in self._listen_conn.notifies(timeout=max(0.0, deadline - time.monotonic()),
                                                            stop_after=1):
                        self._heard(heard)
            token = self.change_token(theirs)
        return token

    def _write_pragmas(self, cur) -> None:
        if self._checkpointer is not None:
            cur.execute("PRAGMA wal_autocheckpoint = 0")  # the background thread does it
        if self._bulk:
            cur.execute(f"PRAGMA cache_size = -{BULK_CACHE_KB}")

    def for_bulk_writes(self) -> None:
        """SQLite: this process writes a great many rows (an import): its write connections
        keep a larger page cache, so the indexes of a big warehouse stay in memory between
        sets. Left to commands; a console keeps SQLite's own small cache."""
        if self.is_sqlite and not self._bulk:
            self._bulk = True
            self.write_engine.dispose()  # connections opened before this take the setting too

    def checkpoint_in_background(self, every: float = CHECKPOINT_EVERY_S) -> None:
        """SQLite: copy the write-ahead log into the database file from a thread of its own,
        every ``every`` seconds, instead of inside whichever commit fills the log past 1,000
        pages: that commit (a scan) would wait for the copy and its fsync. A PASSIVE checkpoint
        waits for no one, and nobody waits for it. For processes that answer scans; the others
        keep SQLite's own. Nothing to do on PostgreSQL or in memory."""
        if not self.is_sqlite or self.path in (None, "", ":memory:") or self._checkpointer is not None:
            return
        stop = threading.Event()
        path = self.path

        def run() -> None:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
            try:
                while not stop.wait(every):
                    try:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    except sqlite3.Error:  # a full disk, a busy file: the next round tries again
                        pass
            finally:
                conn.close()

        thread = threading.Thread(target=run, name="wal-checkpoint", daemon=True)
        self._checkpointer = (thread, stop)
        self.write_engine.dispose()  # connections opened before this take the setting too
        thread.start()

    def dispose(self) -> None:
        if self._checkpointer is not None:
            thread, stop = self._checkpointer
            stop.set()
            thread.join(timeout=5)
            self._checkpointer = None
        if self._watch_conn is not None:
            self._watch_conn.close()
            self._watch_conn = None
        if self._listen_conn is not None:
            self._listen_conn.close()
            self._listen_conn = None
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()


@event.listens_for(Session, "before_commit")
def _before_quiet_commit(s: Session) -> None:
    db = s.info.get(_QUIET)
    if db is not None:
        db._committing_quietly(s)


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


def open_for(settings, migrate: bool = True, *, create: bool = True) -> Database:
    """The database the settings name; a missing or older schema is a usage error.

    ``create=False`` is for commands that only read: a database that is not there yet is
    never created (nor its folder, nor its schema), so a mistyped ``--db`` is said at once."""
    from warehouse_tui.errors import Usage

    if not create:
        url = make_url(to_url(settings.db))
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
                and not Path(url.database).is_file():
            raise Usage(f"{url.database}: no such database (nothing was created); "
                        "check --db, or create it with a command that writes (stock import, import, db upgrade)")
        migrate = False
    try:
        return open_database(settings.db, migrate=migrate)
    except DatabaseError as exc:
        raise Usage(str(exc)) from None


# -- when the database cannot take a write ------------------------------------------------

_SQLITE_REASONS = (
    ("database or disk is full", "the disk is full"),
    ("readonly database", "the database is read-only"),
    ("read-only", "the database is read-only"),
    ("database is locked", "the database is busy"),
    ("database is busy", "the database is busy"),
    ("disk i/o error", "the disk cannot be written (I/O error)"),
    ("unable to open database file", "the database file cannot be opened"),
)
# PostgreSQL SQLSTATEs: 53100 disk full, 25006 read-only transaction, 40001/40P01 retry,
# 53300 too many connections, 57P01/57P03 shutting down, 08xxx connection failures
_PG_REASONS = {
    "53100": "the database server's disk is full",
    "25006": "the database is read-only",
    "53300": "the database server has too many connections",
    "57P01": "the database server is shutting down",
    "57P03": "the database server is starting up",
    "40001": "two stations changed the same thing at once",
    "40P01": "two stations changed the same thing at once",
}
RETRY_SQLSTATES = {"40001", "40P01"}


def storage_problem(exc: BaseException) -> str | None:
    """A plain reason when ``exc`` means the database cannot take a write just now (full,
    read-only, busy, away), so a station can say so instead of failing; None otherwise."""
    from sqlalchemy.exc import DBAPIError

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        text = str(orig).lower()
        for needle, reason in _SQLITE_REASONS:
            if needle in text:
                return reason
        return None
    state = getattr(orig, "sqlstate", None)
    if state in _PG_REASONS:
        return _PG_REASONS[state]
    if (state or "").startswith("08") or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return "the database server cannot be reached"
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite only
        return None
    if isinstance(orig, psycopg.OperationalError):
        return "the database server cannot be reached"
    return None


def worth_retrying(exc: BaseException) -> bool:
    """A conflict the database asks us to retry (PostgreSQL serialization or deadlock)."""
    from sqlalchemy.exc import DBAPIError

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None) in RETRY_SQLSTATES or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)
