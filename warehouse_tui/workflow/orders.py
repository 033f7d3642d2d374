"""Moving an order through its lifecycle, always with its event in the same transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from warehouse_tui.domain.lifecycle import Status, check_move
from warehouse_tui.domain.models import Order, utcnow
from warehouse_tui.workflow.ledger import record


def move(
    s: Session,
    order: Order,
    target: Status | str,
    *,
    station: str | None = None,
    operator: str | None = None,
    reason: str | None = None,
) -> None:
    target = Status(target)
    check_move(order.status, target, order.held_from)
    before = order.status
    if target is Status.ON_HOLD:
        order.held_from = before
        order.hold_reason = reason
    elif before == Status.ON_HOLD:
        order.held_from = None
        order.hold_reason = None
    order.status = target
    order.updated_at = utcnow()
    s.add(order)
    record_move(s, order, before, target, station=station, operator=operator, reason=reason)


def record_move(s: Session, order: Order | int, before: Status | str, after: Status | str, *,
                station: str | None, operator: str | None, reason: str | None = None) -> None:
    """The event of an order's move from ``before`` to ``after``, however the row was changed."""
    record(s, "status", order=order, station=station, operator=operator,
           message=reason or f"{before} -> {after}", **{"from": str(before), "to": str(after)})


_orders = Order.__table__
# built once: every claim of an order; it answers with the row as the claim left it
_CLAIM = (update(_orders)
          .where(_orders.c.id == bindparam("which"), _orders.c.status == bindparam("from_status"),
                 _orders.c.station.is_(None))
          .values(status=bindparam("to_status"), station=bindparam("to_station"), updated_at=bindparam("now"))
          .returning(*_orders.c))


def adopt(order: Order, row) -> None:
    """Take the order's row as a statement returned it: the order as the database holds it now."""
    for key, value in row._mapping.items():
        set_committed_value(order, key, value)


def claim(s: Session, order: Order, *, from_status: Status, to_status: Status, station: str,
          operator: str | None) -> bool:
    """Take the order for this station, atomically across processes: a conditional UPDATE,
    so of two stations claiming at once exactly one sees its row change."""
    check_move(from_status, to_status)
    s.flush()
    row = s.connection().execute(_CLAIM, {"which": order.id, "from_status": from_status.value,
                                          "to_status": to_status.value, "to_station": station,
                                          "now": utcnow()}).first()
    if row is None:
        return False
    adopt(order, row)
    record_move(s, order, from_status, to_status, station=station, operator=operator)
    return True
