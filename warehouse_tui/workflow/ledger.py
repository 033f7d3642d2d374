"""The event ledger: one append-only row for every scan and every change of state."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from warehouse_tui.domain.models import Event, Order, utcnow


def record(
    s: Session,
    type: str,
    *,
    order: Order | int | None = None,
    station: str | None = None,
    operator: str | None = None,
    scan: str | None = None,
    ok: bool | None = None,
    message: str | None = None,
    **data: Any,
) -> Event:
    order_id = order.id if isinstance(order, Order) else order
    ev = Event(
        at=utcnow(), order_id=order_id, type=type, station=station, operator=operator,
        scan=scan, ok=ok, message=message,
        data=json.dumps({k: v for k, v in data.items() if v is not None}, default=str, ensure_ascii=False),
    )
    s.add(ev)
    return ev
