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


def writable(channel: str, shipments: list[ShipmentConfirmation], fmt: str | None = None,
             **options) -> tuple[str, list[ShipmentConfirmation], list[tuple[ShipmentConfirmation, str]]]:
    """The text of the parcels that can be written in this format, those parcels, and the others
    with the reason each cannot be (one parcel that cannot be written never stops the others).
    A format the channel does not know raises ConfirmationError."""
    from warehouse_tui.channels.confirm import CannotConfirm
    from warehouse_tui.channels.registry import write_confirmations

    good, refused = [], []
    for sh in shipments:
        if sh.carrier != "other" and not validate_tracking(sh.carrier, sh.tracking_number):
            refused.append((sh, f"{sh.tracking_number} is not a valid {sh.carrier} tracking number"))
        else:
            good.append(sh)
    while True:
        try:
            text = write_confirmations(channel, good, fmt, **{k: v for k, v in options.items() if v is not None})
        except CannotConfirm as exc:
            good = [sh for sh in good if sh is not exc.shipment]
            refused.append((exc.shipment, exc.reason))
            continue
        except ValueError as exc:
            raise ConfirmationError(str(exc)) from None
        return text, good, refused


def mark_confirmed(s: Session, channel: str, shipments: list[ShipmentConfirmation], *, how: str,
                   fmt: str | None = None, station: str | None = None, operator: str | None = None) -> None:
    now = utcnow()
    for sh in shipments:
        parcel = s.get(Parcel, sh.parcel_id)
        first = parcel.confirmed_at is None
        parcel.confirmed_at = parcel.confirmed_at or now
        s.add(parcel)
        record(s, "confirm", order=parcel.order_id, station=station, operator=operator,
               message=f"{'confirmed' if first else 'confirmed again'} to {channel}{how}: {sh.tracking_number}",
               tracking_number=sh.tracking_number, format=fmt)


def export_confirmations(db, channel: str, *, fmt: str | None = None, again: bool = False,
                         write: Callable[[str], None], station: str | None = None,
                         operator: str | None = None, log: Callable[[str], None] = lambda _m: None,
                         refused: list | None = None, **options) -> int:
    """Write the confirmations with ``write``; only once that succeeded are they marked confirmed.
    Parcels that cannot be written are left out, named with ``log`` and added to ``refused``."""
    with db.session() as s:
        shipments = pending_shipments(s, channel, again)
    text, good, bad = writable(channel, shipments, fmt, **options)
    for sh, reason in bad:
        log(f"not written: order {sh.display_name or sh.order_ref}, parcel {sh.parcel_seq}: {reason}")
    if refused is not None:
        refused.extend(bad)
    write(text)
    if good:
        with db.write() as s:
            mark_confirmed(s, channel, good, how="", fmt=fmt, station=station, operator=operator)
    return len(good)
