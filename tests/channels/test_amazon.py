"""Amazon orders in: SP-API getOrders + getOrderItems files matched across files, orders with
items inside, the unshipped-orders report; and what each order means for the warehouse."""

from __future__ import annotations

from datetime import datetime

import pytest

from warehouse_tui.channels import amazon
from warehouse_tui.channels.amazon_status import NO_ADDRESS
from warehouse_tui.channels.base import InputRejected

from .helpers import DATA, by_ref

AMAZON = DATA / "amazon"
API_FILES = sorted(AMAZON.glob("*.json"))


def read_api():
    return by_ref(amazon.read(API_FILES))


def test_orders_and_their_items_are_matched_across_files():
    orders = read_api()
    o = orders["111-0000001-0000001"]
    # its items came in two getOrderItems pages, the order in two getOrders pages
    assert [(ln.line_id, ln.sku, ln.quantity) for ln in o.lines] == [
        ("10000000000011", "MUG-BLUE", 2), ("10000000000012", "TEA-SENCHA", 1)]
    assert o.lines[0].unit_price == "19.99"  # ItemPrice 39.98 is for the two units
    assert o.lines[0].currency == "USD"
    assert o.lines[1].title == "Sencha tea 100 g 煎茶"
    assert o.ship_to.name == "Zoë Müller-Łukasiewicz"
    assert (o.ship_to.address1, o.ship_to.address2, o.ship_to.country) == ("742 Evergreen Terrace", "Apt 3", "US")
    assert o.buyer_name == "Zoë Müller"
    assert o.placed_at == datetime(2026, 3, 1, 10, 15)
    assert o.ship_by == datetime(2026, 3, 3, 7, 59, 59)  # LatestShipDate, naive UTC
    assert o.extra["marketplace_id"] == "ATVPDKIKX0DER"
    # the older copy of the order (Pending) in page 2 does not win over the newer one
    assert o.hold_reasons == [] and o.skip_reason is None and not o.cancelled


def test_an_address_without_restricted_data_holds_the_order_and_keeps_it():
    o = read_api()["111-0000002-0000002"]
    assert NO_ADDRESS == "no shipping address (restricted data)"
    assert NO_ADDRESS in o.hold_reasons
    assert o.ship_to.postal_code == "97201" and o.ship_to.country == "US"  # the part Amazon gives
    assert "the buyer asked to cancel" in o.hold_reasons
    assert [ln.line_id for ln in o.lines] == ["10000000000021"]


def test_fulfilled_by_amazon_is_not_queued():
    o = read_api()["111-0000003-0000003"]
    assert o.skip_reason and "AFN" in o.skip_reason
    assert not o.cancelled


def test_a_cancelled_order_is_marked_cancelled():
    o = read_api()["111-0000004-0000004"]
    assert o.cancelled
    assert o.skip_reason is None


def test_partly_shipped_lines_carry_what_is_left():
    o = read_api()["111-0000005-0000005"]
    assert [(ln.line_id, ln.quantity) for ln in o.lines] == [("10000000000051", 2)]
    assert o.ship_by == datetime(2026, 3, 2, 7, 59, 59)
    assert o.ship_to.name == "Ōtani Shōhei"


def test_orders_with_their_items_inside():
    o = read_api()["249-0000006-0000006"]
    assert [(ln.sku, ln.quantity, ln.unit_price, ln.currency) for ln in o.lines] == [("TEA-SENCHA", 2, "1200", "JPY")]
    assert o.ship_to.name == "山田 太郎" and o.ship_to.country == "JP"
    assert o.extra["marketplace_id"] == "A1VC38T7YXB528"
    assert NO_ADDRESS not in o.hold_reasons


def test_an_order_without_its_items_file_is_not_queued_but_reported():
    orders = by_ref(amazon.read([AMAZON / "getOrders_page1.json"]))
    o = orders["111-0000001-0000001"]
    assert o.lines == [] and "getOrderItems" in o.skip_reason


def test_items_without_their_order_are_held():
    orders = amazon.read([AMAZON / "getOrderItems_111-0000002-0000002.json"])
    assert [o.ref for o in orders] == ["111-0000002-0000002"]
    assert any("getOrders" in r for r in orders[0].hold_reasons)
    assert orders[0].lines[0].sku == "MUG-RED"


def test_the_restricted_address_given_apart_fills_the_order_in(tmp_path):
    address = tmp_path / "address.json"
    address.write_text('{"payload": {"AmazonOrderId": "111-0000002-0000002", "ShippingAddress": {'
                       '"Name": "Ana Núñez", "AddressLine1": "1 Pine St", "City": "Portland", '
                       '"StateOrRegion": "OR", "PostalCode": "97201", "CountryCode": "US"}}}', encoding="utf-8")
    o = by_ref(amazon.read(API_FILES + [address]))["111-0000002-0000002"]
    assert o.ship_to.name == "Ana Núñez" and o.ship_to.address1 == "1 Pine St"
    assert NO_ADDRESS not in o.hold_reasons


def test_unshipped_orders_report():
    orders = by_ref(amazon.read([AMAZON / "unshipped_orders.txt"]))
    o = orders["114-1000001-1000001"]
    assert [(ln.line_id, ln.sku, ln.quantity) for ln in o.lines] == [
        ("30000000000011", "PAN-12", 1), ("30000000000012", "MUG-BLUE", 2)]  # quantity-to-ship
    assert o.lines[0].title == '12" skillet, cast iron'  # Amazon does not quote its flat files
    assert o.ship_to.name == "Siân Jones" and o.ship_to.country == "GB"
    assert o.ship_by == datetime(2026, 3, 4, 7, 59, 59)
    assert o.source == "unshipped_orders.txt:2"
    restricted = orders["114-1000002-1000002"]
    assert NO_ADDRESS in restricted.hold_reasons
    assert [ln.line_id for ln in restricted.lines] == ["30000000000022"]  # the shipped item is left out
    assert restricted.placed_at == datetime(2026, 3, 2, 18, 0)  # -07:00 to UTC


def test_a_report_that_cannot_drive_shipping_is_refused(tmp_path):
    report = tmp_path / "all_orders.txt"
    report.write_text("amazon-order-id\tmerchant-order-id\tpurchase-date\tsku\tquantity\n"
                      "111-1\t\t2026-03-01T00:00:00+00:00\tMUG\t1\n", encoding="utf-8")
    with pytest.raises(InputRejected) as e:
        amazon.read([report])
    assert "order-item-id" in e.value.message and e.value.where == "line 1"


def test_a_shipping_confirmation_file_is_not_taken_for_orders(tmp_path):
    flat = tmp_path / "confirm.txt"
    flat.write_text("\t".join(amazon.FLAT_FILE_HEADER) + "\n111-1\t1\t1\t2026-03-01\tUPS\tUPS\t1Z\t\n")
    with pytest.raises(InputRejected) as e:
        amazon.read([flat])
    assert "shipping-confirmation" in e.value.message


def test_a_quantity_that_is_not_a_number_names_its_line(tmp_path):
    text = (AMAZON / "unshipped_orders.txt").read_text(encoding="utf-8").replace("\t2\tStandard", "\ttwo\tStandard")
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputRejected) as e:
        amazon.read([bad])
    assert e.value.where == "line 3" and "quantity-to-ship" in e.value.message


def test_an_item_without_its_id_names_the_record(tmp_path):
    bad = tmp_path / "items.json"
    bad.write_text('{"payload": {"AmazonOrderId": "1", "OrderItems": [{"SellerSKU": "X", "QuantityOrdered": 1}]}}')
    with pytest.raises(InputRejected) as e:
        amazon.read([bad])
    assert e.value.where == "record 1, OrderItems[0]" and "OrderItemId" in e.value.message


def test_reading_again_gives_the_same_orders():
    files = API_FILES + [AMAZON / "unshipped_orders.txt"]
    assert amazon.read(files) == amazon.read(files)
    assert amazon.read(list(reversed(files))) == amazon.read(list(reversed(files)))
