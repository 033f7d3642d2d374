"""Cancelling an order at the warehouse: whatever it holds goes back where it came from.

Units already picked (and packed) return to the bins they were picked from, reservations are
given back, the tote is freed, labels not yet handed over are voided. Stock counts change in
SQL (``on_hand = on_hand + n``), never read and written back from Python, so stations picking
the same products meanwhile lose nothing.
"""

from __future__ import annotations

from sqlalchemy import case, update
from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import PICK_STARTED, Status
from warehouse_tui.domain.models import Allocation, Bin, Order, OrderLine, Parcel, Stock, Tote
from warehouse_tui.workflow.ledger import record
from warehouse_tui.workflow.orders import move


def effective_status(order: Order) -> Status:
    status = Status(order.status)
    if status is Status.ON_HOLD and order.held_from:
        return Status(order.held_from)
    return status


def needs_supervisor(order: Order) -> bool:
    """Cancelling an order already picking or later is an override."""
    return effective_status(order) in PICK_STARTED


def cancel(s: Session, order: Order, reason: str | None = None, *, station: str | None = None,
           operator: str | None = None) -> str:
    """Cancel ORDER in the caller's write transaction; ValueError saying why it cannot."""
    # one canceller at a time, and no station changing it under us (a row lock on PostgreSQL)
    order = s.exec(select(Order).where(Order.id == order.id).with_for_update()).one()
    status = Status(order.status)
    if status is Status.CANCELLED:
        raise ValueError(f"{order.display_name} is cancelled already")
    if status is Status.SHIPPED:
        raise ValueError(f"{order.display_name} has shipped: take it back through returns")
    parcels = list(s.exec(select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.seq)))
    handed = [p for p in parcels if p.manifest_id is not None]
    if handed:
        raise ValueError(f"{order.display_name}: parcel {handed[0].seq} ({handed[0].tracking_number}) is on a "
                         "manifest, handed over to the carrier")
    who = {"station": station, "operator": operator}
    back = 0
    rows = s.exec(select(Allocation, OrderLine, Bin).join(OrderLine, OrderLine.id == Allocation.order_line_id)
                  .join(Bin, Bin.id == Allocation.bin_id).where(OrderLine.order_id == order.id)
                  .order_by(Allocation.id)).all()
    for alloc, line, bin_ in rows:
        picked, unpicked = alloc.picked, max(0, alloc.quantity - alloc.picked)
        where = (Stock.product_id == line.product_id, Stock.bin_id == alloc.bin_id)
        if picked:
            s.execute(update(Stock).where(*where).values(on_hand=Stock.on_hand + picked)
                      .execution_options(synchronize_session=False))
            record(s, "stock", order=order, message=f"{line.sku}: {picked} back in {bin_.code} "
                   f"({order.display_name} cancelled)", sku=line.sku, bin=bin_.code, back=picked, **who)
            back += picked
        if unpicked:
            s.execute(update(Stock).where(*where)
                      .values(reserved=case((Stock.reserved >= unpicked, Stock.reserved - unpicked), else_=0))
                      .execution_options(synchronize_session=False))
        s.execute(update(Allocation).where(Allocation.id == alloc.id).values(quantity=0, picked=0)
                  .execution_options(synchronize_session=False))
    s.execute(update(OrderLine).where(OrderLine.order_id == order.id).values(picked=0, packed=0)
              .execution_options(synchronize_session=False))
    for p in parcels:
        if p.tracking_number:
            record(s, "void", order=order, message=f"label {p.tracking_number} of parcel {p.seq} voided: "
                   "the order is cancelled", tracking_number=p.tracking_number, parcel=p.seq, **who)
        if p.status != "void":
            p.status, p.tracking_number = "void", None
            s.add(p)
    freed = order.tote
    s.execute(update(Tote).where(Tote.order_id == order.id).values(order_id=None)
              .execution_options(synchronize_session=False))
    was = order.status
    move(s, order, Status.CANCELLED, reason=reason or "cancelled at the warehouse", **who)
    order.tote = None
    order.station = None
    s.add(order)
    s.flush()
    msg = f"{order.display_name} cancelled (was {was.replace('_', ' ')})"
    if back:
        msg += f"; {back} unit{'s' if back != 1 else ''} back on hand"
    if freed:
        msg += f"; {freed} is free"
    return msg
