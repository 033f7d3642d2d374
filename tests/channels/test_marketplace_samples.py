"""The marketplaces' own samples and specifications (../shared/fixtures/marketplaces): real
payloads read as they are, and every writer checked field by field against its marketplace's
spec and enumerations. Skipped when the folder is absent."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qsl

import pytest

from warehouse_tui.channels import amazon, ebay, etsy, registry, shopify
from warehouse_tui.channels.amazon_status import NO_ADDRESS
from warehouse_tui.channels.base import InputRejected
from warehouse_tui.channels.carrier_codes import CARRIER_CODES

from .helpers import DATA, by_ref, jsonl, parcel

OUR_CARRIERS = ("ups", "usps", "fedex", "dhl", "royalmail", "dpd", "other")


def load(fixtures, name):
    return json.loads((fixtures / name).read_text(encoding="utf-8"))


def schema_check(body, schema, spec, where="body"):
    """``body`` against an OpenAPI/Swagger schema: required fields, no field the spec lacks, types."""
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object":
        assert isinstance(body, dict), where
        for name in schema.get("required", []):
            assert name in body, f"{where}.{name} is required"
        for name, value in body.items():
            assert name in schema["properties"], f"{where}.{name} is not in the spec"
            schema_check(value, schema["properties"][name], spec, f"{where}.{name}")
    elif kind == "array":
        assert isinstance(body, list), where
        for i, item in enumerate(body):
            schema_check(item, schema["items"], spec, f"{where}[{i}]")
    elif kind == "string":
        assert isinstance(body, str), where
        assert body in schema.get("enum", [body]), where
    elif kind == "integer":
        assert isinstance(body, int) and not isinstance(body, bool), where
    elif kind == "boolean":
        assert isinstance(body, bool), where


def shape(value):
    """The keys of nested JSON, without the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


# --- real payloads in ------------------------------------------------------------------------

def test_amazon_get_orders_example_pending_without_items(marketplace_fixtures):
    (o,) = amazon.read([marketplace_fixtures / "amazon_spapi_getOrders_response.example.json"])
    assert o.ref == "902-3159896-1390916" and o.ship_by == datetime(2017, 1, 25, 19, 49, 35)
    assert o.ship_to.name == "Michigan address" and o.buyer_name == "John Doe"
    assert any("pending" in r for r in o.hold_reasons)
    assert "getOrderItems" in o.skip_reason  # no items were given with it


def test_amazon_sandbox_pages_without_addresses_and_with_a_repeated_order(marketplace_fixtures):
    orders = amazon.read([marketplace_fixtures / "amazon_spapi_getOrders_response.sandbox.json"])
    # 902-3159896-1390916 comes in two pages: once here
    assert [o.ref for o in orders] == ["902-1845936-5435065", "902-8745147-1934268", "902-3159896-1390916"]
    assert all(NO_ADDRESS in o.hold_reasons for o in orders)  # restricted data, not given


def test_amazon_order_items_example(marketplace_fixtures):
    (o,) = amazon.read([marketplace_fixtures / "amazon_spapi_getOrderItems_response.example.json"])
    # the first item has shipped in full; the second: 2 units, ItemPrice 17.95 for both
    assert [(ln.line_id, ln.sku, ln.quantity, ln.unit_price, ln.currency) for ln in o.lines] == [
        ("79039765272157", "CBA_OTF_5", 2, "8.98", "JPY")]
    assert "the buyer asked to cancel" in o.hold_reasons


def test_amazon_address_and_buyer_info_fill_the_order(marketplace_fixtures):
    files = [marketplace_fixtures / n for n in ("amazon_spapi_getOrders_response.example.json",
                                                 "amazon_spapi_getOrderAddress_response.example.json",
                                                 "amazon_spapi_getOrderBuyerInfo_response.example.json")]
    (o,) = amazon.read(files)
    assert o.ship_to.address1 == "1 cross st"  # from getOrderAddress


def test_amazon_2026_search_orders_carries_its_items(marketplace_fixtures):
    (o,) = amazon.read([marketplace_fixtures / "amazon_spapi_2026-01-01_searchOrders_response.example.json"])
    assert o.ref == "123-4567890-1234567" and o.extra["marketplace_id"] == "ATVPDKIKX0DER"
    assert o.skip_reason == "already shipped" and o.lines == []
    assert o.ship_by == datetime(2024, 12, 27, 23, 59, 59)


def test_amazon_report_headers(marketplace_fixtures):
    assert amazon.read([marketplace_fixtures /
                        "amazon_unshipped_orders_report_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING.header.tsv"]) == []
    assert amazon.read([marketplace_fixtures /
                        "amazon_order_fulfillment_report_legacy_FLAT_FILE_ORDERS_DATA.header.tsv"]) == []
    with pytest.raises(InputRejected) as e:
        amazon.read([marketplace_fixtures /
                     "amazon_all_orders_report_GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE.header.tsv"])
    assert "order-item-id" in e.value.message


def test_ebay_masked_sandbox_order(marketplace_fixtures):
    (o,) = ebay.read([marketplace_fixtures / "ebay_getOrders_response.masked_sandbox.json"])
    assert o.ref == "1********5" and o.placed_at == datetime(2023, 8, 2, 8, 26, 18)
    assert [(ln.line_id, ln.sku, ln.quantity, ln.unit_price, ln.currency) for ln in o.lines] == [
        ("1********1", "", 1, "100.0", "EUR"), ("87********1", "", 1, "100.0", "EUR")]
    assert o.ship_by is None  # this sample has no shipByDate
    assert o.ship_to.country == "ES" and o.ship_to.name == "B********y"


def test_ebay_report_headers(marketplace_fixtures):
    assert ebay.read([marketplace_fixtures / "ebay_seller_hub_orders_report.header.csv"]) == []
    uk = marketplace_fixtures / "ebay_seller_hub_orders_report_UK_locale.header.csv"
    assert registry.detect_channel([uk]) == "ebay"


def test_etsy_redacted_receipt_with_capitalised_status(marketplace_fixtures):
    (o,) = etsy.read([marketplace_fixtures / "etsy_getShopReceipts_response.thirdparty_redacted.json"])
    assert o.ref == "2746298241" and o.ship_to.country == "ES"
    assert o.placed_at == datetime(2023, 1, 2, 18, 32, 21)
    assert o.skip_reason == "already shipped" and not o.cancelled  # "Completed"


def test_etsy_csv_headers_pair(marketplace_fixtures):
    files = [marketplace_fixtures / "etsy_sold_orders.header.csv",
             marketplace_fixtures / "etsy_sold_order_items.header.csv"]
    assert registry.detect_channel(files) == "etsy"
    assert etsy.read(files) == []


def test_shopify_documentation_order_with_its_fulfillment_orders(marketplace_fixtures):
    files = [marketplace_fixtures / "shopify_rest_2024-04_order_get_response.json",
             marketplace_fixtures / "shopify_rest_2024-04_fulfillment_orders_list_response.json"]
    (o,) = shopify.read(files)
    assert (o.ref, o.display_name) == ("450789469", "#1001")
    # green and black: refunded, fulfillable_quantity 0; red is left
    assert [(ln.line_id, ln.sku, ln.quantity) for ln in o.lines] == [("518995019", "IPOD2008RED", 1)]
    assert o.lines[0].extra["fulfillment_order_lines"] == [
        {"fulfillment_order_id": 1046000823, "id": 1058737564, "quantity": 1}]
    assert o.ship_to.country == "US" and o.ship_to.region == "KY"


def test_shopify_older_order_shape_without_fulfillable_quantity(marketplace_fixtures):
    (o,) = shopify.read([marketplace_fixtures / "specs" / "shopify_order.json"])
    assert [ln.sku for ln in o.lines] == ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]


def test_shopify_export_header(marketplace_fixtures):
    assert shopify.read([marketplace_fixtures / "shopify_orders_export.header.csv"]) == []


def test_confirmation_requests_are_not_taken_for_orders(marketplace_fixtures):
    for name in ("amazon_spapi_confirmShipment_request.sandbox.json",
                 "ebay_createShippingFulfillment_request.spec_shape.json",
                 "shopify_rest_2024-04_fulfillment_create_partial.json"):
        with pytest.raises(InputRejected):
            registry.read_orders([marketplace_fixtures / name])


# --- writers against the specs ---------------------------------------------------------------

@pytest.fixture
def orders():
    def read(channel, *names):
        return by_ref(registry.read_orders([DATA / channel / n for n in names]))
    return {
        "amazon": read("amazon", *[p.name for p in sorted((DATA / "amazon").glob("*.json"))])["111-0000001-0000001"],
        "ebay": read("ebay", "getOrders.json")["12-10001-00001"],
        "etsy": read("etsy", "getShopReceipts.json")["3000000001"],
        "shopify": read("shopify", "orders.json", "fulfillment_orders_1001.json")["5500000001"],
    }


def test_carrier_codes_are_in_the_marketplaces_lists(marketplace_fixtures):
    amazon_codes = set((marketplace_fixtures / "amazon_amzn-base_CarrierCode_values.txt").read_text().splitlines())
    ebay_codes = set((marketplace_fixtures / "ebay_trading_ShippingCarrierCodeType.txt").read_text().splitlines())
    for code in OUR_CARRIERS:
        assert CARRIER_CODES[code].amazon in amazon_codes, code
        assert CARRIER_CODES[code].ebay in ebay_codes, code


def test_amazon_flat_file_header_is_the_marketplaces(marketplace_fixtures, orders):
    header = (marketplace_fixtures / "amazon_shipping_confirmation_POST_FLAT_FILE_FULFILLMENT_DATA.header.tsv")
    expected = header.read_text(encoding="utf-8").splitlines()[0]
    text = amazon.write_confirmations([parcel(orders["amazon"])])
    assert text.splitlines()[0] == expected
    amazon_codes = set((marketplace_fixtures / "amazon_amzn-base_CarrierCode_values.txt").read_text().splitlines())
    for carrier in OUR_CARRIERS:
        for row in amazon.write_confirmations([parcel(orders["amazon"], carrier=carrier)]).splitlines()[1:]:
            cells = row.split("\t")
            assert len(cells) == 8 and cells[4] in amazon_codes and cells[5]


def test_amazon_confirm_shipment_against_orders_v0(marketplace_fixtures, orders):
    spec = load(marketplace_fixtures, "specs/amazon_ordersV0.json")
    assert "/orders/v0/orders/{orderId}/shipmentConfirmation" in spec["paths"]
    sandbox = load(marketplace_fixtures, "amazon_spapi_confirmShipment_request.sandbox.json")
    sample = sandbox[0]["request"]["parameters"]["body"]["value"]
    o = orders["amazon"]
    mug, tea = o.lines
    for carrier in OUR_CARRIERS:
        out = jsonl(amazon.write_confirmations([parcel(o, [(mug, 1)], seq=1, count=2, carrier=carrier, service="Std"),
                                                parcel(o, [(mug, 1), (tea, 1)], seq=2, count=2, carrier=carrier)],
                                               "api"))
        refs = []
        for r in out:
            body = r["body"]
            schema_check(body, {"$ref": "#/definitions/ConfirmShipmentRequest"}, spec)
            detail = body["packageDetail"]
            assert set(detail) <= set(sample["packageDetail"])  # the fields the sandbox request uses
            assert detail["packageReferenceId"].isdigit() and int(detail["packageReferenceId"]) > 0
            refs.append(detail["packageReferenceId"])
            if detail["carrierCode"] == "Other":
                assert detail["carrierName"]  # required with Other
            datetime.fromisoformat(detail["shipDate"].replace("Z", "+00:00"))
        assert len(set(refs)) == len(refs)  # unique within the order


def test_ebay_shipping_fulfillment_against_the_spec(marketplace_fixtures, orders):
    spec = load(marketplace_fixtures, "specs/ebay_sell_fulfillment_v1_oas3.json")
    operation = spec["paths"]["/order/{orderId}/shipping_fulfillment"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    sample = load(marketplace_fixtures, "ebay_createShippingFulfillment_request.spec_shape.json")
    ebay_codes = set((marketplace_fixtures / "ebay_trading_ShippingCarrierCodeType.txt").read_text().splitlines())
    for carrier in OUR_CARRIERS:
        (r,) = jsonl(ebay.write_confirmations([parcel(orders["ebay"], carrier=carrier)]))
        schema_check(r["body"], schema, spec)
        assert set(r["body"]) == set(sample) - {"_note"}
        assert all(set(li) == {"lineItemId", "quantity"} for li in r["body"]["lineItems"])  # quantity sent
        assert r["body"]["shippingCarrierCode"] in ebay_codes
        assert r["path"].startswith("/sell/fulfillment/v1/order/") and r["path"].endswith("/shipping_fulfillment")
        assert r["body"]["shippedDate"].endswith("Z") and len(r["body"]["shippedDate"]) == len(sample["shippedDate"])


def test_etsy_receipt_shipment_against_the_spec(marketplace_fixtures, orders):
    spec = load(marketplace_fixtures, "specs/etsy_openapi_v3_2023-06-08.json")
    path = "/v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking"
    body = spec["paths"][path]["post"]["requestBody"]["content"]
    (content_type,) = body
    fields = body[content_type]["schema"]["properties"]
    form = (marketplace_fixtures / "etsy_createReceiptShipment_request.form-urlencoded.txt").read_text()
    sample = dict(parse_qsl([ln for ln in form.splitlines() if not ln.startswith("#")][0]))
    for carrier in OUR_CARRIERS:
        (r,) = jsonl(etsy.write_confirmations([parcel(orders["etsy"], seq=1, count=2, carrier=carrier)], shop_id=42))
        assert r["content_type"] == content_type == "application/x-www-form-urlencoded"
        assert r["path"] == path.replace("{shop_id}", "42").replace("{receipt_id}", "3000000001")
        sent = dict(parse_qsl(r["body"], strict_parsing=True))
        assert set(sent) <= set(fields) and set(sent) <= set(sample)
        for name, value in sent.items():
            if fields[name]["type"] == "boolean":
                assert value in ("true", "false")
        assert sent["carrier_name"] == sent["carrier_name"].lower()


def test_shopify_rest_fulfillment_like_the_documented_request(marketplace_fixtures, orders):
    documented = load(marketplace_fixtures, "shopify_rest_2024-04_fulfillment_create_partial.json")
    (request_key,) = [k for k in documented if k.startswith("request_")]
    assert request_key == "request_POST_/admin/api/2024-04/fulfillments.json"
    expected = shape(documented[request_key])
    for carrier in OUR_CARRIERS:
        (r,) = jsonl(shopify.write_confirmations([parcel(orders["shopify"], carrier=carrier)]))
        assert r["method"] + "_" + r["path"] == request_key.removeprefix("request_")
        got = shape(r["body"])
        assert set(got["fulfillment"]) <= set(expected["fulfillment"])
        key = "line_items_by_fulfillment_order"
        assert got["fulfillment"][key] == expected["fulfillment"][key]
        assert set(got["fulfillment"]["tracking_info"]) <= {"number", "company", "url"}


def test_shopify_graphql_variables_like_the_documented_input(marketplace_fixtures, orders):
    doc = (marketplace_fixtures / "shopify_graphql_fulfillmentCreate.graphql").read_text().splitlines()
    start = doc.index("# variables:")
    documented = json.loads("".join(ln[1:].strip() for ln in doc[start + 1:]))
    (r,) = jsonl(shopify.write_confirmations([parcel(orders["shopify"])], "graphql"))
    assert shape(r["body"]["variables"]) == shape(documented) | {
        "fulfillment": shape(documented["fulfillment"]) | {"trackingInfo": {"number": "str", "company": "str",
                                                                            "url": "str"}}}
    assert r["body"]["variables"]["fulfillment"]["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderId"].startswith(
        "gid://shopify/FulfillmentOrder/")
