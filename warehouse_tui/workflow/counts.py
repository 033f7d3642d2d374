"""Counts change in the database, never in Python.

Two stations that read a count, add one and write it back lose an update under PostgreSQL's
READ COMMITTED (SQLite only hides it by serialising every writer). So every count of units
(on hand, reserved, quarantined, picked, packed, short) changes here, in one UPDATE that adds
to the column in SQL and refuses to take it below zero; the caller checks the answer.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from warehouse_tui.domain.models import Stock


def change(s: Session, model, *where, **deltas: int) -> bool:
    """Add each delta to its column in the row(s) `where` names, in one UPDATE.

    A negative delta also asks that the column holds at least that much, so a count never
    goes below zero: when it would, nothing changes and the answer is False. The session's
    copies of the changed rows are refreshed from the database.
    """
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return True
    guards = [getattr(model, k) >= -v for k, v in deltas.items() if v < 0]
    stmt = (update(model).where(*where, *guards)
            .values({k: getattr(model, k) + v for k, v in deltas.items()})
            .execution_options(synchronize_session="fetch"))
    return s.execute(stmt).rowcount > 0


def stock_row(s: Session, product_id: int, bin_id: int) -> Stock | None:
    """The stock of a product in a bin, as the database holds it now."""
    q = select(Stock).where(Stock.product_id == product_id, Stock.bin_id == bin_id)
    return s.exec(q.execution_options(populate_existing=True)).first()


def ensure_stock_row(s: Session, product_id: int, bin_id: int) -> Stock:
    """The stock row, made empty when there is none (two stations may make it at once)."""
    st = stock_row(s, product_id, bin_id)
    if st is not None:
        return st
    try:
        with s.begin_nested():
            s.add(Stock(product_id=product_id, bin_id=bin_id))
    except IntegrityError:  # the other station made it first
        pass
    return stock_row(s, product_id, bin_id)


def stock_change(s: Session, product_id: int, bin_id: int, **deltas: int) -> bool:
    """Change the counts of a product in a bin (see `change`)."""
    return change(s, Stock, Stock.product_id == product_id, Stock.bin_id == bin_id, **deltas)


def reserve(s: Session, product_id: int, bin_id: int, n: int) -> bool:
    """Reserve n units in a bin, only if that many are free there (on hand, not reserved)."""
    stmt = (update(Stock)
            .where(Stock.product_id == product_id, Stock.bin_id == bin_id, Stock.on_hand - Stock.reserved >= n)
            .values(reserved=Stock.reserved + n)
            .execution_options(synchronize_session="fetch"))
    return s.execute(stmt).rowcount > 0
