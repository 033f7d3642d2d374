"""The console's overrides on an order: a supervisor's badge and PIN, then the action.

Plain functions over the database, called in a thread. The PIN is checked by
``workflow.pins.authorize`` (a refusal raises PinRefused and is an event); the action and the
event of the allowed override share one write transaction.
"""

from __future__ import annotations

from warehouse_tui.domain.models import Order
from warehouse_tui.workflow import pins
from warehouse_tui.workflow.cancel import cancel, needs_supervisor


def _name(db, order_id: int) -> str:
    with db.session() as s:
        o = s.get(Order, order_id)
        if o is None:
            raise ValueError("no such order")
        return o.display_name


def release(db, order_id: int, *, station: str, asked_by: str | None, supervisor: str, pin: str) -> str:
    from warehouse_tui.workflow.supervisor import release as release_order

    allowed = pins.authorize(db, supervisor, pin, action=f"release {_name(db, order_id)}", asked_by=asked_by,
                             station=station, order=order_id)
    with db.write() as s:
        msg = release_order(s, s.get(Order, order_id), station=station, operator=supervisor)
        pins.record_override(s, allowed, order=order_id)
    return msg


def cancel_needs_supervisor(db, order_id: int) -> bool:
    with db.session() as s:
        o = s.get(Order, order_id)
        return o is not None and needs_supervisor(o)


def cancel_order(db, order_id: int, reason: str | None, *, station: str, asked_by: str | None,
                 supervisor: str | None = None, pin: str | None = None) -> str:
    """Cancel the order; once picking has begun, only with a supervisor's badge and PIN."""
    allowed = None
    if supervisor is not None:
        allowed = pins.authorize(db, supervisor, pin, action=f"cancel {_name(db, order_id)}", asked_by=asked_by,
                                 station=station, order=order_id)
    with db.write() as s:
        order = s.get(Order, order_id)
        if allowed is None and needs_supervisor(order):
            raise ValueError(f"{order.display_name} is {order.status.replace('_', ' ')}: "
                             "cancelling it needs a supervisor")
        msg = cancel(s, order, reason, station=station, operator=supervisor or asked_by)
        if allowed is not None:
            pins.record_override(s, allowed, order=order_id)
    return msg
