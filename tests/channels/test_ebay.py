"""eBay orders in: Sell Fulfillment getOrders JSON and the Seller Hub orders report (US and UK)."""

from __future__ import annotations

from datetime import datetime

import pytest

from warehouse_tui.channels import ebay
from warehouse_tui.channels.base import InputRejected

from .helpers import DATA, by_ref

EBAY = DATA / "ebay"


def test_get_orders_lines_keep_their_line_item_ids_and_the_earliest_ship_by():
    o = by_ref(ebay.read([EBAY / "getOrders.json"]))["12-10001-00001"]
    assert [(ln.line_id, ln.sku, ln.quantity) for ln in o.lines] == [
        ("10000000000001", "MUG-BLUE", 2), ("10000000000002", "", 1)]  # eBay may give no sku
    assert o.lines[0].unit_price == "12.99" and o.lines[0].currency == "GBP"  # lineItemCost is for both units
    assert o.ship_by == datetime(2026, 3, 2, 23, 59, 59)  # the earlier of the two lines' shipByDate
    assert o.placed_at == datetime(2026, 3, 1, 8, 26, 18)
    assert o.ship_to.name == "Åsa Ærøskøbing" and o.ship_to.country == "GB"
    assert o.extra["legacy_order_id"]


def test_global_shipping_program_goes_to_the_hub_with_its_reference():
    o = by_ref(ebay.read([EBAY / "getOrders.json"]))["12-10002-00002"]
    # eBay's spec: ship to the provider's domestic hub, the reference just above its street
    assert o.ship_to.address1 == "Reference #5012345678901234"
    assert o.ship_to.address2 == "1850 Airport Exchange Blvd, #200"
    assert (o.ship_to.city, o.ship_to.region, o.ship_to.country) == ("Erlanger", "KY", "US")
    assert o.ship_to.name == "Jean-Luc Lefèvre"
    final = o.extra["final_destination"]
    assert (final["address1"], final["city"], final["country"]) == ("12 rue de Rivoli", "Paris", "FR")


def test_authenticity_guarantee_goes_to_the_authenticator(tmp_path):
    text = (EBAY / "getOrders.json").read_text(encoding="utf-8").replace(
        '"salesRecordReference": "0002"',
        '"salesRecordReference": "0002", "program": {"authenticityVerification": {"status": "PENDING"}}')
    f = tmp_path / "ag.json"
    f.write_text(text, encoding="utf-8")
    o = by_ref(ebay.read([f]))["12-10002-00002"]
    assert (o.ship_to.address1, o.ship_to.city, o.ship_to.country) == ("12 rue de Rivoli", "Paris", "FR")
    assert o.extra["authenticity_guarantee"] is True


def test_cancelled_fulfilled_and_partly_fulfilled_orders():
    orders = by_ref(ebay.read([EBAY / "getOrders.json"]))
    assert orders["12-10003-00003"].cancelled
    partly = orders["12-10004-00004"]
    assert [(ln.line_id, ln.quantity) for ln in partly.lines] == [("10000000000006", 2)]
    assert orders["12-10005-00005"].skip_reason == "already shipped"
    assert orders["12-10005-00005"].lines == []


def test_seller_hub_report_with_preamble_summary_rows_and_footers():
    orders = ebay.read([EBAY / "seller_hub_orders.csv"])
    assert [o.ref for o in orders] == ["21-10001-00001", "21-10002-00002", "21-10003-00003"]
    o = orders[0]
    assert [(ln.line_id, ln.sku, ln.quantity, ln.unit_price) for ln in o.lines] == [
        ("2400000000011", "MUG-BLUE", 2, "12.99"), ("2400000000012", "TEA-SENCHA", 1, "19.99")]
    assert o.lines[0].extra["item_number"] == "295000000001"
    assert o.ship_to.name == "Renée Bélanger" and o.ship_to.country == "US"  # "United States"
    assert o.ship_by == datetime(2026, 3, 2, 23, 59, 59)  # by the end of the earliest line's day
    assert o.placed_at == datetime(2026, 3, 1)
    auction = orders[1]
    assert auction.lines[0].line_id == "295000000003-0"  # an auction's Transaction ID is 0
    assert auction.ship_to.name == "佐藤 健二"
    assert orders[2].skip_reason == "nothing left to ship"  # its only line has shipped


def test_seller_hub_report_uk_locale_says_post_to():
    orders = by_ref(ebay.read([EBAY / "seller_hub_orders_uk.csv"]))
    o = orders["22-20001-00001"]
    assert (o.ship_to.name, o.ship_to.region, o.ship_to.postal_code, o.ship_to.country) == (
        "Siobhán Ní Bhriain", "Co. Dublin", "D02 XY45", "IE")
    assert o.ship_by == datetime(2026, 3, 3, 23, 59, 59)  # 03-Mar-26, day first
    assert o.source == "seller_hub_orders_uk.csv:3"  # after the sep= line and the header
    gsp = orders["22-20002-00002"]
    assert gsp.extra["ship_to_reference_id"] == "5098765432101234"
    assert any("Global Shipping" in r for r in gsp.hold_reasons)


def test_an_unknown_country_name_holds_the_order(tmp_path):
    text = (EBAY / "seller_hub_orders_uk.csv").read_text(encoding="utf-8").replace("Ireland", "Atlantis")
    f = tmp_path / "report.csv"
    f.write_text(text, encoding="utf-8")
    o = by_ref(ebay.read([f]))["22-20001-00001"]
    assert o.ship_to.country == "" and "unknown country 'Atlantis'" in o.hold_reasons


def test_a_bad_quantity_names_its_line(tmp_path):
    text = (EBAY / "seller_hub_orders.csv").read_text(encoding="utf-8-sig")
    f = tmp_path / "report.csv"
    f.write_text(text.replace(',"1","$19.99"', ',"one","$19.99"').replace(',1,$19.99', ',one,$19.99'),
                 encoding="utf-8")
    with pytest.raises(InputRejected) as e:
        ebay.read([f])
    assert e.value.where == "line 6" and "Quantity" in e.value.message


def test_an_order_without_its_id_names_the_record(tmp_path):
    f = tmp_path / "orders.json"
    f.write_text('{"orders": [{"orderId": "1-2-3", "lineItems": []}, {"lineItems": [{"lineItemId": "9"}]}]}')
    with pytest.raises(InputRejected) as e:
        ebay.read([f])
    assert e.value.where == "record 1, orders[1]"


def test_reading_again_gives_the_same_orders():
    files = sorted(EBAY.iterdir())
    assert ebay.read(files) == ebay.read(files)
