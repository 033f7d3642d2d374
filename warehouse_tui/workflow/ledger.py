"""The event ledger: one append-only row for every scan and every change of state."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from warehouse_tui.domain.models import Event, utcnow

# built once: a scan writes its event with this statement, not through the unit of work
_INSERT = insert(Event.__table__)


def record(
    s: Session,
    type: str,
    *,
    order: Any = None,
    station: str | None = None,
    operator: str | None = None,
    scan: str | None = None,
    ok: bool | None = None,
    message: str | None = None,
    **data: Any,
) -> None:
    """Write one event now, in the session's transaction. ``order``: an order (anything with
    an ``id``), an order's id, or None."""
    order_id = order if order is None or isinstance(order, int) else order.id
    s.connection().execute(_INSERT, {
        "at": utcnow(), "order_id": order_id, "type": type, "station": station, "operator": operator,
        "scan": scan, "ok": ok, "message": message,
        "data": json.dumps({k: v for k, v in data.items() if v is not None}, default=str, ensure_ascii=False),
    })
