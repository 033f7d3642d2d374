"""Reservations follow the stock.

A stock count that leaves a bin with fewer units than its orders reserve there moves those
reservations to other bins of the product with free stock, one event per move. What cannot
move is given up by the least urgent orders: a ready order goes back to ``backordered`` (its
reservations released); an order being picked keeps the units it has, and the units no bin
holds any more are short. A picker who finds the product in another bin with free stock may
scan that bin: the reservation moves there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Allocation, Bin, Order, OrderLine, Product, Stock
from warehouse_tui.workflow.counts import change, reserve, stock_change
from warehouse_tui.workflow.inventory import release_reservations
from warehouse_tui.workflow.ledger import record
from warehouse_tui.workflow.orders import move


@dataclass
class Held:
    """Units of an order line reserved in one bin and not picked yet."""

    alloc: Allocation
    line: OrderLine
    order: Order
    bin: Bin
    product: Product

    @property
    def left(self) -> int:
        return self.alloc.quantity - self.alloc.picked


@dataclass
class Followed:
    moved: int = 0  # units whose reservation moved to another bin
    backordered: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)


def _urgency(h: Held) -> tuple:
    """Most urgent first: orders being picked, then the queue's own order."""
    return (h.order.status == Status.READY, -h.order.priority, h.order.due, h.order.id, h.alloc.id)


def held_in(s: Session, product_id: int, bin_id: int) -> list[Held]:
    rows = s.exec(
        select(Allocation, OrderLine, Order, Bin, Product)
        .join(OrderLine, OrderLine.id == Allocation.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Bin, Bin.id == Allocation.bin_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.product_id == product_id, Allocation.bin_id == bin_id,
               Allocation.quantity > Allocation.picked)
        .execution_options(populate_existing=True)
    ).all()
    return sorted((Held(*row) for row in rows), key=_urgency)


def move_units(s: Session, h: Held, n: int, to: Bin, *, why: str, station: str | None,
               operator: str | None) -> int:
    """Move up to n unpicked units of a reservation to another bin, as many as are free there."""
    st = s.exec(select(Stock).where(Stock.product_id == h.product.id, Stock.bin_id == to.id)
                .with_for_update().execution_options(populate_existing=True)).first()
    k = min(n, h.left, (st.on_hand - st.reserved) if st else 0)
    if k <= 0 or to.id == h.bin.id or not reserve(s, h.product.id, to.id, k):
        return 0
    if not (change(s, Allocation, Allocation.id == h.alloc.id, Allocation.quantity - Allocation.picked >= k,
                   quantity=-k)
            and stock_change(s, h.product.id, h.bin.id, reserved=-k)):
        raise RuntimeError(f"{h.product.sku} in {h.bin.code}: reservation changed while moving it")
    there = s.exec(select(Allocation).where(Allocation.order_line_id == h.line.id, Allocation.bin_id == to.id)).first()
    if there is None:
        s.add(Allocation(order_line_id=h.line.id, bin_id=to.id, quantity=k))
    else:
        change(s, Allocation, Allocation.id == there.id, quantity=k)
    s.execute(delete(Allocation).where(Allocation.id == h.alloc.id, Allocation.quantity == 0,
                                       Allocation.picked == 0))
    s.flush()
    record(s, "reservation", order=h.order, station=station, operator=operator,
           message=f"{k} x {h.product.sku} reserved in {to.code} instead of {h.bin.code}: {why}",
           sku=h.product.sku, quantity=k, **{"from": h.bin.code, "to": to.code})
    return k


def _bins_with_free_stock(s: Session, product_id: int, but: int) -> list[Bin]:
    return list(s.exec(
        select(Bin).join(Stock, Stock.bin_id == Bin.id)
        .where(Stock.product_id == product_id, Stock.bin_id != but, Stock.on_hand > Stock.reserved)
        .order_by(Bin.sequence, Bin.code)
    ).all())


def _excess(s: Session, product_id: int, bin_id: int) -> int:
    st = s.exec(select(Stock).where(Stock.product_id == product_id, Stock.bin_id == bin_id)
                .with_for_update().execution_options(populate_existing=True)).one()
    return st.reserved - st.on_hand


def follow_stock(s: Session, product_ids: set[int] | None = None, *, station: str | None = None,
                 operator: str | None = None) -> Followed:
    """Bring every reservation back within its bin's stock (after a stock count)."""
    done = Followed()
    q = select(Stock.product_id, Stock.bin_id).where(Stock.reserved > Stock.on_hand)
    if product_ids is not None:
        q = q.where(Stock.product_id.in_(product_ids))
    for product_id, bin_id in s.exec(q.order_by(Stock.product_id, Stock.bin_id)).all():
        _settle(s, product_id, bin_id, done, station=station, operator=operator)
    return done


def _settle(s: Session, product_id: int, bin_id: int, done: Followed, **who) -> None:
    while (excess := _excess(s, product_id, bin_id)) > 0:
        held = held_in(s, product_id, bin_id)
        if not held:  # reserved units no order holds: the count is simply set right
            stock_change(s, product_id, bin_id, reserved=-excess)
            return
        moved = 0
        for h in held:
            for to in _bins_with_free_stock(s, product_id, bin_id):
                if moved >= excess:
                    break
                moved += move_units(s, h, min(excess - moved, h.left), to, why="the stock count moved it", **who)
        done.moved += moved
        if moved:
            continue
        # no bin has the units: the least urgent order gives them up
        h = held[-1]
        sku, where = h.product.sku, h.bin.code
        if h.order.status == Status.READY:
            release_reservations(s, h.order)
            move(s, h.order, Status.BACKORDERED, reason=f"not enough stock of {sku}: {where} was counted", **who)
            done.backordered.append(h.order.display_name)
            continue
        k = min(excess, h.left)
        change(s, Allocation, Allocation.id == h.alloc.id, quantity=-k)
        stock_change(s, product_id, bin_id, reserved=-k)
        change(s, OrderLine, OrderLine.id == h.line.id, short=k)
        reason = f"{sku} short by {k}: the stock count left {where} without it"
        if h.order.status == Status.PICKING:
            move(s, h.order, Status.SHORT, reason=reason, **who)
        else:
            record(s, "note", order=h.order, message=reason, **who)
        done.short.append(h.order.display_name)
