"""Storing one set of imported orders in one short transaction, with a statement per kind of
change rather than per order: one query learns which orders exist, new orders, their lines,
allocations and events go in as lists of rows, and only what changed is updated."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import cached_property
from datetime import datetime, timezone

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from warehouse_tui.channels.base import ImportedOrder
from warehouse_tui.domain.lifecycle import Status, check_move
from warehouse_tui.domain.models import FAR_FUTURE, Allocation, Event, Order, OrderLine, Product
from warehouse_tui.text import clean_all
from warehouse_tui.workflow import allocation
from warehouse_tui.workflow.allocation import Need, Outcome, chunked
from warehouse_tui.workflow.bulk import insert_rows

ORDERS, LINES, EVENTS = Order.__table__, OrderLine.__table__, Event.__table__
NOT_YET_PICKED = {Status.NEW, Status.READY, Status.BACKORDERED}
FINISHED = (Status.LABELED, Status.SHIPPED, Status.CANCELLED)


def _utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


DIGEST = "v3:"
_V2 = "v2:"
_OWN = {"source", "ship_to", "lines", "extra"}


def _canon(d: dict) -> str:
    return json.dumps(d, sort_keys=True, default=str, ensure_ascii=False) if d else ""


def _json(d: dict) -> str:
    return json.dumps(d, default=str, ensure_ascii=False) if d else "{}"


def _bare_repr(o: ImportedOrder) -> str:
    """The order's repr (every field of it and of its lines and address, new fields too)
    without where it was read from: its own source and its lines' are left out meanwhile."""
    own, theirs = o.source, [ln.source for ln in o.lines]
    o.source = ""
    for ln in o.lines:
        ln.source = ""
    try:
        return repr(o)
    finally:
        o.source = own
        for ln, source in zip(o.lines, theirs):
            ln.source = source


def _digest(text: str) -> str:
    return DIGEST + hashlib.sha256(text.encode()).hexdigest()[:32]


def fingerprint(o: ImportedOrder) -> str:
    """What the file says of an order, as a digest: the same digest means nothing to change.
    Every field counts (new fields too), but not where it was read from."""
    return _digest(_bare_repr(o))


def clean_and_fingerprint(o: ImportedOrder) -> str:
    """``text.clean_record`` and ``fingerprint`` of one order from one repr: a repr without a
    backslash has no character to clean (``repr`` escapes every one that is not printable)."""
    text = _bare_repr(o)
    if "\\" in text or not all(x.isprintable() for x in (o.source, *(ln.source for ln in o.lines))):
        clean_all(o)
        text = _bare_repr(o)
    return _digest(text)


def fingerprint_v2(o: ImportedOrder) -> str:
    """The digest orders stored before ``DIGEST`` v3 carry."""
    parts = [v for k, v in o.__dict__.items() if k not in _OWN]
    parts.append(tuple(o.ship_to.__dict__.values()))
    parts.append(_canon(o.extra))
    for ln in o.lines:
        fields = dict(ln.__dict__)
        del fields["source"]
        fields["extra"] = _canon(fields["extra"])
        parts.append(tuple(fields.values()))
    return _V2 + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def legacy_fingerprint(o: ImportedOrder) -> str:
    """The digest orders stored before ``DIGEST`` carry: ``asdict`` as JSON, without the sources."""
    data = asdict(o)
    data.pop("source", None)
    for line in data["lines"]:
        line.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def unchanged(stored_digest: str | None, inc: Incoming) -> bool:
    if stored_digest is None:
        return False
    if stored_digest.startswith(DIGEST):
        return stored_digest == inc.digest
    if stored_digest.startswith(_V2):
        return stored_digest == fingerprint_v2(inc.order)
    return stored_digest == legacy_fingerprint(inc.order)


# the digest as ``Incoming.extra`` writes it: the last key of the order's extra
_STORED_DIGEST = re.compile(r'"import_hash": "([^"\\]*)"}$')


def stored_digest(extra: str | None) -> str | None:
    """The digest kept in an order's ``extra``, read without parsing the whole JSON."""
    if not extra:
        return None
    found = _STORED_DIGEST.search(extra, max(0, len(extra) - 64))
    return found.group(1) if found else json.loads(extra).get("import_hash")


class Incoming:
    """An imported order made ready for the database before its transaction begins: its digest
    at once, its columns only when it is new or changed."""

    def __init__(self, order: ImportedOrder, digest: str | None = None) -> None:
        self.order = order
        self.digest = digest or fingerprint(order)

    @cached_property
    def header(self) -> dict:
        o, a = self.order, self.order.ship_to
        ship_by = _utc(o.ship_by)
        return {
            "display_name": self.name, "placed_at": _utc(o.placed_at), "ship_by": ship_by,
            "due": ship_by or FAR_FUTURE, "priority": o.priority, "ship_name": a.name,
            "ship_address1": a.address1, "ship_address2": a.address2, "ship_city": a.city,
            "ship_region": a.region, "ship_postal_code": a.postal_code, "ship_country": a.country.upper(),
            "ship_phone": a.phone, "ship_email": a.email, "buyer_name": o.buyer_name or a.name,
        }

    @cached_property
    def extra(self) -> str:
        return json.dumps(dict(self.order.extra, import_hash=self.digest), default=str, ensure_ascii=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.order.channel, self.order.ref

    @property
    def name(self) -> str:
        return self.order.display_name or self.order.ref


@dataclass
class Stored:
    """An order already in the database, as much of it as an import needs."""

    id: int
    status: str
    held_from: str | None
    display_name: str
    digest: str | None

    @property
    def effective(self) -> Status:
        held = self.status == Status.ON_HOLD and self.held_from
        return Status(self.held_from) if held else Status(self.status)


@dataclass
class Writes:
    """The rows one set of orders adds or changes, written a statement per kind at the end."""

    now: datetime
    who: dict
    events: list[tuple[object, str, str, dict]] = field(default_factory=list)  # order, type, message, data
    updates: dict[int, dict] = field(default_factory=dict)

    def event(self, order, type: str, message: str, **data) -> None:
        self.events.append((order, type, message, data))

    def update(self, order_id: int, **values) -> None:
        self.updates.setdefault(order_id, {}).update(values)

    def move(self, order, current: str, held_from: str | None, target: Status, reason: str | None = None) -> dict:
        """A change of status as ``orders.move`` makes it: the new column values and its event."""
        check_move(current, target, held_from)
        values = {"status": target.value, "updated_at": self.now}
        if target is Status.ON_HOLD:
            values.update(held_from=str(current), hold_reason=reason)
        elif current == Status.ON_HOLD:
            values.update(held_from=None, hold_reason=None)
        self.event(order, "status", reason or f"{current} -> {target}", **{"from": str(current), "to": target.value})
        return values


def existing(s: Session, chunk: list[Incoming]) -> dict[tuple[str, str], Stored]:
    refs: dict[str, list[str]] = defaultdict(list)
    for inc in chunk:
        refs[inc.order.channel].append(inc.order.ref)
    found = {}
    for channel, names in refs.items():
        for part in chunked(names):
            rows = s.connection().execute(
                select(ORDERS.c.id, ORDERS.c.ref, ORDERS.c.status, ORDERS.c.held_from, ORDERS.c.display_name,
                       ORDERS.c.extra).where(ORDERS.c.channel == channel, ORDERS.c.ref.in_(part)))
            for oid, ref, status, held_from, display_name, extra in rows:
                found[channel, ref] = Stored(oid, status, held_from, display_name, stored_digest(extra))
    return found


def products_of(s: Session, chunk: list[Incoming]) -> dict[str, tuple[int, str]]:
    skus = sorted({ln.sku for inc in chunk for ln in inc.order.lines})
    out = {}
    for part in chunked(skus):
        out.update((sku, (pid, title)) for pid, sku, title in
                   s.connection().execute(select(Product.id, Product.sku, Product.title)
                                          .where(Product.sku.in_(part))))
    return out


def old_lines(s: Session, order_ids: list[int]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    for part in chunked(order_ids):
        rows = s.execute(select(OrderLine.order_id, OrderLine.line_id, OrderLine.sku, OrderLine.quantity)
                         .where(OrderLine.order_id.in_(part)).order_by(OrderLine.id))
        for oid, line_id, sku, qty in rows:
            out[oid].append((line_id, sku, qty))
    return out


def drop_lines(s: Session, order_ids: list[int]) -> None:
    """Give back the orders' reserved, unpicked units and remove their lines and allocations."""
    conn = s.connection()
    give_back: dict[tuple[int, int], int] = defaultdict(int)
    for part in chunked(order_ids):
        rows = conn.execute(select(OrderLine.product_id, Allocation.bin_id, Allocation.quantity - Allocation.picked)
                            .join(OrderLine, OrderLine.id == Allocation.order_line_id)
                            .where(OrderLine.order_id.in_(part)))
        for product_id, bin_id, left in rows:
            if left > 0 and product_id is not None:
                give_back[product_id, bin_id] += left
    allocation.release(s, give_back)
    for part in chunked(order_ids):
        lines = select(OrderLine.id).where(OrderLine.order_id.in_(part))
        conn.execute(delete(Allocation.__table__).where(Allocation.order_line_id.in_(lines)))
        conn.execute(delete(LINES).where(LINES.c.order_id.in_(part)))


def line_rows(o: ImportedOrder, products: dict[str, tuple[int, str]]) -> tuple[list[dict], list[str]]:
    """The order's line rows (without their order id) and the reasons to hold it (unknown SKUs)."""
    rows, problems = [], []
    for n, ln in enumerate(o.lines, start=1):
        p = products.get(ln.sku)
        if p is None:
            problems.append(f"unknown SKU {ln.sku!r} on line {ln.line_id or n}")
        rows.append({
            "line_id": ln.line_id, "sku": ln.sku, "product_id": p[0] if p else None,
            "title": ln.title or (p[1] if p else ""), "quantity": ln.quantity, "picked": 0, "short": 0,
            "packed": 0, "unit_price": ln.unit_price, "currency": ln.currency,
            "extra": _json(ln.extra),
        })
    return rows, problems + list(o.hold_reasons)


def needs_of(key, rows: list[dict]) -> list[Need]:
    return [Need((key, i), r["product_id"], r["sku"], r["quantity"]) for i, r in enumerate(rows)]


def insert_orders(s: Session, rows: list[dict]) -> dict[tuple[str, str], int]:
    """Insert order rows; their ids by (channel, ref), read back with one query per channel."""
    if not rows:
        return {}
    insert_rows(s.connection(), ORDERS, rows)
    refs: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        refs[r["channel"]].append(r["ref"])
    ids = {}
    for channel, names in refs.items():
        for part in chunked(names):
            ids.update(((channel, ref), oid) for oid, ref in s.connection().execute(
                select(ORDERS.c.id, ORDERS.c.ref).where(ORDERS.c.channel == channel, ORDERS.c.ref.in_(part))))
    return ids


def insert_lines(s: Session, rows: list[dict]) -> dict[tuple[int, int], int]:
    """Insert the whole set of lines of some orders; their ids by (order id, position in the order)."""
    if not rows:
        return {}
    insert_rows(s.connection(), LINES, rows)
    ids, seen = {}, defaultdict(int)
    for part in chunked(sorted({r["order_id"] for r in rows})):
        for lid, oid in s.connection().execute(select(LINES.c.id, LINES.c.order_id)
                                               .where(LINES.c.order_id.in_(part)).order_by(LINES.c.id)):
            ids[oid, seen[oid]] = lid
            seen[oid] += 1
    return ids


def write_updates(s: Session, updates: dict[int, dict]) -> None:
    """UPDATE orders by id, one executemany per set of columns changed."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for oid, values in updates.items():
        groups[tuple(sorted(values))].append({"b_id": oid, **values})
    for rows in groups.values():
        s.connection().execute(update(ORDERS).where(ORDERS.c.id == bindparam("b_id")), rows)


def write_events(s: Session, w: Writes, ids: dict) -> None:
    rows = [{"at": w.now, "order_id": ids.get(order, order), "type": type, "station": w.who.get("station"),
             "operator": w.who.get("operator"), "scan": None, "ok": None, "message": message,
             "data": _json({k: v for k, v in data.items() if v is not None})}
            for order, type, message, data in w.events]
    insert_rows(s.connection(), EVENTS, rows)


def outcome_status(w: Writes, order, current: str, outcome: Outcome) -> dict:
    """The status an allocation outcome gives an order (as ``allocate`` moves it)."""
    if outcome.covered:
        return w.move(order, current, None, Status.READY) if current != Status.READY else {}
    if outcome.unknown or current == Status.BACKORDERED:
        return {}
    return w.move(order, current, None, Status.BACKORDERED, f"not enough stock of {outcome.short_sku}")
