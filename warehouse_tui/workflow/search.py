"""One search for orders: ``order find``, the console's lookup and the command palette.

A whole id finds exactly: the channel order id, the display name (with or without ``#``), the
``ORD-`` code printed on documents, a SKU, a product barcode (normalised as scans are, GS1 with
AI 01 included) or a tracking number. Otherwise the text is a part of a name: the ship-to or
buyer name, or a line's product title, case and accents folded (``chloe`` finds Chloé). Best
matches first: an exact id, then the start of an order id, then a whole word, the start of a
word, any part of a word; within each, the newest orders first.

The names and titles are searched in ``order_search`` (migration 0004), folded text kept current
by triggers: an FTS5 trigram index on SQLite, pg_trgm on PostgreSQL. Each step asks for no more
rows than it needs, so a search stays fast however many orders match.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, or_, text as sql
from sqlmodel import Session, select

from warehouse_tui.domain.models import Barcode, Order, OrderLine, Parcel
from warehouse_tui.scanning.grammar import ScanRefused, normalise_barcode, parse_scan

DEFAULT_LIMIT = 50
# what matched, best first
EXACT, ID_START, WORD, WORD_START, PART = "id", "id start", "word", "word start", "part"


@dataclass
class Found:
    id: int
    ref: str
    display_name: str
    channel: str
    status: str
    ship_by: datetime | None
    ship_to_name: str
    buyer_name: str
    match: str

    def as_json(self) -> dict:
        d = asdict(self)
        d["ship_by"] = self.ship_by.isoformat().replace("+00:00", "Z") if self.ship_by else None
        d["barcode"] = f"ORD-{d.pop('id')}"
        return d


def find(s: Session, text: str, limit: int = DEFAULT_LIMIT) -> list[Found]:
    """Orders that ``text`` names, best matches first, at most ``limit``."""
    text = text.strip()
    if not text or limit < 1:
        return []
    hits: dict[int, str] = {}
    for order_id in _exact(s, text, limit):
        hits.setdefault(order_id, EXACT)
    if not hits:
        for order_id in _id_start(s, text, limit):
            hits.setdefault(order_id, ID_START)
    if EXACT not in hits.values():
        _names(s, text, limit, hits)
    return _rows(s, hits, limit)


def _exact(s: Session, text: str, limit: int) -> list[int]:
    ids: list[int] = []
    if text.upper().startswith("ORD-") and text[4:].isdigit():
        ids.append(int(text[4:]))
    bare = text[1:] if text.startswith("#") else text
    names = {text, bare, "#" + bare}
    ids += s.exec(select(Order.id).where(or_(Order.ref == text, Order.display_name.in_(names)))
                  .order_by(Order.id.desc()).limit(limit)).all()
    codes, tracking = {normalise_barcode(text)}, {text.upper().replace(" ", "")}
    try:
        scan = parse_scan(text)
        if scan.gtin:
            codes.add(scan.gtin)
        if scan.tracking is not None:
            tracking.add(scan.tracking.number)
    except ScanRefused:
        pass
    ids += s.exec(select(Parcel.order_id).where(Parcel.tracking_number.in_(tracking))
                  .order_by(Parcel.order_id.desc()).limit(limit)).all()
    products = select(Barcode.product_id).where(Barcode.code.in_(codes)).scalar_subquery()
    ids += s.exec(select(OrderLine.order_id).where(or_(OrderLine.sku == text, OrderLine.product_id.in_(products)))
                  .distinct().order_by(OrderLine.order_id.desc()).limit(limit)).all()
    return ids


def _id_start(s: Session, text: str, limit: int) -> list[int]:
    """Orders whose channel id or display name starts with the text (an index range each)."""
    if len(text) < 2:
        return []
    ids: list[int] = []
    for start in dict.fromkeys((text, text.upper(), "#" + text.lstrip("#"))):
        end = start + "\U0010ffff"
        for column in (Order.ref, Order.display_name):
            ids += s.exec(select(Order.id).where(column >= start, column < end)
                          .order_by(column).limit(limit)).all()
    return ids


def _names(s: Session, text: str, limit: int, hits: dict[int, str]) -> None:
    # folded by the database's own function, as the stored text was
    padded = s.exec(select(func.wt_fold(text))).first() or ""
    if not padded.strip():
        return
    sqlite = s.get_bind().dialect.name == "sqlite"
    # a trigram index needs three characters: the spaces around a word count
    for kind, needle in ((WORD, padded), (WORD_START, padded.rstrip()), (PART, padded.strip())):
        if len(hits) >= limit:
            return
        if len(needle) < 3:
            continue
        for order_id in (_fts if sqlite else _trgm)(s, needle, limit - len(hits), set(hits)):
            hits.setdefault(order_id, kind)


def _fts(s: Session, needle: str, want: int, seen: set[int]) -> list[int]:
    """SQLite: the FTS5 trigram index, newest rows first, a page at a time until enough orders."""
    phrase = '"' + needle.replace('"', '""') + '"'
    return _paged(s, want, seen, lambda before, n: s.connection().execute(sql(
        "SELECT f.rowid, o.order_id FROM (SELECT rowid FROM order_search_fts WHERE order_search_fts MATCH :q"
        " AND rowid < :before ORDER BY rowid DESC LIMIT :n) AS f JOIN order_search o ON o.id = f.rowid"
        " ORDER BY f.rowid DESC"), {"q": phrase, "before": before, "n": n}).all())


def _trgm(s: Session, needle: str, want: int, seen: set[int]) -> list[int]:
    """PostgreSQL: LIKE over the pg_trgm index (the folded text holds no % or _ to escape)."""
    return _paged(s, want, seen, lambda before, n: s.connection().execute(sql(
        "SELECT id, order_id FROM order_search WHERE text LIKE :q AND id < :before"
        " ORDER BY id DESC LIMIT :n"), {"q": f"%{needle}%", "before": before, "n": n}).all())


def _paged(s: Session, want: int, seen: set[int], page, pages: int = 8) -> list[int]:
    found: list[int] = []
    before, n = 2**62, max(4 * want, 20)
    for _ in range(pages):
        rows = page(before, n)
        for row_id, order_id in rows:
            if order_id not in seen:
                seen.add(order_id)
                found.append(order_id)
        if len(found) >= want or len(rows) < n:
            break
        before = rows[-1][0]
    # newest orders first among those found
    return sorted(found, reverse=True)[:want]


def _rows(s: Session, hits: dict[int, str], limit: int) -> list[Found]:
    order_ids = list(hits)[:limit]
    if not order_ids:
        return []
    q = select(Order.id, Order.ref, Order.display_name, Order.channel, Order.status, Order.ship_by,
               Order.ship_name, Order.buyer_name).where(Order.id.in_(order_ids))
    by_id = {r[0]: r for r in s.exec(q).all()}
    return [Found(*by_id[i], match=hits[i]) for i in order_ids if i in by_id]
