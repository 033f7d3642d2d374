"""The pick flow: claim an order (or a batch), walk its bins, one scan per unit, into a tote."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Allocation, Bin, Order, OrderLine, Product, Tote
from warehouse_tui.workflow.counts import change, stock_change
from warehouse_tui.workflow.inventory import release_reservations
from warehouse_tui.workflow.lots import record_picked, unit_refusal
from warehouse_tui.workflow.orders import claim, move
from warehouse_tui.workflow.queues import next_ready
from warehouse_tui.workflow.reservations import Held, move_units
from warehouse_tui.workflow.resolve import Meaning, What, named
from warehouse_tui.workflow.stations.base import Expect, Outcome, Refused, StationSession


@dataclass
class Target:
    alloc: Allocation
    line: OrderLine
    bin: Bin
    product: Product
    order: Order

    @property
    def left(self) -> int:
        return self.alloc.quantity - self.alloc.picked


def remaining(s: Session, order_ids: list[int]) -> list[Target]:
    """Units still to pick, in walking order of bins (then batch order, then line)."""
    if not order_ids:
        return []
    rows = s.exec(
        select(Allocation, OrderLine, Bin, Product, Order)
        .join(OrderLine, OrderLine.id == Allocation.order_line_id)
        .join(Bin, Bin.id == Allocation.bin_id)
        .join(Product, Product.id == OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.order_id.in_(order_ids), Allocation.quantity > Allocation.picked)
    ).all()
    rank = {oid: i for i, oid in enumerate(order_ids)}
    targets = [Target(*row) for row in rows]
    targets.sort(key=lambda t: (t.bin.sequence, t.bin.code, rank[t.order.id], t.line.id, t.alloc.id))
    return targets


def take_unit(s: Session, t: Target) -> None:
    """One unit leaves its bin: picked on the allocation and the line, off the shelf.

    Each count changes in SQL, so two stations never lose a unit between them on any engine;
    the stock row first, then the allocation, the order every writer takes them in.
    """
    if not stock_change(s, t.product.id, t.bin.id, on_hand=-1, reserved=-1):
        raise Refused(f"the stock count says {t.bin.code} holds no {t.product.sku}: count the bin")
    if not change(s, Allocation, Allocation.id == t.alloc.id, Allocation.picked < Allocation.quantity, picked=1):
        raise Refused(f"{t.product.sku} in {t.bin.code} is no longer reserved for {t.order.display_name}")
    if not change(s, OrderLine, OrderLine.id == t.line.id,
                  OrderLine.picked + OrderLine.short < OrderLine.quantity, picked=1):
        raise Refused(f"all of {t.product.sku} are picked for {t.order.display_name}")


class PickSession(StationSession):
    mode = "pick"

    # -- state ----------------------------------------------------------------------------

    def _orders(self) -> list[int]:
        if "batch" in self.state:
            return list(self.state["batch"])
        return [self.state["order_id"]] if self.state.get("order_id") else []

    def current_order_id(self) -> int | None:
        ids = self._orders()
        return ids[0] if len(ids) == 1 else None

    def _sync(self, s: Session) -> list[Order]:
        """The orders still in this station's hands (a supervisor may have taken one away)."""
        orders = []
        for oid in self._orders():
            o = s.get(Order, oid)
            if o is not None and o.station == self.station and o.status in (Status.PICKING, Status.SHORT):
                orders.append(o)
        ids = [o.id for o in orders]
        if "batch" in self.state:
            self.state["batch"] = ids
            if not ids:
                self.state = {}
        elif not ids:
            self.state = {}
        return orders

    # -- what next ------------------------------------------------------------------------

    def expectation(self, s: Session) -> Expect:
        orders = self._sync(s)
        if not orders:
            return Expect("order", "scan an order, or %NEXT for the next one")
        batch = "batch" in self.state
        if batch:
            for o in orders:
                if not o.tote:
                    n = [x.id for x in orders].index(o.id) + 1
                    return Expect("tote", f"scan a tote for {o.display_name} ({n} of {len(orders)})",
                                  order=o, batch_order=o)
            pending = self.state.get("pending")
            if pending:
                o = s.get(Order, pending["order"])
                return Expect("tote", f"put it in {o.tote} for {o.display_name}", order=o, batch_order=o,
                              tote=o.tote, sku=pending.get("sku"))
        targets = remaining(s, [o.id for o in orders])
        if not targets:
            o = orders[0]
            return Expect("tote", f"scan a tote for {o.display_name}", order=o)
        t = self._next_target(targets)
        at_bin = [x for x in targets if x.bin.id == t.bin.id and x.product.id == t.product.id]
        qty = sum(x.left for x in (at_bin if batch else [x for x in at_bin if x.line.id == t.line.id]))
        common = dict(order=t.order, bin=t.bin.code, sku=t.product.sku, title=t.product.title, quantity=qty,
                      tote=t.order.tote if batch else None, batch_order=t.order if batch else None)
        if self.state.get("bin_id") == t.bin.id:
            if batch:
                return Expect("item", f"take {qty} x {t.product.sku} from {t.bin.code}, one at a time "
                                      f"(next for {t.order.display_name}, {t.order.tote})", **common)
            return Expect("item", f"take {qty} x {t.product.sku} from {t.bin.code}", **common)
        return Expect("bin", f"go to bin {t.bin.code}", **common)

    def _next_target(self, targets: list[Target]) -> Target:
        """At a bin, what is still to take there comes first; then the walk goes on in order."""
        return next((x for x in targets if x.bin.id == self.state.get("bin_id")), targets[0])

    # -- scans ----------------------------------------------------------------------------

    def on_scan(self, s: Session, m: Meaning) -> Outcome:
        orders = self._sync(s)
        cmd = m.command if m.what is What.COMMAND else None
        if not orders:
            if m.what is What.ORDER:
                return self._claim_one(s, m.order)
            if cmd == "NEXT":
                order = next_ready(s, lambda o: self._claim(s, o))
                if order is None:
                    raise Refused("no order is waiting to be picked")
                self.state = {"order_id": order.id}
                return Outcome(f"picking {order.display_name}")
            if cmd == "BATCH":
                return self._batch(s)
            raise Refused(f"{named(m)} is not an order")
        exp = self.expectation(s)
        if m.what is What.ORDER or cmd in ("NEXT", "BATCH"):
            raise Refused(f"{named(m)}: {exp.order.display_name if exp.order else 'a batch'} is in hand")
        if cmd == "CANCEL":
            return self._release(s, orders)
        if cmd == "SHORT":
            return self._short(s, orders)
        if exp.expect == "tote":
            if m.what is not What.TOTE:
                raise Refused(f"{named(m)} is not a tote: put the order in a tote and scan the tote")
            return self._tote(s, m.tote, orders, exp)
        if m.what is What.BIN:
            if m.bin.code != exp.bin:
                return self._other_bin(s, m.bin, orders, exp)
            self.state["bin_id"] = m.bin.id
            return Outcome(f"bin {m.bin.code}")
        if m.what is What.PRODUCT:
            return self._item(s, m, orders, exp)
        if cmd == "DONE":
            raise Refused("nothing to finish here")
        raise Refused(f"{named(m)} is not what is asked for")

    def _claim(self, s: Session, order: Order) -> bool:
        return claim(s, order, from_status=Status.READY, to_status=Status.PICKING,
                     station=self.station, operator=self.operator)

    def _claim_one(self, s: Session, order: Order) -> Outcome:
        if order.station == self.station and order.status in (Status.PICKING, Status.SHORT):
            self.state = {"order_id": order.id}
            return Outcome(f"picking {order.display_name} again")
        if order.status == Status.PICKING:
            raise Refused(f"{order.display_name} is being picked at {order.station}")
        if order.status != Status.READY or not self._claim(s, order):
            raise Refused(f"{order.display_name} is {order.status.replace('_', ' ')}, not ready to pick")
        self.state = {"order_id": order.id}
        return Outcome(f"picking {order.display_name}")

    def _batch(self, s: Session) -> Outcome:
        claimed: list[Order] = []
        while len(claimed) < max(1, self.settings.batch_size):
            o = next_ready(s, lambda o: self._claim(s, o))
            if o is None:
                break
            claimed.append(o)
        if not claimed:
            raise Refused("no order is waiting to be picked")
        self.state = {"batch": [o.id for o in claimed]}
        msg = f"batch of {len(claimed)}: " + ", ".join(o.display_name for o in claimed)
        from warehouse_tui.workflow.printing import pick_list_for_batch

        printed = pick_list_for_batch(s, self.settings, self.printer, claimed, station=self.station,
                                      operator=self.operator)
        return Outcome(msg + (f"; {printed}" if printed else ""))

    def _item(self, s: Session, m: Meaning, orders: list[Order], exp: Expect) -> Outcome:
        targets = remaining(s, [o.id for o in orders])
        if exp.expect == "bin":
            raise Refused(f"{named(m)}: scan the bin {exp.bin} first")
        here = [t for t in targets if t.bin.code == exp.bin and t.product.id == m.product.id]
        if not here:
            if any(t.product.id == m.product.id for t in targets):
                raise Refused(f"{named(m)} is not on this line: scan {exp.sku}")
            raise Refused(f"{named(m)} is not in this order: scan {exp.sku}")
        if why := unit_refusal(m.product, m.scan):
            raise Refused(why)
        # the unit goes to the order the screen asked for when it can
        t = next((x for x in here if x.order.id == (exp.batch_order or exp.order).id), here[0])
        take_unit(s, t)
        record_picked(s, t.line.id, m.scan.lot, m.scan.expiry)
        done = t.line.picked
        data = {"sku": t.product.sku, "bin": t.bin.code, "lot": m.scan.lot, "serial": m.scan.serial,
                "expiry": m.scan.expiry.isoformat() if m.scan.expiry else None}
        if "batch" in self.state:
            self.state["pending"] = {"order": t.order.id, "sku": t.product.sku}
            return Outcome(f"{t.product.sku} for {t.order.display_name}: put it in {t.order.tote}", data=data)
        return Outcome(f"{t.product.sku} {done} of {t.line.quantity}", data=data)

    def _other_bin(self, s: Session, to: Bin, orders: list[Order], exp: Expect) -> Outcome:
        """The product found in another bin with free stock: its reservation moves there."""
        here = [t for t in remaining(s, [o.id for o in orders]) if t.bin.code == exp.bin and t.product.sku == exp.sku]
        moved = 0
        for t in here:
            h = Held(t.alloc, t.line, t.order, t.bin, t.product)
            moved += move_units(s, h, h.left, to, why=f"found there by {self.operator or self.station}",
                                station=self.station, operator=self.operator)
        if not moved:
            raise Refused(f"wrong bin {to.code}: it holds no free {exp.sku}")
        self.state["bin_id"] = to.id
        return Outcome(f"bin {to.code}: {moved} x {exp.sku} reserved here instead of {exp.bin}",
                       data={"sku": exp.sku, "bin": to.code, "from": exp.bin, "quantity": moved})

    def _tote(self, s: Session, code: str, orders: list[Order], exp: Expect) -> Outcome:
        order = exp.order
        pending = self.state.get("pending")
        if pending:
            if code != order.tote:
                raise Refused(f"wrong tote {code}: this unit is for {order.display_name}")
            self.state.pop("pending")
            msg = f"{pending.get('sku') or 'the unit'} in {code}"
            if not remaining(s, [order.id]):
                msg += "; " + self._finished(order, code, self._finish(s, order, keep_tote=True))
            return Outcome(msg)
        tote = s.exec(select(Tote).where(Tote.code == code)).first()
        if tote is None:
            tote = Tote(code=code)
        if tote.order_id is not None and tote.order_id != order.id:
            other = s.get(Order, tote.order_id)
            raise Refused(f"{code} already holds {other.display_name if other else 'another order'}")
        tote.order_id = order.id
        order.tote = code
        s.add_all([tote, order])
        if "batch" in self.state:
            return Outcome(f"{code} for {order.display_name}")
        return Outcome(self._finished(order, code, self._finish(s, order, keep_tote=True)))

    @staticmethod
    def _finished(order: Order, tote: str, suffix: str) -> str:
        """What the last scan of an order did, in words the screen keeps until the next scan."""
        if order.status == Status.PICKED:
            return f"{order.display_name} picked into {tote}"
        return f"{order.display_name} in {tote}{suffix}"

    def _finish(self, s: Session, order: Order, keep_tote: bool) -> str:
        """The order has nothing left to pick: picked (or still short) and out of our hands."""
        if order.status == Status.PICKING:
            move(s, order, Status.PICKED, station=self.station, operator=self.operator)
        order.station = None
        s.add(order)
        if "batch" in self.state:
            self.state["batch"] = [i for i in self.state["batch"] if i != order.id]
            if not self.state["batch"]:
                self.state = {}
        else:
            self.state = {}
        return f": {order.display_name} {order.status}"

    def _short(self, s: Session, orders: list[Order]) -> Outcome:
        targets = remaining(s, [o.id for o in orders])
        if not targets:
            raise Refused("nothing is left to pick")
        t = self._next_target(targets)
        left = t.line.quantity - t.line.picked - t.line.short
        release_reservations(s, t.order, t.line)
        change(s, OrderLine, OrderLine.id == t.line.id, short=left)
        order = t.order
        if order.status == Status.PICKING:
            move(s, order, Status.SHORT, station=self.station, operator=self.operator,
                 reason=f"{t.product.sku} short by {left} at {t.bin.code}")
        msg = f"{t.product.sku} short by {left}: {order.display_name} goes to exceptions"
        s.flush()
        if not remaining(s, [order.id]):
            picked_any = any(ln.picked for ln in s.exec(select(OrderLine).where(OrderLine.order_id == order.id)))
            if not picked_any:
                self._untote(s, order)
                msg += self._finish(s, order, keep_tote=False)
        return Outcome(msg, data={"sku": t.product.sku, "bin": t.bin.code, "short": left})

    def _untote(self, s: Session, order: Order) -> None:
        if order.tote:
            tote = s.exec(select(Tote).where(Tote.code == order.tote)).first()
            if tote is not None and tote.order_id == order.id:
                tote.order_id = None
                s.add(tote)
            order.tote = None

    def _release(self, s: Session, orders: list[Order]) -> Outcome:
        for o in orders:
            if o.status == Status.PICKING:
                move(s, o, Status.READY, station=self.station, operator=self.operator, reason="released by %CANCEL")
            if "batch" in self.state and not any(
                    ln.picked for ln in s.exec(select(OrderLine).where(OrderLine.order_id == o.id))):
                self._untote(s, o)
            o.station = None
            s.add(o)
        self.state = {}
        return Outcome("released " + ", ".join(o.display_name for o in orders))

