"""What a scan means: the grammar's reading, looked up in the warehouse.

``scanning.grammar`` knows the syntax (commands, prefixes, GS1, GTIN check digits, tracking
number formats); this module decides what the scan names in this database, in one fixed
order, so the console and the headless station always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import String, bindparam, case, cast, func, literal
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from warehouse_tui.carriers.tracking import check_digit_problem
from warehouse_tui.domain.lifecycle import OPEN
from warehouse_tui.domain.models import Barcode, Bin, BoxType, Operator, Order, Parcel, Product
from warehouse_tui.scanning.grammar import Kind, ParsedScan, ScanRefused, normalise_barcode


class What(StrEnum):
    COMMAND = "command"
    ORDER = "order"
    TOTE = "tote"
    BIN = "bin"
    PRODUCT = "product"
    BOX = "box"
    PARCEL = "parcel"  # a tracking number we issued or recorded
    TRACKING = "tracking"  # a valid tracking number we do not know yet (a label bought elsewhere)
    BADGE = "badge"


@dataclass(slots=True)
class BinRow:
    """A bin as a scan names it (its row, read with the scan's text)."""

    id: int
    code: str
    sequence: int


@dataclass(slots=True)
class ProductRow:
    """A product as a scan names it: what the flows and their refusals need of it."""

    id: int
    sku: str
    title: str
    lot_tracked: bool = False


@dataclass
class Meaning:
    what: What
    scan: ParsedScan
    command: str | None = None
    order: Order | None = None
    tote: str | None = None
    bin: BinRow | None = None
    product: Product | ProductRow | None = None
    box: BoxType | None = None
    parcel: Parcel | None = None
    operator: str | None = None

    @property
    def tracking_number(self) -> str | None:
        if self.parcel is not None:
            return self.parcel.tracking_number
        return self.scan.tracking.number if self.scan.tracking else None


# the lookups of every scan, built once
_OPERATOR = select(Operator).where(Operator.name == bindparam("name"))
_BOX = select(BoxType).where(BoxType.code == bindparam("code"))
_BARCODE = select(Product).join(Barcode, Barcode.product_id == Product.id).where(Barcode.code == bindparam("code"))
# a parcel with the order it belongs to, in one statement (by tracking number, or by its id)
_PARCEL = (select(Parcel, Order).outerjoin(Order, Order.id == Parcel.order_id)
           .where(Parcel.tracking_number == bindparam("number")))
_PARCEL_BY_ID = select(Parcel, Order).outerjoin(Order, Order.id == Parcel.order_id).where(Parcel.id == bindparam("which"))
_BY_REF = select(Order).where(Order.ref == bindparam("ref"))
_BY_NAME = select(Order).where(Order.display_name.in_(bindparam("names", expanding=True)))

# What a scan's text names, by one statement: the first of a bin (with its row), a product by
# SKU, a product by barcode, a parcel by tracking number, an order by channel order id, an
# order by display name; each an indexed lookup, tried in that order (COALESCE evaluates its
# arguments only until one is not null), answered as "rank:id", with the row where the scan
# needs it: "1:id:sequence:code" for a bin, "2:id:lot:n:sku+title" for a product (lot "1" when
# lot-tracked; n the SKU's length in characters, the title after it).
BIN, SKU, BARCODE, PARCEL, REF, NAME = range(1, 7)
_b, _p, _bc, _pa, _o = Bin.__table__, Product.__table__, Barcode.__table__, Parcel.__table__, Order.__table__


def _first(rank: int, ident, where, *more):
    text = literal(f"{rank}:", String) + cast(ident, String)
    for column in more:
        text = text + literal(":", String) + cast(column, String)
    return core_select(text).where(where).limit(1).scalar_subquery()


def _product(rank: int, where, *joined):
    lot = case((_p.c.lot_tracked, literal("1", String)), else_=literal("0", String))
    text = (literal(f"{rank}:", String) + cast(_p.c.id, String) + literal(":", String) + lot + literal(":", String)
            + cast(func.length(_p.c.sku), String) + literal(":", String) + _p.c.sku + func.coalesce(_p.c.title, ""))
    stmt = core_select(text)
    for table, on in joined:
        stmt = stmt.select_from(table.join(_p, on))
    return stmt.where(where).limit(1).scalar_subquery()


NAMED = func.coalesce(
    _first(BIN, _b.c.id, _b.c.code == bindparam("upper"), _b.c.sequence, _b.c.code),
    _product(SKU, _p.c.sku == bindparam("text")),
    _product(BARCODE, _bc.c.code == bindparam("barcode"), (_bc, _p.c.id == _bc.c.product_id)),
    _first(PARCEL, _pa.c.id, _pa.c.tracking_number == bindparam("number")),
    _first(REF, _o.c.id, _o.c.ref == bindparam("text")),
    _first(NAME, _o.c.id, _o.c.display_name.in_([bindparam("name"), bindparam("other_name")])),
)
_NAMED = core_select(NAMED)


def _names(text: str) -> tuple[str, str]:
    """A display name as scanned, and the same with or without its '#'."""
    return text, (text[1:] if text.startswith("#") else "#" + text)


def find_orders(s: Session, text: str) -> list[Order]:
    """Orders named by a channel order id or a display name (with or without '#')."""
    found = list(s.exec(_BY_REF, params={"ref": text}))
    if not found:
        found = list(s.exec(_BY_NAME, params={"names": sorted(set(_names(text)))}))
    return _open_first(found)


def _open_first(found: list[Order]) -> list[Order]:
    if len(found) > 1:
        open_ones = [o for o in found if o.status in OPEN]
        found = open_ones or found
    return found


def _one(found: list[Order], text: str) -> Order | None:
    if len(found) > 1:
        where = ", ".join(f"{o.channel} {o.display_name}" for o in found[:4])
        raise ScanRefused(f"{text} names {len(found)} orders ({where}): scan the order barcode on its documents")
    return found[0] if found else None


def _product_by_code(s: Session, code: str) -> Product | None:
    return s.exec(_BARCODE, params={"code": code}).first()


def lookup_params(scan: ParsedScan) -> dict | None:
    """The parameters of ``NAMED`` when a plain code's meaning is decided by that one lookup
    (so a caller may send it with a statement of its own and hand ``resolve`` the answer);
    None for every other scan."""
    if scan.kind is not Kind.TEXT or scan.tracking is not None:
        return None
    return _params(scan)


def _params(scan: ParsedScan) -> dict:
    text = scan.text
    upper = text.upper()
    name, other_name = _names(text)
    return {"upper": upper, "text": text, "barcode": scan.gtin or normalise_barcode(text),
            "number": upper.replace(" ", ""), "name": name, "other_name": other_name}


NOT_READ = object()  # resolve's ``named`` when the caller did not read it


def _named(s: Session, scan: ParsedScan, found=NOT_READ) -> Meaning | None:
    """What the scan's text names here, the first in the order above; None: nothing.
    ``found``: ``NAMED``'s answer when the caller read it already."""
    text = scan.text
    name, other_name = _names(text)
    if found is NOT_READ:
        s.flush()
        found = s.connection().execute(_NAMED, _params(scan)).scalar()
    if found is None:
        return None
    rank, ident, *rest = found.split(":", 3)
    rank, ident = int(rank), int(ident)
    if rank == BIN:
        return Meaning(What.BIN, scan, bin=BinRow(ident, rest[1], int(rest[0])))
    if rank in (SKU, BARCODE):
        lot, length, rest = rest[0], *rest[1].split(":", 1)
        n = int(length)
        return Meaning(What.PRODUCT, scan, product=ProductRow(ident, rest[:n], rest[n:], lot == "1"))
    if rank == PARCEL:
        parcel, order = s.exec(_PARCEL_BY_ID, params={"which": ident}).one()
        return Meaning(What.PARCEL, scan, parcel=parcel, order=order)
    # every order of that id or of those names (ids may repeat across channels)
    found_orders = (s.exec(_BY_REF, params={"ref": text}) if rank == REF
                    else s.exec(_BY_NAME, params={"names": sorted({name, other_name})}))
    return Meaning(What.ORDER, scan, order=_one(_open_first(list(found_orders)), text))


def resolve(s: Session, scan: ParsedScan, named=NOT_READ) -> Meaning:
    """``named``: the answer of ``NAMED`` read with ``lookup_params(scan)``, when the caller
    sent it with a statement of its own."""
    kind, text = scan.kind, scan.text
    if kind is Kind.COMMAND:
        return Meaning(What.COMMAND, scan, command=scan.value)
    if kind is Kind.TOTE:
        return Meaning(What.TOTE, scan, tote=scan.value)
    if kind is Kind.BADGE:
        op = s.exec(_OPERATOR, params={"name": scan.value}).first()
        if op is None:
            raise ScanRefused(f"unknown badge {text}")
        return Meaning(What.BADGE, scan, operator=op.name)
    if kind is Kind.BOX:
        box = s.exec(_BOX, params={"code": scan.value}).first()
        if box is None:
            raise ScanRefused(f"{text} is not a known box type")
        return Meaning(What.BOX, scan, box=box)
    if kind is Kind.ORDER_BARCODE:
        order = s.get(Order, int(scan.value))
        if order is None:
            raise ScanRefused(f"{text} is not an order of this warehouse")
        return Meaning(What.ORDER, scan, order=order)

    if scan.gtin and kind is Kind.GS1:
        p = _product_by_code(s, scan.gtin)
        if p is None:
            raise ScanRefused(f"GTIN {scan.gtin} is not a product of this warehouse")
        return Meaning(What.PRODUCT, scan, product=p)
    if scan.tracking is not None:
        found = s.exec(_PARCEL, params={"number": scan.tracking.number}).first()
        if found is not None:
            parcel, order = found
            return Meaning(What.PARCEL, scan, parcel=parcel, order=order)
    if kind is Kind.GS1 and scan.tracking is None:
        raise ScanRefused(f"{text!r} is a GS1 code without a product (AI 01) or tracking number")

    meaning = _named(s, scan, named)
    if meaning is not None:
        return meaning
    if scan.tracking is not None:
        return Meaning(What.TRACKING, scan)
    if scan.check_digit_error:
        raise ScanRefused(f"read {text}: {scan.check_digit_error}")
    if problem := check_digit_problem(text):
        raise ScanRefused(f"read {shorten(text)}: {problem}: scan the label again or type it from the label")
    raise ScanRefused(f"read {shorten(text)}: not an order, bin, product, tote, box or tracking number here")


def named(m: Meaning) -> str:
    """What a scan was read as, for a refusal: the product with its SKU and title, the bin,
    the order, the tote, the label: never just the code."""
    code = shorten(m.scan.text)
    if m.what is What.PRODUCT and m.product is not None:
        p = m.product
        title = "".join(ch if ch.isprintable() else " " for ch in p.title or "")  # marketplace text
        about = [x for x in (p.sku if code != p.sku else "", shorten(title.strip(), 40)) if x]
        return f"{code} ({', '.join(about)})" if about else code
    if m.what is What.BIN and m.bin is not None:
        return f"bin {m.bin.code}"
    if m.what is What.ORDER and m.order is not None:
        return f"order {m.order.display_name} ({m.order.status.replace('_', ' ')})"
    if m.what is What.TOTE:
        return f"tote {m.tote}"
    if m.what is What.BOX and m.box is not None:
        return f"box {m.box.code}"
    if m.what is What.PARCEL and m.parcel is not None:
        owner = f" of {m.order.display_name}" if m.order is not None else ""
        return f"label {m.parcel.tracking_number}{owner}"
    if m.what is What.TRACKING:
        return f"tracking number {m.tracking_number}"
    if m.what is What.BADGE:
        return f"badge {code}"
    return code


def shorten(text: str, width: int = 40) -> str:
    text = text.replace("\x1d", "<GS>")
    return text if len(text) <= width else text[: width - 1] + "…"
