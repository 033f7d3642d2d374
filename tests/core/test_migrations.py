"""The migrations make exactly the schema the models describe, and upgrade in place."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from tests import engines
from warehouse_tui import migrations
from warehouse_tui.db import Database, DatabaseError, open_database, to_url
from warehouse_tui.domain import models  # noqa: F401


def test_migrated_schema_matches_the_models(tmp_path):
    ref = engines.new_database(tmp_path)
    db = open_database(ref)
    try:
        with db.read_engine.connect() as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # expression indexes are reflected with a warning
            context = MigrationContext.configure(conn, opts={"include_name": migrations.include_name})
            diff = compare_metadata(context, SQLModel.metadata)
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("orders")}
            # expression indexes are not reflected: their names read from the catalogue
            indexes |= set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'" if db.is_sqlite
                else "SELECT indexname FROM pg_indexes WHERE tablename = 'events'").scalars())
            if db.is_sqlite:
                fts = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'order_search_fts'").scalar()
                # the search index lives outside the models: an FTS5 trigram table over order_search
                assert "fts5" in fts and "trigram" in fts
        # the expression index of the queues cannot be compared by reflection: checked by name
        assert [d for d in diff if getattr(d[1], "name", None) != "ix_orders_queue"] == []
        assert "ix_orders_queue" in indexes
        # the status events by the status moved to: an expression of each engine's own (0011)
        assert {"ix_events_operator_moved_to", "ix_events_station_moved_to"} <= indexes
        assert migrations.current_revision(db) == migrations.head_revision()
    finally:
        db.dispose()
        engines.drop(ref)


def test_an_older_database_asks_for_db_upgrade(tmp_path):
    ref = engines.new_database(tmp_path)
    db = Database(to_url(ref))
    migrations.upgrade(db)
    with db.write_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    db.dispose()
    try:
        open_database(ref)
    except DatabaseError as exc:
        assert "db upgrade" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown schema revision was accepted")
    finally:
        engines.drop(ref)


@engines.sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    with db.write_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@engines.postgres_only
def test_postgres_runs_read_committed_and_notifies_listeners(db):
    with db.write_engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
    before = db.change_token()
    other = open_database(db.url)
    try:
        with other.write() as s:
            s.add(models.Operator(name="nina"))
        assert db.wait_for_change(before, 5.0) != before
    finally:
        other.dispose()


@engines.postgres_only
def test_postgres_listener_leaves_out_the_quiet_commits_of_its_own_process(db):
    """A console reads again only what it did not change itself: its scans' commits (quiet)
    move the token of every commit but not the token of the others' commits; any other
    commit moves both, from this process (another station in it) or from another."""
    everyone, theirs = db.change_token(), db.change_token(theirs=True)
    for name in ("olga", "oleg"):
        with db.write(quiet=True) as s:
            s.add(models.Operator(name=name))
        everyone = db.wait_for_change(everyone, 5.0)
    assert db.wait_for_change(theirs, 0.5, theirs=True) == theirs  # heard, and known as its own
    with db.write() as s:  # the same process, not quiet
        s.add(models.Operator(name="nina"))
    theirs = db.wait_for_change(theirs, 5.0, theirs=True)
    other = open_database(db.url)
    try:
        with other.write(quiet=True) as s:  # quiet, but another process's: it listens to nothing
            s.add(models.Operator(name="nora"))
        assert db.wait_for_change(theirs, 5.0, theirs=True) != theirs
    finally:
        other.dispose()


@engines.postgres_only
def test_postgres_every_table_notifies_listeners_whatever_code_writes_it(db):
    """Each table of the warehouse signals the channel from a statement trigger: a write by a
    plain connection, outside the product's own write transactions, is heard; one that rolls
    back is not."""
    from sqlalchemy import text

    with db.write_engine.connect() as conn:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        with_trigger = set(conn.execute(text(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'wt_notify_change' AND NOT t.tgisinternal")).scalars())
    assert tables and tables == with_trigger
    before = db.change_token()
    with db.write_engine.connect() as conn:
        conn.execute(text("INSERT INTO operators (name, role) VALUES ('omar', 'operator')"))
        conn.rollback()
    assert db.wait_for_change(before, 0.5) == before  # nothing committed, nothing heard
    with db.write_engine.connect() as conn:
        conn.execute(text("UPDATE stations SET updated_at = updated_at"))
        conn.commit()
    assert db.wait_for_change(before, 5.0) != before
