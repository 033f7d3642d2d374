"""Figures the operator reads: today's work counts each unit and order once; returns are not late."""

from __future__ import annotations

import json

import pytest
from datetime import timedelta, timezone

from sqlalchemy import func, update
from sqlmodel import select

from tests.ui.conftest import FIXED_NOW, Keyboard, screen_text, settle
from warehouse_tui.domain.models import Event, Order, OrderLine
from warehouse_tui.workflow.queues import queue_page
from warehouse_tui.workflow.views import _today


def seen(app) -> str:
    return " ".join(screen_text(app).split())


def picked_units_and_orders(db) -> tuple[int, int]:
    """In the demo warehouse alice did every pick and pack of the day: her units are the units
    picked, her orders those that got as far as picked."""
    with db.session() as s:
        units = int(s.exec(select(func.sum(OrderLine.picked))).one())
        orders = int(s.exec(select(func.count()).select_from(Order).where(
            Order.status.in_(["picked", "packing", "packed", "labeled", "shipped"]))).one())
    return units, orders


async def test_home_counts_each_unit_and_order_once(app_factory, db, frozen):
    units, orders = picked_units_and_orders(db)
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert f"alice {units} units {orders} orders" in seen(app)
        assert "PACK-1 0 units 0 orders" in seen(app)

        # one order picked and packed here, through the console's scans: its units once, it once
        await app.show("pick")
        await settle(pilot)
        kb = Keyboard(app)
        with db.session() as s:
            target = s.get(Order, queue_page(s, "pick", limit=1)[0].id)
            want = sum(ln.quantity for ln in s.exec(select(OrderLine).where(OrderLine.order_id == target.id)))
        kb.scan(f"ORD-{target.id}")
        await settle(pilot)
        while (fb := app.screen.feedback).expect in ("bin", "item"):
            kb.scan(fb.bin if fb.expect == "bin" else fb.sku)
            await settle(pilot)
        kb.scan("TOTE-77")
        await settle(pilot)
        await app.show("pack")
        await settle(pilot)
        kb.scan("TOTE-77")
        await settle(pilot)
        while (fb := app.screen.feedback).expect == "item":
            kb.scan(fb.sku)
            await settle(pilot)
        kb.scan("%DONE")
        await settle(pilot)
        with db.session() as s:
            assert s.get(Order, target.id).status == "packed"
        await app.show("home")
        await settle(pilot)
        assert f"PACK-1 {want} units 1 orders" in seen(app)
        assert f"alice {units + want} units {orders + 1} orders" in seen(app)


async def test_the_returns_queue_does_not_call_shipped_orders_late(app_factory, db):
    with db.session() as s:
        shipped = s.exec(select(Order).where(Order.status == "shipped")).all()
    assert any(o.ship_by and o.ship_by.replace(tzinfo=timezone.utc) < FIXED_NOW for o in shipped)
    for size in ((80, 24), (40, 16)):
        app = app_factory(start="returns")
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            text = seen(app)
            assert "Shipped" in text
            assert "LATE" not in text and " late" not in text


def units_by_hour(db, now, who) -> list[int]:
    """The definition of today's units, read event by event: each step's scans of one product
    for one order, the most of any step; the k-th unit counted in the hour of the earliest
    k-th scan of any step."""
    from collections import defaultdict

    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    steps: dict[tuple, list] = defaultdict(list)  # (order, sku) -> mode -> its scans' times, in order
    with db.session() as s:
        rows = s.exec(select(Event.at, Event.order_id, Event.scan, Event.data).where(
            Event.at >= start, who, Event.type == "scan", Event.ok.is_(True)).order_by(Event.id)).all()
    for at, order_id, scan, data in rows:
        d = json.loads(data)
        if "sku" not in d or (scan or "").startswith("%"):
            continue
        steps[((order_id, d["sku"]), d.get("mode"))].append(at)
    firsts: dict[tuple, list] = defaultdict(list)
    for (unit, _mode), times in steps.items():
        for k, at in enumerate(times):
            if k == len(firsts[unit]):
                firsts[unit].append(at)
            else:
                firsts[unit][k] = min(firsts[unit][k], at)
    hours = [0] * (now.hour + 1)
    for times in firsts.values():
        for at in times:
            hours[int((at - start).total_seconds() // 3600)] += 1
    return hours


def test_todays_units_fall_in_the_hour_each_was_first_scanned(db):
    """Spread the demo day's scans over the morning (each order's pack scans an hour or more
    after its picks, some the other way round): the home screen's hours and total agree with
    the definition, for the operator and for a station."""
    now = FIXED_NOW.replace(hour=11, minute=30)
    with db.write() as s:
        ids = s.exec(select(Event.id).where(Event.type == "scan").order_by(Event.id)).all()
        for k, eid in enumerate(ids):
            back = timedelta(hours=(k * 7) % 11, minutes=(k * 13) % 60)
            s.execute(update(Event).where(Event.id == eid).values(at=FIXED_NOW.replace(hour=11) - back))
    for by, name in (("operator", "alice"), ("station", "PACK-2"), ("operator", "nobody")):
        want = units_by_hour(db, now, getattr(Event, by) == name)
        with db.session() as s:
            got = _today(s, now, by, name)
        assert got.per_hour == want
        assert got.units == sum(want)
    assert sum(units_by_hour(db, now, Event.operator == "alice")) > 0
    assert len([n for n in units_by_hour(db, now, Event.operator == "alice") if n]) > 5


def test_todays_orders_are_those_moved_to_picked_packed_or_shipped_once_each(db):
    """The home screen's orders of the day: each order the operator (or station) brought to
    picked, packed or shipped since midnight, once however many of those it reached; an
    import's moves (new -> ready) and yesterday's are none. Counted against the events read
    one by one."""
    now = FIXED_NOW.replace(hour=23, minute=0)
    with db.write() as s:  # some of the day's moves happened yesterday
        moves = s.exec(select(Event.id).where(Event.type == "status").order_by(Event.id)).all()
        for k, eid in enumerate(moves[::3]):
            s.execute(update(Event).where(Event.id == eid).values(at=FIXED_NOW - timedelta(days=1 + k % 2)))
    with db.session() as s:
        events = s.exec(select(Event).where(Event.type == "status")).all()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def want(by: str, name: str) -> int:
        return len({e.order_id for e in events if getattr(e, by) == name and json.loads(e.data)["to"] in
                    ("picked", "packed", "shipped") and e.at.replace(tzinfo=e.at.tzinfo or timezone.utc) >= start})

    counted = {}
    for by, name in (("operator", "alice"), ("operator", "bob"), ("station", "PACK-2"), ("station", "DEMO"),
                     ("operator", "nobody")):
        with db.session() as s:
            counted[by, name] = _today(s, now, by, name).orders
        assert counted[by, name] == want(by, name), (by, name)
    assert counted["operator", "alice"] > 0 and counted["station", "DEMO"] == 0  # the import's station moved none
    with db.session() as s, pytest.raises(ValueError):
        _today(s, now, "order_id", "1")


async def test_home_reads_its_figures_one_read_at_a_time(app_factory, db, frozen, monkeypatch):
    """A busy warehouse tells the home screen of changes faster than it can count a day's
    scans: the reads never overlap, the changes that came during one make one more read, and
    the screen ends showing the warehouse as it is."""
    import threading
    import time

    import warehouse_tui.ui.home as home
    from warehouse_tui.ui.messages import DatabaseChanged
    from warehouse_tui.workflow.supervisor import hold

    reads = {"now": 0, "most": 0, "all": 0}
    lock = threading.Lock()
    real = home.home_data

    def slow_read(*args, **kw):
        with lock:
            reads["now"] += 1
            reads["all"] += 1
            reads["most"] = max(reads["most"], reads["now"])
        try:
            time.sleep(0.15)
            return real(*args, **kw)
        finally:
            with lock:
                reads["now"] -= 1

    monkeypatch.setattr(home, "home_data", slow_read)
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with db.session() as s:
            held = s.exec(select(func.count()).select_from(Order).where(Order.status == "on_hold")).one()
            target = queue_page(s, "pick", limit=1)[0].id
        before = reads["all"]
        for token in range(30):
            if token == 10:
                with db.write() as s:
                    hold(s, s.get(Order, target), "address to check", station="PACK-1", operator="alice")
            app.screen.post_message(DatabaseChanged(token))
            await pilot.pause(0.01)
        for _ in range(40):
            await pilot.pause(0.05)
            if reads["now"] == 0 and not getattr(app.screen, "_reading", False):
                break
        assert reads["most"] == 1
        assert 1 <= reads["all"] - before <= 4
        assert f"on hold {held + 1}" in seen(app)
