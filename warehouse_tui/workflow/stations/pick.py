"""The pick flow: claim an order (or a batch), walk its bins, one scan per unit, into a tote."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, or_, text, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status, check_move
from warehouse_tui.domain.models import Allocation, Bin, Order, OrderLine, Product, Stock, Tote, utcnow
from warehouse_tui.workflow.counts import change
from warehouse_tui.workflow.inventory import release_reservations
from warehouse_tui.workflow.lots import record_picked, unit_refusal
from warehouse_tui.workflow.orders import claim, move, record_move
from warehouse_tui.workflow.queues import claim_next
from warehouse_tui.workflow.reservations import Held, move_units
from warehouse_tui.workflow.resolve import BinRow, Meaning, ProductRow, What, named
from warehouse_tui.workflow.stations.base import Expect, Outcome, Refused, StationSession
from warehouse_tui.workflow.stations.rows import OrderRow, order_rows, run


# What a pick scan reads, as plain rows (see rows.py).
@dataclass(slots=True)
class AllocRow:
    id: int
    quantity: int
    picked: int


@dataclass(slots=True)
class LineRow:
    id: int
    quantity: int
    picked: int
    short: int


@dataclass
class Target:
    alloc: AllocRow
    line: LineRow
    bin: BinRow
    product: ProductRow
    order: OrderRow | Order

    @property
    def left(self) -> int:
        return self.alloc.quantity - self.alloc.picked


# the statements of every pick scan, built once
_l, _a = OrderLine.__table__, Allocation.__table__
_b, _p, _st = Bin.__table__, Product.__table__, Stock.__table__
_o = Order.__table__
# what is left to pick of some orders, each row with its order (an order with nothing left has no row)
_REMAINING = (
    core_select(_o.c.id, _o.c.ref, _o.c.display_name, _o.c.status, _o.c.station, _o.c.tote,
                _a.c.id, _a.c.quantity, _a.c.picked, _l.c.id, _l.c.quantity, _l.c.picked,
                _l.c.short, _b.c.id, _b.c.code, _b.c.sequence, _p.c.id, _p.c.sku, _p.c.title)
    .select_from(_a.join(_l, _l.c.id == _a.c.order_line_id).join(_b, _b.c.id == _a.c.bin_id)
                 .join(_p, _p.c.id == _l.c.product_id).join(_o, _o.c.id == _l.c.order_id))
    .where(_l.c.order_id.in_(bindparam("ids", expanding=True)), _a.c.quantity > _a.c.picked))
_t = Tote.__table__


def _tote_upsert(insert) -> object:
    """The tote now holds the order, made if new: one statement, answering with nothing when
    the tote holds another order (ON CONFLICT is the same on both engines)."""
    stmt = insert(_t).values(code=bindparam("code"), order_id=bindparam("oid"))
    return stmt.on_conflict_do_update(
        index_elements=[_t.c.code], set_={"order_id": stmt.excluded.order_id},
        where=or_(_t.c.order_id.is_(None), _t.c.order_id == stmt.excluded.order_id)).returning(_t.c.id)


_TOTE_TAKE = {"sqlite": _tote_upsert(sqlite.insert), "postgresql": _tote_upsert(postgresql.insert)}
_TOTE_HOLDER = core_select(_o.c.display_name).select_from(_t.join(_o, _o.c.id == _t.c.order_id)).where(
    _t.c.code == bindparam("code"))
# the order goes into its tote; when it is done here it leaves the station (picked, or still short)
_INTO_TOTE = (update(_o).where(_o.c.id == bindparam("which"), _o.c.status == bindparam("was"),
                               _o.c.station == bindparam("mine"))
              .values(tote=bindparam("code"), status=bindparam("now_status"), station=bindparam("now_station"),
                      updated_at=bindparam("now")))
# one unit leaves its bin: each count changes in SQL behind its guard
_TAKE_STOCK = (update(_st).where(_st.c.product_id == bindparam("of_product"), _st.c.bin_id == bindparam("in_bin"),
                                 _st.c.on_hand >= 1, _st.c.reserved >= 1)
               .values(on_hand=_st.c.on_hand - 1, reserved=_st.c.reserved - 1))
_TAKE_ALLOC = update(_a).where(_a.c.id == bindparam("which_alloc"), _a.c.picked < _a.c.quantity).values(
    picked=_a.c.picked + 1)
_TAKE_LINE = (update(_l).where(_l.c.id == bindparam("which_line"), _l.c.picked + _l.c.short < _l.c.quantity)
              .values(picked=_l.c.picked + 1).returning(_l.c.picked))

# PostgreSQL: the same three guarded counts in one round trip. Each update runs only when the
# one before it took its unit (``EXISTS``), so the rows are locked in the same order as above.
_TAKE_ALL = text("""
WITH shelf AS (
    UPDATE stock SET on_hand = on_hand - 1, reserved = reserved - 1
    WHERE product_id = :of_product AND bin_id = :in_bin AND on_hand >= 1 AND reserved >= 1
    RETURNING 1
), held AS (
    UPDATE allocations SET picked = picked + 1
    WHERE id = :which_alloc AND picked < quantity AND EXISTS (SELECT 1 FROM shelf)
    RETURNING 1
), line AS (
    UPDATE order_lines SET picked = picked + 1
    WHERE id = :which_line AND picked + short < quantity AND EXISTS (SELECT 1 FROM held)
    RETURNING picked
)
SELECT (SELECT count(*) FROM shelf), (SELECT count(*) FROM held), (SELECT picked FROM line)
""")


def _remaining_rows(s: Session, ids: list[int]) -> list[tuple]:
    return run(s, _REMAINING, {"ids": ids}).all() if ids else []


def _targets(rows: list[tuple], orders: list) -> list[Target]:
    """The rows of the orders given as targets, in walking order of bins (then batch order, then line)."""
    by_id = {o.id: o for o in orders}
    rank = {o.id: i for i, o in enumerate(orders)}
    lines: dict[int, LineRow] = {}
    targets = []
    for (order_id, *_order, a_id, a_qty, a_picked, l_id, l_qty, l_picked, l_short, b_id, b_code, b_seq,
         p_id, p_sku, p_title) in rows:
        if order_id not in by_id:
            continue
        line = lines.get(l_id) or lines.setdefault(l_id, LineRow(l_id, l_qty, l_picked, l_short))
        targets.append(Target(AllocRow(a_id, a_qty, a_picked), line, BinRow(b_id, b_code, b_seq),
                              ProductRow(p_id, p_sku, p_title), by_id[order_id]))
    targets.sort(key=lambda t: (t.bin.sequence, t.bin.code, rank[t.order.id], t.line.id, t.alloc.id))
    return targets


def remaining(s: Session, orders: list) -> list[Target]:
    """Units still to pick, in walking order of bins (then batch order, then line)."""
    return _targets(_remaining_rows(s, [o.id for o in orders]), orders)


def take_unit(s: Session, t: Target) -> int:
    """One unit leaves its bin: picked on the allocation and the line, off the shelf; the
    line's units picked now.

    Each count changes in SQL, so two stations never lose a unit between them on any engine;
    the stock row first, then the allocation, the order every writer takes them in.
    """
    s.flush()
    c = s.connection()
    where = {"of_product": t.product.id, "in_bin": t.bin.id, "which_alloc": t.alloc.id, "which_line": t.line.id}
    if c.dialect.name == "postgresql":
        shelf, held, picked = c.execute(_TAKE_ALL, where).one()
    else:
        shelf = c.execute(_TAKE_STOCK, {"of_product": t.product.id, "in_bin": t.bin.id}).rowcount
        held = shelf and c.execute(_TAKE_ALLOC, {"which_alloc": t.alloc.id}).rowcount
        picked = c.execute(_TAKE_LINE, {"which_line": t.line.id}).scalar() if held else None
    if shelf != 1:
        raise Refused(f"the stock count says {t.bin.code} holds no {t.product.sku}: count the bin")
    if held != 1:
        raise Refused(f"{t.product.sku} in {t.bin.code} is no longer reserved for {t.order.display_name}")
    if picked is None:
        raise Refused(f"all of {t.product.sku} are picked for {t.order.display_name}")
    t.alloc.picked += 1
    t.line.picked = picked
    return picked


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

    def _sync(self, s: Session, found: dict[int, OrderRow] | None = None) -> list[OrderRow]:
        """The orders still in this station's hands (a supervisor may have taken one away)."""
        wanted = self._orders()
        if found is None:
            found = order_rows(s, wanted)
        elif missing := [oid for oid in wanted if oid not in found]:
            found = {**found, **order_rows(s, missing)}
        orders = [o for oid in wanted if (o := found.get(oid)) is not None
                  and o.station == self.station and o.status in (Status.PICKING, Status.SHORT)]
        ids = [o.id for o in orders]
        if "batch" in self.state:
            self.state["batch"] = ids
            if not ids:
                self.state = {}
        elif not ids:
            self.state = {}
        return orders

    def _look(self, s: Session) -> tuple[list[OrderRow], list[Target]]:
        """The orders in hand and what is left to pick of them, read together."""
        rows = _remaining_rows(s, self._orders())
        orders = self._sync(s, {row[0]: OrderRow(*row[:6]) for row in rows})
        return orders, _targets(rows, orders)

    def forget_view(self) -> None:
        # what the last scan left to pick, known without reading it again (see _item, on_scan)
        self._after: tuple[list[OrderRow], list[Target]] | None = None

    # -- what next ------------------------------------------------------------------------

    def expectation(self, s: Session) -> Expect:
        view, self._after = getattr(self, "_after", None), None
        orders, targets = view if view is not None else self._look(s)
        return self._expect(s, orders, targets)

    def _expect(self, s: Session, orders: list[OrderRow], targets: list[Target] | None) -> Expect:
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
        if targets is None:
            targets = remaining(s, orders)
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
        orders, targets = self._look(s)
        cmd = m.command if m.what is What.COMMAND else None
        if not orders:
            if m.what is What.ORDER:
                return self._claim_one(s, m.order)
            if cmd == "NEXT":
                order = claim_next(s, from_status=Status.READY, to_status=Status.PICKING, station=self.station,
                                   operator=self.operator)
                if order is None:
                    raise Refused("no order is waiting to be picked")
                self.state = {"order_id": order.id}
                return Outcome(f"picking {order.display_name}")
            if cmd == "BATCH":
                return self._batch(s)
            raise Refused(f"{named(m)} is not an order")
        exp = self._expect(s, orders, targets)
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
                return self._other_bin(s, m.bin, targets, exp)
            self.state["bin_id"] = m.bin.id
            self._after = (orders, targets)  # nothing else changed
            return Outcome(f"bin {m.bin.code}")
        if m.what is What.PRODUCT:
            return self._item(s, m, orders, targets, exp)
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
            o = claim_next(s, from_status=Status.READY, to_status=Status.PICKING, station=self.station,
                           operator=self.operator)
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

    def _item(self, s: Session, m: Meaning, orders: list[OrderRow], targets: list[Target],
              exp: Expect) -> Outcome:
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
        done = take_unit(s, t)
        record_picked(s, t.line.id, m.scan.lot, m.scan.expiry)
        # what is left to pick is what was left, less this unit
        self._after = (orders, [x for x in targets if x.left > 0])
        data = {"sku": t.product.sku, "bin": t.bin.code, "lot": m.scan.lot, "serial": m.scan.serial,
                "expiry": m.scan.expiry.isoformat() if m.scan.expiry else None}
        if "batch" in self.state:
            self.state["pending"] = {"order": t.order.id, "sku": t.product.sku}
            return Outcome(f"{t.product.sku} for {t.order.display_name}: put it in {t.order.tote}", data=data)
        return Outcome(f"{t.product.sku} {done} of {t.line.quantity}", data=data)

    def _other_bin(self, s: Session, to: Bin, targets: list[Target], exp: Expect) -> Outcome:
        """The product found in another bin with free stock: its reservation moves there."""
        here = [t for t in targets if t.bin.code == exp.bin and t.product.sku == exp.sku]
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

    def _tote(self, s: Session, code: str, orders: list[OrderRow], exp: Expect) -> Outcome:
        order = exp.order
        pending = self.state.get("pending")
        if pending:
            if code != order.tote:
                raise Refused(f"wrong tote {code}: this unit is for {order.display_name}")
            self.state.pop("pending")
            msg = f"{pending.get('sku') or 'the unit'} in {code}"
            if not remaining(s, [order]):
                order = s.get(Order, order.id)
                msg += "; " + self._finished(order, code, self._finish(s, order, keep_tote=True))
            return Outcome(msg)
        s.flush()
        c = s.connection()
        if c.execute(_TOTE_TAKE[c.dialect.name], {"code": code, "oid": order.id}).first() is None:
            other = c.execute(_TOTE_HOLDER, {"code": code}).scalar()
            raise Refused(f"{code} already holds {other or 'another order'}")
        batch = "batch" in self.state
        before = order.status
        after = Status.PICKED if not batch and before == Status.PICKING else before
        if after != before:
            check_move(before, after)
        if c.execute(_INTO_TOTE, {"which": order.id, "was": before, "mine": self.station, "code": code,
                                  "now_status": after, "now_station": self.station if batch else None,
                                  "now": utcnow()}).rowcount != 1:
            raise Refused(f"{order.display_name} changed meanwhile: scan the tote again")
        order.tote, order.status = code, after
        if after != before:
            record_move(s, order.id, before, after, station=self.station, operator=self.operator)
        if batch:
            return Outcome(f"{code} for {order.display_name}")
        self.state = {}
        self.finished_row(order, station=None)  # as _INTO_TOTE left it
        return Outcome(self._finished(order, code, f": {order.display_name} {order.status}"))

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

    def _short(self, s: Session, orders: list[OrderRow]) -> Outcome:
        targets = remaining(s, orders)
        if not targets:
            raise Refused("nothing is left to pick")
        t = self._next_target(targets)
        left = t.line.quantity - t.line.picked - t.line.short
        order = s.get(Order, t.order.id)
        release_reservations(s, order, t.line)
        change(s, OrderLine, OrderLine.id == t.line.id, short=left)
        if order.status == Status.PICKING:
            move(s, order, Status.SHORT, station=self.station, operator=self.operator,
                 reason=f"{t.product.sku} short by {left} at {t.bin.code}")
        msg = f"{t.product.sku} short by {left}: {order.display_name} goes to exceptions"
        s.flush()
        if not remaining(s, [order]):
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

    def _release(self, s: Session, orders: list[OrderRow]) -> Outcome:
        for row in orders:
            o = s.get(Order, row.id)
            if o.status == Status.PICKING:
                move(s, o, Status.READY, station=self.station, operator=self.operator, reason="released by %CANCEL")
            if "batch" in self.state and not any(
                    ln.picked for ln in s.exec(select(OrderLine).where(OrderLine.order_id == o.id))):
                self._untote(s, o)
            o.station = None
            s.add(o)
        self.state = {}
        return Outcome("released " + ", ".join(o.display_name for o in orders))

