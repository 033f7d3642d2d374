"""Amazon over the Selling Partner API, in process against the emulator."""

from __future__ import annotations

from tests.sync.conftest import detail, ship
from warehouse_tui.sync.channels import configured
from warehouse_tui.sync.service import exit_status, sync_all
from warehouse_tui.workflow.queues import unconfirmed_parcels


def sync(db, settings, clients=None):
    results = sync_all(db, settings, configured(settings), clients)
    return results[0], exit_status(results)


def unconfirmed(db):
    with db.session() as s:
        return unconfirmed_parcels(s)


def test_orders_in_pages_then_each_parcel_confirmed_once(shop, make_settings, amazon):
    amazon.add_order("111-0000001-0000001", [("10000000000011", "MUG-BLUE", 2), ("10000000000012", "TEA-SENCHA", 1)])
    amazon.add_order("111-0000002-0000002", [("10000000000021", "PAN-12", 1)])
    amazon.add_order("111-0000003-0000003", [("10000000000031", "MUG-RED", 1)])
    settings = make_settings(amazon=amazon)
    clients = {}  # one client, one access token, across the runs (as sync --every keeps them)
    r, status = sync(shop, settings, clients)
    assert status == 0 and r.error is None, r.error
    assert r.line() == "amazon: 3 new, 0 updated, 0 cancelled; 0 parcels confirmed, 0 failed"
    assert len(amazon.requests("orders")) == 2  # two pages
    second = amazon.requests("orders")[1].query
    assert second["paginationToken"] == ["page-2"] and second["lastUpdatedAfter"] == amazon.requests("orders")[0].query["lastUpdatedAfter"]
    assert detail(shop, "111-0000001-0000001")["status"] == "ready"

    numbers = ship(shop, settings, "111-0000001-0000001", boxes=2)
    assert unconfirmed(shop) == {"amazon": 2}
    r, status = sync(shop, settings, clients)
    assert status == 0 and r.confirmed == 2, r
    got = [c.json() for c in amazon.confirmations]
    assert len(got) == 2
    assert sorted(g["packageDetail"]["trackingNumber"] for g in got) == sorted(numbers)
    assert {g["packageDetail"]["carrierCode"] for g in got} == {"USPS"}
    assert {g["marketplaceId"] for g in got} == {"ATVPDKIKX0DER"}
    items = {}
    for g in got:
        for i in g["packageDetail"]["orderItems"]:
            items[i["orderItemId"]] = items.get(i["orderItemId"], 0) + i["quantity"]
    assert items == {"10000000000011": 2, "10000000000012": 1}
    assert unconfirmed(shop) == {}

    r, status = sync(shop, settings, clients)  # nothing twice
    assert status == 0 and r.confirmed == 0 and len(amazon.confirmations) == 2
    assert amazon.token_calls == 1
