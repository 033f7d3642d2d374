"""The migrations make exactly the schema the models describe, and upgrade in place."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from warehouse_tui import migrations
from warehouse_tui.db import Database, DatabaseError, open_database, to_url
from warehouse_tui.domain import models  # noqa: F401


def test_migrated_schema_matches_the_models(tmp_path):
    db = open_database(tmp_path / "w.db")
    with db.read_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrations.include_name})
        diff = compare_metadata(context, SQLModel.metadata)
        indexes = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list(orders)")}
        fts = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'order_search_fts'").scalar()
    # SQLite cannot reflect the expression index of the queues, so it is checked by name
    assert [d for d in diff if getattr(d[1], "name", None) != "ix_orders_queue"] == []
    assert "ix_orders_queue" in indexes
    # the search index lives outside the models: an FTS5 trigram table over order_search
    assert "fts5" in fts and "trigram" in fts
    assert migrations.current_revision(db) == migrations.head_revision()


def test_an_older_database_asks_for_db_upgrade(tmp_path):
    path = tmp_path / "w.db"
    db = Database(to_url(path))
    migrations.upgrade(db)
    with db.write_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    try:
        open_database(path)
    except DatabaseError as exc:
        assert "db upgrade" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown schema revision was accepted")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    with db.write_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
