"""Allocation in sets: the free stock of many orders' products is read once, each order is
planned in Python (all or nothing, in the order given: the priority order), and the units are
taken with guarded updates that are safe while another writer takes the same units.

Taking a unit is ``UPDATE stock SET reserved = reserved + n WHERE id = :id AND on_hand -
reserved >= n``: a row that no longer has ``n`` free units is left as it is, the shortfall
shows in the row count, and the orders are planned again one by one on a fresh read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Allocation, Bin, Order, OrderLine, Stock
from warehouse_tui.workflow.bulk import insert_rows
from warehouse_tui.workflow.orders import move

STOCK = Stock.__table__
IN_LIST = 500  # ids per IN (...) list: well inside every engine's limit on bound parameters
RETRIES = 20  # fresh plans of one order when other writers keep taking its units first


class Need(NamedTuple):
    """Units of one order line still to reserve."""

    line: Hashable  # the line's id, or any key that stands for it until it has one
    product_id: int | None
    sku: str
    quantity: int


class Take(NamedTuple):
    """Units of one line planned (then reserved) in one bin."""

    line: Hashable
    stock_id: int
    bin_id: int
    quantity: int


class Outcome(NamedTuple):
    """An order's allocation: ``takes`` when it is covered; else the SKU that is short, or
    ``unknown`` when a line has no product (nothing is reserved then)."""

    takes: tuple[Take, ...] | None
    short_sku: str | None = None
    unknown: bool = False

    @property
    def covered(self) -> bool:
        return self.takes is not None


def chunked(items: Sequence, size: int = IN_LIST) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class FreeStock:
    """The free units (on hand less reserved) of some products, bin by bin in walking order."""

    def __init__(self) -> None:
        self.slots: dict[int, list[list[int]]] = {}  # product id -> [[stock id, bin id, free]]
        self.by_stock: dict[int, list[int]] = {}  # stock id -> its slot

    @classmethod
    def load(cls, s: Session, product_ids: Iterable[int | None]) -> FreeStock:
        free = cls()
        ids = sorted({p for p in product_ids if p is not None})
        for part in chunked(ids):
            rows = s.execute(
                select(Stock.id, Stock.product_id, Stock.bin_id, Stock.on_hand - Stock.reserved)
                .join(Bin, Bin.id == Stock.bin_id)
                .where(Stock.product_id.in_(part))
                .order_by(Stock.product_id, Bin.sequence, Stock.id)
            )
            for stock_id, product_id, bin_id, n in rows:
                slot = free.by_stock[stock_id] = [stock_id, bin_id, n]
                free.slots.setdefault(product_id, []).append(slot)
        return free

    def plan(self, needs: Iterable[Need]) -> Outcome:
        """Cover every need or none; what is covered is taken off the free units."""
        takes: list[Take] = []
        taken: dict[int, int] = defaultdict(int)
        for need in needs:
            left = need.quantity
            if left <= 0:
                continue
            if need.product_id is None:
                return Outcome(None, need.sku, unknown=True)
            for stock_id, bin_id, free in self.slots.get(need.product_id, ()):
                n = min(free - taken[stock_id], left)
                if n <= 0:
                    continue
                takes.append(Take(need.line, stock_id, bin_id, n))
                taken[stock_id] += n
                left -= n
                if not left:
                    break
            if left:
                return Outcome(None, need.sku)
        for stock_id, n in taken.items():
            self.by_stock[stock_id][2] -= n
        return Outcome(tuple(takes))


def reserve(s: Session, takes: Sequence[Take]) -> bool:
    """Reserve these units, all or none: False when another writer took some of them first."""
    totals: dict[int, int] = defaultdict(int)
    for t in takes:
        totals[t.stock_id] += t.quantity
    if not totals:
        return True
    rows = [{"sid": k, "n": v} for k, v in sorted(totals.items())]  # one lock order for every writer
    stmt = (update(STOCK)
            .where(STOCK.c.id == bindparam("sid"), STOCK.c.on_hand - STOCK.c.reserved >= bindparam("n"))
            .values(reserved=STOCK.c.reserved + bindparam("n")))
    conn = s.connection()
    savepoint = conn.begin_nested()
    if conn.dialect.supports_sane_multi_rowcount:
        ok = conn.execute(stmt, rows).rowcount == len(rows)
    else:
        ok = all(conn.execute(stmt, row).rowcount == 1 for row in rows)
    if ok:
        savepoint.commit()
    else:
        savepoint.rollback()
    _expire_stock(s, totals)
    return ok


def release(s: Session, amounts: dict[tuple[int, int], int]) -> None:
    """Give back reserved units: (product id, bin id) -> units."""
    rows = [{"pid": p, "bid": b, "n": n} for (p, b), n in sorted(amounts.items()) if n > 0]
    if not rows:
        return
    s.connection().execute(
        update(STOCK).where(STOCK.c.product_id == bindparam("pid"), STOCK.c.bin_id == bindparam("bid"))
        .values(reserved=STOCK.c.reserved - bindparam("n")), rows)
    for obj in list(s.identity_map.values()):
        if isinstance(obj, Stock) and (obj.product_id, obj.bin_id) in amounts:
            s.expire(obj, ["reserved"])


def _expire_stock(s: Session, stock_ids) -> None:
    """Stock rows the session holds as objects read their new counts when next used."""
    for obj in list(s.identity_map.values()):
        if isinstance(obj, Stock) and obj.id in stock_ids:
            s.expire(obj, ["reserved"])


def allocate_all(s: Session, orders: Sequence[tuple[Hashable, Sequence[Need]]]) -> dict[Hashable, Outcome]:
    """Plan and reserve each order (key, needs) in the order given, all or nothing per order."""
    free = FreeStock.load(s, (n.product_id for _, needs in orders for n in needs))
    outcomes = {key: free.plan(needs) for key, needs in orders}
    if reserve(s, [t for o in outcomes.values() if o.covered for t in o.takes]):
        return outcomes
    # another writer took units since the read: order by order, each on a fresh read
    for key, needs in orders:
        for _ in range(RETRIES):
            outcome = FreeStock.load(s, (n.product_id for n in needs)).plan(needs)
            if not outcome.covered or reserve(s, outcome.takes):
                break
        else:
            outcome = Outcome(None, needs[0].sku if needs else None)
        outcomes[key] = outcome
    return outcomes


def insert_allocations(s: Session, takes: Iterable[Take], line_ids: dict[Hashable, int] | None = None) -> None:
    """The allocation rows of reserved units (``line_ids`` maps a line key to its id)."""
    rows = [{"order_line_id": line_ids[t.line] if line_ids is not None else t.line, "bin_id": t.bin_id,
             "quantity": t.quantity, "picked": 0} for t in takes]
    insert_rows(s.connection(), Allocation.__table__, rows)


def allocate_orders(s: Session, orders: Sequence[Order], *, station: str | None = None,
                    operator: str | None = None) -> list[Order]:
    """Reserve every unit still to pick of these orders (new, backordered or short), each all or
    nothing, in the order given. Covered orders become ``ready`` (returned); the others become
    ``backordered`` and reserve nothing (one with a line of no known product stays as it is)."""
    s.flush()  # lines added through the session count
    needs: dict[int, list[Need]] = defaultdict(list)
    for part in chunked([o.id for o in orders]):
        rows = s.execute(
            select(OrderLine.id, OrderLine.order_id, OrderLine.product_id, OrderLine.sku,
                   OrderLine.quantity - OrderLine.picked - OrderLine.short)
            .where(OrderLine.order_id.in_(part)).order_by(OrderLine.id))
        for line_id, order_id, product_id, sku, left in rows:
            needs[order_id].append(Need(line_id, product_id, sku, left))
    outcomes = allocate_all(s, [(o.id, needs[o.id]) for o in orders])
    insert_allocations(s, (t for o in outcomes.values() if o.covered for t in o.takes))
    ready = []
    for order in orders:
        outcome = outcomes[order.id]
        if outcome.covered:
            if order.status != Status.READY:
                move(s, order, Status.READY, station=station, operator=operator)
            ready.append(order)
        elif not outcome.unknown and order.status != Status.BACKORDERED:
            move(s, order, Status.BACKORDERED, station=station, operator=operator,
                 reason=f"not enough stock of {outcome.short_sku}")
    return ready
