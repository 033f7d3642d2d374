"""Fixtures for the core: real SQLite files, stock and order files written as users write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import engines
from warehouse_tui.config import Settings
from warehouse_tui.db import open_database
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file
from warehouse_tui.workflow.pins import add_operator

STOCK = """sku,title,barcode,bin,quantity,weight_g,length_mm,width_mm,height_mm
MUG-BLU,Blue enamel mug,5012345678900,A-01-03,10,350,120,100,100
TEE-M-BLK,Black tee M,00012345678905|TEE-M-BLK-ALT,A-02-01,5,200,260,210,20
CANDLE-FIG,Fig candle,4006381333931,B-01-01,1,420,90,90,110
CANDLE-FIG,Fig candle,,B-02-02,2,420,90,90,110
"""

ORDERS = """order_id,ship_name,address1,city,postal_code,country,sku,quantity,ship_by,region
BAR-1001,Zoë Ångström-Łukasz,12 Rue de Rivoli,Paris,75001,FR,MUG-BLU,2,2026-12-01T17:00:00Z,
BAR-1001,Zoë Ångström-Łukasz,12 Rue de Rivoli,Paris,75001,FR,TEE-M-BLK,1,2026-12-01T17:00:00Z,
BAR-1002,John Doe,1 Cross St.,Canton,48817,US,CANDLE-FIG,2,2026-12-02T17:00:00Z,MI
"""

@pytest.fixture
def db_path(tmp_path_factory, tmp_path):
    """A migrated empty database (migrated once per run, then cloned): an SQLite file, or the
    URL of a PostgreSQL database of its own when the suite runs on PostgreSQL. It knows the
    operator the tests work as (only `operator add` makes one)."""

    def build(ref):
        database = open_database(ref)
        with database.write() as s:
            add_operator(s, "alice", "operator", station=None, by=None)
        database.dispose()

    tpl = engines.template("empty", tmp_path_factory, build)
    ref = engines.clone(tpl, tmp_path)
    yield ref
    engines.drop(ref)


@pytest.fixture
def db(db_path):
    database = open_database(db_path)
    yield database
    database.dispose()


@pytest.fixture
def labels(tmp_path) -> Path:
    return tmp_path / "labels"


@pytest.fixture
def settings(db_path, labels) -> Settings:
    s = Settings(db=str(db_path), station="PACK-1", operator="alice", printer=f"dir:{labels}")
    s.carriers = {"usps": {"mailer_id": "902123456"}, "ups": {"shipper_number": "A1B2C3", "service": "03"}}
    from warehouse_tui.channels.base import Address

    s.ship_from = Address(name="Example Goods Ltd", address1="1 Dock Road", city="Leeds",
                          postal_code="LS1 1AA", country="GB")
    return s


def cli_environment(tmp_path: Path, db_path: Path, config: str, printed: str = "labels") -> dict:
    """The environment a script would give the commands: database, config, printer, operator."""
    import os

    env = dict(os.environ)
    env["WAREHOUSE_DB"] = str(db_path)
    env["WAREHOUSE_CONFIG"] = str(write(tmp_path / "warehouse.toml", config))
    env["WAREHOUSE_PRINTER"] = f"dir:{tmp_path / printed}"
    env["WAREHOUSE_OPERATOR"] = "alice"
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    env.pop("WAREHOUSE_STATION", None)
    return env


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def stocked(db, tmp_path):
    f = write(tmp_path / "stock.csv", STOCK)
    with db.write() as s:
        apply_stock(s, read_stock_file(f), path=f)
    return db


@pytest.fixture
def warehouse(stocked, tmp_path):
    """Stock and the two orders of ORDERS imported."""
    import_files(stocked, [write(tmp_path / "orders.csv", ORDERS)])
    return stocked
