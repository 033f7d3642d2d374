"""Many rows into one table in one statement, at the speed of the driver.

SQLAlchemy's ``executemany`` of an ``insert()`` prepares each row's parameters through the
compiler, one call per row and column; for an import of tens of thousands of lines that costs
more than SQLite takes to store them. Here the statement is compiled once and each column's
type conversion is looked up once, then the driver gets plain tuples: SQLite's ``executemany``,
PostgreSQL's ``COPY FROM STDIN`` (one stream for the whole set, where ``executemany`` sends one
statement a row). Rows whose defaults are computed per row take SQLAlchemy's own path.
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
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[tuple(r)].append(r)
    fast = conn.dialect.name in ("sqlite", "postgresql")
    for keys, part in groups.items():
        plain = _plain_rows(conn, table, keys, part) if fast else None
        if plain is None:  # SQLAlchemy's own executemany
            conn.execute(insert(table), part)
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql(plain[0], plain[2])
        else:
            _copy(conn, table, plain[1], plain[2])


def _copy(conn: Connection, table: Table, columns: list[str], params: list[tuple]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in columns)}) FROM STDIN"
    with conn.connection.dbapi_connection.cursor() as cur, cur.copy(sql) as copy:
        for row in params:
            copy.write_row(row)


def _plain_rows(conn: Connection, table: Table, keys: tuple,
                rows: list[dict]) -> tuple[str, list[str], list[tuple]] | None:
    """The compiled INSERT, its columns in order and each row's values as the driver takes
    them; None when a default is computed per row or the statement is not the plain one."""
    dialect = conn.dialect
    defaults = {}
    for c in table.c:
        if c.key in keys or c.default is None:
            continue
        if not c.default.is_scalar:  # a default computed per row: SQLAlchemy's own path
            return None
        defaults[c.key] = c.default.arg
    columns = list(keys) + list(defaults)
    compiled = insert(table).compile(dialect=dialect, column_keys=columns)
    # positional drivers (SQLite) take the compiled order; COPY takes the order it names
    order = list(compiled.positiontup) if compiled.positiontup else columns
    given = [k for k in order if k in keys]
    if order[:len(given)] != given or set(order[len(given):]) - set(defaults):
        return None  # not the plain statement expected: SQLAlchemy's own path
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
    return str(compiled), order, params
