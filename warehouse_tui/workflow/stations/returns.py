"""The returns flow: open a return on a shipped order, each unit scanned then restocked,
quarantined or disposed of, %DONE closes it."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import (Allocation, Bin, Order, OrderLine, Product, Return, ReturnLine, Stock,
                                         utcnow)
from warehouse_tui.workflow.counts import change, ensure_stock_row, stock_change
from warehouse_tui.workflow.resolve import Meaning, What, named
from warehouse_tui.workflow.stations.base import Expect, Outcome, Refused, StationSession

DISPOSITIONS = {"RESTOCK": "restock", "QUARANTINE": "quarantine", "DISPOSE": "dispose"}


def returned_so_far(s: Session, line: OrderLine) -> int:
    return int(s.exec(select(func.coalesce(func.sum(ReturnLine.quantity), 0))
                      .where(ReturnLine.order_line_id == line.id)).one())


def home_bin(s: Session, line: OrderLine) -> int:
    """The bin the unit was picked from (else the product's first bin)."""
    alloc = s.exec(select(Allocation).where(Allocation.order_line_id == line.id, Allocation.picked > 0)
                   .order_by(Allocation.id)).first()
    if alloc is not None:
        return alloc.bin_id
    st = s.exec(select(Stock).where(Stock.product_id == line.product_id).order_by(Stock.id)).first()
    if st is None:
        raise Refused(f"{line.sku} has no bin to go back to: add it to the stock file first")
    return st.bin_id


class ReturnsSession(StationSession):
    mode = "returns"

    def _return(self, s: Session) -> Return | None:
        rid = self.state.get("return_id")
        r = s.get(Return, rid) if rid else None
        if r is None or r.status != "open":
            self.state = {}
            return None
        return r

    def current_order_id(self) -> int | None:
        return self.state.get("order_id")

    def expectation(self, s: Session) -> Expect:
        r = self._return(s)
        if r is None:
            return Expect("order", "scan a shipped order or its tracking number to open a return")
        order = s.get(Order, r.order_id)
        pending = self.state.get("pending")
        if pending:
            line = s.get(OrderLine, pending)
            return Expect("condition", f"{line.sku}: %RESTOCK, %QUARANTINE or %DISPOSE?", order=order,
                          sku=line.sku, title=line.title, quantity=1)
        return Expect("item", "scan a returned unit, or %DONE to close the return", order=order)

    def on_scan(self, s: Session, m: Meaning) -> Outcome:
        r = self._return(s)
        cmd = m.command if m.what is What.COMMAND else None
        if r is None:
            if m.what in (What.ORDER, What.PARCEL) and m.order is not None:
                return self._open(s, m.order)
            raise Refused(f"{named(m)} is not a shipped order or tracking number")
        order = s.get(Order, r.order_id)
        pending = self.state.get("pending")
        if cmd in DISPOSITIONS:
            if not pending:
                raise Refused(f"scan the returned unit before %{cmd}")
            return self._dispose(s, r, s.get(OrderLine, pending), DISPOSITIONS[cmd])
        if pending:
            line = s.get(OrderLine, pending)
            raise Refused(f"say what happens to the {line.sku} first")
        if m.what is What.PRODUCT:
            return self._unit(s, order, m)
        if cmd in ("DONE", "CANCEL"):
            r.status, r.closed_at = "closed", utcnow()
            s.add(r)
            n = s.exec(select(func.coalesce(func.sum(ReturnLine.quantity), 0)).where(ReturnLine.return_id == r.id)).one()
            self.state = {}
            return Outcome(f"return of {order.display_name} closed: {n} unit{'s' if n != 1 else ''}")
        if m.what in (What.ORDER, What.PARCEL):
            raise Refused(f"{named(m)}: the return of {order.display_name} is open")
        raise Refused(f"{named(m)} is not a product")

    def _open(self, s: Session, order: Order) -> Outcome:
        if order.status != Status.SHIPPED:
            raise Refused(f"{order.display_name} is {order.status.replace('_', ' ')}, not shipped")
        r = s.exec(select(Return).where(Return.order_id == order.id, Return.status == "open",
                                        Return.station == self.station)).first()
        if r is None:
            r = Return(order_id=order.id, station=self.station, operator=self.operator)
            s.add(r)
            s.flush()
            msg = f"return of {order.display_name} opened"
        else:
            msg = f"return of {order.display_name} again"
        self.state = {"return_id": r.id, "order_id": order.id}
        return Outcome(msg)

    def _unit(self, s: Session, order: Order, m: Meaning) -> Outcome:
        product, scan = m.product, m.scan
        lines = list(s.exec(select(OrderLine).where(OrderLine.order_id == order.id,
                                                    OrderLine.product_id == product.id).order_by(OrderLine.id)))
        if not lines:
            raise Refused(f"{named(m)} was not in {order.display_name}")
        line = next((ln for ln in lines if returned_so_far(s, ln) < ln.packed), None)
        if line is None:
            shipped = sum(ln.packed for ln in lines)
            raise Refused(f"all {shipped} {product.sku} shipped are returned already")
        self.state["pending"] = line.id
        lot = {"lot": scan.lot, "expiry": scan.expiry.isoformat() if scan.expiry else None} if scan.lot or scan.expiry else {}
        return Outcome(f"{product.sku}: restock, quarantine or dispose?", data={"sku": product.sku, **lot})

    def _dispose(self, s: Session, r: Return, line: OrderLine, disposition: str) -> Outcome:
        product = s.get(Product, line.product_id)
        existing = s.exec(select(ReturnLine).where(ReturnLine.return_id == r.id, ReturnLine.order_line_id == line.id,
                                                   ReturnLine.disposition == disposition)).first()
        if existing is None:
            existing = ReturnLine(return_id=r.id, order_line_id=line.id, product_id=line.product_id,
                                  quantity=0, disposition=disposition)
            s.add(existing)
            s.flush()
        change(s, ReturnLine, ReturnLine.id == existing.id, quantity=1)
        where = ""
        if disposition in ("restock", "quarantine"):
            bin_id = home_bin(s, line)
            ensure_stock_row(s, line.product_id, bin_id)
            stock_change(s, line.product_id, bin_id, **{"on_hand" if disposition == "restock" else "quarantine": 1})
            where = f" in {s.get(Bin, bin_id).code}"
        self.state.pop("pending", None)
        verb = {"restock": "restocked", "quarantine": "quarantined", "dispose": "disposed of"}[disposition]
        return Outcome(f"{product.sku} {verb}{where}", data={"sku": product.sku, "disposition": disposition})
