"""Cancelling at the warehouse: an order the marketplace cancelled after picking began, and what
a cancellation gives back; operators only from `operator add`."""

from __future__ import annotations

import pytest
from sqlmodel import select

from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder
from warehouse_tui.domain.models import Event, Order, Tote
from warehouse_tui.errors import UnknownOperator
from warehouse_tui.workflow.cancel import cancel, needs_supervisor
from warehouse_tui.workflow.importing import store_orders
from warehouse_tui.workflow.inventory import stock_of
from warehouse_tui.workflow.stations import open_session


def order(s, ref: str) -> Order:
    return s.exec(select(Order).where(Order.ref == ref)).one()


def test_marketplace_cancelled_after_picking_is_held_then_cancelled(warehouse, settings):
    p = open_session("pick", warehouse, settings)
    for code in ("BAR-1001", "A-01-03", "5012345678900"):  # one mug of two picked, then the news
        assert p.handle(code).ok
    cancelled = ImportedOrder(channel="csv", ref="BAR-1001", display_name="BAR-1001", cancelled=True,
                              ship_to=Address(name="Zoë", address1="12 Rue de Rivoli", city="Paris",
                                              postal_code="75001", country="FR"),
                              lines=[ImportedLine(line_id="1", sku="MUG-BLU", title="Blue enamel mug", quantity=2)])
    with warehouse.write() as s:
        store_orders(s, [cancelled], station="SYNC")
    with warehouse.session() as s:
        o = order(s, "BAR-1001")
        assert o.status == "on_hold" and needs_supervisor(o)
        mug = stock_of(s, "MUG-BLU")
    assert (mug["on_hand"], mug["reserved"]) == (9, 1)  # still held by the order
    assert not p.handle("5012345678900").ok  # the station has let it go
    with warehouse.write() as s:
        msg = cancel(s, order(s, "BAR-1001"), "cancelled on the marketplace", station="DESK", operator="bob")
    assert "1 unit back on hand" in msg
    with warehouse.session() as s:
        o = order(s, "BAR-1001")
        mug, tee = stock_of(s, "MUG-BLU"), stock_of(s, "TEE-M-BLK")
        events = s.exec(select(Event).where(Event.order_id == o.id, Event.type == "stock")).all()
    assert o.status == "cancelled" and o.station is None
    assert (mug["on_hand"], mug["reserved"], tee["on_hand"], tee["reserved"]) == (10, 0, 5, 0)
    assert [e.message for e in events] == ["MUG-BLU: 1 back in A-01-03 (BAR-1001 cancelled)"]
    with warehouse.write() as s, pytest.raises(ValueError, match="cancelled already"):
        cancel(s, order(s, "BAR-1001"))


def test_cancel_frees_the_tote_and_voids_nothing_shipped(warehouse, settings):
    p = open_session("pick", warehouse, settings)
    for code in ("BAR-1002", "B-01-01", "4006381333931", "B-02-02", "4006381333931", "TOTE-7"):
        assert p.handle(code).ok, code
    with warehouse.write() as s:
        cancel(s, order(s, "BAR-1002"), station="DESK", operator="bob")
    with warehouse.session() as s:
        assert s.exec(select(Tote).where(Tote.code == "TOTE-7")).one().order_id is None
        fig = stock_of(s, "CANDLE-FIG")
    assert [(b["bin"], b["on_hand"], b["reserved"]) for b in fig["bins"]] == [("B-01-01", 1, 0), ("B-02-02", 2, 0)]


def test_a_station_with_an_unknown_operator_is_refused(warehouse, settings):
    with pytest.raises(UnknownOperator, match="operator add"):
        open_session("pick", warehouse, settings, operator="alcie")
    with warehouse.session() as s:
        from warehouse_tui.domain.models import Operator

        assert [o.name for o in s.exec(select(Operator))] == ["alice"]
