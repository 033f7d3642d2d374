"""``warehouse-tui sync`` as a user runs it, against the four emulators: orders in from all four,
shipped through the headless station, each parcel's tracking sent exactly once; a sync killed
between sending a confirmation and recording it; ``--every`` as a service; no secret anywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.core.conftest import cli_environment, write
from tests.core.test_marketplace_e2e import ship as ship_by_station
from tests.core.test_station_cli import run, show
from tests.sync.conftest import CONFIG, SECRETS, STOCK, channels_toml, ship
from warehouse_tui.db import open_database
from warehouse_tui.domain.channel_sync import ConfirmationIntent
from warehouse_tui.domain.models import Event

LINE = "{}: {} new, {} updated, {} cancelled; {} parcels confirmed, {} failed"


def setup(tmp_path, db_path, **emulators) -> dict:
    env = cli_environment(tmp_path, db_path, CONFIG + channels_toml(**emulators))
    for var in [v for v in env if v.startswith(("WAREHOUSE_AMAZON", "WAREHOUSE_EBAY", "WAREHOUSE_ETSY",
                                                "WAREHOUSE_SHOPIFY"))]:
        env.pop(var)
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    return env


def orders(amazon=None, ebay=None, etsy=None, shopify=None) -> None:
    if amazon:
        amazon.add_order("111-0000001-0000001", [("10000000000011", "MUG-BLUE", 2), ("10000000000012", "TEA-SENCHA", 1)])
        amazon.add_order("111-0000002-0000002", [("10000000000021", "PAN-12", 1)])
    if ebay:
        ebay.add_order("12-10001-00001", [("10000000000001", "MUG-RED", 1)])
        ebay.add_order("12-10002-00002", [("10000000000002", "TEA-SENCHA", 3)])
        ebay.add_order("12-10003-00003", [("10000000000003", "PAN-12", 1)])
    if etsy:
        etsy.add_receipt(3000000001, [(4000000001, "MUG-BLUE", 1), (4000000002, "MUG-RED", 1)])
        etsy.add_receipt(3000000002, [(4000000003, "TEA-SENCHA", 1)])
    if shopify:
        shopify.add_order(5500000001, 1001, [(6600000001, "PAN-12", 1), (6600000002, "MUG-BLUE", 1)])
        shopify.add_order(5500000002, 1002, [(6600000003, "MUG-RED", 2)])
        shopify.add_order(5500000003, 1003, [(6600000004, "TEA-SENCHA", 1)])


def sync(env, *args, status=0) -> list[str]:
    p = run("sync", *args, env=env, check=False)
    assert p.returncode == status, p.stderr.decode()
    return p.stdout.decode().splitlines()


def everything_said(env, *outputs: bytes) -> bytes:
    db = env["WAREHOUSE_DB"]
    data = b"".join(outputs)
    for suffix in ("", "-wal"):
        if os.path.exists(db + suffix):
            data += open(db + suffix, "rb").read()
    return data


def test_four_marketplaces_in_then_each_parcel_confirmed_once(tmp_path, db_path, amazon, ebay, etsy, shopify):
    emus = dict(amazon=amazon, ebay=ebay, etsy=etsy, shopify=shopify)
    env = setup(tmp_path, db_path, **emus)
    orders(**emus)
    p = run("sync", env=env)
    assert p.stdout.decode().splitlines() == [LINE.format("amazon", 2, 0, 0, 0, 0), LINE.format("ebay", 3, 0, 0, 0, 0),
                                              LINE.format("etsy", 2, 0, 0, 0, 0), LINE.format("shopify", 3, 0, 0, 0, 0)]
    listed = json.loads(run("order", "list", "--json", env=env).stdout)
    assert sorted({o["channel"] for o in listed}) == ["amazon", "ebay", "etsy", "shopify"]
    assert len(listed) == 10 and {o["status"] for o in listed} == {"ready"}

    shipped = {"amazon": ship_by_station("111-0000001-0000001", env, boxes=2),
               "ebay": ship_by_station("12-10002-00002", env),
               "etsy": ship_by_station("3000000001", env),
               "shopify": ship_by_station("5500000001", env, boxes=2)}
    p2 = run("sync", env=env)
    assert p2.stdout.decode().splitlines() == [
        LINE.format("amazon", 0, 0, 0, 2, 0), LINE.format("ebay", 0, 0, 0, 1, 0),
        LINE.format("etsy", 0, 0, 0, 1, 0), LINE.format("shopify", 0, 0, 0, 2, 0)]

    a = [c.json()["packageDetail"] for c in amazon.confirmations]
    assert sorted(x["trackingNumber"] for x in a) == sorted(shipped["amazon"])
    assert {x["carrierCode"] for x in a} == {"USPS"} and sorted(x["packageReferenceId"] for x in a) == ["1", "2"]
    assert sum(i["quantity"] for x in a for i in x["orderItems"]) == 3
    (e,) = [c.json() for c in ebay.confirmations]
    assert e["trackingNumber"] == shipped["ebay"][0] and e["shippingCarrierCode"] == "UPS"
    assert e["lineItems"] == [{"lineItemId": "10000000000002", "quantity": 3}]
    assert [c.path for c in ebay.confirmations] == ["/sell/fulfillment/v1/order/12-10002-00002/shipping_fulfillment"]
    (t,) = [c.form() for c in etsy.confirmations]
    assert t["tracking_code"] == shipped["etsy"][0] and t["carrier_name"].lower() == "ups"
    assert etsy.confirmations[0].path == "/v3/application/shops/31415926/receipts/3000000001/tracking"
    s = [c.json()["variables"]["fulfillment"] for c in shopify.confirmations]
    assert sorted(x["trackingInfo"]["number"] for x in s) == sorted(shipped["shopify"])
    assert {x["trackingInfo"]["company"] for x in s} == {"USPS"}
    items = [i for x in s for g in x["lineItemsByFulfillmentOrder"] for i in g["fulfillmentOrderLineItems"]]
    assert sorted((i["id"], i["quantity"]) for i in items) == [
        ("gid://shopify/FulfillmentOrderLineItem/6600000004", 1), ("gid://shopify/FulfillmentOrderLineItem/6600000005", 1)]

    p3 = run("sync", env=env)
    assert all(line.endswith("0 parcels confirmed, 0 failed") for line in p3.stdout.decode().splitlines())
    assert (len(amazon.confirmations), len(ebay.confirmations), len(etsy.confirmations),
            len(shopify.confirmations)) == (2, 1, 1, 2)
    assert show("111-0000001-0000001", env)["status"] == "shipped"
    said = everything_said(env, p.stdout, p.stderr, p2.stdout, p2.stderr, p3.stdout, p3.stderr)
    for secret in SECRETS + list(amazon.tokens) + list(ebay.tokens) + list(etsy.tokens) + [etsy.refresh_token]:
        assert secret.encode() not in said, secret


@pytest.mark.parametrize("channel", ["amazon", "ebay", "etsy", "shopify"])
def test_a_sync_killed_between_sending_and_recording_never_sends_twice(
        channel, request, tmp_path, db_path, make_settings):
    emu = request.getfixturevalue(channel)
    env = setup(tmp_path, db_path, **{channel: emu})
    orders(**{channel: emu})
    sync(env)
    ref = {"amazon": "111-0000001-0000001", "ebay": "12-10002-00002", "etsy": "3000000001",
           "shopify": "5500000001"}[channel]
    db = open_database(db_path)
    numbers = ship(db, make_settings(**{channel: emu}), ref)
    emu.hold.set()  # the marketplace takes the confirmation, then its answer waits
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "sync"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert emu.holding.wait(60), "the confirmation never arrived"
        p.send_signal(signal.SIGKILL)
        p.wait(30)
    finally:
        emu.hold.clear()
        if p.poll() is None:  # pragma: no cover
            p.kill()
    with db.session() as s:
        (intent,) = s.exec(__import__("sqlmodel").select(ConfirmationIntent)).all()
        assert intent.result is None  # sent, never recorded
    assert len(emu.confirmations) == 1
    lines = sync(env)
    assert lines == [LINE.format(channel, 0, 0, 0, 1, 0)]
    assert len(emu.confirmations) == 1  # found at the marketplace: not sent again
    sync(env)
    assert len(emu.confirmations) == 1
    with db.session() as s:
        msgs = [e.message for e in s.exec(__import__("sqlmodel").select(Event).where(Event.type == "confirm"))]
    assert msgs == [f"confirmed to {channel} (found at the marketplace): {numbers[0]}"]
    db.dispose()


def test_sync_every_runs_as_a_service_until_sigterm(tmp_path, db_path, ebay):
    env = setup(tmp_path, db_path, ebay=ebay)
    orders(ebay=ebay)
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "sync", "--every", "0.2"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if len(ebay.requests("orders")) >= 6:  # three runs of two pages
                break
            time.sleep(0.05)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:  # pragma: no cover
            p.kill()
    assert p.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) >= 2 and lines[0] == LINE.format("ebay", 3, 0, 0, 0, 0)
    assert lines[1] == LINE.format("ebay", 0, 0, 0, 0, 0)  # nothing new since: nothing again


def test_sync_with_no_credentials_is_a_usage_error_and_channel_errors_exit_1(tmp_path, db_path, amazon):
    env = setup(tmp_path, db_path)
    p = run("sync", env=env, check=False)
    assert p.returncode == 2 and b"no marketplace has credentials" in p.stderr
    env = setup(tmp_path, db_path, amazon=amazon)
    env["WAREHOUSE_AMAZON_REFRESH_TOKEN"] = "Atzr|not-the-right-one-0000"
    p = run("sync", env=env, check=False)
    assert p.returncode == 1
    assert p.stdout.decode().splitlines() == [LINE.format("amazon", 0, 0, 0, 0, 0)]
    assert b"warehouse-tui: amazon: refused credentials: 400 invalid_grant" in p.stderr
    assert b"not-the-right-one" not in p.stderr + p.stdout
    p = run("sync", "--channel", "ebay", env=env, check=False)
    assert p.returncode == 2 and b"ebay has no credentials" in p.stderr
