"""The pack flow: a picked tote or order, one scan per unit, then a box (one per parcel)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, delete, select

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import BoxType, Order, OrderLine, Parcel, ParcelItem, ParcelLot, Product, Tote
from warehouse_tui.workflow.counts import change
from warehouse_tui.workflow.lots import pack_refusal, record_packed
from warehouse_tui.workflow.orders import claim, move
from warehouse_tui.workflow.resolve import Meaning, What, named
from warehouse_tui.workflow.stations.base import Expect, Outcome, Refused, StationSession

# a stable scale reading further than both of these from the expected weight is refused
WEIGHT_TOLERANCE = 0.10
WEIGHT_TOLERANCE_G = 50


def order_lines(s: Session, order: Order) -> list[OrderLine]:
    return list(s.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)))


def open_parcel(s: Session, order: Order, create: bool = False) -> Parcel | None:
    p = s.exec(select(Parcel).where(Parcel.order_id == order.id, Parcel.status == "open")).first()
    if p is None and create:
        seq = s.exec(select(func.coalesce(func.max(Parcel.seq), 0)).where(Parcel.order_id == order.id)).one()
        p = Parcel(order_id=order.id, seq=seq + 1)
        s.add(p)
        s.flush()
    return p


def parcel_contents(s: Session, parcel: Parcel) -> list[tuple[ParcelItem, OrderLine, Product | None]]:
    return list(s.exec(
        select(ParcelItem, OrderLine, Product).join(OrderLine, OrderLine.id == ParcelItem.order_line_id)
        .join(Product, Product.id == OrderLine.product_id, isouter=True).where(ParcelItem.parcel_id == parcel.id)
    ).all())


def expected_weight(s: Session, parcel: Parcel, box: BoxType) -> int | None:
    total = box.weight_g
    for item, _line, product in parcel_contents(s, parcel):
        if product is None or product.weight_g is None:
            return None
        total += product.weight_g * item.quantity
    return total


def suggest_box(s: Session, parcel: Parcel) -> BoxType | None:
    boxes = list(s.exec(select(BoxType)))
    if not boxes:
        return None
    volume, weight = 0, 0
    for item, _line, p in parcel_contents(s, parcel):
        if p is not None:
            volume += (p.length_mm or 0) * (p.width_mm or 0) * (p.height_mm or 0) * item.quantity
            weight += (p.weight_g or 0) * item.quantity
    boxes.sort(key=lambda b: (b.length_mm * b.width_mm * b.height_mm, b.code))
    for b in boxes:
        if volume <= 0.85 * b.length_mm * b.width_mm * b.height_mm and (b.max_weight_g is None or weight <= b.max_weight_g):
            return b
    return boxes[-1]


class PackSession(StationSession):
    mode = "pack"

    def _order(self, s: Session) -> Order | None:
        oid = self.state.get("order_id")
        o = s.get(Order, oid) if oid else None
        if o is None or o.status != Status.PACKING or o.station != self.station:
            self.state = {}
            return None
        return o

    def expectation(self, s: Session) -> Expect:
        order = self._order(s)
        if order is None:
            return Expect("order", "scan a tote or an order to pack")
        lines = order_lines(s, order)
        left = sum(ln.picked - ln.packed for ln in lines)
        parcel = open_parcel(s, order)
        if left:
            ln = next(ln for ln in lines if ln.picked > ln.packed)
            return Expect("item", f"scan units: {left} left to verify", order=order, sku=ln.sku, title=ln.title,
                          quantity=ln.picked - ln.packed, tote=order.tote)
        box = suggest_box(s, parcel) if parcel else None
        hint = f", or %DONE for {box.code}" if box else ""
        return Expect("box", f"scan a box{hint}", order=order, tote=order.tote, quantity=0)

    def on_scan(self, s: Session, m: Meaning) -> Outcome:
        order = self._order(s)
        cmd = m.command if m.what is What.COMMAND else None
        retry = self.state.pop("weight_retry", None)  # only the very next scan may accept
        if order is None:
            if m.what is What.TOTE:
                tote = s.exec(select(Tote).where(Tote.code == m.tote)).first()
                if tote is None or tote.order_id is None:
                    raise Refused(f"{m.tote} holds no order")
                return self._take(s, s.get(Order, tote.order_id))
            if m.what is What.ORDER:
                return self._take(s, m.order)
            raise Refused(f"{named(m)} is not a tote or an order")
        if m.what in (What.ORDER, What.TOTE) or cmd in ("NEXT", "BATCH"):
            if m.what is What.TOTE and m.tote == order.tote:
                return Outcome(f"{order.display_name} is in hand")
            raise Refused(f"{named(m)}: {order.display_name} is in hand")
        if cmd == "CANCEL":
            return self._release(s, order)
        if m.what is What.PRODUCT:
            return self._verify(s, order, m)
        if m.what is What.BOX:
            return self._box(s, order, m.box, m.scan.text, retry)
        if cmd == "DONE":
            lines = order_lines(s, order)
            left = sum(ln.picked - ln.packed for ln in lines)
            if left:
                raise Refused(f"{left} unit{'s' if left > 1 else ''} still to verify")
            parcel = open_parcel(s, order)
            box = suggest_box(s, parcel) if parcel else None
            if box is None:
                raise Refused("no box types are set up: scan a box")
            return self._box(s, order, box, "%DONE", retry)
        raise Refused(f"{named(m)} is not what is asked for")

    def _take(self, s: Session, order: Order) -> Outcome:
        if order.status == Status.PACKING and order.station == self.station:
            self.state = {"order_id": order.id}
            return Outcome(f"packing {order.display_name} again")
        if order.status == Status.PACKING:
            raise Refused(f"{order.display_name} is being packed at {order.station}")
        if order.status != Status.PICKED or not claim(s, order, from_status=Status.PICKED, to_status=Status.PACKING,
                                                      station=self.station, operator=self.operator):
            raise Refused(f"{order.display_name} is {order.status.replace('_', ' ')}, not ready to pack")
        self.state = {"order_id": order.id}
        return Outcome(f"packing {order.display_name}")

    def _verify(self, s: Session, order: Order, m: Meaning) -> Outcome:
        product, scan = m.product, m.scan
        lines = [ln for ln in order_lines(s, order) if ln.product_id == product.id]
        if not lines:
            raise Refused(f"{named(m)} is not in this order")
        line = next((ln for ln in lines if ln.packed < ln.picked), None)
        if line is None:
            n = sum(ln.picked for ln in lines)
            raise Refused(f"{named(m)}: one too many: all {n} of {product.sku} are verified already")
        if why := pack_refusal(s, line, scan):
            raise Refused(why)
        if not change(s, OrderLine, OrderLine.id == line.id, OrderLine.packed < OrderLine.picked, packed=1):
            raise Refused(f"one too many: all {line.picked} of {product.sku} are verified already")
        parcel = open_parcel(s, order, create=True)
        item = s.exec(select(ParcelItem).where(ParcelItem.parcel_id == parcel.id,
                                               ParcelItem.order_line_id == line.id)).first()
        if item is None:
            item = ParcelItem(parcel_id=parcel.id, order_line_id=line.id)
            s.add(item)
            s.flush()
        change(s, ParcelItem, ParcelItem.id == item.id, quantity=1)
        record_packed(s, item, line, scan)
        return Outcome(f"{product.sku} {line.packed} of {line.picked}", data={"sku": product.sku})

    def _box(self, s: Session, order: Order, box: BoxType, scan: str, retry: str | None) -> Outcome:
        parcel = open_parcel(s, order)
        if parcel is None or not parcel_contents(s, parcel):
            raise Refused("scan the units for this parcel first")
        expected = expected_weight(s, parcel, box)
        weight, source, decision = expected, "computed", None
        reading = self.scale.read() if self.scale is not None else None
        if reading is not None and reading.stable:
            weight, source = round(reading.grams), "scale"
            if expected is not None:
                off = abs(weight - expected)
                if off > WEIGHT_TOLERANCE * expected and off > WEIGHT_TOLERANCE_G:
                    if retry != scan:
                        self.sticky["weight_retry"] = scan
                        raise Refused(f"weight {weight} g, expected {expected} g: check the parcel, "
                                      "or scan the same again to accept")
                    decision = f"accepted {weight} g against expected {expected} g"
        parcel.box_code, parcel.weight_g, parcel.weight_source, parcel.status = box.code, weight, source, "packed"
        s.add(parcel)
        left = sum(ln.picked - ln.packed for ln in order_lines(s, order))
        data = {"box": box.code, "weight_g": weight, "weight_source": source, "decision": decision,
                "parcel": parcel.seq}
        if left:
            return Outcome(f"parcel {parcel.seq} closed in {box.code}; scan units for parcel {parcel.seq + 1}",
                           data=data)
        move(s, order, Status.PACKED, station=self.station, operator=self.operator)
        if order.tote:
            tote = s.exec(select(Tote).where(Tote.code == order.tote)).first()
            if tote is not None and tote.order_id == order.id:
                tote.order_id = None
                s.add(tote)
            order.tote = None
        order.station = None
        s.add(order)
        self.state = {}
        n = parcel.seq
        msg = f"{order.display_name} packed in {n} parcel{'s' if n > 1 else ''}"
        from warehouse_tui.workflow.printing import slip_when_packed

        slip = slip_when_packed(s, self.settings, self.printer, order, station=self.station, operator=self.operator)
        return Outcome(msg + (f"; {slip}" if slip else ""), data=data)

    def _release(self, s: Session, order: Order) -> Outcome:
        parcels = s.exec(select(Parcel.id).where(Parcel.order_id == order.id)).all()
        if parcels:
            items = select(ParcelItem.id).where(ParcelItem.parcel_id.in_(parcels))
            s.exec(delete(ParcelLot).where(ParcelLot.parcel_item_id.in_(items)))
            s.exec(delete(ParcelItem).where(ParcelItem.parcel_id.in_(parcels)))
            s.exec(delete(Parcel).where(Parcel.order_id == order.id))
        for ln in order_lines(s, order):
            ln.packed = 0
            s.add(ln)
        move(s, order, Status.PICKED, station=self.station, operator=self.operator, reason="released by %CANCEL")
        order.station = None
        s.add(order)
        self.state = {}
        return Outcome(f"released {order.display_name}")
