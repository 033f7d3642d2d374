"""The event ledger: one append-only row for every scan and every change of state."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session as _AnySession
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
    """Write one event in the session's transaction: it is kept with the transaction's other
    events and all are written in one statement when the transaction commits (one round trip
    a scan, however many events it makes), or dropped with it when it rolls back. ``order``:
    an order (anything with an ``id``), an order's id, or None."""
    order_id = order if order is None or isinstance(order, int) else order.id
    s.connection()  # in the session's transaction: begun here if it was not yet
    s.info.setdefault(_PENDING, []).append({
        "at": utcnow(), "order_id": order_id, "type": type, "station": station, "operator": operator,
        "scan": scan, "ok": ok, "message": message,
        "data": json.dumps({k: v for k, v in data.items() if v is not None}, default=str, ensure_ascii=False),
    })


_PENDING = "warehouse_tui.events"


def write_pending(s: Session) -> None:
    """Write the events recorded in this transaction so far (before a read of the events
    within it; a commit does it by itself)."""
    rows = s.info.pop(_PENDING, None)
    if rows:
        s.connection().execute(_INSERT, rows)


@event.listens_for(_AnySession, "before_commit")
def _before_commit(s: Session) -> None:
    # a savepoint's commit is not the transaction's: what it holds may still be rolled back
    if not s.in_nested_transaction():
        write_pending(s)


@event.listens_for(_AnySession, "after_transaction_end")
def _after_transaction_end(s: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint: rolled back or closed
        s.info.pop(_PENDING, None)
