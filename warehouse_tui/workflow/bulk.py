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
from operator import itemgetter

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
    given = [k for k in order if k in keys]
    if order[:len(given)] != given or set(order[len(given):]) - set(defaults):
        conn.execute(insert(table), rows)  # not the plain statement expected: SQLAlchemy's own path
        return
    constants = [defaults[k] for k in order[len(given):]]
    get = itemgetter(*given)
    # each column's conversion (times to text on SQLite), remembered per value: an import
    # writes the same time on every row of a set
    convert = [(i, proc, {}) for i, k in enumerate(order)
               if (proc := table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    params = []
    for r in rows:
        values = list(get(r)) if len(given) > 1 else [get(r)]
        values += constants
        for i, proc, memo in convert:
            v = values[i]
            if v is not None:
                try:
                    values[i] = memo[v]
                except KeyError:
                    values[i] = memo[v] = proc(v)
                except TypeError:  # a value that cannot be a key
                    values[i] = proc(v)
        params.append(tuple(values))
    conn.exec_driver_sql(str(compiled), params)
