"""Shopify orders in: Admin REST order JSON with its fulfillment orders, and the orders export CSV."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from warehouse_tui.channels import shopify
from warehouse_tui.channels.base import InputRejected

from .helpers import DATA, by_ref

SHOPIFY = DATA / "shopify"
ORDERS = SHOPIFY / "orders.json"
FULFILLMENT_ORDERS = [SHOPIFY / "fulfillment_orders_1001.json", SHOPIFY / "fulfillment_orders_1004.json"]


def test_id_for_the_api_name_for_people_and_what_is_left_to_fulfil():
    o = by_ref(shopify.read([ORDERS]))["5500000001"]
    assert o.display_name == "#1001" and o.extra["order_id"] == 5500000001
    # the fulfilled line (fulfillable_quantity 0) and the gift card (no shipping) are left out
    assert [(ln.line_id, ln.sku, ln.quantity, ln.unit_price, ln.currency) for ln in o.lines] == [
        ("6600000011", "MUG-BLUE", 2, "12.99", "EUR")]
    assert o.placed_at == datetime(2026, 3, 1, 14, 30)  # -05:00 to UTC
    assert o.ship_by is None
    assert (o.ship_to.name, o.ship_to.address1, o.ship_to.address2, o.ship_to.country) == (
        "Chloé Dubois", "8 rue des Écoles", "Bât. B", "FR")


def test_cancelled_and_fulfilled_orders():
    orders = by_ref(shopify.read([ORDERS]))
    assert orders["5500000002"].cancelled
    assert orders["5500000003"].skip_reason == "already fulfilled" and orders["5500000003"].lines == []


def test_fulfillment_orders_given_apart_are_matched_by_order_id():
    orders = by_ref(shopify.read([ORDERS, *FULFILLMENT_ORDERS]))
    line = orders["5500000001"].lines[0]
    assert line.extra["fulfillment_order_lines"] == [
        {"fulfillment_order_id": 7700000011, "id": 7800000011, "quantity": 2}]
    assert orders["5500000001"].extra["fulfillment_order_ids"] == [7700000011]  # the closed one holds nothing
    split = orders["5500000004"].lines[0]
    assert split.quantity == 3
    assert [(f["fulfillment_order_id"], f["quantity"]) for f in split.extra["fulfillment_order_lines"]] == [
        (7700000041, 2), (7700000042, 1)]


def test_fulfillment_orders_inside_the_order(tmp_path):
    doc = json.loads(ORDERS.read_text(encoding="utf-8"))
    fos = json.loads(FULFILLMENT_ORDERS[0].read_text(encoding="utf-8"))["fulfillment_orders"]
    one = {"order": {**doc["orders"][0], "fulfillment_orders": fos}}
    f = tmp_path / "order.json"
    f.write_text(json.dumps(one), encoding="utf-8")
    (o,) = shopify.read([f])
    assert o.lines[0].extra["fulfillment_order_lines"][0]["fulfillment_order_id"] == 7700000011


def test_nothing_left_in_the_open_fulfillment_orders_leaves_the_line_out(tmp_path):
    fos = json.loads(FULFILLMENT_ORDERS[0].read_text(encoding="utf-8"))
    fos["fulfillment_orders"][0]["line_items"][0]["fulfillable_quantity"] = 0
    f = tmp_path / "fos.json"
    f.write_text(json.dumps(fos), encoding="utf-8")
    o = by_ref(shopify.read([ORDERS, f]))["5500000001"]
    assert o.lines == [] and o.skip_reason == "nothing left to fulfil"


def test_a_fulfillment_order_on_hold_holds_the_order(tmp_path):
    fos = json.loads(FULFILLMENT_ORDERS[0].read_text(encoding="utf-8"))
    fos["fulfillment_orders"][0]["status"] = "on_hold"
    f = tmp_path / "fos.json"
    f.write_text(json.dumps(fos), encoding="utf-8")
    o = by_ref(shopify.read([ORDERS, f]))["5500000001"]
    assert any("on hold" in r for r in o.hold_reasons)


def test_fulfillment_orders_alone_are_refused():
    with pytest.raises(InputRejected) as e:
        shopify.read(FULFILLMENT_ORDERS)
    assert e.value.where == "record 1, fulfillment_orders[0]" and "order JSON" in e.value.message


def test_orders_export_csv_first_row_carries_the_order():
    orders = by_ref(shopify.read([SHOPIFY / "orders_export.csv"]))
    o = orders["5500000005"]  # the Id column
    assert o.display_name == "#1005"
    assert (o.ship_to.name, o.ship_to.address1, o.ship_to.address2, o.ship_to.country) == (
        "Noë Ørsted", "5 Baker Street", "Flat B", "GB")
    # rows 2 and 3 carry only the Name; the fulfilled one is left out
    assert [(ln.sku, ln.quantity, ln.currency) for ln in o.lines] == [("MUG-BLUE", 2, "GBP"), ("MUG-RED", 1, "GBP")]
    assert [ln.line_id for ln in o.lines] == ["export-line-1", "export-line-3"]
    assert o.placed_at == datetime(2026, 3, 1, 9, 30)
    assert orders["5500000006"].cancelled


def test_reading_again_gives_the_same_orders():
    files = [ORDERS, *FULFILLMENT_ORDERS, SHOPIFY / "orders_export.csv"]
    assert shopify.read(files) == shopify.read(files)
