"""Confirmations out, from orders read from our sample files: one per parcel, the right lines
and quantities for partial shipments and several parcels, each marketplace's carrier codes."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from warehouse_tui.channels import amazon, ebay, etsy, registry, shopify
from warehouse_tui.channels.carrier_codes import CARRIER_CODES, carrier_for
from warehouse_tui.channels.confirm import CannotConfirm

from .helpers import DATA, by_ref, jsonl, parcel


@pytest.fixture
def amazon_order():
    return by_ref(amazon.read(sorted((DATA / "amazon").glob("*.json"))))["111-0000001-0000001"]


@pytest.fixture
def ebay_order():
    return by_ref(ebay.read([DATA / "ebay" / "getOrders.json"]))["12-10001-00001"]


@pytest.fixture
def etsy_order():
    return by_ref(etsy.read([DATA / "etsy" / "getShopReceipts.json"]))["3000000001"]


@pytest.fixture
def shopify_orders():
    files = [DATA / "shopify" / n for n in ("orders.json", "fulfillment_orders_1001.json",
                                            "fulfillment_orders_1004.json")]
    return by_ref(shopify.read(files))


def test_amazon_flat_file_one_row_per_item_per_parcel(amazon_order):
    mug, tea = amazon_order.lines
    first = parcel(amazon_order, [(mug, 1), (tea, 1)], seq=1, count=2, carrier="royalmail",
                   tracking="RM123456785GB", service="Tracked 48")
    second = parcel(amazon_order, [(mug, 1)], seq=2, count=2, carrier="royalmail", tracking="RM123456799GB")
    text = amazon.write_confirmations([first, second])
    rows = [r.split("\t") for r in text.splitlines()]
    assert text.splitlines()[0] == ("order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\t"
                                    "tracking-number\tship-method")
    assert rows[1:] == [
        ["111-0000001-0000001", "10000000000011", "1", "2026-03-02T15:04:05+00:00", "Royal Mail", "Royal Mail",
         "RM123456785GB", "Tracked 48"],
        ["111-0000001-0000001", "10000000000012", "1", "2026-03-02T15:04:05+00:00", "Royal Mail", "Royal Mail",
         "RM123456785GB", "Tracked 48"],
        ["111-0000001-0000001", "10000000000011", "1", "2026-03-02T15:04:05+00:00", "Royal Mail", "Royal Mail",
         "RM123456799GB", ""],
    ]


def test_amazon_flat_file_cells_are_safe_in_a_spreadsheet(amazon_order):
    s = parcel(amazon_order, carrier="other", service="=HYPERLINK(\"http://x\")\tnow", tracking="+44123")
    rows = [r.split("\t") for r in amazon.write_confirmations([s]).splitlines()[1:]]
    assert rows[0][4:8] == ["Other", "'=HYPERLINK(\"http://x\") now", "'+44123", "'=HYPERLINK(\"http://x\") now"]


def test_amazon_api_one_request_per_parcel_with_package_reference(amazon_order):
    mug, tea = amazon_order.lines
    out = jsonl(amazon.write_confirmations(
        [parcel(amazon_order, [(mug, 2)], seq=1, count=2), parcel(amazon_order, [(tea, 1)], seq=2, count=2,
                                                                   carrier="usps", tracking="9400100000000000000000")],
        "api"))
    assert [r["path"] for r in out] == ["/orders/v0/orders/111-0000001-0000001/shipmentConfirmation"] * 2
    assert all(r["method"] == "POST" and r["content_type"] == "application/json" for r in out)
    bodies = [r["body"] for r in out]
    assert [b["packageDetail"]["packageReferenceId"] for b in bodies] == ["1", "2"]
    assert bodies[0] == {"marketplaceId": "ATVPDKIKX0DER", "packageDetail": {
        "packageReferenceId": "1", "carrierCode": "UPS", "carrierName": "UPS",
        "trackingNumber": "1Z999AA10123456784", "shipDate": "2026-03-02T15:04:05.678Z",
        "orderItems": [{"orderItemId": "10000000000011", "quantity": 2}]}}
    assert bodies[1]["packageDetail"]["carrierCode"] == "USPS"


def test_amazon_api_needs_the_marketplace_id():
    (o,) = [o for o in amazon.read([DATA / "amazon" / "unshipped_orders.txt"]) if o.ref == "114-1000001-1000001"]
    with pytest.raises(CannotConfirm) as e:
        amazon.write_confirmations([parcel(o)], "api")
    assert "flat file" in str(e.value)
    assert amazon.write_confirmations([parcel(o)]).count("\n") == 3  # the flat file does not need it


def test_ebay_one_fulfillment_per_parcel_with_explicit_quantities(ebay_order):
    mug, tea = ebay_order.lines
    out = jsonl(ebay.write_confirmations([
        parcel(ebay_order, [(mug, 1), (tea, 1)], seq=1, count=2, carrier="royalmail", tracking="RM1"),
        parcel(ebay_order, [(mug, 1)], seq=2, count=2, carrier="dpd", tracking="15501234567890"),
    ]))
    assert [r["path"] for r in out] == ["/sell/fulfillment/v1/order/12-10001-00001/shipping_fulfillment"] * 2
    assert out[0]["body"] == {
        "lineItems": [{"lineItemId": "10000000000001", "quantity": 1}, {"lineItemId": "10000000000002", "quantity": 1}],
        "shippedDate": "2026-03-02T15:04:05.678Z", "shippingCarrierCode": "RoyalMail", "trackingNumber": "RM1"}
    assert out[1]["body"]["lineItems"] == [{"lineItemId": "10000000000001", "quantity": 1}]
    assert out[1]["body"]["shippingCarrierCode"] == "DPD"


def test_etsy_tracking_per_receipt_form_encoded(etsy_order, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_ETSY_SHOP_ID", raising=False)
    out = jsonl(etsy.write_confirmations([parcel(etsy_order, carrier="usps", tracking="9400100000000000000000")],
                                         shop_id=12345678))
    (r,) = out
    assert r["method"] == "POST" and r["content_type"] == "application/x-www-form-urlencoded"
    assert r["path"] == "/v3/application/shops/12345678/receipts/3000000001/tracking"
    assert r["body"] == "tracking_code=9400100000000000000000&carrier_name=usps&send_bcc=false"


def test_etsy_several_parcels_are_told_apart_and_never_sent_twice(etsy_order, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_ETSY_SHOP_ID", "999")
    one = parcel(etsy_order, seq=1, count=2, carrier="evri", tracking="H01ABC")
    two = parcel(etsy_order, seq=2, count=2, carrier="royalmail", tracking="RM2")
    out = jsonl(etsy.write_confirmations([one, two, one]))
    assert len(out) == 2
    first = parse_qs(out[0]["body"])
    assert first["carrier_name"] == ["other"] and first["note_to_buyer"] == ["Sent with evri. Parcel 1 of 2."]
    assert parse_qs(out[1]["body"])["carrier_name"] == ["royal-mail"]
    assert out[0]["path"].startswith("/v3/application/shops/999/")


def test_etsy_without_a_shop_id_cannot_confirm(etsy_order, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_ETSY_SHOP_ID", raising=False)
    with pytest.raises(CannotConfirm) as e:
        etsy.write_confirmations([parcel(etsy_order)])
    assert "shop id" in str(e.value)


def test_shopify_rest_names_the_fulfillment_order_lines(shopify_orders):
    o = shopify_orders["5500000001"]
    (r,) = jsonl(shopify.write_confirmations([parcel(o, carrier="ups", tracking="1Z999AA10123456784")]))
    assert r["path"] == "/admin/api/2024-04/fulfillments.json"
    assert r["body"] == {"fulfillment": {
        "line_items_by_fulfillment_order": [
            {"fulfillment_order_id": 7700000011,
             "fulfillment_order_line_items": [{"id": 7800000011, "quantity": 2}]}],
        "tracking_info": {"number": "1Z999AA10123456784", "company": "UPS",
                          "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784"},
        "notify_customer": True}}


def test_shopify_a_line_split_over_two_locations_over_several_parcels(shopify_orders):
    o = shopify_orders["5500000004"]
    (pan,) = o.lines
    out = jsonl(shopify.write_confirmations([parcel(o, [(pan, 1)], seq=1, count=2, tracking="A"),
                                             parcel(o, [(pan, 2)], seq=2, count=2, tracking="B")]))
    groups = [r["body"]["fulfillment"]["line_items_by_fulfillment_order"] for r in out]
    assert groups[0] == [{"fulfillment_order_id": 7700000041,
                          "fulfillment_order_line_items": [{"id": 7800000041, "quantity": 1}]}]
    assert groups[1] == [
        {"fulfillment_order_id": 7700000041, "fulfillment_order_line_items": [{"id": 7800000041, "quantity": 1}]},
        {"fulfillment_order_id": 7700000042, "fulfillment_order_line_items": [{"id": 7800000042, "quantity": 1}]}]


def test_shopify_graphql_mutation_with_variables(shopify_orders):
    o = shopify_orders["5500000001"]
    (r,) = jsonl(shopify.write_confirmations([parcel(o, carrier="other", service="Evri", tracking="H0")],
                                             "graphql", notify_customer=False))
    assert r["path"] == "/admin/api/2024-04/graphql.json"
    assert "fulfillmentCreateV2(fulfillment: $fulfillment)" in r["body"]["query"]
    assert r["body"]["variables"] == {"fulfillment": {
        "notifyCustomer": False,
        "trackingInfo": {"number": "H0", "company": "Evri"},
        "lineItemsByFulfillmentOrder": [{
            "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/7700000011",
            "fulfillmentOrderLineItems": [{"id": "gid://shopify/FulfillmentOrderLineItem/7800000011",
                                           "quantity": 2}]}]}}


def test_shopify_orders_without_fulfillment_orders_cannot_be_confirmed():
    (o, _cancelled) = shopify.read([DATA / "shopify" / "orders_export.csv"])
    with pytest.raises(CannotConfirm) as e:
        shopify.write_confirmations([parcel(o)])
    assert "fulfillment order" in str(e.value)


def test_a_parcel_must_hold_units_and_a_tracking_number(ebay_order):
    with pytest.raises(CannotConfirm):
        ebay.write_confirmations([parcel(ebay_order, [])])
    with pytest.raises(CannotConfirm):
        ebay.write_confirmations([parcel(ebay_order, tracking=" ")])
    with pytest.raises(CannotConfirm):
        amazon.write_confirmations([parcel(ebay_order)])  # an eBay parcel


def test_nothing_to_confirm():
    assert ebay.write_confirmations([]) == ""
    assert amazon.write_confirmations([]).splitlines() == ["\t".join(amazon.FLAT_FILE_HEADER)]


def test_registry_writes_each_channel_and_refuses_unknown_formats(ebay_order, shopify_orders):
    assert registry.write_confirmations("ebay", [parcel(ebay_order)]) == ebay.write_confirmations([parcel(ebay_order)])
    o = shopify_orders["5500000001"]
    assert registry.write_confirmations("shopify", [parcel(o)], "graphql", notify_customer=True)
    with pytest.raises(ValueError):
        registry.write_confirmations("ebay", [parcel(ebay_order)], "tsv")
    with pytest.raises(ValueError):
        registry.write_confirmations("csv", [])
    # options a channel does not take are left aside
    assert registry.write_confirmations("ebay", [], None, shop_id=1, notify_customer=False) == ""


def test_carrier_table_covers_our_carriers():
    for code in ("ups", "usps", "fedex", "dhl", "royalmail", "dpd", "other"):
        assert code in CARRIER_CODES
    codes, name = carrier_for("other", None)
    assert (codes.amazon, codes.ebay, codes.etsy, name) == ("Other", "Other", "other", "Other")
    codes, name = carrier_for("evri", None)
    assert (codes.amazon, name) == ("Other", "evri")
