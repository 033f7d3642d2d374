"""Figures the operator reads: today's work counts each unit and order once; returns are not late."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import func
from sqlmodel import select

from tests.ui.conftest import FIXED_NOW, Keyboard, screen_text, settle
from warehouse_tui.domain.models import Order, OrderLine
from warehouse_tui.workflow.queues import queue_page


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
