"""Stock: the stock file, allocation of orders to bins, and what a product has where."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from warehouse_tui.channels.base import InputRejected
from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Allocation, Barcode, Bin, Order, OrderLine, Product, Stock
from warehouse_tui.scanning.grammar import normalise_barcode
from warehouse_tui.text import clean
from warehouse_tui.workflow.counts import change, stock_change
from warehouse_tui.workflow.csvfile import MAX_UNITS, read_table, parse_int
from warehouse_tui.workflow.ledger import record

STOCK_REQUIRED = ("sku", "title", "barcode", "bin", "quantity")
STOCK_OPTIONAL = ("weight_g", "length_mm", "width_mm", "height_mm")
# codes with these beginnings scan as something else (contract: what a scan means)
RESERVED_PREFIXES = ("TOTE-", "BOX-", "OP-", "ORD-", "%")
YES, NO = ("yes", "true", "1"), ("no", "false", "0")
# units in one bin: more than this is a mistake in the file
MAX_STOCK = 10 * MAX_UNITS


def natural_key(code: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code.upper())]


@dataclass
class StockRow:
    line: int
    sku: str
    title: str
    barcodes: list[str]
    bin: str
    quantity: int
    dims: dict[str, int | None] = field(default_factory=dict)
    lot_tracked: bool | None = None  # None: left as it is


@dataclass
class StockReport:
    products_added: int = 0
    products_updated: int = 0
    bins_added: int = 0
    rows: int = 0
    allocated: list[str] = field(default_factory=list)
    moved: int = 0  # reserved units moved to other bins by the count
    backordered: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)


def read_stock_file(path: Path) -> list[StockRow]:
    rows: list[StockRow] = []
    seen: dict[tuple[str, str], int] = {}
    owner: dict[str, tuple[str, int]] = {}
    tracked: dict[str, tuple[bool, int]] = {}
    for line, rec in read_table(path, STOCK_REQUIRED, STOCK_OPTIONAL + ("lot_tracked",)):
        rec = {k: clean(v) for k, v in rec.items()}  # control characters never stored
        sku, bin_code = rec["sku"].strip(), rec["bin"].strip().upper()
        if not sku:
            raise InputRejected(path, f"line {line}", "sku is empty")
        if not bin_code:
            raise InputRejected(path, f"line {line}", "bin is empty")
        for label, code in (("sku", sku), ("bin", bin_code)):
            if code.upper().startswith(RESERVED_PREFIXES):
                raise InputRejected(path, f"line {line}", f"{label} {code} would scan as a "
                                    f"{'command' if code.startswith('%') else code.split('-')[0].lower()}: rename it")
        for label, value, limit in (("sku", sku, 100), ("bin", bin_code, 100)):
            if len(value) > limit:
                raise InputRejected(path, f"line {line}", f"{label} of {len(value):,} characters (at most {limit})")
        qty = parse_int(rec["quantity"], path, line, "quantity", minimum=0, maximum=MAX_STOCK)
        dims = {k: parse_int(rec[k], path, line, k, minimum=0) if rec.get(k, "").strip() else None
                for k in STOCK_OPTIONAL}
        codes = [normalise_barcode(c) for c in rec["barcode"].split("|") if c.strip()]
        if any(len(c) > 200 for c in codes):
            raise InputRejected(path, f"line {line}", "a barcode of more than 200 characters")
        for code in codes:
            prev = owner.setdefault(code, (sku, line))
            if prev[0] != sku:
                raise InputRejected(path, f"line {line}", f"barcode {code} already belongs to {prev[0]} (line {prev[1]})")
        if (sku, bin_code) in seen:
            raise InputRejected(path, f"line {line}", f"{sku} in {bin_code} is already on line {seen[sku, bin_code]}")
        seen[sku, bin_code] = line
        lot_tracked = _yes_no(rec["lot_tracked"], path, line)
        if lot_tracked is not None:
            prev_flag = tracked.setdefault(sku, (lot_tracked, line))
            if prev_flag[0] != lot_tracked:
                raise InputRejected(path, f"line {line}", f"lot_tracked of {sku} differs from line {prev_flag[1]}")
        rows.append(StockRow(line, sku, rec["title"].strip(), codes, bin_code, qty, dims, lot_tracked))
    return rows


def _yes_no(value: str, path: Path, line: int) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in YES or text in NO:
        return text in YES
    raise InputRejected(path, f"line {line}", f"lot_tracked {value.strip()!r} is not yes, no, true, false, 1 or 0")


def apply_stock(s: Session, rows: list[StockRow], *, path: Path, station: str | None = None,
                operator: str | None = None) -> StockReport:
    """Set quantities (not add to them); products and bins are created or updated, never doubled."""
    report = StockReport(rows=len(rows))
    products = {p.sku: p for part in _chunks(sorted({r.sku for r in rows}))
                for p in s.exec(select(Product).where(Product.sku.in_(part)))}
    bins = {b.code: b for part in _chunks(sorted({r.bin for r in rows}))
            for b in s.exec(select(Bin).where(Bin.code.in_(part)))}
    for r in rows:
        p = products.get(r.sku)
        if p is None:
            p = products[r.sku] = Product(sku=r.sku, title=r.title)
            report.products_added += 1
        elif p.title != r.title and r.title:
            p.title = r.title
            report.products_updated += 1
        for k, v in r.dims.items():
            if v is not None:
                setattr(p, k, v)
        if r.lot_tracked is not None:
            p.lot_tracked = r.lot_tracked
        s.add(p)
    s.flush()
    for r in rows:
        if r.bin not in bins:
            bins[r.bin] = Bin(code=r.bin)
            s.add(bins[r.bin])
            report.bins_added += 1
    s.flush()
    _resequence_bins(s)
    # what is on record already, read in sets rather than a query a row
    codes = {normalise_barcode(c) for r in rows for c in r.barcodes}
    owners = {code: pid for part in _chunks(sorted(codes))
              for code, pid in s.exec(select(Barcode.code, Barcode.product_id).where(Barcode.code.in_(part)))}
    stocks = {(st.product_id, st.bin_id): st for part in _chunks(sorted({products[r.sku].id for r in rows}))
              for st in s.exec(select(Stock).where(Stock.product_id.in_(part)))}
    for r in rows:
        p = products[r.sku]
        for code in (normalise_barcode(c) for c in r.barcodes):
            owner = owners.get(code)
            if owner is None:
                s.add(Barcode(code=code, product_id=p.id))
                owners[code] = p.id
            elif owner != p.id:
                other = s.get(Product, owner)
                raise InputRejected(path, f"line {r.line}", f"barcode {code} already belongs to {other.sku}")
        st = stocks.get((p.id, bins[r.bin].id))
        if st is None:
            st = stocks[p.id, bins[r.bin].id] = Stock(product_id=p.id, bin_id=bins[r.bin].id)
        if st.on_hand != r.quantity:
            record(s, "stock", station=station, operator=operator,
                   message=f"{r.sku} in {r.bin}: {st.on_hand} -> {r.quantity}",
                   sku=r.sku, bin=r.bin, before=st.on_hand, after=r.quantity)
        st.on_hand = r.quantity
        s.add(st)
    s.flush()
    from warehouse_tui.workflow.reservations import follow_stock

    followed = follow_stock(s, {products[r.sku].id for r in rows}, station=station, operator=operator)
    report.moved, report.backordered, report.short = followed.moved, followed.backordered, followed.short
    report.allocated = allocate_waiting(s, station=station, operator=operator)
    return report


def _chunks(values: list, size: int = 900):
    """Pieces of ``values`` small enough for one IN list on either engine."""
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _resequence_bins(s: Session) -> None:
    all_bins = list(s.exec(select(Bin)))
    for i, b in enumerate(sorted(all_bins, key=lambda b: natural_key(b.code)), start=1):
        if b.sequence != i * 10:
            b.sequence = i * 10
            s.add(b)


def allocate(s: Session, order: Order, *, station: str | None = None, operator: str | None = None) -> bool:
    """Reserve every unit still to pick of a new/backordered/short order, all or nothing.

    True: it is ``ready``. False: not enough stock, it is ``backordered`` and reserves nothing.
    """
    from warehouse_tui.workflow.allocation import allocate_orders

    return bool(allocate_orders(s, [order], station=station, operator=operator))


def release_reservations(s: Session, order: Order, line: OrderLine | None = None) -> int:
    """Give back every reserved, unpicked unit of the order (or of one line)."""
    q = (select(Allocation, OrderLine).join(OrderLine, OrderLine.id == Allocation.order_line_id)
         .where(OrderLine.order_id == order.id))
    if line is not None:
        q = q.where(OrderLine.id == line.id)
    q = q.where(Allocation.quantity > Allocation.picked)
    # lock the stock rows, then the allocations (the order a pick takes them in), so no unit
    # is picked meanwhile and two writers never wait for each other
    keys = sorted({(ln.product_id, a.bin_id) for a, ln in s.exec(q).all()})
    for product_id, bin_id in keys:
        s.exec(select(Stock.id).where(Stock.product_id == product_id, Stock.bin_id == bin_id).with_for_update()).all()
    q = q.with_for_update(of=Allocation)
    released = 0
    for alloc, ln in s.exec(q.execution_options(populate_existing=True)).all():
        left = alloc.quantity - alloc.picked
        if not stock_change(s, ln.product_id, alloc.bin_id, reserved=-left):
            raise RuntimeError(f"{ln.sku}: fewer units reserved than its orders hold")
        change(s, Allocation, Allocation.id == alloc.id, quantity=-left)
        released += left
    return released


def allocate_waiting(s: Session, *, station: str | None = None, operator: str | None = None) -> list[str]:
    """Try the backordered orders again, by priority then earliest ship-by, in sets."""
    from warehouse_tui.workflow.allocation import allocate_orders, chunked

    waiting = s.exec(
        select(Order).where(Order.status == Status.BACKORDERED)
        .order_by(Order.priority.desc(), Order.due, Order.id)
    ).all()
    done = []
    for part in chunked(waiting):
        done += [o.display_name for o in allocate_orders(s, part, station=station, operator=operator)]
    return done


def stock_of(s: Session, sku: str) -> dict | None:
    p = s.exec(select(Product).where(Product.sku == sku)).first()
    if p is None:
        return None
    rows = s.exec(
        select(Stock, Bin).join(Bin, Bin.id == Stock.bin_id).where(Stock.product_id == p.id).order_by(Bin.sequence)
    ).all()
    codes = s.exec(select(Barcode.code).where(Barcode.product_id == p.id).order_by(Barcode.id)).all()
    return {
        "sku": p.sku,
        "title": p.title,
        "barcodes": list(codes),
        "on_hand": sum(st.on_hand for st, _ in rows),
        "reserved": sum(st.reserved for st, _ in rows),
        "quarantine": sum(st.quarantine for st, _ in rows),
        "bins": [{"bin": b.code, "on_hand": st.on_hand, "reserved": st.reserved, "quarantine": st.quarantine}
                 for st, b in rows],
        "weight_g": p.weight_g,
        "lot_tracked": p.lot_tracked,
    }


def total_units(s: Session) -> int:
    return int(s.exec(select(func.coalesce(func.sum(Stock.on_hand), 0))).one())
