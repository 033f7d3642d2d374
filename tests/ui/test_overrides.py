"""Overrides in the console: a supervisor's badge, then the PIN typed into a field that never
shows it; what the database holds afterwards."""

from __future__ import annotations

import json
import logging

from sqlmodel import select

from tests.ui.conftest import Keyboard, screen_text, settle
from warehouse_tui.demo import DEMO_PIN
from warehouse_tui.domain.models import Event, Order, OrderLine, Tote
from warehouse_tui.ui.dialogs import BadgeDialog, PinDialog, TextDialog
from warehouse_tui.workflow.inventory import stock_of


def picked_order(db) -> tuple[int, str, dict[str, int]]:
    """A picked order in a tote, and the units picked of each SKU."""
    with db.session() as s:
        o = s.exec(select(Order).where(Order.status == "picked", Order.tote.is_not(None)).order_by(Order.id)).first()
        lines = s.exec(select(OrderLine).where(OrderLine.order_id == o.id)).all()
        picked: dict[str, int] = {}
        for ln in lines:
            picked[ln.sku] = picked.get(ln.sku, 0) + ln.picked
        return o.id, o.tote, picked


def on_hand(db, skus) -> dict[str, int]:
    with db.session() as s:
        return {sku: stock_of(s, sku)["on_hand"] for sku in skus}


async def test_cancel_after_picking_needs_badge_and_pin(app_factory, db, caplog):
    caplog.set_level(logging.DEBUG)
    oid, tote, picked = picked_order(db)
    assert sum(picked.values()) > 0
    before = on_hand(db, picked)
    app = app_factory(start="lookup")  # alice, an operator
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan(f"ORD-{oid}")
        await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"buyer cancelled", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BadgeDialog)
        await pilot.press("escape")  # no supervisor: nothing happens
        await settle(pilot)
        with db.session() as s:
            assert s.get(Order, oid).status == "picked"

        await pilot.press("f12")
        await settle(pilot)
        await pilot.press(*"buyer cancelled", "enter")
        await settle(pilot)
        kb.scan("OP-bob")
        await settle(pilot)
        assert isinstance(app.screen, PinDialog)
        await kb.type(pilot, "0000")
        await pilot.press("enter")
        await settle(pilot)
        assert any("PIN refused" in n.message for n in app._notifications)
        with db.session() as s:  # and on the order's timeline, as a refused override
            assert s.get(Order, oid).status == "picked"
            refused = s.exec(select(Event).where(Event.order_id == oid, Event.type == "override",
                                                 Event.ok.is_(False))).all()
            assert refused
        assert on_hand(db, picked) == before

        await pilot.press("f12")
        await settle(pilot)
        await pilot.press(*"buyer cancelled", "enter")
        await settle(pilot)
        kb.scan("OP-bob")
        await settle(pilot)
        await kb.type(pilot, DEMO_PIN)
        assert DEMO_PIN not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
    with db.session() as s:
        o = s.get(Order, oid)
        assert (o.status, o.tote) == ("cancelled", None)
        assert s.exec(select(Tote).where(Tote.code == tote)).one().order_id is None
        events = list(s.exec(select(Event).where(Event.order_id == oid).order_by(Event.id)))
    assert on_hand(db, picked) == {sku: before[sku] + n for sku, n in picked.items()}
    overrides = [(e.ok, e.operator, json.loads(e.data).get("allowed_by")) for e in events if e.type == "override"]
    assert overrides == [(False, "alice", None), (True, "alice", "bob")]
    assert any(e.type == "stock" and "back in" in e.message for e in events)
    assert any(e.type == "status" and "buyer cancelled" in (e.message or "") for e in events)
    for e in events:
        assert DEMO_PIN not in f"{e.message}{e.data}{e.scan}" and "0000" not in f"{e.message}{e.data}"
    assert not any(DEMO_PIN in r.getMessage() for r in caplog.records)  # nothing logs it


async def test_cancel_before_picking_needs_no_supervisor(app_factory, db):
    with db.session() as s:
        oid = s.exec(select(Order.id).where(Order.status == "ready").order_by(Order.id)).first()
    app = app_factory(start="lookup")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan(f"ORD-{oid}")
        await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press(*"duplicate", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, BadgeDialog)
    with db.session() as s:
        assert s.get(Order, oid).status == "cancelled"
        assert not s.exec(select(Event).where(Event.order_id == oid, Event.type == "override")).all()
