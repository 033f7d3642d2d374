"""The same search on PostgreSQL (pg_trgm): runs when WAREHOUSE_TEST_DB names a postgresql URL.

A throw-away database is created beside the one named and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.core.conftest import ORDERS, STOCK, write
from tests.core.test_order_find import MORE as MORE_ORDERS
from warehouse_tui.db import open_database
from warehouse_tui.domain.folding import fold_padded
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file
from warehouse_tui.workflow.search import find

URL = os.environ.get("WAREHOUSE_TEST_DB", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="WAREHOUSE_TEST_DB is not a postgresql URL")


@pytest.fixture
def pg(tmp_path):
    name = f"wt_search_{uuid.uuid4().hex[:10]}"
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = open_database(make_url(URL).set(database=name).render_as_string(hide_password=False))
    try:
        stock = write(tmp_path / "stock.csv", STOCK)
        with db.write() as s:
            apply_stock(s, read_stock_file(stock), path=stock)
        import_files(db, [write(tmp_path / "orders.csv", ORDERS), write(tmp_path / "more.csv", MORE_ORDERS)])
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def refs(db, query, limit=50):
    with db.session() as s:
        return [f.ref for f in find(s, query, limit)]


def test_postgresql_folds_as_the_product_does(pg):
    samples = ["Zoë Ångström-Łukasz", "Søren Đorđević, Straße & Æbelø", "CHLOÉ", "O'Brien\t", "İstanbul",
               "Ħal Far ŧ", "e\u0301te\u0301", "ДОМ дом", "100% cotton_tee", "",
               # all ASCII: the short way through the function
               "  JOHN  smith--42 ", "---", "Mixed CASE ascii_Under", "A", "x\x7fy"]
    with pg.session() as s:
        got = [s.connection().execute(text("SELECT wt_fold(:t)"), {"t": t}).scalar() for t in samples]
    assert got == [fold_padded(t) for t in samples]


def test_postgresql_finds_as_sqlite_does(pg, tmp_path):
    assert refs(pg, "chloe") == ["ETS-1"]
    assert refs(pg, "lukasz") == ["BAR-1001"]
    assert refs(pg, "ngstr") == ["BAR-1001"]
    assert refs(pg, "cedar") == ["ETS-1"]
    assert refs(pg, "ann") == ["ETS-2", "ETS-3", "ETS-4"]
    assert refs(pg, "#BAR-1002") == ["BAR-1002"]
    assert refs(pg, "012345678905") == ["ETS-4", "BAR-1001"]
    assert refs(pg, "BAR-10") == ["BAR-1001", "BAR-1002"]
    assert len(refs(pg, "enamel", 2)) == 2
    import_files(pg, [write(tmp_path / "again.csv", ORDERS.replace("John Doe", "Jöhn Née"))])
    assert refs(pg, "john doe") == [] and refs(pg, "john nee") == ["BAR-1002"]


def test_postgresql_schema_matches_the_models(pg):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from warehouse_tui import migrations

    with pg.read_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": migrations.include_name}),
                                SQLModel.metadata)
        trgm = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_order_search_text_trgm'")).scalar()
    assert [d for d in diff if getattr(d[1], "name", None) != "ix_orders_queue"] == []
    assert "gin_trgm_ops" in trgm
