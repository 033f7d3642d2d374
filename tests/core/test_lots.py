"""Lots and expiry, as a station sees them: lot-tracked products, expired units refused, the
lots of the units picked in ``order show`` and on the parcels they leave in."""

from __future__ import annotations

from tests.core.conftest import write
from tests.core.test_station_cli import cli_env, run, show, station, stock  # noqa: F401 (fixture)

SERUM = "04012345000016"
STOCK = """sku,title,barcode,bin,quantity,lot_tracked
SERUM-30,Face serum 30 ml,4012345000016,A-01-01,10,yes
MUG-BLU,Blue enamel mug,5012345678900,B-01-01,5,
"""
ORDER = """order_id,ship_name,address1,city,postal_code,country,sku,quantity
LOT-1,Ann Buyer,1 High St,Leeds,LS1 1AA,GB,SERUM-30,3
LOT-1,Ann Buyer,1 High St,Leeds,LS1 1AA,GB,MUG-BLU,1
"""


def gs1(lot: str | None = None, expiry: str | None = None) -> str:
    """A unit's GS1 element string: GTIN, then expiry (YYMMDD), then lot (last: no GS needed)."""
    return "01" + SERUM + (f"17{expiry}" if expiry else "") + (f"10{lot}" if lot else "")


def test_lots_are_recorded_at_pick_and_kept_on_the_parcel(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    assert stock("SERUM-30", env)["lot_tracked"] is True
    assert stock("MUG-BLU", env)["lot_tracked"] is False
    run("import", write(tmp_path / "orders.csv", ORDER), env=env)

    out = station("pick", ["LOT-1", "A-01-01",
                           "4012345000016",           # a plain GTIN of a lot-tracked product
                           gs1("L0", "240131"),       # expired
                           gs1("L1", "270630"), gs1("L1", "270630"), gs1("L2", "270930"),
                           "B-01-01", "5012345678900", "TOTE-7"], env)
    assert [o["ok"] for o in out] == [True, True, False, False, True, True, True, True, True, True]
    assert "lot-tracked" in out[2]["message"] and "lot (AI 10)" in out[2]["message"]
    assert "expired" in out[3]["message"] and "2024-01-31" in out[3]["message"]
    assert (out[3]["expect"], out[3]["quantity"]) == ("item", 3)  # the expired unit counted nothing
    assert out[-1]["status"] == "picked"
    assert stock("SERUM-30", env)["on_hand"] == 7

    lines = {ln["sku"]: ln for ln in show("LOT-1", env)["lines"]}
    assert lines["SERUM-30"]["picked"] == 3
    assert lines["SERUM-30"]["lots"] == [{"lot": "L1", "expiry": "2027-06-30", "quantity": 2},
                                         {"lot": "L2", "expiry": "2027-09-30", "quantity": 1}]
    assert lines["MUG-BLU"]["lots"] == []
    text = run("order", "show", "LOT-1", env=env).stdout.decode()
    assert "lot L1  expiry 2027-06-30  x2" in text

    out = station("pack", ["TOTE-7", gs1("L9", "270630"), gs1("L2"), "4012345000016",
                           gs1("L1", "270630"), "5012345678900", "%DONE"], env)
    assert [o["ok"] for o in out] == [True, False, True, True, True, True, True]
    assert "lot L9 of SERUM-30 was not picked" in out[1]["message"]
    parcel = show("LOT-1", env)["parcels"][0]
    items = {i["sku"]: i for i in parcel["items"]}
    assert items["SERUM-30"]["quantity"] == 3
    # the plain scan took the earliest-expiring lot still unpacked
    assert items["SERUM-30"]["lots"] == [{"lot": "L1", "expiry": "2027-06-30", "quantity": 2},
                                         {"lot": "L2", "expiry": "2027-09-30", "quantity": 1}]


def test_a_bad_lot_tracked_value_is_refused_with_its_line(tmp_path, cli_env):
    f = write(tmp_path / "stock.csv", STOCK.replace(",yes\n", ",maybe\n"))
    p = run("stock", "import", f, env=cli_env, check=False)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert "line 2" in err and "lot_tracked 'maybe'" in err and len(err.strip().splitlines()) == 1
    assert run("stock", "show", "SERUM-30", env=cli_env, check=False).returncode == 1  # nothing written

    f = write(tmp_path / "stock2.csv", STOCK + "SERUM-30,Face serum 30 ml,,C-01-01,2,no\n")
    p = run("stock", "import", f, env=cli_env, check=False)
    assert p.returncode == 1 and "line 4" in p.stderr.decode() and "line 2" in p.stderr.decode()


def test_a_count_without_the_column_keeps_the_product_lot_tracked(tmp_path, cli_env):
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=cli_env)
    plain = "sku,title,barcode,bin,quantity\nSERUM-30,Face serum 30 ml,4012345000016,A-01-01,4\n"
    run("stock", "import", write(tmp_path / "count.csv", plain), env=cli_env)
    info = stock("SERUM-30", cli_env)
    assert info["lot_tracked"] is True and info["on_hand"] == 4
