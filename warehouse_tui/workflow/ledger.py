"""The event ledger: one append-only row for every scan and every change of state."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, insert, text
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
_WITH = "warehouse_tui.with_events"
_COLUMNS = [c.name for c in Event.__table__.c if c.name != "id"]
_WITH_STATEMENTS: dict[tuple[str, int], Any] = {}
# a scan records one event or a few; a transaction with more writes them by the plain insert
# (each number of rows is a statement of its own, built once and kept)
_WITH_MOST = 8


def update_with_events(s: Session, update: str, params: dict[str, Any]) -> None:
    """An UPDATE of one row (SQL text with ``:named`` parameters) written with the
    transaction's events: on PostgreSQL in their statement, as a data-modifying WITH, so a
    scan that changes its station's row and records its event makes one round trip of the
    two. Until then nothing in the transaction may read that row. Another such UPDATE in the
    same transaction replaces this one."""
    s.connection()
    s.info[_WITH] = (update, params)


def _with_events(update: str, n: int):
    """``WITH w AS (update) INSERT INTO events ... VALUES`` n rows, built once for each n."""
    stmt = _WITH_STATEMENTS.get((update, n))
    if stmt is None:
        values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in _COLUMNS) + ")" for i in range(n))
        stmt = text(f"WITH w AS ({update}) INSERT INTO events ({', '.join(_COLUMNS)}) VALUES {values}")
        _WITH_STATEMENTS[(update, n)] = stmt
    return stmt


def write_pending(s: Session) -> None:
    """Write the events recorded in this transaction so far (before a read of the events
    within it; a commit does it by itself), and the UPDATE to go with them."""
    rows = s.info.pop(_PENDING, None)
    also = s.info.pop(_WITH, None)
    if not rows and also is None:
        return
    conn = s.connection()
    if also is not None and rows and conn.dialect.name == "postgresql" and len(rows) <= _WITH_MOST:
        update, params = also
        flat = dict(params)
        for i, row in enumerate(rows):
            flat.update({f"{c}_{i}": row.get(c) for c in _COLUMNS})
        conn.execute(_with_events(update, len(rows)), flat)
        return
    if also is not None:
        conn.execute(text(also[0]), also[1])
    if rows:
        conn.execute(_INSERT, rows)


@event.listens_for(_AnySession, "before_commit")
def _before_commit(s: Session) -> None:
    # a savepoint's commit is not the transaction's: what it holds may still be rolled back
    if not s.in_nested_transaction():
        write_pending(s)


@event.listens_for(_AnySession, "after_transaction_end")
def _after_transaction_end(s: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint: rolled back or closed
        s.info.pop(_PENDING, None)
        s.info.pop(_WITH, None)
