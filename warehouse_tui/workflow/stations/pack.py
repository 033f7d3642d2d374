"""The pack flow: a picked tote or order, one scan per unit, then a box (one per parcel)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, insert, text, update
from sqlalchemy import select as core_select
from sqlmodel import Session, delete, select

from warehouse_tui.domain.lifecycle import Status, check_move
from warehouse_tui.domain.models import (BoxType, Order, OrderLine, Parcel, ParcelItem, ParcelLot, PickedLot, Product,
                                         Tote, utcnow)
from warehouse_tui.workflow.lots import pack_refusal, record_packed
from warehouse_tui.workflow.orders import claim, move, record_move
from warehouse_tui.workflow.resolve import Meaning, What, named
from warehouse_tui.workflow.stations.base import Expect, Outcome, Refused, StationSession
from warehouse_tui.workflow.stations.rows import OrderRow, order_row, run

# a stable scale reading further than both of these from the expected weight is refused
WEIGHT_TOLERANCE = 0.10
WEIGHT_TOLERANCE_G = 50


@dataclass(slots=True)
class LineRow:
    """An order line as packing reads it."""

    id: int
    sku: str
    title: str
    product_id: int | None
    picked: int
    packed: int
    lots: bool  # some of it was picked by lot (else packing it reads no lots)


@dataclass(slots=True)
class ParcelRow:
    """The open parcel of an order, as boxing it needs."""

    id: int
    seq: int


@dataclass(slots=True)
class ContentRow:
    """Units of a product in a parcel, with what the box and the weight need of the product."""

    quantity: int
    has_product: bool
    weight_g: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None


# the statements of every pack scan, built once
_l, _pa, _pi, _p = OrderLine.__table__, Parcel.__table__, ParcelItem.__table__, Product.__table__
_by_lot = exists().where(PickedLot.__table__.c.order_line_id == _l.c.id)
_o = Order.__table__
# the order in hand with its lines, in one statement
_ORDER_LINES = (core_select(_o.c.id, _o.c.ref, _o.c.display_name, _o.c.status, _o.c.station, _o.c.tote,
                            _l.c.id, _l.c.sku, _l.c.title, _l.c.product_id, _l.c.picked, _l.c.packed, _by_lot)
                .select_from(_o.join(_l, _l.c.order_id == _o.c.id))
                .where(_o.c.id == bindparam("order_id")).order_by(_l.c.id))
_OPEN_PARCEL_ID = (core_select(_pa.c.id).where(_pa.c.order_id == bindparam("order_id"), _pa.c.status == "open")
                   .order_by(_pa.c.id).limit(1))
_LAST_SEQ = core_select(func.coalesce(func.max(_pa.c.seq), 0)).where(_pa.c.order_id == bindparam("order_id"))
# the order's open parcel with what is in it (one row a parcel item; none: the parcel alone)
_OPEN_CONTENTS = (core_select(_pa.c.id, _pa.c.seq, _pi.c.quantity, _p.c.id.is_not(None), _p.c.weight_g,
                              _p.c.length_mm, _p.c.width_mm, _p.c.height_mm)
                  .select_from(_pa.outerjoin(_pi, _pi.c.parcel_id == _pa.c.id)
                               .outerjoin(_l, _l.c.id == _pi.c.order_line_id)
                               .outerjoin(_p, _p.c.id == _l.c.product_id))
                  .where(_pa.c.order_id == bindparam("order_id"), _pa.c.status == "open")
                  .order_by(_pa.c.id, _pi.c.id))
_BOXES = select(BoxType)
# the order a tote holds, with its lines, in one statement
_TOTE_ORDER_LINES = (select(Order, _l.c.id, _l.c.sku, _l.c.title, _l.c.product_id, _l.c.picked, _l.c.packed,
                            _by_lot)
                     .join(Tote, Tote.order_id == Order.id).outerjoin(_l, _l.c.order_id == Order.id)
                     .where(Tote.code == bindparam("code")).order_by(_l.c.id))
# one unit verified: the line's count changes in SQL behind its guard
_PACK_LINE = (update(_l).where(_l.c.id == bindparam("which_line"), _l.c.packed < _l.c.picked)
              .values(packed=_l.c.packed + 1).returning(_l.c.packed))
_ITEM = core_select(_pi.c.id).where(_pi.c.parcel_id == bindparam("which_parcel"),
                                    _pi.c.order_line_id == bindparam("which_line"))
_NEW_ITEM = insert(_pi).returning(_pi.c.id)
_NEW_PARCEL = insert(_pa).returning(_pa.c.id)
_ITEM_PLUS_ONE = update(_pi).where(_pi.c.id == bindparam("which_item")).values(quantity=_pi.c.quantity + 1)
# PostgreSQL: the same in one round trip: the line's count behind its guard, then (only when it
# moved) the unit into the open parcel, one more of its item or a new item. No open parcel:
# the parcel is made, next in the order's sequence, and the unit goes into it.
_PACK_UNIT = text("""
WITH line AS (
    UPDATE order_lines SET packed = packed + 1 WHERE id = :which_line AND packed < picked RETURNING packed
), parcel AS (
    SELECT id FROM parcels
    WHERE order_id = :order_id AND status = 'open' AND EXISTS (SELECT 1 FROM line) ORDER BY id LIMIT 1
), made AS (
    INSERT INTO parcels (order_id, seq, status)
    SELECT :order_id, coalesce((SELECT max(seq) FROM parcels WHERE order_id = :order_id), 0) + 1, 'open'
    WHERE EXISTS (SELECT 1 FROM line) AND NOT EXISTS (SELECT 1 FROM parcel)
    RETURNING id
), target AS (
    SELECT id FROM parcel UNION ALL SELECT id FROM made
), more AS (
    UPDATE parcel_items SET quantity = quantity + 1
    WHERE parcel_id = (SELECT id FROM parcel) AND order_line_id = :which_line RETURNING id
), new AS (
    INSERT INTO parcel_items (parcel_id, order_line_id, quantity)
    SELECT id, :which_line, 1 FROM target WHERE NOT EXISTS (SELECT 1 FROM more) RETURNING id
)
SELECT (SELECT packed FROM line), coalesce((SELECT id FROM more), (SELECT id FROM new))
""")
# a box closes the open parcel; the last one sends the order on, out of the station and its tote
_CLOSE_PARCEL = (update(_pa).where(_pa.c.id == bindparam("which_parcel"), _pa.c.status == "open")
                 .values(box_code=bindparam("box"), weight_g=bindparam("grams"), weight_source=bindparam("source"),
                         status="packed"))
_PACKED = (update(_o).where(_o.c.id == bindparam("which"), _o.c.status == Status.PACKING.value,
                            _o.c.station == bindparam("mine"))
           .values(status=Status.PACKED.value, station=None, tote=None, updated_at=bindparam("now")))
_t = Tote.__table__
_TOTE_EMPTIED = update(_t).where(_t.c.code == bindparam("which_tote"), _t.c.order_id == bindparam("oid")).values(
    order_id=None)
# PostgreSQL: the last box in one round trip: the parcel closed, then (only when it was still
# open) the order packed and out of the station, then (only when that held) its tote emptied
_PACKED_ALL = text(f"""
WITH parcel AS (
    UPDATE parcels SET box_code = :box, weight_g = :grams, weight_source = :source, status = 'packed'
    WHERE id = :which_parcel AND status = 'open' RETURNING id
), packed AS (
    UPDATE orders SET status = '{Status.PACKED.value}', station = NULL, tote = NULL, updated_at = :now
    WHERE id = :which AND status = '{Status.PACKING.value}' AND station = :mine AND EXISTS (SELECT 1 FROM parcel)
    RETURNING id
), tote AS (
    UPDATE totes SET order_id = NULL WHERE code = :which_tote AND order_id = :which AND EXISTS (SELECT 1 FROM packed)
)
SELECT (SELECT count(*) FROM parcel), (SELECT count(*) FROM packed)
""")


def new_parcel(s: Session, order_id: int) -> int:
    """The order's next parcel, made open (its first unit is on its way); its id."""
    seq = run(s, _LAST_SEQ, {"order_id": order_id}).scalar_one()
    made = {"order_id": order_id, "seq": seq + 1, "status": "open"}
    return s.connection().execute(_NEW_PARCEL, made).scalar_one()


def open_parcel_contents(s: Session, order_id: int) -> tuple[ParcelRow | None, list[ContentRow]]:
    """The order's open parcel (None: none) and what is in it, read by one statement."""
    rows = run(s, _OPEN_CONTENTS, {"order_id": order_id}).all()
    if not rows:
        return None, []
    parcel = ParcelRow(rows[0][0], rows[0][1])
    return parcel, [ContentRow(*row[2:]) for row in rows if row[0] == parcel.id and row[2] is not None]


def expected_weight(contents: list[ContentRow], box: BoxType) -> int | None:
    total = box.weight_g
    for c in contents:
        if not c.has_product or c.weight_g is None:
            return None
        total += c.weight_g * c.quantity
    return total


def suggest_box(s: Session, contents: list[ContentRow]) -> BoxType | None:
    """The smallest box type the parcel's contents fill to 85% at most (and not too heavy)."""
    boxes = list(s.exec(_BOXES))
    if not boxes:
        return None
    volume, weight = 0, 0
    for c in contents:
        if c.has_product:
            volume += (c.length_mm or 0) * (c.width_mm or 0) * (c.height_mm or 0) * c.quantity
            weight += (c.weight_g or 0) * c.quantity
    boxes.sort(key=lambda b: (b.length_mm * b.width_mm * b.height_mm, b.code))
    for b in boxes:
        if volume <= 0.85 * b.length_mm * b.width_mm * b.height_mm and (b.max_weight_g is None or weight <= b.max_weight_g):
            return b
    return boxes[-1]


class PackSession(StationSession):
    mode = "pack"

    def forget_view(self) -> None:
        # the order and its lines as the last scan left them, known without reading them again
        self._after: tuple[OrderRow, list[LineRow]] | None = None

    def _look(self, s: Session) -> tuple[OrderRow | None, list[LineRow]]:
        """The order in hand (None: none, or no longer this station's) and its lines."""
        oid = self.state.get("order_id")
        rows = run(s, _ORDER_LINES, {"order_id": oid}).all() if oid else []
        o = OrderRow(*rows[0][:6]) if rows else order_row(s, oid)
        if o is None or o.status != Status.PACKING or o.station != self.station:
            self.state = {}
            return None, []
        return o, [LineRow(*row[6:]) for row in rows]

    def expectation(self, s: Session) -> Expect:
        view, self._after = getattr(self, "_after", None), None
        order, lines = view if view is not None else self._look(s)
        if order is None:
            return Expect("order", "scan a tote or an order to pack")
        left = sum(ln.picked - ln.packed for ln in lines)
        if left:
            ln = next(ln for ln in lines if ln.picked > ln.packed)
            return Expect("item", f"scan units: {left} left to verify", order=order, sku=ln.sku, title=ln.title,
                          quantity=ln.picked - ln.packed, tote=order.tote)
        parcel, contents = open_parcel_contents(s, order.id)
        box = suggest_box(s, contents) if parcel else None
        hint = f", or %DONE for {box.code}" if box else ""
        return Expect("box", f"scan a box{hint}", order=order, tote=order.tote, quantity=0)

    def on_scan(self, s: Session, m: Meaning) -> Outcome:
        order, lines = self._look(s)
        cmd = m.command if m.what is What.COMMAND else None
        retry = self.state.pop("weight_retry", None)  # only the very next scan may accept
        if order is None:
            if m.what is What.TOTE:
                rows = s.exec(_TOTE_ORDER_LINES, params={"code": m.tote}).all()
                if not rows:
                    raise Refused(f"{m.tote} holds no order")
                return self._take(s, rows[0][0], [LineRow(*row[1:]) for row in rows if row[1] is not None])
            if m.what is What.ORDER:
                return self._take(s, m.order)
            raise Refused(f"{named(m)} is not a tote or an order")
        if m.what in (What.ORDER, What.TOTE) or cmd in ("NEXT", "BATCH"):
            if m.what is What.TOTE and m.tote == order.tote:
                return Outcome(f"{order.display_name} is in hand")
            raise Refused(f"{named(m)}: {order.display_name} is in hand")
        if cmd == "CANCEL":
            return self._release(s, s.get(Order, order.id))
        if m.what is What.PRODUCT:
            return self._verify(s, order, lines, m)
        if m.what is What.BOX:
            return self._box(s, order, lines, m.box, m.scan.text, retry)
        if cmd == "DONE":
            left = sum(ln.picked - ln.packed for ln in lines)
            if left:
                raise Refused(f"{left} unit{'s' if left > 1 else ''} still to verify")
            opened = open_parcel_contents(s, order.id)
            box = suggest_box(s, opened[1]) if opened[0] else None
            if box is None:
                raise Refused("no box types are set up: scan a box")
            return self._box(s, order, lines, box, "%DONE", retry, opened)
        raise Refused(f"{named(m)} is not what is asked for")

    def _take(self, s: Session, order: Order, lines: list[LineRow] | None = None) -> Outcome:
        """Take the order for packing. ``lines``: its lines, read with it (no unit of a picked
        order is packed but by the station that holds it, so the claim leaves them as read)."""
        if order.status == Status.PACKING and order.station == self.station:
            msg = f"packing {order.display_name} again"
        elif order.status == Status.PACKING:
            raise Refused(f"{order.display_name} is being packed at {order.station}")
        elif order.status != Status.PICKED or not claim(s, order, from_status=Status.PICKED,
                                                        to_status=Status.PACKING, station=self.station,
                                                        operator=self.operator):
            raise Refused(f"{order.display_name} is {order.status.replace('_', ' ')}, not ready to pack")
        else:
            msg = f"packing {order.display_name}"
        self.state = {"order_id": order.id}
        if lines is not None:
            self._after = (OrderRow(order.id, order.ref, order.display_name, Status(order.status).value,
                                    order.station, order.tote), lines)
        return Outcome(msg)

    def _verify(self, s: Session, order: OrderRow, all_lines: list[LineRow], m: Meaning) -> Outcome:
        product, scan = m.product, m.scan
        lines = [ln for ln in all_lines if ln.product_id == product.id]
        if not lines:
            raise Refused(f"{named(m)} is not in this order")
        line = next((ln for ln in lines if ln.packed < ln.picked), None)
        if line is None:
            n = sum(ln.picked for ln in lines)
            raise Refused(f"{named(m)}: one too many: all {n} of {product.sku} are verified already")
        if why := pack_refusal(s, line, scan):
            raise Refused(why)
        packed, item_id = self._pack_unit(s, order.id, line.id)
        if packed is None:
            raise Refused(f"one too many: all {line.picked} of {product.sku} are verified already")
        line.packed = packed
        record_packed(s, item_id, line, scan)
        self._after = (order, all_lines)  # nothing else of them changed
        return Outcome(f"{product.sku} {line.packed} of {line.picked}", data={"sku": product.sku})

    @staticmethod
    def _pack_unit(s: Session, order_id: int, line_id: int) -> tuple[int | None, int | None]:
        """One unit verified: (the line's units packed now, the parcel item it went into), or
        (None, None) when the line has no unit left to verify."""
        s.flush()
        c = s.connection()
        if c.dialect.name == "postgresql":
            packed, item_id = c.execute(_PACK_UNIT, {"which_line": line_id, "order_id": order_id}).one()
            return packed, item_id
        packed = c.execute(_PACK_LINE, {"which_line": line_id}).scalar()
        if packed is None:
            return None, None
        parcel_id = run(s, _OPEN_PARCEL_ID, {"order_id": order_id}).scalar()
        if parcel_id is not None:
            item_id = c.execute(_ITEM, {"which_parcel": parcel_id, "which_line": line_id}).scalar()
            if item_id is not None:
                c.execute(_ITEM_PLUS_ONE, {"which_item": item_id})
                return packed, item_id
        else:  # the first unit of a parcel
            parcel_id = new_parcel(s, order_id)
        item = {"parcel_id": parcel_id, "order_line_id": line_id, "quantity": 1}
        return packed, s.connection().execute(_NEW_ITEM, item).scalar_one()

    def _box(self, s: Session, row: OrderRow, lines: list[LineRow], box: BoxType, scan: str,
             retry: str | None, opened: tuple[ParcelRow | None, list[ContentRow]] | None = None) -> Outcome:
        parcel, contents = opened or open_parcel_contents(s, row.id)
        if not contents:
            raise Refused("scan the units for this parcel first")
        expected = expected_weight(contents, box)
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
        c = s.connection()
        closing = {"which_parcel": parcel.id, "box": box.code, "grams": weight, "source": source}
        # the lines as this scan read them: closing a parcel changes none of their counts
        left = sum(ln.picked - ln.packed for ln in lines)
        data = {"box": box.code, "weight_g": weight, "weight_source": source, "decision": decision,
                "parcel": parcel.seq}
        if not left:
            check_move(row.status, Status.PACKED)
        if left or c.dialect.name != "postgresql":
            if c.execute(_CLOSE_PARCEL, closing).rowcount != 1:
                raise Refused(f"parcel {parcel.seq} changed meanwhile: scan the box again")
            if left:
                return Outcome(f"parcel {parcel.seq} closed in {box.code}; scan units for parcel {parcel.seq + 1}",
                               data=data)
            if c.execute(_PACKED, {"which": row.id, "mine": self.station, "now": utcnow()}).rowcount != 1:
                raise Refused(f"{row.display_name} changed meanwhile: scan the box again")
            if row.tote:
                c.execute(_TOTE_EMPTIED, {"which_tote": row.tote, "oid": row.id})
        else:  # the same three changes, in one round trip
            closed, packed = c.execute(_PACKED_ALL, {**closing, "which": row.id, "mine": self.station,
                                                     "now": utcnow(), "which_tote": row.tote}).one()
            if closed != 1:
                raise Refused(f"parcel {parcel.seq} changed meanwhile: scan the box again")
            if packed != 1:
                raise Refused(f"{row.display_name} changed meanwhile: scan the box again")
        record_move(s, row.id, row.status, Status.PACKED, station=self.station, operator=self.operator)
        self.state = {}
        self.finished_row(row, status=Status.PACKED, station=None, tote=None)  # as _PACKED left it
        n = parcel.seq
        msg = f"{row.display_name} packed in {n} parcel{'s' if n > 1 else ''}"
        from warehouse_tui.workflow.printing import slip_when_packed

        slip = slip_when_packed(s, self.settings, self.printer, row.id, station=self.station, operator=self.operator)
        return Outcome(msg + (f"; {slip}" if slip else ""), data=data)

    def _release(self, s: Session, order: Order) -> Outcome:
        parcels = s.exec(select(Parcel.id).where(Parcel.order_id == order.id)).all()
        if parcels:
            items = select(ParcelItem.id).where(ParcelItem.parcel_id.in_(parcels))
            s.exec(delete(ParcelLot).where(ParcelLot.parcel_item_id.in_(items)))
            s.exec(delete(ParcelItem).where(ParcelItem.parcel_id.in_(parcels)))
            s.exec(delete(Parcel).where(Parcel.order_id == order.id))
        for ln in s.exec(select(OrderLine).where(OrderLine.order_id == order.id)):
            ln.packed = 0
            s.add(ln)
        move(s, order, Status.PICKED, station=self.station, operator=self.operator, reason="released by %CANCEL")
        order.station = None
        s.add(order)
        self.state = {}
        return Outcome(f"released {order.display_name}")
