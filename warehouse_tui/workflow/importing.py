"""Storing imported orders: create, update, cancel; never a duplicate."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlmodel import Session, delete, select

from warehouse_tui.channels.base import ImportedOrder, InputRejected
from warehouse_tui.domain.lifecycle import PICK_STARTED, Status
from warehouse_tui.domain.models import FAR_FUTURE, Allocation, Order, OrderLine, Product, utcnow
from warehouse_tui.workflow.inventory import allocate, release_reservations
from warehouse_tui.workflow.ledger import record
from warehouse_tui.workflow.orders import move
from warehouse_tui.text import clean_all

NOT_YET_PICKED = {Status.NEW, Status.READY, Status.BACKORDERED}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    backordered: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.created)} new", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        for label, items in (("cancelled", self.cancelled), ("on hold", self.held),
                             ("backordered", self.backordered), ("not queued", self.skipped)):
            if items:
                parts.append(f"{len(items)} {label}")
        return ", ".join(parts)


def _utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def _fingerprint(o: ImportedOrder) -> str:
    data = asdict(o)
    data.pop("source", None)
    for line in data["lines"]:
        line.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _header(order: Order, o: ImportedOrder) -> None:
    a = o.ship_to
    order.display_name = o.display_name or o.ref
    order.placed_at = _utc(o.placed_at)
    order.ship_by = _utc(o.ship_by)
    order.due = order.ship_by or FAR_FUTURE
    order.priority = o.priority
    order.ship_name, order.ship_address1, order.ship_address2 = a.name, a.address1, a.address2
    order.ship_city, order.ship_region, order.ship_postal_code = a.city, a.region, a.postal_code
    order.ship_country, order.ship_phone, order.ship_email = a.country.upper(), a.phone, a.email
    order.buyer_name = o.buyer_name or a.name


def _lines(s: Session, order: Order, o: ImportedOrder, products: dict[str, Product]) -> list[str]:
    """Write the order's lines; returns the reasons to hold it (unknown SKUs)."""
    problems = []
    for n, ln in enumerate(o.lines, start=1):
        p = products.get(ln.sku)
        if p is None:
            problems.append(f"unknown SKU {ln.sku!r} on line {ln.line_id or n}")
        s.add(OrderLine(
            order_id=order.id, line_id=ln.line_id, sku=ln.sku, product_id=p.id if p else None,
            title=ln.title or (p.title if p else ""), quantity=ln.quantity,
            unit_price=ln.unit_price, currency=ln.currency,
            extra=json.dumps(ln.extra, default=str, ensure_ascii=False),
        ))
    return problems


def _queue(s: Session, order: Order, problems: list[str], report: ImportReport, **who) -> None:
    """An order not yet picked: hold it with its reasons, or reserve its stock."""
    if problems:
        reason = "; ".join(problems)
        move(s, order, Status.ON_HOLD, reason=reason, **who)
        report.held.append((order.display_name, reason))
    elif not allocate(s, order, **who):
        report.backordered.append(order.display_name)


def _cancel(s: Session, order: Order, o: ImportedOrder, report: ImportReport, **who) -> None:
    status = Status(order.status)
    effective = Status(order.held_from) if status is Status.ON_HOLD and order.held_from else status
    if status is Status.CANCELLED:
        report.unchanged.append(order.display_name)
    elif effective in NOT_YET_PICKED:
        release_reservations(s, order)
        move(s, order, Status.CANCELLED, reason="cancelled on the marketplace", **who)
        report.cancelled.append(order.display_name)
    elif status is Status.SHIPPED:
        record(s, "note", order=order, message="the marketplace cancelled it after it shipped", **who)
        report.notes.append((order.display_name, "cancelled after shipping"))
    elif status is Status.ON_HOLD:
        record(s, "note", order=order, message="the marketplace cancelled it while on hold", **who)
        report.held.append((order.display_name, "cancelled on the marketplace while on hold"))
    elif status in PICK_STARTED:
        reason = f"cancelled on the marketplace after picking started (was {status}): a supervisor decides"
        move(s, order, Status.ON_HOLD, reason=reason, **who)
        order.station = None
        report.held.append((order.display_name, reason))


def store_orders(s: Session, orders: list[ImportedOrder], *, station: str | None = None,
                 operator: str | None = None, progress: Callable[[str], None] | None = None) -> ImportReport:
    report = ImportReport()
    who = {"station": station, "operator": operator}
    for o in orders:  # control characters never stored: see warehouse_tui.text
        clean_all(o)
    skus = {ln.sku for o in orders for ln in o.lines}
    products = {p.sku: p for p in s.exec(select(Product).where(Product.sku.in_(skus)))} if skus else {}
    for n, o in enumerate(orders, start=1):
        if n % 250 == 0:
            # keep the unit of work small on long files: what is flushed stays in the transaction
            s.flush()
            s.expunge_all()
            if progress and n % 1000 == 0:
                progress(f"  {n:,} of {len(orders):,} orders")
        name = o.display_name or o.ref
        order = s.exec(select(Order).where(Order.channel == o.channel, Order.ref == o.ref)).first()
        if o.skip_reason and order is None:
            report.skipped.append((name, o.skip_reason))
            continue
        digest = _fingerprint(o)
        if order is not None and json.loads(order.extra).get("import_hash") == digest:
            report.unchanged.append(order.display_name)
            continue
        extra = dict(o.extra, import_hash=digest)
        if order is None:
            order = Order(channel=o.channel, ref=o.ref, display_name=name, status=Status.NEW,
                          extra=json.dumps(extra, default=str, ensure_ascii=False))
            _header(order, o)
            s.add(order)
            s.flush()
            record(s, "import", order=order, message=f"imported from {o.source or o.channel}", **who)
            problems = _lines(s, order, o, products) + list(o.hold_reasons)
            s.flush()
            report.created.append(order.display_name)
            if o.cancelled:
                move(s, order, Status.CANCELLED, reason="cancelled on the marketplace", **who)
                report.cancelled.append(order.display_name)
            else:
                _queue(s, order, problems, report, **who)
            continue

        order.extra = json.dumps(extra, default=str, ensure_ascii=False)
        if o.cancelled:
            _cancel(s, order, o, report, **who)
            s.add(order)
            continue
        if o.skip_reason:
            report.skipped.append((name, o.skip_reason))
            s.add(order)
            continue
        status = Status(order.status)
        if status in (Status.LABELED, Status.SHIPPED, Status.CANCELLED):
            report.unchanged.append(order.display_name)
            s.add(order)
            continue
        _header(order, o)
        order.updated_at = utcnow()
        s.add(order)
        record(s, "import", order=order, message=f"updated from {o.source or o.channel}", **who)
        report.updated.append(order.display_name)
        effective = Status(order.held_from) if status is Status.ON_HOLD and order.held_from else status
        old = [(ln.line_id, ln.sku, ln.quantity) for ln in
               s.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id))]
        new = [(ln.line_id, ln.sku, ln.quantity) for ln in o.lines]
        if old == new:
            continue
        if effective not in NOT_YET_PICKED:
            record(s, "note", order=order, message="line changes after picking started were not applied", **who)
            report.notes.append((order.display_name, "line changes after picking started were not applied"))
            continue
        release_reservations(s, order)
        line_ids = select(OrderLine.id).where(OrderLine.order_id == order.id)
        s.exec(delete(Allocation).where(Allocation.order_line_id.in_(line_ids)))
        s.exec(delete(OrderLine).where(OrderLine.order_id == order.id))
        problems = _lines(s, order, o, products) + list(o.hold_reasons)
        s.flush()
        if status is Status.ON_HOLD:
            order.held_from = Status.NEW
            continue
        _queue(s, order, problems, report, **who)
    return report


def check_skus(s: Session, orders: list[ImportedOrder]) -> None:
    """The generic CSV is the seller's own file: an unknown SKU is a mistake in it, refused whole."""
    skus = {ln.sku for o in orders for ln in o.lines}
    known = set(s.exec(select(Product.sku).where(Product.sku.in_(skus)))) if skus else set()
    for o in orders:
        for ln in o.lines:
            if ln.sku not in known:
                path, _, line = (ln.source or o.source).rpartition(":")
                raise InputRejected(path or o.source, f"line {line}" if line.isdigit() else "",
                                    f"unknown SKU {ln.sku!r} (order {o.ref}): add it to the stock file first")


def import_files(db, paths: list[Path], channel: str | None = None, *,
                 progress: Callable[[str], None] | None = None, **who) -> ImportReport:
    """Read every file first (a rejected file raises InputRejected before anything is written),
    then store all their orders in one transaction."""
    from warehouse_tui.channels import registry
    from warehouse_tui.workflow.fits import check_fits

    paths = [Path(p) for p in paths]
    channel = channel or registry.detect_channel(paths)
    orders = [clean_all(o) for o in registry.read_orders(paths, channel)]
    check_fits(orders, paths)
    with db.write() as s:
        if channel == "csv":
            check_skus(s, orders)
        return store_orders(s, orders, progress=progress, **who)


def import_parsed(db, channel: str, orders: list[ImportedOrder], *,
                  progress: Callable[[str], None] | None = None, **who) -> ImportReport:
    """Orders read elsewhere (a marketplace's API) stored exactly as an import of the same data."""
    with db.write() as s:
        if channel == "csv":
            check_skus(s, orders)
        return store_orders(s, orders, progress=progress, **who)
