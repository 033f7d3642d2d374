"""Etsy orders in: getShopReceipts JSON and the Sold Orders + Sold Order Items CSVs."""

from __future__ import annotations

from datetime import datetime

import pytest

from warehouse_tui.channels import etsy
from warehouse_tui.channels.base import InputRejected

from .helpers import DATA, by_ref

ETSY = DATA / "etsy"
RECEIPTS = ETSY / "getShopReceipts.json"
CSVS = [ETSY / "EtsySoldOrders2026-3.csv", ETSY / "EtsySoldOrderItems2026-3.csv"]


def test_receipt_money_times_and_transactions():
    o = by_ref(etsy.read([RECEIPTS]))["3000000001"]
    assert [(ln.line_id, ln.sku, ln.quantity, ln.unit_price, ln.currency) for ln in o.lines] == [
        ("4000000011", "MUG-SPECK", 2, "24.50", "EUR"),  # amount 2450 / divisor 100
        ("4000000012", "TOWEL-SARDINE", 1, "12.90", "EUR")]  # the digital download is not shipped
    assert o.lines[0].extra["variations"] == "Colour: Fjord blue, Size: Large"
    assert o.placed_at == datetime(2026, 3, 1, 8, 0)  # epoch seconds, naive UTC
    assert o.ship_by == datetime(2026, 3, 3, 8, 0)  # the earliest expected ship date
    assert (o.ship_to.name, o.ship_to.address2, o.ship_to.city, o.ship_to.country) == (
        "Ingrid Bjørnstad", "Leilighet 4", "Tromsø", "NO")


def test_status_in_any_case():
    orders = by_ref(etsy.read([RECEIPTS]))
    assert orders["3000000002"].cancelled  # "Canceled"
    assert not orders["3000000003"].cancelled and orders["3000000003"].skip_reason is None  # "PAID"
    assert orders["3000000003"].hold_reasons == []
    assert orders["3000000004"].skip_reason == "already shipped"  # "Completed"


def test_a_divisor_of_one():
    o = by_ref(etsy.read([RECEIPTS]))["3000000005"]
    assert (o.lines[0].unit_price, o.lines[0].currency, o.lines[0].title) == ("2400", "JPY", "陶器のいわし")


def test_sold_orders_and_items_csvs_are_paired():
    orders = by_ref(etsy.read(CSVS))
    o = orders["3100000001"]
    assert (o.ship_to.name, o.ship_to.address1, o.ship_to.address2, o.ship_to.country) == (
        "Łucja Wiśniewska", "ul. Długa 5", "m. 12", "PL")  # "Poland"
    assert [(ln.line_id, ln.sku, ln.quantity, ln.unit_price) for ln in o.lines] == [
        ("4100000011", "MUG-SPECK", 2, "24.50"), ("4100000012", "TOWEL-SARDINE", 1, "12.90")]
    assert o.placed_at == datetime(2026, 3, 1)
    assert o.hold_reasons == []
    assert orders["3100000002"].skip_reason == "already shipped"
    assert orders["3100000003"].cancelled


def test_items_alone_hold_the_order_for_its_missing_address_line():
    o = by_ref(etsy.read(CSVS))["3100000004"]
    assert o.ship_to.name == "Kai Müller" and o.ship_to.country == "DE"
    assert any("Sold Orders CSV" in r for r in o.hold_reasons)


def test_orders_alone_are_not_queued():
    o = by_ref(etsy.read(CSVS[:1]))["3100000001"]
    assert o.lines == [] and "Sold Order Items" in o.skip_reason


def test_a_receipt_without_its_id_names_the_record(tmp_path):
    f = tmp_path / "receipts.json"
    f.write_text('{"count": 2, "results": [{"receipt_id": 1, "transactions": []}, {"status": "paid"}]}')
    with pytest.raises(InputRejected) as e:
        etsy.read([f])
    assert e.value.where == "results[1]"


def test_a_time_that_is_not_epoch_seconds_names_the_record(tmp_path):
    f = tmp_path / "receipts.json"
    f.write_text('{"results": [{"receipt_id": 7, "created_timestamp": "yesterday", "transactions": []}]}')
    with pytest.raises(InputRejected) as e:
        etsy.read([f])
    assert e.value.where == "results[0] (7)" and "created_timestamp" in e.value.message


def test_reading_again_gives_the_same_orders():
    files = [RECEIPTS, *CSVS]
    assert etsy.read(files) == etsy.read(files)
