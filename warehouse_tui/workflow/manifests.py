"""The end-of-day manifest of a carrier's parcels, and voiding a label.

Closing a manifest takes every shipped parcel of the carrier that is on no manifest yet, with
one conditional UPDATE (``... WHERE manifest_id IS NULL``) in one write transaction, so two
closes at once never share a parcel. A parcel on a manifest has been handed over: its label
can no longer be voided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, update
from sqlmodel import Session, select

from warehouse_tui.carriers import CARRIERS, normalise_tracking
from warehouse_tui.config import Settings
from warehouse_tui.documents.base import ManifestData, ManifestParcel, PrintError
from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Event, Manifest, Order, Parcel, utcnow
from warehouse_tui.workflow.ledger import record, write_pending
from warehouse_tui.workflow.orders import move
from warehouse_tui.workflow.printing import open_printer, store


class ManifestError(Exception):
    pass


class VoidError(Exception):
    pass


@dataclass
class Closed:
    manifest_id: int
    carrier: str
    parcels: int
    weight_g: int
    printed_to: str | None = None
    files: list[str] = field(default_factory=list)


def carrier_name(carrier: str) -> str:
    return CARRIERS[carrier].name if carrier in CARRIERS else carrier.upper()


def _naive(dt):
    return dt.replace(tzinfo=None) if dt is not None and dt.tzinfo is not None else dt


def manifest_data(s: Session, settings: Settings, m: Manifest) -> ManifestData:
    rows = s.exec(select(Parcel, Order).join(Order, Order.id == Parcel.order_id)
                  .where(Parcel.manifest_id == m.id).order_by(Parcel.verified_at, Parcel.id)).all()
    return ManifestData(
        carrier=m.carrier, carrier_name=carrier_name(m.carrier), manifest_id=str(m.id),
        closed_at=_naive(m.closed_at), ship_from=settings.ship_from,
        parcels=[ManifestParcel(p.tracking_number, o.display_name, p.weight_g, p.service or "") for p, o in rows],
    )


def close_manifest(s: Session, settings: Settings, carrier: str, *, printer=None, out_dir: Path | None = None,
                   station: str | None = None, operator: str | None = None) -> Closed:
    """Close the carrier's manifest in the caller's write transaction; ManifestError (and the
    caller rolls back) if there is nothing to close or the PDF did not print.

    With ``out_dir`` both files go there; otherwise the PDF goes to ``printer`` and the CSV to
    the printer's folder when it is a ``dir:`` printer, else to the current directory.
    """
    from warehouse_tui.documents.printers import DirPrinter
    from warehouse_tui.documents.render import render_manifest

    carrier = carrier.strip().lower()
    m = Manifest(carrier=carrier, closed_at=utcnow(), station=station, operator=operator)
    s.add(m)
    s.flush()
    taken = s.execute(
        update(Parcel)
        .where(Parcel.carrier == carrier, Parcel.status == "verified", Parcel.manifest_id.is_(None),
               Parcel.tracking_number.is_not(None))
        .values(manifest_id=m.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise ManifestError(f"no shipped {carrier_name(carrier)} parcels are waiting for a manifest")
    data = manifest_data(s, settings, m)
    pdf, csv = render_manifest(data, "pdf"), render_manifest(data, "csv")
    csv_row = store(s, csv, station=station)
    pdf_row = store(s, pdf, station=station)  # stored last: %REPRINT at this station sends the PDF
    done = Closed(m.id, carrier, len(data.parcels), sum(p.weight_g or 0 for p in data.parcels))
    try:
        if out_dir is not None:
            folder = DirPrinter(f"dir:{out_dir}", Path(out_dir))
            done.files = [folder.send(pdf), folder.send(csv)]
        else:
            target = printer or open_printer(settings.printer)
            done.printed_to = target.send(pdf)
            beside = target if isinstance(target, DirPrinter) else DirPrinter("dir:.", Path.cwd())
            if isinstance(target, DirPrinter):
                done.files.append(done.printed_to)
            done.files.append(beside.send(csv))
    except (PrintError, ValueError) as exc:
        raise ManifestError(f"manifest not closed: {exc}") from None
    record(s, "manifest", station=station, operator=operator,
           message=f"closed {carrier_name(carrier)} manifest {m.id}: {done.parcels} parcels",
           manifest=m.id, carrier=carrier, parcels=done.parcels, documents=[pdf_row.id, csv_row.id],
           printed_to=done.printed_to, files=done.files or None)
    return done


def list_manifests(s: Session) -> list[dict]:
    count = func.count(Parcel.id)
    weight = func.coalesce(func.sum(Parcel.weight_g), 0)
    rows = s.exec(select(Manifest, count, weight).join(Parcel, Parcel.manifest_id == Manifest.id, isouter=True)
                  .group_by(Manifest.id).order_by(Manifest.id)).all()
    return [{"id": m.id, "carrier": m.carrier, "closed_at": _naive(m.closed_at).isoformat(timespec="seconds"),
             "parcels": n, "weight_g": int(w), "station": m.station, "operator": m.operator}
            for m, n, w in rows]


# -- voiding a label ----------------------------------------------------------------------

def void_label(s: Session, tracking: str, *, station: str | None = None, operator: str | None = None) -> str:
    """The parcel loses its tracking number and goes back to packed, and so does its order,
    for the label station to print it a new label; VoidError saying why if it cannot."""
    number = normalise_tracking(tracking) or tracking.strip().upper().replace(" ", "")
    parcel = s.exec(select(Parcel).where(Parcel.tracking_number == number)).first()
    if parcel is None:
        if number in voided_numbers(s):
            raise VoidError(f"label {number} was voided already")
        raise VoidError(f"no parcel has tracking number {number}")
    order = s.get(Order, parcel.order_id)
    if parcel.manifest_id is not None:
        raise VoidError(_on_manifest(s, parcel, number))
    if order.status not in (Status.PACKED, Status.LABELED, Status.SHIPPED):
        raise VoidError(f"{order.display_name} is {order.status.replace('_', ' ')}: release it first")
    was_confirmed = parcel.confirmed_at is not None
    # conditional, so a manifest closed meanwhile by another process wins cleanly
    won = s.execute(
        update(Parcel).where(Parcel.id == parcel.id, Parcel.tracking_number == number,
                             Parcel.manifest_id.is_(None))
        .values(tracking_number=None, status="packed", carrier=None, service=None, labeled_at=None,
                verified_at=None, confirmed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        s.refresh(parcel)
        raise VoidError(_on_manifest(s, parcel, number) if parcel.manifest_id else f"label {number} just changed")
    s.refresh(parcel)
    if order.status in (Status.LABELED, Status.SHIPPED):
        move(s, order, Status.PACKED, station=station, operator=operator, reason=f"label {number} voided")
    order.station = None  # any label station may take it again
    s.add(order)
    record(s, "void", order=order, station=station, operator=operator,
           message=f"label {number} of parcel {parcel.seq} voided", tracking_number=number, parcel=parcel.seq,
           confirmed=was_confirmed)
    return f"voided {number}: {order.display_name} parcel {parcel.seq} is packed again, waiting for a new label"


def _on_manifest(s: Session, parcel: Parcel, number: str) -> str:
    m = s.get(Manifest, parcel.manifest_id)
    return (f"on manifest {m.id} of {_naive(m.closed_at):%Y-%m-%d}: {number} was handed over to "
            f"{carrier_name(m.carrier)} and cannot be voided")


def voided_numbers(s: Session, order_id: int | None = None) -> set[str]:
    """Tracking numbers voided (of one order, or all): they are never taken as labels again."""
    write_pending(s)  # a void recorded in this transaction counts
    q = select(Event.data).where(Event.type == "void")
    if order_id is not None:
        q = q.where(Event.order_id == order_id)
    return {json.loads(d).get("tracking_number") for d in s.exec(q)} - {None}
