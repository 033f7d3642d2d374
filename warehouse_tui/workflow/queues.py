"""Queues: which orders wait for which step, paged from the database, never loaded whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Callable

from sqlalchemy import bindparam, func, literal_column, tuple_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status, check_move
from warehouse_tui.domain.models import Order, OrderLine, Parcel, utcnow
from warehouse_tui.workflow.orders import claim, record_move

# the status each step takes its orders from
STEP_STATUS = {
    "pick": Status.READY,
    "pack": Status.PICKED,
    "label": Status.PACKED,
    "returns": Status.SHIPPED,
}


def _by_priority(q):
    return q.order_by(Order.priority.desc(), Order.due, Order.ref)


def queue_key(row) -> tuple:
    """Where a row stands in its queue: pass it as ``after`` to get the next page."""
    return (row.priority, row.due, row.ref)


@lru_cache(maxsize=8)
def _candidates(batch: int):
    """SQLite: the first orders of a queue not held by a station, by id: built once a size."""
    o = Order.__table__
    return (core_select(o.c.id).where(o.c.status == bindparam("status"), o.c.station.is_(None),
                                      o.c.id.not_in(bindparam("tried", expanding=True)))
            .order_by(o.c.priority.desc(), o.c.due, o.c.ref).limit(batch))


def next_ready(s: Session, try_claim: Callable[[Order], bool], status: Status = Status.READY,
               batch: int = 20) -> Order | None:
    """The first order by priority (earliest ship-by first) that ``try_claim`` wins. SQLite
    serialises writers, and ``try_claim``'s conditional update decides; only the order tried
    is loaded. (PostgreSQL claims by ``claim_next``'s one statement.)"""
    tried: set[int] = set()
    q = _candidates(batch)
    while True:
        s.flush()
        ids = s.connection().execute(q, {"status": status.value, "tried": sorted(tried)}).scalars().all()
        if not ids:
            return None
        for oid in ids:
            o = s.get(Order, oid)
            if o is not None and try_claim(o):
                return o
            tried.add(oid)


def written(limit: int):
    """A LIMIT written into the statement rather than passed with it: PostgreSQL plans a
    statement whose LIMIT it cannot see as dearer than one for the values given, and so plans
    it anew at every run instead of once."""
    return literal_column(str(int(limit)))


# PostgreSQL: the first order of a queue that no station holds, locked (skipping the ones
# other stations are claiming this moment), taken and read whole, by one statement (its LIMIT
# written in: see ``written``)
_o = Order.__table__
_NEXT_ID = (core_select(_o.c.id).where(_o.c.status == bindparam("from_status"), _o.c.station.is_(None))
            .order_by(_o.c.priority.desc(), _o.c.due, _o.c.ref).limit(written(1))
            .with_for_update(skip_locked=True).scalar_subquery())
_CLAIM_NEXT = (select(Order).from_statement(
    update(_o).where(_o.c.id == _NEXT_ID, _o.c.status == bindparam("from_status"), _o.c.station.is_(None))
    .values(status=bindparam("to_status"), station=bindparam("to_station"), updated_at=bindparam("now"))
    .returning(*_o.c)).execution_options(populate_existing=True))


def claim_next(s: Session, *, from_status: Status, to_status: Status, station: str,
               operator: str | None) -> Order | None:
    """The first order of the ``from_status`` queue by priority, taken for this station (None:
    none waits). PostgreSQL: the work-queue pattern, ``FOR UPDATE SKIP LOCKED``: stations
    claiming at once each take a different order instead of queueing on the first, and a
    claim in flight hides from the others only the order it is taking."""
    if s.get_bind().dialect.name != "postgresql":
        return next_ready(s, lambda o: claim(s, o, from_status=from_status, to_status=to_status, station=station,
                                             operator=operator), from_status)
    check_move(from_status, to_status)
    s.flush()
    order = s.execute(_CLAIM_NEXT, {"from_status": from_status.value, "to_status": to_status.value,
                                    "to_station": station, "now": utcnow()}).scalars().first()
    if order is not None:
        record_move(s, order, from_status, to_status, station=station, operator=operator)
    return order


@dataclass
class QueueRow:
    id: int
    ref: str
    display_name: str
    channel: str
    status: str
    ship_by: datetime | None
    ship_name: str
    units: int
    station: str | None
    priority: int = 0
    due: datetime | None = None


def queue_page(s: Session, step: str, *, offset: int = 0, limit: int = 20,
               after: tuple | None = None) -> list[QueueRow]:
    """A page of the step's queue. ``after`` (a ``queue_key``) pages by key, which stays as fast
    deep in a million orders as on the first page; ``offset`` is for the first few pages."""
    status = STEP_STATUS[step]
    units = (select(func.coalesce(func.sum(OrderLine.quantity), 0))
             .where(OrderLine.order_id == Order.id).correlate(Order).scalar_subquery())
    base = select(Order.id, Order.ref, Order.display_name, Order.channel, Order.status, Order.ship_by,
                  Order.ship_name, units, Order.station, Order.priority, Order.due).where(Order.status == status)
    if after is None:
        q = _by_priority(base)
        if offset:
            q = q.offset(offset)
        return [QueueRow(*row) for row in s.exec(q.limit(written(limit))).all()]
    # by key: the rest of this priority, then the lower ones; each part an index range
    priority, due, ref = after
    rows = s.exec(_by_priority(base.where(Order.priority == priority, tuple_(Order.due, Order.ref) > (due, ref)))
                  .limit(written(limit))).all()
    if len(rows) < limit:
        rows += s.exec(_by_priority(base.where(Order.priority < priority)).limit(written(limit - len(rows)))).all()
    return [QueueRow(*row) for row in rows]


# Counts on screen stop at this: counting a million waiting orders exactly reads a million
# index entries, again at every change; past it a screen says "10000+" (see shown_count).
COUNT_CAP = 10_000


def capped_count(s: Session, *where) -> int:
    """Orders matching ``where``, counted up to COUNT_CAP + 1 (more than the cap: unknown how many)."""
    inner = select(Order.id).where(*where).limit(COUNT_CAP + 1).subquery()
    return int(s.exec(select(func.count()).select_from(inner)).one())


def exact(n: int) -> bool:
    """Whether a capped count is the real number (past the cap: not counted)."""
    return n <= COUNT_CAP


def shown_count(n: int, less: int = 0) -> str:
    """A capped count on screen, less ``less`` already shown: "10000+" past the cap."""
    return str(n - less) if exact(n) else f"{COUNT_CAP - less}+"


def queue_length(s: Session, step: str) -> int:
    return capped_count(s, Order.status == STEP_STATUS[step])


def status_counts(s: Session) -> dict[str, int]:
    return {str(st): capped_count(s, Order.status == st.value) for st in Status}


def late_count(s: Session, now: datetime) -> int:
    open_statuses = [st.value for st in Status if st not in (Status.SHIPPED, Status.CANCELLED)]
    return capped_count(s, Order.status.in_(open_statuses), Order.ship_by < now)


def unconfirmed_parcels(s: Session) -> dict[str, int]:
    """Shipped parcels the marketplace has not been told about, per channel."""
    rows = s.exec(select(Order.channel, func.count()).select_from(Parcel)
                  .join(Order, Order.id == Parcel.order_id)
                  .where(Parcel.status == "verified", Parcel.confirmed_at.is_(None), Order.channel != "csv")
                  .group_by(Order.channel)).all()
    return dict(rows)
