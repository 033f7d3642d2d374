"""Many rows into one table in one statement, at the speed of the driver.

SQLAlchemy's ``executemany`` of an ``insert()`` prepares each row's parameters through the
compiler, one call per row and column; for an import of tens of thousands of lines that costs
more than SQLite takes to store them. Here the statement is compiled once and each column's
type conversion is looked up once, then the driver's ``executemany`` gets plain tuples. On
other engines SQLAlchemy's own path stays (on PostgreSQL it sends the rows as multi-row
``VALUES`` batches, which is faster than the driver's loop).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """INSERT the rows (dicts keyed by column name) into ``table``."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[tuple(r)].append(r)
    for keys, part in groups.items():
        _sqlite_executemany(conn, table, keys, part)


def _sqlite_executemany(conn: Connection, table: Table, keys: tuple, rows: list[dict]) -> None:
    dialect = conn.dialect
    defaults = {}
    for c in table.c:
        if c.key in keys or c.default is None:
            continue
        if not c.default.is_scalar:  # a default computed per row: SQLAlchemy's own path
            conn.execute(insert(table), rows)
            return
        defaults[c.key] = c.default.arg
    columns = list(keys) + list(defaults)
    compiled = insert(table).compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup)
    procs = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in order]
    params = []
    for r in rows:
        values = []
        for k, proc in zip(order, procs):
            v = r[k] if k in r else defaults[k]
            values.append(proc(v) if proc is not None and v is not None else v)
        params.append(tuple(values))
    conn.exec_driver_sql(str(compiled), params)
