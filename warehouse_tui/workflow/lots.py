"""Lots and expiry dates of the units picked, and of the parcels they leave in.

A GS1 scan may carry a lot (AI 10) and an expiry date (AI 17). Each unit picked with them is
counted on its order line, summed per lot and expiry; each unit packed takes one of its
line's picked lots into the parcel, so a returned unit can be traced to its lot.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from warehouse_tui.domain.models import OrderLine, ParcelItem, ParcelLot, PickedLot, Product
from warehouse_tui.scanning.grammar import ParsedScan
from warehouse_tui.workflow.counts import change

LotKey = tuple[str | None, date | None]


def unit_refusal(product: Product, scan: ParsedScan, today: date | None = None) -> str | None:
    """Why this unit may not be picked, or None."""
    today = today or date.today()
    if scan.expiry is not None and scan.expiry < today:
        return f"{product.sku} expired on {scan.expiry.isoformat()}: set it aside and take another unit"
    if product.lot_tracked and not scan.lot:
        return (f"{product.sku} is lot-tracked: scan the unit's GS1 barcode with its lot (AI 10), "
                "not the plain product barcode")
    return None


def _same(model, lot: str | None, expiry: date | None) -> list:
    return [model.lot.is_(None) if lot is None else model.lot == lot,
            model.expiry.is_(None) if expiry is None else model.expiry == expiry]


def record_picked(s: Session, line_id: int, lot: str | None, expiry: date | None) -> None:
    """One unit of the line picked from this lot and expiry (nothing when the scan had neither)."""
    if lot is None and expiry is None:
        return
    row = s.exec(select(PickedLot).where(PickedLot.order_line_id == line_id, *_same(PickedLot, lot, expiry))).first()
    if row is None:
        row = PickedLot(order_line_id=line_id, lot=lot, expiry=expiry, quantity=0)
        s.add(row)
        s.flush()
    change(s, PickedLot, PickedLot.id == row.id, quantity=1)


def _as_list(counts: dict[LotKey, int]) -> list[dict]:
    return [{"lot": lot, "expiry": expiry.isoformat() if expiry else None, "quantity": n}
            for (lot, expiry), n in sorted(counts.items(), key=lambda kv: (kv[0][1] or date.max, kv[0][0] or ""))
            if n > 0]


def picked_lots(s: Session, line_ids: list[int]) -> dict[int, list[dict]]:
    """Each line's lots: [{lot, expiry (YYYY-MM-DD or None), quantity}]."""
    found: dict[int, dict[LotKey, int]] = defaultdict(lambda: defaultdict(int))
    if line_ids:
        for line_id, lot, expiry, n in s.exec(
                select(PickedLot.order_line_id, PickedLot.lot, PickedLot.expiry, func.sum(PickedLot.quantity))
                .where(PickedLot.order_line_id.in_(line_ids))
                .group_by(PickedLot.order_line_id, PickedLot.lot, PickedLot.expiry)).all():
            found[line_id][lot, expiry] += int(n)
    return {line_id: _as_list(found[line_id]) for line_id in line_ids}


def parcel_item_lots(s: Session, item_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, dict[LotKey, int]] = defaultdict(lambda: defaultdict(int))
    if item_ids:
        for item_id, lot, expiry, n in s.exec(
                select(ParcelLot.parcel_item_id, ParcelLot.lot, ParcelLot.expiry, ParcelLot.quantity)
                .where(ParcelLot.parcel_item_id.in_(item_ids))).all():
            found[item_id][lot, expiry] += n
    return {item_id: _as_list(found[item_id]) for item_id in item_ids}


# built once: a pack scan asks them of every unit
_pl, _pal, _pi = PickedLot.__table__, ParcelLot.__table__, ParcelItem.__table__
_PICKED = core_select(_pl.c.lot, _pl.c.expiry, _pl.c.quantity).where(_pl.c.order_line_id == bindparam("line"))
_PACKED = (core_select(_pal.c.lot, _pal.c.expiry, _pal.c.quantity)
           .select_from(_pal.join(_pi, _pi.c.id == _pal.c.parcel_item_id))
           .where(_pi.c.order_line_id == bindparam("line")))


def _unpacked_lots(s: Session, line) -> dict[LotKey, int]:
    """The line's picked lots not yet in a parcel. A line read with its ``lots`` flag (the
    pack station's rows) says whether any of it was picked by lot: when none was, there is
    nothing to read."""
    if getattr(line, "lots", True) is False:
        return {}
    left: dict[LotKey, int] = defaultdict(int)
    s.flush()
    c = s.connection()
    picked = c.execute(_PICKED, {"line": line.id}).all()
    if not picked:  # nothing picked by lot: nothing of it can be packed by lot
        return {}
    for lot, expiry, n in picked:
        left[lot, expiry] += n
    for lot, expiry, n in c.execute(_PACKED, {"line": line.id}):
        left[lot, expiry] -= n
    return {k: n for k, n in left.items() if n > 0}


def pack_refusal(s: Session, line: OrderLine, scan: ParsedScan) -> str | None:
    """A unit whose lot was not picked for this line is not the unit picked."""
    if not scan.lot:
        return None
    left = _unpacked_lots(s, line)
    if not left or any(lot == scan.lot and (scan.expiry is None or exp == scan.expiry) for lot, exp in left):
        return None
    return f"lot {scan.lot} of {line.sku} was not picked for this order (picked: {', '.join(sorted({lot or '-' for lot, _ in left}))})"


def record_packed(s: Session, item_id: int, line, scan: ParsedScan) -> None:
    """The unit packed takes its lot into the parcel: the lot scanned, else the earliest-expiring picked."""
    left = _unpacked_lots(s, line)
    key: LotKey | None = None
    if scan.lot:
        key = next((k for k in left if k[0] == scan.lot and (scan.expiry is None or k[1] == scan.expiry)),
                   (scan.lot, scan.expiry))
    elif left:
        key = min(left, key=lambda k: (k[1] or date.max, k[0] or ""))
    elif scan.expiry is not None:
        key = (None, scan.expiry)
    if key is None:
        return
    row = s.exec(select(ParcelLot).where(ParcelLot.parcel_item_id == item_id, *_same(ParcelLot, *key))).first()
    if row is None:
        row = ParcelLot(parcel_item_id=item_id, lot=key[0], expiry=key[1], quantity=0)
        s.add(row)
        s.flush()
    change(s, ParcelLot, ParcelLot.id == row.id, quantity=1)
