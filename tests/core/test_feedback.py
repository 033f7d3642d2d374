"""What the station says: each finished step in words, each refusal naming what was read and
why, and a tracking number with a wrong check digit called that. Through the sessions and
the headless station."""

from __future__ import annotations

from sqlmodel import select

from tests.core.conftest import ORDERS, STOCK, cli_environment, write
from tests.core.station_proc import LiveStation
from tests.core.test_station_cli import CONFIG, run
from warehouse_tui.carriers.checks import ups_check_digit
from warehouse_tui.domain.models import Event, Order, Parcel
from warehouse_tui.workflow.stations import open_session


def status(db, ref):
    with db.session() as s:
        return s.exec(select(Order).where(Order.ref == ref)).one().status


def wrong_ups(number: str) -> str:
    """The same UPS number with its check digit off by one: a misread label."""
    good = ups_check_digit(number[2:17])
    assert int(number[17]) == good
    return number[:17] + str((good + 1) % 10)


def test_each_step_says_what_it_did_and_each_refusal_what_was_read(warehouse, settings):
    p = open_session("pick", warehouse, settings)
    fb = p.handle("BAR-1001")
    assert fb.ok and fb.result is None  # a step begun, not finished

    fb = p.handle("A-02-01")
    assert not fb.ok and fb.message.startswith("wrong bin A-02-01")
    p.handle("A-01-03")
    fb = p.handle("012345678905")  # the tee: in the order, not on this line
    assert not fb.ok
    assert fb.message.startswith("012345678905 (TEE-M-BLK, Black tee M) is not on this line: scan MUG-BLU")
    fb = p.handle("4006381333931")
    assert not fb.ok and fb.message.startswith("4006381333931 (CANDLE-FIG, Fig candle) is not in this order")
    fb = p.handle("BAR-1002")
    assert not fb.ok and fb.message.startswith("order BAR-1002 (ready): BAR-1001 is in hand")
    fb = p.handle("MUG-BLU")  # the SKU as scanned: its title beside it once
    assert fb.ok
    fb = p.handle("MUG-BLU")
    p.handle("A-02-01")
    fb = p.handle("TEE-M-BLK")
    assert fb.ok and fb.expect == "tote" and fb.result is None
    fb = p.handle("A-01-03")
    assert not fb.ok and fb.message.startswith("bin A-01-03 is not a tote")
    fb = p.handle("TOTE-900")
    assert fb.ok and fb.message == "BAR-1001 picked into TOTE-900" and fb.result == fb.message
    assert fb.expect == "order" and status(warehouse, "BAR-1001") == "picked"
    fb = p.handle("%PICK")  # the next scan: nothing finished
    assert fb.ok and fb.result is None

    k = open_session("pack", warehouse, settings)
    fb = k.handle("MUG-BLU")
    assert not fb.ok and fb.message.startswith("MUG-BLU (Blue enamel mug) is not a tote or an order")
    k.handle("TOTE-900")
    for code in ("5012345678900", "5012345678900", "TEE-M-BLK"):
        assert k.handle(code).ok
    fb = k.handle("5012345678900")
    assert not fb.ok and "5012345678900 (MUG-BLU, Blue enamel mug): one too many" in fb.message
    fb = k.handle("%DONE")
    assert fb.ok and fb.result and fb.result.startswith("BAR-1001 packed in 1 parcel")

    lb = open_session("label", warehouse, settings)
    fb = lb.handle("BAR-1001")
    assert fb.ok and fb.result is None
    number = fb.tracking_number
    assert number.startswith("1Z")  # Paris: UPS, the carrier configured that serves France
    bad = wrong_ups(number)
    fb = lb.handle(bad)
    assert not fb.ok and "UPS tracking number with a wrong check digit" in fb.message
    assert bad in fb.message and fb.expect == "label"
    fb = lb.handle("BAR-1002")
    assert not fb.ok and fb.message.startswith("order BAR-1002 (ready): BAR-1001 is in hand")
    fb = lb.handle(number)
    assert fb.ok and fb.message == f"BAR-1001 shipped: {number}" and fb.result == fb.message
    assert status(warehouse, "BAR-1001") == "shipped"


def test_a_ups_number_with_a_wrong_check_digit_is_called_that_and_changes_nothing(warehouse, settings):
    settings.carriers = {}  # no carrier configured: the operator scans labels bought elsewhere
    p = open_session("pick", warehouse, settings)
    fb = p.handle("BAR-1001")
    while fb.expect in ("bin", "item"):
        fb = p.handle(fb.bin if fb.expect == "bin" else fb.sku)
    p.handle("TOTE-1")
    k = open_session("pack", warehouse, settings)
    fb = k.handle("TOTE-1")
    while fb.expect == "item":
        fb = k.handle(fb.sku)
    assert k.handle("%DONE").ok
    lb = open_session("label", warehouse, settings)
    assert lb.handle("BAR-1001").expect == "label"

    good = "1Z999AA10123456784"
    bad = wrong_ups(good)
    fb = lb.handle(bad)
    assert not fb.ok
    assert fb.message.startswith(f"read {bad}: UPS tracking number with a wrong check digit (5, should be 4)")
    assert "not an order, bin" not in fb.message
    with warehouse.session() as s:
        assert s.exec(select(Parcel).where(Parcel.tracking_number.is_not(None))).all() == []
        refused = s.exec(select(Event).where(Event.type == "scan", Event.ok == False)).all()  # noqa: E712
        assert any("wrong check digit" in (e.message or "") for e in refused)
    fb = lb.handle(good)
    assert fb.ok and fb.result == f"BAR-1001 shipped: {good}"


def test_the_headless_station_says_the_same(tmp_path, db_path):
    env = cli_environment(tmp_path, db_path, CONFIG)
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    st = LiveStation("pick", env, "--station", "PICK-9")
    try:
        assert st.scan("BAR-1001")["ok"]
        st.scan("A-01-03")
        a = st.scan("012345678905")
        assert not a["ok"] and a["message"].startswith("012345678905 (TEE-M-BLK, Black tee M) is not on this line")
        assert "result" not in a
        for code in ("MUG-BLU", "MUG-BLU", "A-02-01", "TEE-M-BLK"):
            assert st.scan(code)["ok"]
        a = st.scan("TOTE-77")
        assert a["ok"] and a["message"] == "BAR-1001 picked into TOTE-77" and a["result"] == a["message"]
        a = st.scan("1Z999AA10123456785")
        assert not a["ok"] and "UPS tracking number with a wrong check digit (5, should be 4)" in a["message"]
    finally:
        assert st.close() == 0


def test_a_refusal_never_carries_a_control_character_from_a_title(warehouse, settings):
    from warehouse_tui.domain.models import Product

    with warehouse.write() as s:
        candle = s.exec(select(Product).where(Product.sku == "CANDLE-FIG")).one()
        candle.title = "Fig\x1b]0;pwned\x07 candle"
        s.add(candle)
    p = open_session("pick", warehouse, settings)
    p.handle("BAR-1001")
    p.handle("A-01-03")
    fb = p.handle("4006381333931")
    assert not fb.ok and fb.message.startswith("4006381333931 (CANDLE-FIG, Fig ]0;pwned  candle) is not in this order")
    assert not any(ord(ch) < 32 for ch in fb.message)
