"""Small read-only queries the screens need and the workflow layer does not offer yet.

Each reads a bounded number of rows (one order's lines, one page, one day of one operator's
events); none loads a whole table. They belong in ``warehouse_tui.workflow`` in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, Integer, bindparam, cast, func, or_, text as sql
from sqlalchemy import select as core_select
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


_o, _l, _a, _b = Order.__table__, OrderLine.__table__, Allocation.__table__, Bin.__table__
_r, _p, _e = ReturnLine.__table__, Parcel.__table__, Event.__table__
_HEAD = core_select(_o.c.id, _o.c.ref, _o.c.display_name, _o.c.channel, _o.c.status, _o.c.ship_by, _o.c.ship_name,
                    _o.c.ship_city, _o.c.ship_country, _o.c.tote, _o.c.hold_reason).where(_o.c.id == bindparam("id"))
# one row per line and bin it is allocated from (a line with none: one row, no bin)
_LINES = (core_select(_l.c.id, _l.c.sku, _l.c.title, _l.c.quantity, _l.c.picked, _l.c.short, _l.c.packed,
                      _b.c.sequence, _b.c.code,
                      core_select(func.coalesce(func.sum(_r.c.quantity), 0)).where(_r.c.order_line_id == _l.c.id)
                      .scalar_subquery())
          .select_from(_l.outerjoin(_a, _a.c.order_line_id == _l.c.id).outerjoin(_b, _b.c.id == _a.c.bin_id))
          .where(_l.c.order_id == bindparam("id")).order_by(_l.c.id))
_PARCELS = core_select(_p.c.seq, _p.c.tracking_number, _p.c.carrier, _p.c.status, _p.c.box_code, _p.c.weight_g).where(
    _p.c.order_id == bindparam("id")).order_by(_p.c.seq)


def order_view(s: Session, order_id: int) -> OrderView | None:
    """One order as a screen shows it: three statements built once, plain rows (it is read
    after every scan, so it costs what the database does and little more)."""
    conn = s.connection()
    head = conn.execute(_HEAD, {"id": order_id}).first()
    if head is None:
        return None
    lines: dict[int, list] = {}
    for lid, sku, title, qty, picked, short, packed, seq, code, returned in conn.execute(_LINES, {"id": order_id}):
        entry = lines.get(lid)
        if entry is None:
            entry = lines[lid] = [sku, title, qty, picked, short, packed, int(returned or 0), []]
        if code is not None:
            entry[7].append((seq, code))
    rows = [LineRow(",".join(code for _seq, code in sorted(bins)), sku, title, qty, picked, short, packed, returned)
            for sku, title, qty, picked, short, packed, returned, bins in lines.values()]
    # walking order, the way the picker goes
    rows.sort(key=lambda r: (r.bins == "", r.bins))
    parcels = [ParcelRow(*row) for row in conn.execute(_PARCELS, {"id": order_id})]
    return OrderView(OrderHead(*head), rows, parcels)


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


def _json_text(dialect: str, key: str):
    """One key of an event's JSON ``data``, as text, in the database's own words."""
    if dialect == "sqlite":
        return func.json_extract(_e.c.data, f"$.{key}")
    return func.json_extract_path_text(cast(_e.c.data, JSON), key)


def _hours_since(dialect: str, start: datetime):
    """Whole hours from ``start`` (UTC) to an event's time."""
    if dialect == "sqlite":
        # whole seconds, not julianday's fractions of a day: an event on the hour stays in it
        seconds = cast(func.strftime("%s", _e.c.at), Integer) - cast(func.strftime("%s", start), Integer)
        return seconds // 3600
    return cast(func.floor(func.extract("epoch", _e.c.at - start) / 3600), Integer)


# the status a status event moved to, as the index of migration 0011 has it
MOVED_TO = {"sqlite": "json_extract(events.data, '$.to')", "postgresql": "(events.data::json ->> 'to')"}


def _today(s: Session, now: datetime, by: str, name: str) -> Today:
    """The work since midnight of one operator (``by`` "operator") or station (``by``
    "station"). A unit is counted once however many steps it went through (picked, then
    packed, then perhaps returned: one unit), and an order once however many statuses it
    reached.

    The counting is the database's: a busy operator's day is tens of thousands of scans, and
    the home screen reads this again whenever the warehouse changes."""
    if by not in ("operator", "station"):
        raise ValueError(f"work is counted by operator or station, not {by!r}")
    who = _e.c[by] == name
    start = _start_of_day(now)
    t = Today()
    scans, errors = s.exec(select(func.count(), func.count().filter(Event.ok.is_(False))).where(
        who, Event.type == "scan", Event.at >= start)).one()
    t.scans, t.errors = int(scans), int(errors or 0)
    # the orders moved to picked, packed or shipped: ranges of the index by the status moved
    # to (migration 0011), whose expression and condition the query repeats word for word.
    # SQLite, without statistics, would take the index by (who, type, time) and read every
    # status event of the day, an import's included: it is told which index to use.
    dialect = s.get_bind().dialect.name
    table = f"events INDEXED BY ix_events_{by}_moved_to" if dialect == "sqlite" else "events"
    t.orders = int(s.connection().execute(sql(
        f"SELECT count(DISTINCT order_id) FROM {table} WHERE {by} = :name AND type = 'status'"
        f" AND at >= :start AND {MOVED_TO[dialect]} IN ('picked', 'packed', 'shipped')")
        .bindparams(bindparam("start", type_=_e.c.at.type)), {"name": name, "start": start}).scalar())
    # The units: each step's scans of one product for one order, the most of any step. The
    # k-th unit of a product in an order was first seen at the earliest k-th scan of any step;
    # that time puts it in its hour.
    sku, mode = _json_text(dialect, "sku"), _json_text(dialect, "mode")
    start_utc = start.astimezone(timezone.utc) if start.tzinfo else start.replace(tzinfo=timezone.utc)
    scans = core_select(
        _e.c.order_id.label("order_id"), sku.label("sku"), _hours_since(dialect, start_utc).label("hour"),
        func.row_number().over(partition_by=(_e.c.order_id, sku, mode), order_by=_e.c.id).label("k"),
    ).where(_e.c.at >= start, who, _e.c.type == "scan", _e.c.ok.is_(True), _e.c.data.like('%"sku"%'),
            # %SHORT, %RESTOCK...: they name a product, they are no unit
            or_(_e.c.scan.is_(None), ~_e.c.scan.startswith("%", autoescape=True))).subquery()
    units = core_select(func.min(scans.c.hour).label("hour")).group_by(
        scans.c.order_id, scans.c.sku, scans.c.k).subquery()
    hours = [0] * 24
    for hour, n in s.connection().execute(core_select(units.c.hour, func.count()).group_by(units.c.hour)):
        t.units += n
        hours[min(23, max(0, int(hour or 0)))] += n
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
        operator=_today(s, now, "operator", operator or ""),
        station=_today(s, now, "station", station),
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
