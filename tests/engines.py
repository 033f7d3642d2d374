"""Which database engine the suite runs on, and a fresh database of it for each test.

The suite runs on SQLite files by default. ``WAREHOUSE_TEST_DB`` set to the URL of a
PostgreSQL server's maintenance database (``postgresql://postgres@127.0.0.1:55432/postgres``)
runs it on PostgreSQL instead: each test gets a database of its own, cloned from a template
built once per run (``CREATE DATABASE ... TEMPLATE``), and dropped after the test.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Callable

import pytest

SERVER_URL = os.environ.get("WAREHOUSE_TEST_DB", "").strip()
ON_POSTGRES = SERVER_URL.startswith(("postgresql", "postgres:"))
ENGINE = "postgresql" if ON_POSTGRES else "sqlite"

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite files only")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs WAREHOUSE_TEST_DB=postgresql://...")

_templates: dict[str, str | Path] = {}
_PREFIX = f"wt{os.getpid()}_"


def _server():
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(SERVER_URL.replace("+psycopg", ""))
    return psycopg.connect(host=u.host or "", port=u.port or 5432, user=u.username or "",
                           password=u.password or "", dbname=u.database or "postgres", autocommit=True)


def database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def clone(template: str | Path, dst_dir: Path, name: str = "warehouse.db") -> str | Path:
    """A copy of a template database: a file beside the test, or a PostgreSQL database."""
    if ON_POSTGRES:
        new = f"{_PREFIX}{uuid.uuid4().hex[:12]}"
        with _server() as conn:
            conn.execute(f'CREATE DATABASE "{new}" TEMPLATE "{template}"')
        return database_url(new)
    dst = dst_dir / name
    a, b = sqlite3.connect(template), sqlite3.connect(dst)
    with b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def drop(db_ref: str | Path) -> None:
    """Drop a test's PostgreSQL database (its files vanish with tmp_path on SQLite)."""
    if ON_POSTGRES and isinstance(db_ref, str) and _PREFIX in db_ref:
        name = db_ref.rsplit("/", 1)[-1].split("?")[0]
        with _server() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def template(key: str, tmp_path_factory, build: Callable[[str | Path], None]) -> str | Path:
    """A template database built once per run by ``build(url_or_path)``."""
    if key not in _templates:
        if ON_POSTGRES:
            name = f"{_PREFIX}tpl_{key}"
            with _server() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            build(database_url(name))
            _templates[key] = name
        else:
            path = tmp_path_factory.mktemp(f"template-{key}") / "warehouse.db"
            build(path)
            _templates[key] = path
    return _templates[key]


def drop_templates() -> None:
    if ON_POSTGRES:
        with _server() as conn:
            for name in _templates.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _templates.clear()


def new_database(tmp_path: Path) -> str | Path:
    """An empty, unmigrated database of the engine under test (migration tests)."""
    if ON_POSTGRES:
        name = f"{_PREFIX}{uuid.uuid4().hex[:12]}"
        with _server() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return database_url(name)
    return tmp_path / "w.db"


def copy_file(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst
