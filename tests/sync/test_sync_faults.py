"""What goes wrong over the network: retries, expiring tokens, refusals, cancellations, unknown
SKUs, answers that are not the API's, a marketplace that is down. In process, real SQLite."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timezone

from tests.sync import etsy_emulator as et
from tests.sync.conftest import detail, ship
from tests.sync.emulators import iso
from warehouse_tui.config import data_dir
from warehouse_tui.domain.channel_sync import ChannelSync
from warehouse_tui.sync.channels import configured
from warehouse_tui.sync.service import exit_status, sync_all
from warehouse_tui.workflow.queues import unconfirmed_parcels


def sync(db, settings, clients=None, only=None):
    results = sync_all(db, settings, configured(settings, only), clients)
    return {r.channel: r for r in results}, exit_status(results)


def unconfirmed(db):
    with db.session() as s:
        return unconfirmed_parcels(s)


def test_429_with_retry_after_and_a_503_are_retried(shop, make_settings, amazon, ebay):
    amazon.add_order("111-0000001-0000001", [("10000000000011", "MUG-BLUE", 1)])
    ebay.add_order("12-10001-00001", [("10000000000001", "TEA-SENCHA", 1)])
    amazon.fail("orders", 429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
                Retry_After="1")
    ebay.fail("orders", 503, {"errors": [{"errorId": 2003, "message": "Internal error"}]}, times=2)
    r, status = sync(shop, make_settings(amazon=amazon, ebay=ebay))
    assert status == 0, r
    assert r["amazon"].new == 1 and r["ebay"].new == 1
    assert len(amazon.requests("orders")) == 2 and len(ebay.requests("orders")) == 3


def test_a_marketplace_that_stays_down_fails_alone(shop, make_settings, amazon, ebay):
    amazon.add_order("111-0000001-0000001", [("10000000000011", "MUG-BLUE", 1)])
    ebay.add_order("12-10001-00001", [("10000000000001", "TEA-SENCHA", 1)])
    ebay.fail("orders", 503, {"errors": [{"errorId": 2003, "message": "Service Unavailable"}]}, times=99)
    r, status = sync(shop, make_settings(amazon=amazon, ebay=ebay))
    assert status == 1
    assert r["amazon"].error is None and r["amazon"].new == 1
    assert "503" in r["ebay"].error and "5 tries" in r["ebay"].error
    with shop.session() as s:
        state = s.get(ChannelSync, "ebay")
        assert state.last_success_at is None and state.synced_from is None and "503" in state.last_error
        assert s.get(ChannelSync, "amazon").last_success_at is not None


def test_an_access_token_that_expires_mid_sync_is_refreshed(shop, make_settings, amazon):
    for n in range(1, 6):
        amazon.add_order(f"111-0000001-000000{n}", [(f"1000000000001{n}", "MUG-BLUE", 1)])
    amazon.token_life = 2  # the token dies after two calls: the third page meets a 403
    r, status = sync(shop, make_settings(amazon=amazon))
    assert status == 0, r["amazon"].error
    assert r["amazon"].new == 5 and amazon.token_calls == 2
    assert [x.query.get("paginationToken") for x in amazon.requests("orders")] == [None, ["page-2"], ["page-4"], ["page-4"]]


def test_etsy_keeps_the_rotated_refresh_token_in_a_file_of_its_own(shop, make_settings, etsy):
    etsy.add_receipt(3000000001, [(4000000001, "MUG-RED", 1)])
    etsy.add_receipt(3000000002, [(4000000002, "PAN-12", 1)])
    etsy.add_receipt(3000000003, [(4000000003, "TEA-SENCHA", 2)])
    etsy.token_life = 1
    settings = make_settings(etsy=etsy)
    r, status = sync(shop, settings)
    assert status == 0, r["etsy"].error
    assert r["etsy"].new == 3 and etsy.token_calls >= 2
    path = data_dir() / f"etsy-{et.SHOP_ID}.token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["refresh_token"] == etsy.refresh_token
    assert et.REFRESH_TOKEN in etsy.spent  # the first token is spent: only the kept one works now
    etsy.add_receipt(3000000004, [(4000000004, "MUG-BLUE", 1)])
    r, status = sync(shop, settings)  # a new run, a new client: it starts from the kept token
    assert status == 0 and r["etsy"].new == 1, r["etsy"].error


def test_refused_credentials_and_an_answer_that_is_not_the_api(shop, make_settings, amazon, ebay, shopify):
    import tests.sync.conftest as c

    settings = make_settings(amazon=amazon, ebay=ebay, shopify=shopify)
    settings.channels["ebay"]["refresh_token"] = "v^1.1#wrong-refresh-token-value"
    shopify.fail("orders", 200, b"<html>Shop unavailable</html>", Content_Type="text/html")
    r, status = sync(shop, settings)
    assert status == 1
    assert r["amazon"].error is None
    assert r["ebay"].error.startswith("refused credentials") and "invalid_grant" in r["ebay"].error
    assert "not JSON" in r["shopify"].error
    text = " ".join(x.error for x in r.values() if x.error)
    assert not any(secret in text for secret in c.SECRETS[:7] + ["wrong-refresh-token-value"])


def test_a_refused_confirmation_is_named_and_tried_again_next_time(shop, make_settings, ebay):
    ebay.add_order("12-10004-00004", [("10000000000006", "MUG-RED", 2)])
    ebay.add_order("12-10005-00005", [("10000000000007", "PAN-12", 1)])
    settings = make_settings(ebay=ebay)
    sync(shop, settings)
    ship(shop, settings, "12-10004-00004")
    (number,) = ship(shop, settings, "12-10005-00005")
    ebay.refuse["12-10005-00005"] = {"errors": [{"errorId": 32500, "domain": "API_FULFILLMENT", "category": "REQUEST",
                                                 "message": "The shipping carrier code is not valid for this route."}]}
    r, status = sync(shop, settings)
    assert status == 3
    assert r["ebay"].line() == "ebay: 0 new, 0 updated, 0 cancelled; 1 parcels confirmed, 1 failed"
    (failure,) = r["ebay"].failures
    assert "12-10005-00005" in failure and number in failure
    assert "32500 The shipping carrier code is not valid for this route." in failure
    assert unconfirmed(shop) == {"ebay": 1}
    with shop.session() as s:
        assert "not valid for this route" in s.get(ChannelSync, "ebay").last_error
    del ebay.refuse["12-10005-00005"]
    r, status = sync(shop, settings)
    assert status == 0 and r["ebay"].confirmed == 1 and unconfirmed(shop) == {}
    sent = [c.json() for c in ebay.confirmations]
    assert [s["trackingNumber"] for s in sent].count(number) == 1 and len(sent) == 2
    assert sent[0]["lineItems"] == [{"lineItemId": "10000000000006", "quantity": 2}]
    assert sent[1]["lineItems"] == [{"lineItemId": "10000000000007", "quantity": 1}]
    assert {s["shippingCarrierCode"] for s in sent} == {"UPS"}


def test_cancellations_and_unknown_skus_come_in_as_an_import_would_take_them(shop, make_settings, shopify):
    shopify.add_order(5500000001, 1001, [(6600000001, "MUG-BLUE", 2)])
    shopify.add_order(5500000002, 1002, [(6600000002, "NOT-IN-STOCK", 1)])
    settings = make_settings(shopify=shopify)
    r, status = sync(shop, settings)
    assert status == 0 and r["shopify"].new == 2
    assert detail(shop, "#1001")["status"] == "ready"
    held = detail(shop, "#1002")
    assert held["status"] == "on_hold"
    shopify.cancel(5500000001)
    r, status = sync(shop, settings)
    assert r["shopify"].line() == "shopify: 0 new, 0 updated, 1 cancelled; 0 parcels confirmed, 0 failed"
    assert detail(shop, "#1001")["status"] == "cancelled"
    assert detail(shop, "5500000001")["ref"] == "5500000001"  # the REST id, as the files have it


def test_shopify_waits_for_its_query_cost_bucket(shop, make_settings, shopify):
    for n in range(1, 4):
        shopify.add_order(5500000000 + n, 1000 + n, [(6600000000 + n, "TEA-SENCHA", 1)])
    shopify.available, shopify.restore = 60.0, 200.0  # the first page fits, the second must wait
    shopify.throttle_next = 1  # and the first call is THROTTLED outright
    r, status = sync(shop, make_settings(shopify=shopify))
    assert status == 0 and r["shopify"].new == 3, r["shopify"].error
    assert len(shopify.requests("orders")) == 3  # throttled once, then two pages


def test_a_confirmation_that_met_a_503_is_checked_before_it_is_sent_again(shop, make_settings, etsy):
    etsy.add_receipt(3000000001, [(4000000001, "MUG-RED", 1)])
    settings = make_settings(etsy=etsy)
    sync(shop, settings)
    (number,) = ship(shop, settings, "3000000001")
    etsy.fail("confirm", 503, {"error": "Service Unavailable"})
    r, status = sync(shop, settings)
    assert status == 1 and "503" in r["etsy"].error and "after 1 try" in r["etsy"].error
    assert len(etsy.requests("confirm")) == 1  # not sent again blindly: it may have e-mailed the buyer
    r, status = sync(shop, settings)
    assert status == 0 and r["etsy"].confirmed == 1
    assert len(etsy.requests("order")) == 1  # asked first
    assert [c.form()["tracking_code"] for c in etsy.confirmations] == [number]


def test_an_address_change_comes_in_as_an_update(shop, make_settings, ebay):
    ebay.add_order("12-10001-00001", [("10000000000001", "TEA-SENCHA", 1)])
    settings = make_settings(ebay=ebay)
    sync(shop, settings)
    o = ebay.orders["12-10001-00001"]
    o["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]["contactAddress"]["addressLine1"] = "Neue Strasse 9"
    o["lastModifiedDate"] = iso(datetime.now(timezone.utc))
    r, status = sync(shop, settings)
    assert status == 0 and r["ebay"].line() == "ebay: 0 new, 1 updated, 0 cancelled; 0 parcels confirmed, 0 failed"
    d = detail(shop, "12-10001-00001")
    assert d["ship_to"]["address1"] == "Neue Strasse 9" and d["status"] == "ready"


def test_a_shopify_order_past_the_first_page_of_its_lines_comes_in_whole(shop, make_settings, shopify):
    """150 line items in one fulfillment order (two pages of line items, and of the fulfillment
    order's), and 30 spread over 25 fulfillment orders (two pages of those): every line comes in,
    and the confirmation names every fulfillment order line item."""
    skus = ["MUG-BLUE", "MUG-RED", "TEA-SENCHA", "PAN-12"]
    shopify.add_order(5500000001, 1001, [(6600000000 + 3 * n, skus[n % 4], 1) for n in range(150)])
    shopify.add_order(5500000002, 1002, [(6610000000 + 3 * n, skus[n % 4], 1) for n in range(30)], split=25)
    settings = make_settings(shopify=shopify)
    r, status = sync(shop, settings)
    assert status == 0 and r["shopify"].new == 2, r["shopify"].error
    for ref, lines in (("#1001", 150), ("#1002", 30)):
        d = detail(shop, ref)
        assert (len(d["lines"]), d["status"]) == (lines, "ready")
    assert [len(shopify.requests(op)) for op in ("orderLines", "orderFulfillmentOrders", "fulfillmentOrderLines")] \
        == [1, 1, 1]  # #1001's second page of lines and of its fulfillment order's; #1002's fulfillment orders
    ship(shop, settings, "#1001")
    r, status = sync(shop, settings)
    assert status == 0 and r["shopify"].confirmed == 1, r["shopify"].error
    (sent,) = [c.json()["variables"]["fulfillment"] for c in shopify.confirmations]
    items = [i for g in sent["lineItemsByFulfillmentOrder"] for i in g["fulfillmentOrderLineItems"]]
    assert len(items) == 150 and sum(i["quantity"] for i in items) == 150
