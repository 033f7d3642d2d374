"""Small read-only queries the screens need and the workflow layer does not offer yet.

Each reads a bounded number of rows (one order's lines, one page, one day of one operator's
events); none loads a whole table. They belong in ``warehouse_tui.workflow`` in time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_
from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import (Allocation, Bin, Document, Event, Operator, Order, OrderLine, Parcel,
                                         ReturnLine)
from warehouse_tui.workflow.queues import STEP_STATUS, capped_count, late_count, status_counts, unconfirmed_parcels


@dataclass
class OrderHead:
    id: int
    ref: str
    display_name: str
    channel: str
    status: str
    ship_by: datetime | None
    ship_name: str
    city: str
    country: str
    tote: str | None
    hold_reason: str | None


@dataclass
class LineRow:
    bins: str
    sku: str
    title: str
    quantity: int
    picked: int
    short: int
    packed: int
    returned: int


@dataclass
class ParcelRow:
    seq: int
    tracking_number: str | None
    carrier: str | None
    status: str
    box: str | None
    weight_g: int | None


@dataclass
class OrderView:
    head: OrderHead
    lines: list[LineRow]
    parcels: list[ParcelRow]


def order_view(s: Session, order_id: int) -> OrderView | None:
    o = s.get(Order, order_id)
    if o is None:
        return None
    head = OrderHead(o.id, o.ref, o.display_name, o.channel, o.status, o.ship_by, o.ship_name, o.ship_city,
                     o.ship_country, o.tote, o.hold_reason)
    lines = list(s.exec(select(OrderLine).where(OrderLine.order_id == o.id).order_by(OrderLine.id)))
    ids = [ln.id for ln in lines]
    bins: dict[int, list[tuple[int, str]]] = defaultdict(list)
    returned: dict[int, int] = defaultdict(int)
    if ids:
        for line_id, seq, code in s.exec(select(Allocation.order_line_id, Bin.sequence, Bin.code)
                                         .join(Bin, Bin.id == Allocation.bin_id)
                                         .where(Allocation.order_line_id.in_(ids))):
            bins[line_id].append((seq, code))
        for line_id, qty in s.exec(select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
                                   .where(ReturnLine.order_line_id.in_(ids)).group_by(ReturnLine.order_line_id)):
            returned[line_id] = int(qty or 0)
    rows = [LineRow(",".join(code for _seq, code in sorted(bins[ln.id])), ln.sku, ln.title, ln.quantity,
                    ln.picked, ln.short, ln.packed, returned[ln.id]) for ln in lines]
    # walking order, the way the picker goes
    rows.sort(key=lambda r: (r.bins == "", r.bins))
    parcels = [ParcelRow(p.seq, p.tracking_number, p.carrier, p.status, p.box_code, p.weight_g)
               for p in s.exec(select(Parcel).where(Parcel.order_id == o.id).order_by(Parcel.seq))]
    return OrderView(head, rows, parcels)


def order_id_by_ref(s: Session, ref: str) -> int | None:
    """The order a Feedback names (its ref), preferring one held by a station."""
    rows = s.exec(select(Order.id).where(Order.ref == ref).order_by(Order.station.is_(None)).limit(1)).all()
    return rows[0] if rows else None


def late_in_step(s: Session, step: str, now: datetime) -> int:
    if STEP_STATUS[step] == Status.SHIPPED:  # the returns queue: shipped orders are never late
        return 0
    return capped_count(s, Order.status == STEP_STATUS[step], Order.ship_by < now)


@dataclass
class Exception_:
    order_id: int
    display_name: str
    status: str
    reason: str


@dataclass
class Today:
    units: int = 0
    orders: int = 0
    errors: int = 0
    scans: int = 0
    per_hour: list[int] = field(default_factory=list)


@dataclass
class HomeData:
    counts: dict[str, int]
    late: int
    due_today: int
    exceptions: list[Exception_]
    exceptions_total: int
    unconfirmed: dict[str, int]
    operator: Today
    station: Today
    channels: list = field(default_factory=list)  # the marketplaces' last syncs (sync.status)


def _start_of_day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _today(s: Session, now: datetime, who) -> Today:
    """One operator's or station's work since midnight. A unit is counted once however many
    steps it went through (picked, then packed, then perhaps returned: one unit), and an
    order once however many statuses it reached."""
    start = _start_of_day(now)
    base = select(func.count()).select_from(Event).where(Event.at >= start, who)
    t = Today()
    unit_scan = (Event.type == "scan", Event.ok.is_(True), Event.data.like('%"sku"%'))
    t.errors = int(s.exec(base.where(Event.type == "scan", Event.ok.is_(False))).one())
    t.scans = int(s.exec(base.where(Event.type == "scan")).one())
    t.orders = int(s.exec(select(func.count(func.distinct(Event.order_id))).where(
        Event.at >= start, who, Event.type == "status",
        or_(*(Event.data.like(f'%"to": "{st}"%') for st in ("picked", "packed", "shipped"))))).one())
    # each step's scans of one product for one order, the most of any step: the units
    steps: dict[tuple, int] = defaultdict(int)
    firsts: dict[tuple, list[datetime]] = defaultdict(list)
    for at, order_id, scan, data in s.exec(select(Event.at, Event.order_id, Event.scan, Event.data)
                                           .where(Event.at >= start, who, *unit_scan).order_by(Event.id)).all():
        if (scan or "").startswith("%"):  # %SHORT, %RESTOCK...: they name a product, they are no unit
            continue
        d = json.loads(data or "{}")
        unit = (order_id, d.get("sku"))
        steps[(unit, d.get("mode"))] += 1
        n = steps[(unit, d.get("mode"))]
        if n > len(firsts[unit]):  # a unit not seen in any step before
            firsts[unit].append(at)
    hours = [0] * 24
    for times in firsts.values():
        t.units += len(times)
        for at in times:
            if at.tzinfo is None:
                at = at.replace(tzinfo=timezone.utc)
            hours[min(23, max(0, int((at - start).total_seconds() // 3600)))] += 1
    last = max(1, min(24, int((now - start).total_seconds() // 3600) + 1))
    t.per_hour = hours[:last]
    return t


def home_data(s: Session, now: datetime, *, station: str, operator: str | None) -> HomeData:
    open_statuses = [st.value for st in Status if st not in (Status.SHIPPED, Status.CANCELLED)]
    end_of_day = _start_of_day(now) + timedelta(days=1)
    due_today = capped_count(s, Order.status.in_(open_statuses), Order.ship_by >= now, Order.ship_by < end_of_day)
    exceptional = Order.status.in_([Status.SHORT.value, Status.ON_HOLD.value])
    exc_q = select(Order).where(exceptional)
    total = capped_count(s, exceptional)
    excs = []
    for o in s.exec(exc_q.order_by(Order.ship_by.is_(None), Order.ship_by, Order.ref).limit(12)):
        reason = o.hold_reason or ""
        if o.status == Status.SHORT and not reason:
            short = s.exec(select(OrderLine).where(OrderLine.order_id == o.id, OrderLine.short > 0)).first()
            reason = f"{short.sku} short {short.short}" if short else "short pick"
        excs.append(Exception_(o.id, o.display_name, o.status, reason))
    return HomeData(
        counts=status_counts(s), late=late_count(s, now), due_today=due_today, exceptions=excs,
        exceptions_total=total, unconfirmed=unconfirmed_parcels(s),
        operator=_today(s, now, Event.operator == (operator or "")),
        station=_today(s, now, Event.station == station),
    )


def operator_role(s: Session, name: str) -> str | None:
    op = s.exec(select(Operator).where(Operator.name == name)).first()
    return op.role if op else None


def documents_of(s: Session, order_id: int) -> list[Document]:
    """The latest document of each kind printed for the order (labels: one per parcel)."""
    docs = list(s.exec(select(Document).where(Document.order_id == order_id).order_by(Document.id.desc()).limit(50)))
    seen, latest = set(), []
    for d in docs:
        key = (d.kind, d.parcel_id)
        if key not in seen:
            seen.add(key)
            latest.append(d)
    return list(reversed(latest))
