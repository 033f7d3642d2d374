"""Documents the stations and commands print: packing slips, pick lists, the command sheet.

Every document sent to a printer is first stored in the ``documents`` table, in the caller's
transaction, so ``%REPRINT`` can send it again even when the first attempt failed. Only the
shipping label decides whether its step happens (``workflow.labels``); a slip or a pick list
that does not print never holds up the order, the operator is told and can reprint.
"""

from __future__ import annotations

from sqlmodel import Session, select

from warehouse_tui.config import Settings
from warehouse_tui.documents.base import Document as Doc
from warehouse_tui.documents.base import (
    PickLine,
    PickListData,
    PickOrder,
    PrintError,
    SlipData,
    SlipLine,
)
from warehouse_tui.domain.models import (
    Allocation,
    Bin,
    Document,
    Operator,
    Order,
    OrderLine,
    utcnow,
)
from warehouse_tui.scanning.grammar import order_barcode
from warehouse_tui.workflow.labels import ship_to
from warehouse_tui.workflow.ledger import record

SLIP_PAGES = ("a4", "letter", "4x6")


def open_printer(spec: str):
    """The printer a ``--printer`` spec names; ValueError naming the spec if it is not one."""
    from warehouse_tui.documents.printers import open_printer as _open

    return _open(spec)


def store(s: Session, doc: Doc, *, station: str | None, order_id: int | None = None,
          parcel_id: int | None = None) -> Document:
    row = Document(station=station, order_id=order_id, parcel_id=parcel_id, kind=doc.kind,
                   format=doc.format, data=doc.data)
    s.add(row)
    s.flush()
    return row


def send(s: Session, printer, doc: Doc, *, station: str | None, operator: str | None,
         order_id: int | None = None) -> str:
    """Store ``doc``, then print it; where it went, or PrintError saying why not."""
    row = store(s, doc, station=station, order_id=order_id)
    where = printer.send(doc)
    record(s, "print", order=order_id, station=station, operator=operator,
           message=f"printed {doc.kind.replace('_', ' ')} to {where}", document=row.id)
    return where


def try_send(s: Session, settings: Settings, printer, doc: Doc, *, station: str | None,
             operator: str | None, order_id: int | None = None) -> str:
    """Print a document that must not hold up the step: a few words for the operator either way.
    It is stored first, so after a failure ``%REPRINT`` sends it again."""
    what = doc.kind.replace("_", " ")
    row = store(s, doc, station=station, order_id=order_id)
    try:
        where = (printer or open_printer(settings.printer)).send(doc)
    except (PrintError, ValueError) as exc:
        record(s, "print", order=order_id, station=station, operator=operator, ok=False,
               message=f"{what} not printed: {exc}", document=row.id)
        return f"{what} not printed: {exc}; %REPRINT to try again"
    record(s, "print", order=order_id, station=station, operator=operator, ok=True,
           message=f"printed {what} to {where}", document=row.id)
    return f"{what} printed"


# -- packing slip -------------------------------------------------------------------------

def slip_data(s: Session, settings: Settings, order: Order) -> SlipData:
    lines = s.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    shipped = [SlipLine(ln.sku, ln.title, ln.packed or ln.quantity - ln.short) for ln in lines]
    return SlipData(
        order_ref=order.display_name, order_barcode=order_barcode(order.id), placed_at=order.placed_at,
        ship_from=settings.ship_from, ship_to=ship_to(order),
        lines=[ln for ln in shipped if ln.quantity > 0],
        return_instructions=settings.return_instructions,
    )


def slip_page(settings: Settings, page: str | None = None) -> str:
    page = (page or getattr(settings, "slip_page", None) or "a4").lower()
    if page not in SLIP_PAGES:
        raise ValueError(f"slip page must be a4, letter or 4x6, not {page!r}")
    return page


def packing_slip(s: Session, settings: Settings, order: Order, page: str | None = None) -> Doc:
    from warehouse_tui.documents.render import render_packing_slip

    return render_packing_slip(slip_data(s, settings, order), slip_page(settings, page))


def slip_when_packed(s: Session, settings: Settings, printer, order_id: int, *, station: str,
                     operator: str | None) -> str | None:
    """The packing slip, when the config asks for one at packing; None when it does not."""
    if not getattr(settings, "print_packing_slip", False):
        return None
    order = s.get(Order, order_id, populate_existing=True)  # as the scan's statements left it
    try:
        doc = packing_slip(s, settings, order)
    except ValueError as exc:
        return f"packing slip not printed: {exc}"
    return try_send(s, settings, printer, doc, station=station, operator=operator, order_id=order.id)


# -- pick list ----------------------------------------------------------------------------

def pick_list_data(s: Session, orders: list[Order], title: str | None = None) -> PickListData:
    """The units still to pick for these orders, in walking order of bins, then batch order."""
    rank = {o.id: i for i, o in enumerate(orders)}
    by_id = {o.id: o for o in orders}
    rows = s.exec(
        select(Allocation, OrderLine, Bin)
        .join(OrderLine, OrderLine.id == Allocation.order_line_id)
        .join(Bin, Bin.id == Allocation.bin_id)
        .where(OrderLine.order_id.in_(list(rank)), Allocation.quantity > Allocation.picked)
    ).all()
    rows = sorted(rows, key=lambda r: (r[2].sequence, r[2].code, rank[r[1].order_id], r[1].id, r[0].id))
    lines = [PickLine(b.code, ln.sku, ln.title, a.quantity - a.picked, by_id[ln.order_id].display_name)
             for a, ln, b in rows]
    now = utcnow()
    return PickListData(
        title=title or f"Batch {now:%Y-%m-%d %H:%M}", created_at=now.replace(tzinfo=None),
        orders=[PickOrder(o.display_name, order_barcode(o.id), o.tote) for o in orders], lines=lines,
    )


def pick_list(s: Session, orders: list[Order], title: str | None = None) -> Doc:
    from warehouse_tui.documents.render import render_pick_list

    return render_pick_list(pick_list_data(s, orders, title))


def next_ready_orders(s: Session, n: int) -> list[Order]:
    """The next ``n`` ready orders no station holds, by priority (earliest ship-by first)."""
    from warehouse_tui.domain.lifecycle import Status

    q = select(Order).where(Order.status == Status.READY, Order.station.is_(None))
    q = q.order_by(Order.priority.desc(), Order.ship_by.is_(None), Order.ship_by, Order.ref)
    return list(s.exec(q.limit(n)))


def pick_list_for_batch(s: Session, settings: Settings, printer, orders: list[Order], *, station: str,
                        operator: str | None) -> str | None:
    """The batch's pick list when the config asks for it and the station has a printer."""
    if printer is None or not orders or not getattr(settings, "print_pick_list", False):
        return None
    doc = pick_list(s, orders, title=f"{station} batch {utcnow():%Y-%m-%d %H:%M}")
    return try_send(s, settings, printer, doc, station=station, operator=operator)


# -- command sheet ------------------------------------------------------------------------

def command_sheet(s: Session, badges: bool) -> Doc:
    from warehouse_tui.documents.render import render_command_sheet

    names = list(s.exec(select(Operator.name).order_by(Operator.name))) if badges else []
    return render_command_sheet(names)
