"""What an operator does to an order from its detail: a note, a reprint, a hold (a release or
a cancellation is a supervisor's override: ``workflow.overrides``).

Plain functions over the database; the console calls them in a thread.
"""

from __future__ import annotations

from warehouse_tui.domain.models import Order, Parcel
from warehouse_tui.workflow.views import documents_of, operator_role


def add_note(db, order_id: int, text: str, *, station: str, operator: str | None) -> str:
    from warehouse_tui.workflow.ledger import record

    with db.write() as s:
        record(s, "note", order=order_id, station=station, operator=operator, message=text)
    return "note added"


def reprint(db, printer, order_id: int, *, station: str, operator: str | None) -> str:
    from warehouse_tui.documents.base import Document as Doc, PrintError
    from warehouse_tui.workflow.ledger import record

    if printer is None:
        raise ValueError("no printer configured")
    with db.session() as s:
        printed = documents_of(s, order_id)
        # a label whose parcel was voided (and not labeled again) is never sent again
        docs = [d for d in printed
                if d.kind != "label" or (d.parcel_id and (p := s.get(Parcel, d.parcel_id)) is not None
                                         and p.tracking_number is not None)]
    if not docs and printed:
        raise ValueError("its label was voided: the label station prints a new one")
    if not docs:
        raise ValueError("nothing has been printed for this order")
    sent = []
    for d in docs:
        try:
            where = printer.send(Doc(kind=d.kind, format=d.format, data=d.data, name=f"{d.kind}-{d.id}-reprint"))
        except PrintError as exc:
            raise ValueError(f"reprint failed: {exc}") from None
        with db.write() as s:
            record(s, "print", order=order_id, station=station, operator=operator,
                   message=f"reprinted {d.kind} to {where}", document=d.id)
        sent.append(d.kind.replace("_", " "))
    counted = {kind: sent.count(kind) for kind in dict.fromkeys(sent)}
    return "reprinted " + ", ".join(f"{n} {kind}s" if n > 1 else kind for kind, n in counted.items())


def hold(db, order_id: int, reason: str, *, station: str, operator: str | None) -> str:
    from warehouse_tui.workflow.supervisor import hold as hold_order

    with db.write() as s:
        return hold_order(s, s.get(Order, order_id), reason, station=station, operator=operator)


def operator_known(db, name: str) -> bool:
    with db.session() as s:
        return operator_role(s, name) is not None
