"""Schema migrations (Alembic), run from code so no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent


def _config(db=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if db is not None:
        cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
        cfg.attributes["engine"] = db.write_engine
    return cfg


# the engine-specific search index (migrations 0004 and 0006), which the models do not describe:
# the FTS5 tables on SQLite, the pg_trgm indexes on PostgreSQL, the titles' uniqueness (by the
# text itself on SQLite, by its digest on PostgreSQL), the status events by the status they
# moved to (an expression of each engine's own JSON, migration 0011)
OUTSIDE_MODELS = ("order_search_fts", "ix_order_search_text_trgm", "search_texts_fts", "ix_search_texts_",
                  "ix_events_operator_moved_to", "ix_events_station_moved_to")


def include_name(name, type_, _parent_names) -> bool:
    """For autogenerate and schema comparison: leave the search index alone."""
    return not (type_ in ("table", "index") and name and name.startswith(OUTSIDE_MODELS))


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(db) -> str | None:
    with db.read_engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db, revision: str = "head") -> None:
    command.upgrade(_config(db), revision)
