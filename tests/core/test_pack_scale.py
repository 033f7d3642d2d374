"""The pack station weighs each parcel on a serial scale (a real pseudo-terminal here)."""

from __future__ import annotations

import pytest

from tests.scanning.test_scale import FakeScale
from warehouse_tui.scanning.scale import Scale
from warehouse_tui.workflow.lookup import find_order, order_detail
from warehouse_tui.workflow.stations import open_session


@pytest.fixture
def scale_reading():
    weight = {"g": "0.0"}
    fake = FakeScale(b"\r\n", lambda req: f"S S {weight['g']:>10} g\r\n".encode() if req == b"SI" else b"ES\r\n")
    scale = Scale(f"{fake.path}?protocol=mt-sics")
    yield weight, scale
    scale.close()
    fake.close()


def picked(warehouse, settings):
    p = open_session("pick", warehouse, settings)
    fb = p.handle("BAR-1002")
    while fb.expect in ("bin", "item"):
        fb = p.handle(fb.bin if fb.expect == "bin" else fb.sku)
    p.handle("TOTE-1")


def test_a_parcel_far_from_its_weight_is_refused_once(warehouse, settings, scale_reading):
    weight, scale = scale_reading
    picked(warehouse, settings)
    k = open_session("pack", warehouse, settings, scale=scale)
    k.handle("TOTE-1")
    k.handle("4006381333931")
    k.handle("4006381333931")
    expected = 2 * 420 + 90  # two candles in BOX-S
    weight["g"] = "1200.0"
    fb = k.handle("BOX-S")
    assert not fb.ok and "1200 g" in fb.message and f"{expected} g" in fb.message
    fb = k.handle("BOX-S")  # the same scan again: the operator's decision
    assert fb.ok and fb.expect == "order"
    with warehouse.session() as s:
        d = order_detail(s, find_order(s, "BAR-1002")[0])
    assert d["status"] == "packed" and d["parcels"][0]["weight_g"] == 1200
    assert any(e["type"] == "scan" and e["ok"] is False for e in d["events"])


def test_a_close_reading_is_taken_as_the_weight(warehouse, settings, scale_reading):
    weight, scale = scale_reading
    picked(warehouse, settings)
    k = open_session("pack", warehouse, settings, scale=scale)
    k.handle("TOTE-1")
    k.handle("4006381333931")
    k.handle("4006381333931")
    weight["g"] = "955.0"  # 25 g off: within 50 g
    fb = k.handle("%DONE")
    assert fb.ok
    with warehouse.session() as s:
        d = order_detail(s, find_order(s, "BAR-1002")[0])
    assert d["parcels"][0]["weight_g"] == 955
