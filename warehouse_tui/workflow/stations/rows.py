"""What the station sessions read on every scan, as plain rows through statements built once.

A scan loads no ORM object it does not change: building a statement, loading an entity and
the unit of work cost more than the database itself does for a scan's handful of rows. Where
a flow changes an order's lifecycle it loads the order then (``Session.get``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session

from warehouse_tui.domain.models import Order


@dataclass(slots=True)
class OrderRow:
    id: int
    ref: str
    display_name: str
    status: str
    station: str | None
    tote: str | None


_o = Order.__table__
_ORDERS = core_select(_o.c.id, _o.c.ref, _o.c.display_name, _o.c.status, _o.c.station, _o.c.tote).where(
    _o.c.id.in_(bindparam("ids", expanding=True)))


def run(s: Session, stmt, params: dict):
    """A statement built once, on the session's connection (the ORM's pending changes first)."""
    s.flush()
    return s.connection().execute(stmt, params)


def order_rows(s: Session, ids: list[int]) -> dict[int, OrderRow]:
    return {row[0]: OrderRow(*row) for row in run(s, _ORDERS, {"ids": ids})} if ids else {}


def order_row(s: Session, order_id: int | None) -> OrderRow | None:
    return order_rows(s, [order_id]).get(order_id) if order_id else None
