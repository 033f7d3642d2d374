"""The label flow: a packed order's labels print at once, then each printed label is scanned."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Document, Order, Parcel, utcnow
from warehouse_tui.workflow.labels import LabelError, load_renderer, print_label
from warehouse_tui.workflow.orders import adopt, move, record_move
from warehouse_tui.workflow.resolve import Meaning, What, named
from warehouse_tui.workflow.stations.base import Expect, Outcome, Refused, StationSession
from warehouse_tui.carriers import carrier_for_destination, format_tracking
from sqlalchemy import bindparam, text, update
from sqlalchemy.orm.attributes import set_committed_value

# built once: every label scan reads the order's parcels
_PARCELS = select(Parcel).where(Parcel.order_id == bindparam("order_id"), Parcel.status != "void").order_by(Parcel.seq)


_orders = Order.__table__
# built once: a label station takes a packed order that no station holds
_TAKE = (update(_orders)
         .where(_orders.c.id == bindparam("which"), _orders.c.station.is_(None), _orders.c.status == bindparam("was"))
         .values(station=bindparam("mine")).returning(*_orders.c))


# built once: the document of each label printed
_DOCUMENT = Document.__table__.insert()

# PostgreSQL: a label scanned back in one round trip. The order's row is locked first, and
# only while the station still holds it as read (another writer's change, committed while this
# waited on the row, shows as no row): the parcel verified; then, when that made every parcel
# of the order verified, the order shipped and out of the station. Answered with the order's
# parcels as they are now (the statement's own reads see the rows as they were before it,
# hence the CASE), each with whether the order was still held, and whether it shipped.
_VERIFY = text(f"""
WITH held AS (
    SELECT id FROM orders WHERE id = :oid AND station = :mine AND status = :was FOR UPDATE
), v AS (
    UPDATE parcels SET status = 'verified', verified_at = :now
    WHERE id = :which AND status <> 'verified' AND EXISTS (SELECT 1 FROM held) RETURNING id
), shipped AS (
    UPDATE orders SET status = '{Status.SHIPPED.value}', station = NULL, updated_at = :now
    WHERE id IN (SELECT id FROM held) AND EXISTS (SELECT 1 FROM v)
      AND NOT EXISTS (SELECT 1 FROM parcels WHERE order_id = :oid AND id <> :which
                      AND status NOT IN ('void', 'verified'))
    RETURNING id
)
SELECT p.id, p.seq, CASE WHEN p.id IN (SELECT id FROM v) THEN 'verified' ELSE p.status END,
       p.tracking_number, (SELECT count(*) FROM held), (SELECT count(*) FROM v), (SELECT count(*) FROM shipped)
FROM parcels p WHERE p.order_id = :oid AND p.status <> 'void' ORDER BY p.seq
""")


@dataclass(slots=True)
class ParcelView:
    """A parcel as the label station's next instruction needs it."""

    id: int
    seq: int
    status: str
    tracking_number: str | None


def parcels_of(s: Session, order: Order) -> list[Parcel]:
    return list(s.exec(_PARCELS, params={"order_id": order.id}))


def _labels(n: int) -> str:
    return f"{n} label{'s' if n != 1 else ''}"


class LabelSession(StationSession):
    mode = "label"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the label renderer and its font metrics loaded now, not in the first label's scan
        load_renderer(self.settings.label_format)

    def _order(self, s: Session) -> Order | None:
        oid = self.state.get("order_id")
        o = s.get(Order, oid) if oid else None
        if o is None or o.station != self.station or o.status not in (Status.PACKED, Status.LABELED):
            self.state = {}
            return None
        return o

    def _carrier(self, order: Order) -> str | None:
        """The configured carrier that prints this order's labels, or None: scan bought labels."""
        return carrier_for_destination(list(self.settings.carriers), order.ship_country or "")

    def forget_view(self) -> None:
        # the parcels of the order in hand as the last scan left them: read no more after it
        self._after: tuple[int, list[Parcel]] | None = None

    def expectation(self, s: Session) -> Expect:
        order = self._order(s)
        if order is None:
            return Expect("order", "scan a packed order")
        view, self._after = getattr(self, "_after", None), None
        parcels = view[1] if view is not None and view[0] == order.id else parcels_of(s, order)
        todo = [p for p in parcels if p.status != "verified"]
        if not todo:  # pragma: no cover - shipped orders leave the station at once
            return Expect("order", "scan a packed order")
        p = todo[0]
        n = f"parcel {p.seq} of {len(parcels)}"
        if p.tracking_number:
            return Expect("label", f"scan the label just printed: {format_tracking(p.tracking_number)} ({n})",
                          order=order)
        return Expect("label", f"scan the carrier label for {n}", order=order)

    def on_scan(self, s: Session, m: Meaning) -> Outcome:
        order = self._order(s)
        cmd = m.command if m.what is What.COMMAND else None
        if order is None:
            if m.what is What.TOTE:
                raise Refused(f"{m.tote}: totes are emptied at packing; scan the order")
            if m.what is What.PARCEL and m.order is not None:
                return self._take(s, m.order)
            if m.what is not What.ORDER:
                raise Refused(f"{named(m)} is not a packed order or its label")
            return self._take(s, m.order)
        if cmd == "CANCEL":
            order.station = None
            s.add(order)
            self.state = {}
            return Outcome(f"released {order.display_name} ({order.status})")
        if m.what is What.ORDER:
            raise Refused(f"{named(m)}: {order.display_name} is in hand")
        if m.what is What.PARCEL:
            return self._verify(s, order, m.parcel)
        if m.what is What.TRACKING:
            return self._record_bought(s, order, m)
        raise Refused(f"{named(m)} is not a label of {order.display_name}")

    def _take(self, s: Session, order: Order) -> Outcome:
        if order.station == self.station and order.status in (Status.PACKED, Status.LABELED):
            self.state = {"order_id": order.id}
            if order.status == Status.PACKED and self._carrier(order):
                return self._print_all(s, order)
            return Outcome(f"{order.display_name} again")
        if order.station is not None and order.status in (Status.PACKED, Status.LABELED):
            raise Refused(f"{order.display_name} is at {order.station}")
        if order.status not in (Status.PACKED, Status.LABELED):
            raise Refused(f"{order.display_name} is {order.status.replace('_', ' ')}, not packed")
        s.flush()
        row = s.connection().execute(_TAKE, {"which": order.id, "was": order.status, "mine": self.station}).first()
        if row is None:
            raise Refused(f"{order.display_name} was just taken by another station")
        adopt(order, row)
        self.state = {"order_id": order.id}
        if order.status == Status.PACKED and self._carrier(order):
            return self._print_all(s, order)
        if order.status == Status.LABELED:
            return Outcome(f"{order.display_name}: scan its labels")
        return Outcome(f"{order.display_name}: scan the carrier label bought for it")

    def _print_all(self, s: Session, order: Order) -> Outcome:
        """Print every parcel's label; each printed label is committed at once, so a failure
        later on never takes back a tracking number that is on a printed label."""
        carrier = self._carrier(order)
        parcels = parcels_of(s, order)
        numbers, printed = [], []
        waiting = [p for p in parcels if not (p.tracking_number and p.labeled_at is not None)]
        for p in parcels:
            if p not in waiting:
                numbers.append(p.tracking_number)
                continue
            try:
                doc = print_label(s, self.settings, self.printer, order, p, len(parcels), carrier)
            except LabelError as exc:
                s.execute(update(Order).where(Order.id == order.id).values(station=None))
                s.commit()
                self.state = {}
                raise Refused(f"label for parcel {p.seq} not printed: {exc}; {order.display_name} stays packed") from None
            s.connection().execute(_DOCUMENT, {"station": self.station, "order_id": order.id, "parcel_id": p.id,
                                               "kind": "label", "format": doc.format, "data": doc.data,
                                               "created_at": utcnow()})
            numbers.append(p.tracking_number)
            printed.append(p)
            if p is not waiting[-1]:
                # a label on paper stays recorded whatever befalls the next one; the last is
                # recorded with the order's move to labeled, in the scan's own commit (its
                # number was committed before it printed: printed again, it is the same)
                s.commit()
        move(s, order, Status.LABELED, station=self.station, operator=self.operator)
        self._after = (order.id, parcels)
        msg = f"printed {_labels(len(printed))} for {order.display_name}"
        if len(printed) < len(parcels):  # after a void: only the parcels without a label
            msg += f" (parcel {', '.join(str(p.seq) for p in printed)} of {len(parcels)})"
        return Outcome(msg, tracking_number=numbers[0] if numbers else None,
                       tracking_numbers=numbers if len(numbers) > 1 else None,
                       data={"tracking_numbers": numbers})

    def _reprint(self, s: Session) -> Outcome:
        """The labels of the order in hand not yet scanned back (the last print, or what is
        left of it); with no such order, the last document as at any station."""
        order = self._order(s)
        waiting = [p for p in parcels_of(s, order) if p.status == "labeled"] if order else []
        docs = [d for p in waiting
                if (d := s.exec(select(Document).where(Document.kind == "label", Document.parcel_id == p.id)
                                .order_by(Document.id.desc())).first()) is not None]
        if not docs:
            return super()._reprint(s)
        if self.printer is None:
            raise Refused("no printer configured")
        from warehouse_tui.documents.base import Document as Doc, PrintError
        from warehouse_tui.workflow.ledger import record

        for doc in docs:
            try:
                where = self.printer.send(Doc(kind=doc.kind, format=doc.format, data=doc.data,
                                              name=f"{doc.kind}-{doc.id}-reprint"))
            except PrintError as exc:
                raise Refused(f"reprint failed: {exc}") from None
            record(s, "print", order=order, station=self.station, operator=self.operator,
                   message=f"reprinted label to {where}", document=doc.id)
        total = len(parcels_of(s, order))
        which = "" if len(docs) == total else f" (parcel {', '.join(str(p.seq) for p in waiting)} of {total})"
        return Outcome(f"reprinted {_labels(len(docs))} for {order.display_name}{which}")

    def _verify(self, s: Session, order: Order, parcel: Parcel) -> Outcome:
        if parcel.order_id != order.id:
            other = s.get(Order, parcel.order_id)
            raise Refused(f"label {parcel.tracking_number} is for {other.display_name if other else 'another order'}, "
                          f"not {order.display_name}")
        if parcel.status == "verified":
            return Outcome(f"parcel {parcel.seq} is verified already")
        msg = f"parcel {parcel.seq} verified"
        if self.db.is_sqlite:
            parcel.status, parcel.verified_at = "verified", utcnow()
            s.add(parcel)
            return self._maybe_shipped(s, order, msg, parcel.tracking_number)
        s.flush()
        now = utcnow()
        rows = s.connection().execute(_VERIFY, {"now": now, "which": parcel.id, "oid": order.id,
                                                "mine": self.station, "was": Status(order.status).value}).all()
        if not rows or rows[0][4] != 1:
            raise Refused(f"{order.display_name} changed meanwhile: scan the label again")
        if rows[0][5] != 1:
            raise Refused(f"parcel {parcel.seq} changed meanwhile: scan its label again")
        for key, value in (("status", "verified"), ("verified_at", now)):
            set_committed_value(parcel, key, value)
        parcels = [ParcelView(*row[:4]) for row in rows]
        if not rows[0][6]:
            self._after = (order.id, parcels)
            return Outcome(msg, tracking_number=parcel.tracking_number)
        was = order.status
        for key, value in (("status", Status.SHIPPED.value), ("station", None), ("updated_at", now)):
            set_committed_value(order, key, value)
        record_move(s, order, was, Status.SHIPPED, station=self.station, operator=self.operator)
        return self._shipped(order, parcels, parcel.tracking_number)

    def _record_bought(self, s: Session, order: Order, m: Meaning) -> Outcome:
        from warehouse_tui.workflow.manifests import voided_numbers

        if m.scan.tracking.number in voided_numbers(s, order.id):
            raise Refused(f"{m.scan.tracking.number} is a voided label: scan its new label")
        parcels = parcels_of(s, order)
        todo = [p for p in parcels if not p.tracking_number]
        if not todo:
            raise Refused(f"{m.scan.tracking.number} is not a label of {order.display_name}")
        p = todo[0]
        now = utcnow()
        p.tracking_number, p.carrier = m.scan.tracking.number, m.scan.tracking.carrier
        p.status, p.labeled_at, p.verified_at = "verified", now, now
        s.add(p)
        if order.status == Status.PACKED:
            move(s, order, Status.LABELED, station=self.station, operator=self.operator)
        return self._maybe_shipped(s, order, f"parcel {p.seq}: {p.carrier} {p.tracking_number}", p.tracking_number)

    def _maybe_shipped(self, s: Session, order: Order, msg: str, tracking: str | None) -> Outcome:
        s.flush()
        parcels = parcels_of(s, order)
        if all(p.status == "verified" for p in parcels):
            move(s, order, Status.SHIPPED, station=self.station, operator=self.operator)
            order.station = None
            s.add(order)
            return self._shipped(order, parcels, tracking)  # written when the scan's changes are flushed
        self._after = (order.id, parcels)
        return Outcome(msg, tracking_number=tracking)

    def _shipped(self, order: Order, parcels: list, tracking: str | None) -> Outcome:
        self.state = {}
        self.finished_row(order)
        numbers = [p.tracking_number for p in parcels if p.tracking_number]
        return Outcome(f"{order.display_name} shipped: {', '.join(numbers)}", tracking_number=tracking)
