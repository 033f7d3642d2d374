"""Describing orders: ``order show``, ``order list`` and the console's lookup (finding them: ``search``)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from warehouse_tui.domain.models import Event, Order, OrderLine, Parcel, ParcelItem, Product, Return, ReturnLine
from warehouse_tui.workflow.lots import parcel_item_lots, picked_lots
from warehouse_tui.workflow.resolve import find_orders


def iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def find_order(s: Session, ref: str) -> list[Order]:
    """By channel order id, display name (with or without '#'), order barcode or tracking number."""
    ref = ref.strip()
    if ref.upper().startswith("ORD-") and ref[4:].isdigit():
        o = s.get(Order, int(ref[4:]))
        return [o] if o else []
    found = find_orders(s, ref)
    if found:
        return found
    parcel = s.exec(select(Parcel).where(Parcel.tracking_number == ref.upper().replace(" ", ""))).first()
    return [s.get(Order, parcel.order_id)] if parcel else []


def order_detail(s: Session, order: Order) -> dict:
    lines = list(s.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)))
    parcels = list(s.exec(select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.seq)))
    returns = []
    for r in s.exec(select(Return).where(Return.order_id == order.id).order_by(Return.id)):
        rows = s.exec(
            select(Product.sku, ReturnLine.disposition, func.sum(ReturnLine.quantity))
            .join(Product, Product.id == ReturnLine.product_id)
            .where(ReturnLine.return_id == r.id).group_by(Product.sku, ReturnLine.disposition)
            .order_by(Product.sku, ReturnLine.disposition)
        ).all()
        returns.append({"status": r.status, "opened_at": iso(r.opened_at), "closed_at": iso(r.closed_at),
                        "lines": [{"sku": sku, "quantity": int(q), "disposition": d} for sku, d, q in rows]})
    events = s.exec(select(Event).where(Event.order_id == order.id).order_by(Event.id)).all()
    lots = picked_lots(s, [ln.id for ln in lines])
    items = parcel_items(s, [p.id for p in parcels])
    return {
        "ref": order.ref,
        "display_name": order.display_name,
        "barcode": f"ORD-{order.id}",
        "channel": order.channel,
        "status": order.status,
        "hold_reason": order.hold_reason,
        "placed_at": iso(order.placed_at),
        "ship_by": iso(order.ship_by),
        "priority": order.priority,
        "ship_to": {"name": order.ship_name, "address1": order.ship_address1, "address2": order.ship_address2,
                    "city": order.ship_city, "region": order.ship_region, "postal_code": order.ship_postal_code,
                    "country": order.ship_country},
        "station": order.station,
        "lines": [{"line_id": ln.line_id, "sku": ln.sku, "title": ln.title, "quantity": ln.quantity,
                   "picked": ln.picked, "short": ln.short, "packed": ln.packed, "lots": lots[ln.id]}
                  for ln in lines],
        "tote": order.tote,
        "parcels": [{"tracking_number": p.tracking_number, "carrier": p.carrier, "weight_g": p.weight_g,
                     "status": p.status, "box": p.box_code, "seq": p.seq, "items": items[p.id]} for p in parcels],
        "returns": returns,
        "events": [{"at": iso(e.at), "type": e.type, "station": e.station, "operator": e.operator,
                    "scan": e.scan, "ok": e.ok, "message": e.message, **_event_extra(e)} for e in events],
    }


def parcel_items(s: Session, parcel_ids: list[int]) -> dict[int, list[dict]]:
    """Each parcel's items: [{sku, quantity, lots}]."""
    rows = s.exec(select(ParcelItem, OrderLine.sku).join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
                  .where(ParcelItem.parcel_id.in_(parcel_ids)).order_by(ParcelItem.id)).all() if parcel_ids else []
    lots = parcel_item_lots(s, [item.id for item, _ in rows])
    found: dict[int, list[dict]] = {pid: [] for pid in parcel_ids}
    for item, sku in rows:
        found[item.parcel_id].append({"sku": sku, "quantity": item.quantity, "lots": lots[item.id]})
    return found


def _event_extra(e: Event) -> dict:
    data = json.loads(e.data or "{}")
    return {k: data[k] for k in ("from", "to") if k in data}


def order_list(s: Session, *, status: str | None = None, channel: str | None = None,
               offset: int = 0, limit: int | None = None) -> list[dict]:
    q = select(Order.ref, Order.display_name, Order.channel, Order.status, Order.ship_by, Order.ship_name)
    if status:
        q = q.where(Order.status == status)
    if channel:
        q = q.where(Order.channel == channel)
    q = q.order_by(Order.due, Order.ref).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return [{"ref": r, "display_name": d, "channel": c, "status": st, "ship_by": iso(sb), "ship_name": n}
            for r, d, c, st, sb, n in s.exec(q).all()]
