"""Telling the marketplaces: shipped parcels not yet confirmed, each confirmed once.

A parcel counts as confirmed once its confirmation has been written out; ``--again`` writes
confirmed ones too (an Etsy resend e-mails the buyer again, so that is never the default).
"""

from __future__ import annotations

import json
from typing import Callable

from sqlmodel import Session, select

from warehouse_tui.carriers import validate_tracking
from warehouse_tui.channels.base import ConfirmedLine, ShipmentConfirmation
from warehouse_tui.domain.models import Order, OrderLine, Parcel, ParcelItem, utcnow
from warehouse_tui.workflow.ledger import record


class ConfirmationError(Exception):
    pass


def pending_shipments(s: Session, channel: str, again: bool = False) -> list[ShipmentConfirmation]:
    q = (select(Parcel, Order).join(Order, Order.id == Parcel.order_id)
         .where(Order.channel == channel, Parcel.status == "verified", Parcel.tracking_number.is_not(None)))
    if not again:
        q = q.where(Parcel.confirmed_at.is_(None))
    out = []
    for parcel, order in s.exec(q.order_by(Parcel.verified_at, Parcel.id)).all():
        count = len(s.exec(select(Parcel.id).where(Parcel.order_id == order.id, Parcel.status != "void")).all())
        lines = [ConfirmedLine(line_id=ln.line_id, sku=ln.sku, quantity=item.quantity, extra=json.loads(ln.extra or "{}"))
                 for item, ln in s.exec(select(ParcelItem, OrderLine)
                                        .join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
                                        .where(ParcelItem.parcel_id == parcel.id).order_by(OrderLine.id)).all()
                 if item.quantity > 0]
        extra = json.loads(order.extra or "{}")
        extra.pop("import_hash", None)
        out.append(ShipmentConfirmation(
            channel=order.channel, order_ref=order.ref, display_name=order.display_name, order_extra=extra,
            parcel_id=parcel.id, parcel_seq=parcel.seq, parcel_count=count, carrier=parcel.carrier or "other",
            service=parcel.service, tracking_number=parcel.tracking_number,
            shipped_at=parcel.verified_at or parcel.labeled_at or utcnow(), lines=lines,
        ))
    return out


def export_confirmations(db, channel: str, *, fmt: str | None = None, again: bool = False,
                         write: Callable[[str], None], station: str | None = None,
                         operator: str | None = None, log: Callable[[str], None] = lambda _m: None,
                         **options) -> int:
    """Write the confirmations with ``write``; only once that succeeded are they marked confirmed."""
    from warehouse_tui.channels.registry import write_confirmations

    with db.session() as s:
        shipments = pending_shipments(s, channel, again)
    good = []
    for sh in shipments:
        if sh.carrier != "other" and not validate_tracking(sh.carrier, sh.tracking_number):
            log(f"skipped {sh.display_name} parcel {sh.parcel_seq}: {sh.tracking_number} is not a valid "
                f"{sh.carrier} tracking number")
            continue
        good.append(sh)
    try:
        text = write_confirmations(channel, good, fmt, **{k: v for k, v in options.items() if v is not None})
    except ValueError as exc:
        raise ConfirmationError(str(exc)) from None
    write(text)
    if good:
        with db.write() as s:
            now = utcnow()
            for sh in good:
                parcel = s.get(Parcel, sh.parcel_id)
                first = parcel.confirmed_at is None
                parcel.confirmed_at = parcel.confirmed_at or now
                s.add(parcel)
                record(s, "confirm", order=parcel.order_id, station=station, operator=operator,
                       message=f"{'confirmed' if first else 'confirmed again'} to {channel}: {sh.tracking_number}",
                       tracking_number=sh.tracking_number, format=fmt)
    return len(good)
