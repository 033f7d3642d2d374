"""Storing imported orders: create, update, cancel; never a duplicate.

Every channel's orders come here. They are stored in sets (``CHUNK`` orders), each set in one
short transaction with a statement per kind of change (``workflow.import_chunk``), so that an
import of thousands of orders never keeps the stations from the database for long.
"""

from __future__ import annotations

import gc
import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from warehouse_tui.channels.base import ImportedOrder, InputRejected
from warehouse_tui.db import worth_retrying
from warehouse_tui.domain.lifecycle import PICK_STARTED, Status
from warehouse_tui.domain.models import Order, Product, utcnow
from warehouse_tui.workflow import allocation
from warehouse_tui.workflow.import_chunk import (
    FINISHED, NOT_YET_PICKED, Incoming, Writes, clean_and_fingerprint, drop_lines, existing, insert_lines,
    insert_orders, line_rows, needs_of, old_lines, outcome_status, products_of, unchanged, write_events,
    write_updates,
)
from warehouse_tui.workflow.ledger import record
from warehouse_tui.workflow.orders import move
from warehouse_tui.text import clean_record

# orders a transaction: a set of 250 orders of 3 lines is written in a few tens of milliseconds
CHUNK = 250
LATE_CHANGE = "line changes after picking started were not applied"


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


def _cancel(s: Session, order: Order, o: ImportedOrder, report: ImportReport, **who) -> None:
    from warehouse_tui.workflow.inventory import release_reservations  # the scan grammar: only when needed

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


def _cancel_stored(s: Session, chunk_changed: list, report: ImportReport, **who) -> None:
    """Cancellations of stored orders: few, and through the same steps as an operator's."""
    for _pos, inc, row in chunk_changed:
        order = s.get(Order, row.id)
        order.extra = inc.extra
        _cancel(s, order, inc.order, report, **who)
        s.add(order)
    s.flush()


def _update_stored(s: Session, w: Writes, changed: list, products: dict, report: ImportReport,
                   lines: list, requests: list) -> None:
    """Orders the file changes: new header, and new lines while nothing is picked yet."""
    live = [(pos, inc, row) for pos, inc, row in changed
            if not inc.order.skip_reason and Status(row.status) not in FINISHED]
    before = old_lines(s, [row.id for _, _, row in live])
    replace = []
    for pos, inc, row in changed:
        o = inc.order
        if o.skip_reason or Status(row.status) in FINISHED:
            w.update(row.id, extra=inc.extra)
            if o.skip_reason:
                report.skipped.append((inc.name, o.skip_reason))
            else:
                report.unchanged.append(row.display_name)
            continue
        w.update(row.id, extra=inc.extra, updated_at=w.now, **inc.header)
        w.event(row.id, "import", f"updated from {o.source or o.channel}")
        report.updated.append(inc.name)
        if before.get(row.id, []) == [(ln.line_id, ln.sku, ln.quantity) for ln in o.lines]:
            continue
        if row.effective not in NOT_YET_PICKED:
            w.event(row.id, "note", LATE_CHANGE)
            report.notes.append((inc.name, LATE_CHANGE))
            continue
        replace.append((pos, inc, row))
    drop_lines(s, [row.id for _, _, row in replace])
    for pos, inc, row in replace:
        rows, problems = line_rows(inc.order, products)
        lines.append((row.id, rows))
        if row.status == Status.ON_HOLD:
            w.update(row.id, held_from=Status.NEW.value)
        elif problems:
            reason = "; ".join(problems)
            w.update(row.id, **w.move(row.id, row.status, row.held_from, Status.ON_HOLD, reason))
            report.held.append((inc.name, reason))
        else:
            requests.append((pos, row.id, needs_of(row.id, rows), inc, row))


def store_chunk(s: Session, chunk: list[Incoming], report: ImportReport, **who) -> None:
    """Store one set of orders (no order twice in it); stock is allocated in the set's order."""
    w = Writes(utcnow(), who)
    found = existing(s, chunk)
    new, changed = [], []
    for pos, inc in enumerate(chunk):
        row = found.get(inc.key)
        if row is None and inc.order.skip_reason:
            report.skipped.append((inc.name, inc.order.skip_reason))
        elif row is None:
            new.append((pos, inc))
        elif unchanged(row.digest, inc):
            report.unchanged.append(row.display_name)
        else:
            changed.append((pos, inc, row))
    if not new and not changed:
        return
    products = products_of(s, [inc for _, inc in new] + [inc for _, inc, _ in changed])
    cancelled = [c for c in changed if c[1].order.cancelled]
    if cancelled:
        _cancel_stored(s, cancelled, report, **who)
    lines: list[tuple[object, list[dict]]] = []  # (order id or key, line rows)
    requests: list[tuple] = []  # (position, order id or key, needs, incoming, stored row or None)
    _update_stored(s, w, [c for c in changed if not c[1].order.cancelled], products, report, lines, requests)
    held: dict[object, str] = {}
    for pos, inc in new:
        key = ("new", pos)
        rows, problems = line_rows(inc.order, products)
        lines.append((key, rows))
        if problems and not inc.order.cancelled:
            held[key] = "; ".join(problems)
        elif not inc.order.cancelled:
            requests.append((pos, key, needs_of(key, rows), inc, None))
    requests.sort(key=lambda r: r[0])
    outcomes = allocation.allocate_all(s, [(key, needs) for _, key, needs, _, _ in requests])

    order_rows = []
    for pos, inc in new:
        key, o = ("new", pos), inc.order
        w.event(key, "import", f"imported from {o.source or o.channel}")
        report.created.append(inc.name)
        if o.cancelled:
            values = w.move(key, Status.NEW, None, Status.CANCELLED, "cancelled on the marketplace")
            report.cancelled.append(inc.name)
        elif key in held:
            values = w.move(key, Status.NEW, None, Status.ON_HOLD, held[key])
            report.held.append((inc.name, held[key]))
        else:
            values = outcome_status(w, key, Status.NEW, outcomes[key])
            if not outcomes[key].covered:
                report.backordered.append(inc.name)
        order_rows.append({
            "channel": o.channel, "ref": o.ref, **inc.header, "status": Status.NEW.value, "held_from": None,
            "hold_reason": None, "station": None, "tote": None, "extra": inc.extra,
            "created_at": w.now, "updated_at": w.now, **values,
        })
    for _pos, oid, _needs, inc, row in requests:
        if row is not None:
            w.update(oid, **outcome_status(w, oid, row.status, outcomes[oid]))
            if not outcomes[oid].covered:
                report.backordered.append(inc.name)

    by_key = insert_orders(s, order_rows)
    ids = {("new", pos): by_key[inc.key] for pos, inc in new}
    line_ids_by_order = insert_lines(s, [{"order_id": ids.get(owner, owner), **r} for owner, rows in lines for r in rows])
    line_ids = {(owner, i): line_ids_by_order[ids.get(owner, owner), i] for owner, rows in lines for i in range(len(rows))}
    allocation.insert_allocations(s, (t for o in outcomes.values() if o.covered for t in o.takes), line_ids)
    write_updates(s, w.updates)
    write_events(s, w, ids)


def _chunks(orders: list[ImportedOrder], size: int, digests: list[str] | None = None):
    """The orders as the files have them (the order they are allocated in, as always), in sets
    with no order twice; each set made ready for the database as it is reached (with the
    orders' digests when they were made as the files were read)."""
    current: list[Incoming] = []
    keys: set[tuple[str, str]] = set()
    for i, o in enumerate(orders):
        if len(current) >= size or (o.channel, o.ref) in keys:
            yield current
            current, keys = [], set()
        current.append(Incoming(o, digests[i] if digests else None))
        keys.add((o.channel, o.ref))
    if current:
        yield current


def store_in_chunks(transaction: Callable[[], ContextManager[Session]], orders: list[ImportedOrder], *,
                    station: str | None = None, operator: str | None = None,
                    progress: Callable[[str], None] | None = None, chunk: int | None = None,
                    retry: bool = True, digests: list[str] | None = None) -> ImportReport:
    """Store the orders a set at a time, each set in a transaction of its own. A set that meets
    a conflict the database asks to retry (PostgreSQL: a deadlock with a station, a
    serialization failure) is rolled back and stored again."""
    report = ImportReport()
    done = 0
    for part in _chunks(orders, chunk or CHUNK, digests):
        _store_one(transaction, part, report, retry=retry, station=station, operator=operator)
        if progress and (done + len(part)) // 1000 > done // 1000 and done + len(part) < len(orders):
            progress(f"  {done + len(part):,} of {len(orders):,} orders")
        done += len(part)
    return report


def _store_one(transaction, part: list[Incoming], report: ImportReport, *, retry: bool, **who) -> None:
    """One set in one transaction; what it reports joins ``report`` only once it is committed."""
    for attempt in range(6):
        mine = ImportReport()
        try:
            with transaction() as s:
                store_chunk(s, part, mine, **who)
        except DBAPIError as exc:
            if not (retry and attempt < 5 and worth_retrying(exc)):
                raise
            time.sleep(0.05 * (attempt + 1) * (1 + random.random()))
            continue
        for name in mine.__dataclass_fields__:
            getattr(report, name).extend(getattr(mine, name))
        return


def store_orders(s: Session, orders: list[ImportedOrder], *, station: str | None = None,
                 operator: str | None = None, progress: Callable[[str], None] | None = None) -> ImportReport:
    """Store the orders in the caller's transaction (in sets, all in that one transaction)."""
    for o in orders:  # control characters never stored: see warehouse_tui.text
        clean_record(o)
    return store_in_chunks(lambda: nullcontext(s), orders, station=station, operator=operator,
                           progress=progress, retry=False)


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
    """Read and check every file first (a rejected file raises InputRejected before anything is
    written), then store their orders a set at a time, each set committed on its own so that
    stations never wait long for the database. Should it stop half way (a crash, a kill), the
    sets committed stay; importing the same files again completes it, without duplicates."""
    from warehouse_tui.channels import registry
    from warehouse_tui.workflow.fits import check_fits

    paths = [Path(p) for p in paths]
    channel = channel or registry.detect_channel(paths)
    orders = registry.read_orders(paths, channel)
    digests = [clean_and_fingerprint(o) for o in orders]  # control characters never stored
    check_fits(orders, paths)
    return _store(db, channel, orders, progress=progress, digests=digests, **who)


def import_parsed(db, channel: str, orders: list[ImportedOrder], *,
                  progress: Callable[[str], None] | None = None, **who) -> ImportReport:
    """Orders read elsewhere (a marketplace's API) stored exactly as an import of the same data.
    An order that does not fit (a field longer than its column, an impossible date) is
    skipped with the reason; the others are stored."""
    from warehouse_tui.workflow.fits import check_fits

    fit, misfits = [], []
    for o in (clean_record(o) for o in orders):
        try:
            check_fits([o], [])
        except InputRejected as exc:
            misfits.append((o.display_name or o.ref, str(exc)))
            continue
        fit.append(o)
    report = _store(db, channel, fit, progress=progress, **who)
    report.skipped.extend(misfits)
    return report


def _store(db, channel: str, orders: list[ImportedOrder], *,
           progress: Callable[[str], None] | None = None, digests: list[str] | None = None,
           **who) -> ImportReport:
    if channel == "csv":
        with db.session() as s:
            check_skus(s, orders)
    # the orders read live until the end: the collector need not walk them again and again
    gc.freeze()
    try:
        return store_in_chunks(db.write, orders, progress=progress, digests=digests, **who)
    finally:
        gc.unfreeze()
