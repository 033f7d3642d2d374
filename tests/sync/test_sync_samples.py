"""The marketplaces' own sample answers (../shared/fixtures/marketplaces) served by the
emulators: what sync brings is the same order an import of the same answer as a file brings,
never a second one; and what sync sends keeps to the specifications' fields."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

from sqlmodel import func, select

from tests.sync.conftest import detail, ship
from tests.sync.emulators import iso
from tests.sync.test_sync_faults import sync
from warehouse_tui.domain.models import Order
from warehouse_tui.workflow.importing import import_files


def recent() -> str:
    return iso(datetime.now(timezone.utc) - timedelta(minutes=1))


def count(db) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(Order)).one()


def test_amazon_sample_from_the_api_and_from_a_file_is_one_order(shop, make_settings, amazon, marketplace_fixtures,
                                                                   tmp_path):
    doc = json.loads((marketplace_fixtures / "amazon_spapi_2026-01-01_searchOrders_response.example.json").read_text())
    order = copy.deepcopy(doc["orders"][0])
    order["lastUpdatedTime"] = recent()
    order["fulfillment"]["fulfillmentStatus"] = "UNSHIPPED"  # the sample has shipped: make it one to ship
    for item in order["orderItems"]:
        item.setdefault("fulfillment", {}).update(quantityFulfilled=0, quantityUnfulfilled=item["quantityOrdered"])
    amazon.orders[order["orderId"]] = {**order, "packages": []}
    r, status = sync(shop, make_settings(amazon=amazon))
    assert status == 0 and r["amazon"].new == 1, r["amazon"].error
    d = detail(shop, order["orderId"])
    assert d["status"] == "on_hold"  # its SKUs are not in our stock
    assert d["ship_to"]["city"] == order["recipient"]["deliveryAddress"]["city"]
    f = tmp_path / "searchOrders.json"
    f.write_text(json.dumps({"orders": [order]}))
    report = import_files(shop, [f], "amazon")
    assert report.unchanged == [order["orderId"]] and count(shop) == 1


def test_ebay_sample_from_the_api_and_from_a_file_is_one_order(shop, make_settings, ebay, marketplace_fixtures, tmp_path):
    doc = json.loads((marketplace_fixtures / "ebay_getOrders_response.masked_sandbox.json").read_text())
    order = copy.deepcopy(doc["orders"][0])
    order["lastModifiedDate"] = recent()
    ebay.orders[order["orderId"]] = order
    ebay.fulfillments[order["orderId"]] = []
    r, status = sync(shop, make_settings(ebay=ebay))
    assert status == 0 and r["ebay"].new == 1, r["ebay"].error
    f = tmp_path / "getOrders.json"
    f.write_text(json.dumps({"orders": [order], "total": 1}))
    report = import_files(shop, [f], "ebay")
    assert report.unchanged == [order["orderId"]] and count(shop) == 1


def test_etsy_sample_from_the_api_and_from_a_file_is_one_order(shop, make_settings, etsy, marketplace_fixtures, tmp_path):
    doc = json.loads((marketplace_fixtures / "etsy_getShopReceipts_response.thirdparty_redacted.json").read_text())
    receipt = copy.deepcopy(doc["results"][0])
    receipt["status"], receipt["is_shipped"] = "Paid", False  # the sample has shipped: make it one to ship
    for t in receipt["transactions"]:
        t["shipped_timestamp"] = None
    receipt["updated_timestamp"] = receipt["update_timestamp"] = int(datetime.now(timezone.utc).timestamp()) - 60
    etsy.receipts[str(receipt["receipt_id"])] = {**receipt, "shipments": []}
    r, status = sync(shop, make_settings(etsy=etsy))
    assert status == 0 and r["etsy"].new == 1, r["etsy"].error
    f = tmp_path / "receipts.json"
    f.write_text(json.dumps({"count": 1, "results": [receipt]}))
    import_files(shop, [f], "etsy")
    assert count(shop) == 1  # the same receipt: updated (the API knows its shop id), never doubled


def test_requests_keep_to_the_specifications(shop, make_settings, amazon, ebay, etsy, shopify, marketplace_fixtures):
    specs = marketplace_fixtures / "specs"
    v0 = json.loads((specs / "amazon_ordersV0.json").read_text())["definitions"]
    fulfil = json.loads((specs / "ebay_sell_fulfillment_v1_oas3.json").read_text())["components"]["schemas"]
    etsy_spec = json.loads((specs / "etsy_openapi_v3_2023-06-08.json").read_text())
    form = etsy_spec["paths"]["/v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking"]["post"]["requestBody"]
    form_fields = set(form["content"]["application/x-www-form-urlencoded"]["schema"]["properties"])
    amazon.add_order("111-0000001-0000001", [("10000000000011", "MUG-BLUE", 1)])
    ebay.add_order("12-10001-00001", [("10000000000001", "TEA-SENCHA", 1)])
    etsy.add_receipt(3000000001, [(4000000001, "MUG-RED", 1)])
    shopify.add_order(5500000001, 1001, [(6600000001, "PAN-12", 1)])
    settings = make_settings(amazon=amazon, ebay=ebay, etsy=etsy, shopify=shopify)
    sync(shop, settings)
    for ref in ("111-0000001-0000001", "12-10001-00001", "3000000001", "#1001"):
        ship(shop, settings, ref)
    r, status = sync(shop, settings)
    assert status == 0 and all(x.confirmed == 1 for x in r.values()), r
    (a,) = [c.json() for c in amazon.confirmations]
    assert set(a) <= set(v0["ConfirmShipmentRequest"]["properties"])
    assert set(a["packageDetail"]) <= set(v0["PackageDetail"]["properties"])
    assert set(v0["PackageDetail"]["required"]) <= set(a["packageDetail"])
    (e,) = [c.json() for c in ebay.confirmations]
    assert set(e) <= set(fulfil["ShippingFulfillmentDetails"]["properties"])
    (t,) = [c.form() for c in etsy.confirmations]
    assert set(t) <= form_fields and {"tracking_code", "carrier_name"} <= set(t)
    mutation = (marketplace_fixtures / "shopify_graphql_fulfillmentCreate.graphql").read_text()
    (s,) = [c.json() for c in shopify.confirmations]
    assert "fulfillmentCreate(fulfillment: $fulfillment)" in mutation and "fulfillmentCreate(fulfillment: $fulfillment)" in s["query"]
    assert set(s["variables"]["fulfillment"]) <= {"lineItemsByFulfillmentOrder", "notifyCustomer", "originAddress",
                                                 "trackingInfo"}
    # and the emulators' own orders keep to the specifications' fields too
    a26 = json.loads((specs / "amazon_orders_2026-01-01.json").read_text())["definitions"]
    assert set(amazon.orders["111-0000001-0000001"]) <= set(a26["Order"]["properties"])
    assert set(amazon.orders["111-0000001-0000001"]["orderItems"][0]) <= set(a26["OrderItem"]["properties"])
    assert set(ebay.orders["12-10001-00001"]) <= set(fulfil["Order"]["properties"])
    assert set(ebay.orders["12-10001-00001"]["lineItems"][0]) <= set(fulfil["LineItem"]["properties"])
    receipt = etsy_spec["components"]["schemas"]["ShopReceipt"]["properties"]
    assert set(etsy.receipts["3000000001"]) <= set(receipt)
