"""What a supervisor does to an order: hold it, release it, settle a short pick."""

from __future__ import annotations

from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status, can_move
from warehouse_tui.domain.models import Operator, Order, OrderLine, Product
from warehouse_tui.workflow.inventory import allocate, release_reservations
from warehouse_tui.workflow.ledger import record
from warehouse_tui.workflow.orders import move


def hold(s: Session, order: Order, reason: str, **who) -> str:
    if not can_move(order.status, Status.ON_HOLD):
        raise ValueError(f"{order.display_name} is {order.status}: it cannot be put on hold")
    was = order.status
    move(s, order, Status.ON_HOLD, reason=reason, **who)
    if was in (Status.READY, Status.BACKORDERED):
        # reserved stock is for orders that will be picked: a held one gives its units back and
        # is allocated afresh when it is released
        release_reservations(s, order)
        order.held_from = Status.NEW
    order.station = None
    s.add(order)
    return f"{order.display_name} on hold: {reason}"


def is_supervisor(s: Session, name: str | None) -> bool:
    op = s.exec(select(Operator).where(Operator.name == name)).first() if name else None
    return op is not None and op.role == "supervisor"


def release(s: Session, order: Order, *, repick: bool = False, **who) -> str:
    if order.status == Status.ON_HOLD:
        target = Status(order.held_from or Status.NEW)
        move(s, order, target, reason="released from hold", **who)
        if target in (Status.NEW, Status.BACKORDERED):
            lines = s.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
            for ln in lines:  # a SKU added to the stock file since the order came in
                if ln.product_id is None:
                    p = s.exec(select(Product).where(Product.sku == ln.sku)).first()
                    if p is not None:
                        ln.product_id = p.id
                        s.add(ln)
            s.flush()
            if any(ln.product_id is None for ln in lines):
                move(s, order, Status.ON_HOLD, reason="unknown SKU: add it to the stock file first", **who)
                raise ValueError(f"{order.display_name} still has an unknown SKU")
            allocate(s, order, **who)
        return f"{order.display_name} released: {order.status}"
    if order.status == Status.SHORT:
        if repick:
            for ln in s.exec(select(OrderLine).where(OrderLine.order_id == order.id)):
                ln.short = 0
                s.add(ln)
            s.flush()
            if order.tote:
                record(s, "note", order=order, message=f"picked units wait in {order.tote}", **who)
            allocate(s, order, **who)
            return f"{order.display_name} to pick again: {order.status}"
        move(s, order, Status.PICKED, reason="ship what was picked", **who)
        return f"{order.display_name} released to packing with the units picked"
    raise ValueError(f"{order.display_name} is {order.status}: nothing to release")
