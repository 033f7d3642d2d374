"""Marketplace files in, the whole flow through the headless station, confirmations out,
checked field by field."""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.core.conftest import write
from tests.core.station_proc import LiveStation
from tests.core.test_station_cli import CONFIG, run, show, station
from warehouse_tui.db import open_database
from warehouse_tui.workflow.queues import unconfirmed_parcels

DATA = Path(__file__).resolve().parents[1] / "channels" / "data"

STOCK = """sku,title,barcode,bin,quantity,weight_g
MUG-BLUE,Blue mug,5012345000017,A-01-01,50,350
MUG-RED,Red mug,5012345000024,A-01-02,50,350
TEA-SENCHA,Sencha tea,5012345000031,A-02-01,50,120
PAN-12,Frying pan 12 in,5012345000048,B-01-01,50,1500
MUG-SPECK,Speckled mug,5012345000055,B-02-01,50,350
TOWEL-SARDINE,Sardine towel,5012345000062,C-01-01,50,150
SARDINE-CER,Ceramic sardine,5012345000079,C-02-01,50,90
"""


@pytest.fixture
def env(tmp_path, db_path):
    import os

    e = dict(os.environ)
    e.update(WAREHOUSE_DB=str(db_path), WAREHOUSE_CONFIG=str(write(tmp_path / "w.toml", 'etsy_shop_id = "31415926"\n' + CONFIG)),
             WAREHOUSE_PRINTER=f"dir:{tmp_path / 'labels'}", WAREHOUSE_OPERATOR="alice", XDG_DATA_HOME=str(tmp_path / "xdg"))
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=e)
    return e


def ship(ref: str, env, boxes: int = 1) -> list[str]:
    """Pick, pack (into ``boxes`` parcels when there are units enough), label and verify: each
    station one headless process, answering scan by scan."""
    with live("pick", env) as pick:
        fb = pick.scan(ref)
        while fb["expect"] in ("bin", "item"):
            fb = pick.scan(fb["bin"] if fb["expect"] == "bin" else fb["sku"])
        assert pick.scan(f"TOTE-{ref[-6:]}")["ok"]
    d = show(ref, env)
    units = [ln["sku"] for ln in d["lines"] for _ in range(ln["picked"])]
    scans = [f"TOTE-{ref[-6:]}"]
    for i, sku in enumerate(units):
        scans.append(sku)
        if boxes > 1 and i == 0 and len(units) > 1:
            scans.append("BOX-S")
    scans.append("%DONE")
    assert all(o["ok"] for o in station("pack", scans, env))
    with live("label", env) as label:
        out = label.scan(ref)
        numbers = out.get("tracking_numbers") or [out["tracking_number"]]
        assert all(label.scan(n)["ok"] for n in numbers)
    assert show(ref, env)["status"] == "shipped"
    return numbers


@contextmanager
def live(mode: str, env):
    st = LiveStation(mode, env)
    try:
        yield st
    except BaseException:
        st.kill()
        raise
    assert st.close() == 0, st.log


def unconfirmed(env) -> dict:
    db = open_database(env["WAREHOUSE_DB"])
    with db.session() as s:
        counts = unconfirmed_parcels(s)
    db.dispose()
    return counts


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_amazon(env, tmp_path):
    files = sorted((DATA / "amazon").glob("get*.json"))
    p = run("import", *files, env=env)
    assert b"not queued" in p.stderr  # the AFN order
    assert show("111-0000002-0000002", env)["status"] == "on_hold"  # no address without a token
    assert show("111-0000004-0000004", env)["status"] == "cancelled"
    numbers = ship("111-0000001-0000001", env, boxes=2)
    assert len(numbers) == 2 and unconfirmed(env) == {"amazon": 2}
    out = tmp_path / "amazon.tsv"
    run("export", "confirmations", "--channel", "amazon", "--out", out, env=env)
    rows = list(csv.DictReader(io.StringIO(out.read_text()), delimiter="\t"))
    assert out.read_text().splitlines()[0] == "\t".join(
        ["order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "carrier-name", "tracking-number", "ship-method"])
    got = sorted((r["order-item-id"], r["quantity"], r["tracking-number"], r["carrier-code"]) for r in rows)
    d = show("111-0000001-0000001", env)
    assert {r["order-id"] for r in rows} == {"111-0000001-0000001"}
    assert sum(int(r["quantity"]) for r in rows) == 3 and {r[2] for r in got} == set(numbers)
    assert {r[3] for r in got} == {"USPS"} and {r[0] for r in got} == {"10000000000011", "10000000000012"}
    assert all(r["ship-date"] for r in rows) and len(d["parcels"]) == 2
    assert unconfirmed(env) == {}
    again = tmp_path / "again.tsv"
    run("export", "confirmations", "--channel", "amazon", "--out", again, env=env)
    assert len(again.read_text().splitlines()) == 1  # nothing twice: the header only
    run("export", "confirmations", "--channel", "amazon", "--again", "--format", "api", "--out", again, env=env)
    reqs = jsonl(again.read_text())
    assert len(reqs) == 2 and all(r["path"] == "/orders/v0/orders/111-0000001-0000001/shipmentConfirmation" for r in reqs)
    pkgs = [r["body"]["packageDetail"] for r in reqs]
    assert sorted(p["trackingNumber"] for p in pkgs) == sorted(numbers)
    assert len({p["packageReferenceId"] for p in pkgs}) == 2


def test_ebay(env, tmp_path):
    run("import", DATA / "ebay" / "getOrders.json", env=env)
    assert show("12-10001-00001", env)["status"] == "on_hold"  # a line without a SKU
    numbers = ship("12-10004-00004", env)
    out = tmp_path / "ebay.jsonl"
    run("export", "confirmations", "--channel", "ebay", "--out", out, env=env)
    (req,) = jsonl(out.read_text())
    assert req["method"] == "POST" and req["path"] == "/sell/fulfillment/v1/order/12-10004-00004/shipping_fulfillment"
    body = req["body"]
    assert body["trackingNumber"] == numbers[0] and body["shippingCarrierCode"] == "UPS"
    assert body["lineItems"] == [{"lineItemId": "10000000000006", "quantity": 2}]
    spec = DATA.parents[2].parent / "shared" / "fixtures" / "marketplaces" / "specs" / "ebay_sell_fulfillment_v1_oas3.json"
    if spec.exists():
        props = json.loads(spec.read_text())["components"]["schemas"]["ShippingFulfillmentDetails"]["properties"]
        assert set(body) <= set(props)


def test_etsy(env, tmp_path):
    run("import", DATA / "etsy" / "getShopReceipts.json", env=env)
    numbers = ship("3000000003", env)
    out = tmp_path / "etsy.jsonl"
    run("export", "confirmations", "--channel", "etsy", "--out", out, env=env)
    (req,) = jsonl(out.read_text())
    assert req["path"] == "/v3/application/shops/31415926/receipts/3000000003/tracking"
    assert req["content_type"] == "application/x-www-form-urlencoded"
    form = parse_qs(req["body"])
    assert form["tracking_code"] == [numbers[0]] and form["carrier_name"][0].lower() == "ups"
    run("export", "confirmations", "--channel", "etsy", "--out", out, env=env)
    assert jsonl(out.read_text()) == []  # a resend would e-mail the buyer again


def test_shopify_two_parcels(env, tmp_path):
    files = [DATA / "shopify" / n for n in ("orders.json", "fulfillment_orders_1001.json", "fulfillment_orders_1004.json")]
    run("import", *files, env=env)
    assert show("#1001", env)["status"] == "ready"  # by its display name
    numbers = ship("5500000004", env, boxes=2)
    out = tmp_path / "shopify.jsonl"
    run("export", "confirmations", "--channel", "shopify", "--out", out, env=env)
    reqs = jsonl(out.read_text())
    assert len(reqs) == 2 and all(r["path"] == "/admin/api/2024-04/fulfillments.json" for r in reqs)
    sent = []
    for r in reqs:
        f = r["body"]["fulfillment"]
        sent.append(f["tracking_info"]["number"])
        groups = f["line_items_by_fulfillment_order"]  # the line is split over two locations
        assert groups and all(g["fulfillment_order_id"] and g["fulfillment_order_line_items"] for g in groups)
    assert sorted(sent) == sorted(numbers)
    total = sum(li["quantity"] for r in reqs for g in r["body"]["fulfillment"]["line_items_by_fulfillment_order"]
                for li in g["fulfillment_order_line_items"])
    assert total == 3
