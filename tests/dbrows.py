"""What a database holds, read through the product's own engine (SQLite or PostgreSQL), for
tests that compare before and after."""

from __future__ import annotations

from sqlalchemy import text


def table_rows(db, tables: list[str] | None = None) -> dict[str, list[tuple]]:
    """Every row of the tables (all of the schema's by default), in primary-key order."""
    from sqlmodel import SQLModel

    from warehouse_tui.domain import models  # noqa: F401  (the metadata)

    names = tables or [t.name for t in SQLModel.metadata.sorted_tables]
    out = {}
    with db.read_engine.connect() as conn:
        for name in names:
            table = SQLModel.metadata.tables[name]
            keys = ", ".join(c.name for c in table.primary_key.columns) or "1"
            out[name] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {name} ORDER BY {keys}"))]
    return out


def query(db, sql: str, **params) -> list[tuple]:
    with db.read_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def execute(db, sql: str, **params) -> None:
    with db.write() as s:
        s.execute(text(sql), params)
