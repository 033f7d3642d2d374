"""One search for orders: ``order find``, the console's lookup and the command palette.

A whole id finds exactly: the channel order id, the display name (with or without ``#``), the
``ORD-`` code printed on documents, a SKU, a product barcode (normalised as scans are, GS1 with
AI 01 included) or a tracking number. Otherwise the text is a part of a name: the ship-to or
buyer name, or a line's product title, case and accents folded (``chloe`` finds Chloé). Best
matches first: an exact id, then the start of an order id, then a whole word, the start of a
word, any part of a word; within each, the newest orders first.

The names are searched in ``order_search`` (migration 0004), the line titles in
``search_texts``, each distinct title once, joined to the lines that carry it by ``line_search``
(migration 0006): folded text kept current by triggers, an FTS5 trigram index on SQLite,
pg_trgm on PostgreSQL. Each step asks for no more rows than it needs, so a search stays fast
however many orders match.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from datetime import datetime

from sqlalchemy import bindparam, func, text as sql
from sqlmodel import Session, select

from warehouse_tui.domain.folding import fold_padded
from warehouse_tui.domain.models import Order
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
    for order_id, part in _ids(s, text, limit):
        hits.setdefault(order_id, EXACT if part == 0 else ID_START)
    if EXACT in hits.values():  # a whole id names its orders and nothing else
        hits = {k: v for k, v in hits.items() if v == EXACT}
    else:
        _names(s, text, limit, hits)
    return _rows(s, hits, limit)


# Every id in one round trip, each part on its own index (an OR across columns would read every
# row). Part 0: a whole id; part 1: the start of a channel id or display name.
_IDS = sql("""
SELECT id, 0 FROM orders WHERE id = :oid
UNION ALL SELECT id, 0 FROM orders WHERE ref = :t
UNION ALL SELECT id, 0 FROM orders WHERE display_name IN (:t, :bare, :hashed)
UNION ALL SELECT order_id, 0 FROM parcels WHERE tracking_number IN (:k1, :k2)
UNION ALL SELECT order_id, 0 FROM (SELECT DISTINCT order_id FROM order_lines WHERE sku = :t
    ORDER BY order_id DESC LIMIT :n) AS by_sku
UNION ALL SELECT order_id, 0 FROM (SELECT DISTINCT order_id FROM order_lines WHERE product_id IN
    (SELECT product_id FROM barcodes WHERE code IN (:c1, :c2)) ORDER BY order_id DESC LIMIT :n) AS by_code
UNION ALL SELECT id, 1 FROM (SELECT id FROM orders WHERE ref >= :s1 AND ref < :e1 ORDER BY ref LIMIT :p) AS r1
UNION ALL SELECT id, 1 FROM (SELECT id FROM orders WHERE ref >= :s2 AND ref < :e2 ORDER BY ref LIMIT :p) AS r2
UNION ALL SELECT id, 1 FROM (SELECT id FROM orders WHERE display_name >= :s1 AND display_name < :e1
    ORDER BY display_name LIMIT :p) AS d1
UNION ALL SELECT id, 1 FROM (SELECT id FROM orders WHERE display_name >= :s3 AND display_name < :e3
    ORDER BY display_name LIMIT :p) AS d3
""")
_TOP = "\U0010ffff"


@lru_cache(maxsize=16)
def _ids_statement(n: int, p: int):
    """``_IDS`` with its limits written in, a statement for each limit. PostgreSQL plans a
    statement whose LIMIT it cannot see as dearer than one for the values given, and so
    planned this one anew at every search (0.7 ms of a SKU's 1.4 here)."""
    return sql(re.sub(r":p\b", str(int(p)), re.sub(r":n\b", str(int(n)), _IDS.text)))


def _ids(s: Session, text: str, limit: int) -> list[tuple[int, int]]:
    oid = int(text[4:]) if text.upper().startswith("ORD-") and text[4:].isdigit() and len(text) < 16 else -1
    bare = text[1:] if text.startswith("#") else text
    tracking, code = text.upper().replace(" ", ""), normalise_barcode(text)
    scanned_tracking, scanned_code = tracking, code
    try:  # a scan of a GS1 code or a carrier's barcode names the same
        scan = parse_scan(text)
        scanned_code = scan.gtin or code
        scanned_tracking = scan.tracking.number if scan.tracking is not None else tracking
    except ScanRefused:
        pass
    # the start of an id: two characters at least (else a prefix names half the warehouse)
    p = limit if len(text) >= 2 else 0
    upper, hashed = text.upper(), "#" + bare
    rows = s.connection().execute(_ids_statement(limit, p), {
        "oid": oid, "t": text, "bare": bare, "hashed": hashed, "k1": tracking, "k2": scanned_tracking,
        "c1": code, "c2": scanned_code,
        "s1": text, "e1": text + _TOP, "s2": upper, "e2": upper + _TOP, "s3": hashed, "e3": hashed + _TOP,
    }).all()
    # whole ids first, in the order asked; then starts of ids
    return sorted(((r[0], r[1]) for r in rows), key=lambda r: r[1])


def _names(s: Session, text: str, limit: int, hits: dict[int, str]) -> None:
    sqlite = s.get_bind().dialect.name == "sqlite"
    # folded as the stored text was: on SQLite by this very function, elsewhere by the database's
    padded = fold_padded(text) if sqlite else (s.exec(select(func.wt_fold(text))).first() or "")
    if not padded.strip():
        return
    # a trigram index needs three characters: the spaces around a word count. Several words are
    # matched from the start of the first: a whole-word phrase of many trigrams ending in a common
    # one ("en ") costs ten times as much at a million orders, and ranks nearly the same
    tiers = [(WORD_START, padded.rstrip()), (PART, padded.strip())]
    if " " not in padded.strip():
        tiers.insert(0, (WORD, padded))
    for kind, needle in tiers:
        if len(hits) >= limit:
            return
        if len(needle) < 3:
            continue
        want = limit - len(hits)
        names = (_fts if sqlite else _trgm)(s, needle, want, set(hits))
        titles = _titles(s, sqlite, needle, want, set(hits))
        for order_id in sorted(set(names) | set(titles), reverse=True)[:want]:  # newest first
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


# matching lines a title search reads through the title's index and sorts; past that many (as
# estimated) it walks the newest lines instead, where enough of them match
DENSE = 20_000


def _titles(s: Session, sqlite: bool, needle: str, want: int, seen: set[int]) -> list[int]:
    """Orders with a line whose title holds the needle: the matching titles from their index,
    then the lines that carry them. Few such lines: all of them, by the index on the title,
    newest orders first; many: the newest lines first, a page at a time, until enough orders.
    How many is estimated from the titles matched (lines per title on average)."""
    if sqlite:
        titles = "SELECT rowid FROM search_texts_fts WHERE search_texts_fts MATCH :q"
        q = '"' + needle.replace('"', '""') + '"'
    else:
        titles = "SELECT id FROM search_texts WHERE text LIKE :q"
        q = f"%{needle}%"
    conn = s.connection()
    matched, lines, texts = conn.execute(sql(
        f"SELECT (SELECT count(*) FROM ({titles}) AS m), (SELECT max(line_id) FROM line_search),"
        " (SELECT max(id) FROM search_texts)"), {"q": q}).one()
    if not matched:
        return []
    if matched * (lines or 0) / max(texts or 1, 1) <= DENSE:
        rows = conn.execute(sql(
            f"SELECT DISTINCT order_id FROM line_search WHERE text_id IN ({titles}) ORDER BY order_id DESC"
            " LIMIT :n"), {"q": q, "n": want + len(seen)}).all()
        found = [r[0] for r in rows if r[0] not in seen][:want]
        seen.update(found)
        return found
    # "+ 0": not by the title's index, but along the newest lines
    return _paged(s, want, seen, lambda before, n: conn.execute(sql(
        f"SELECT line_id, order_id FROM line_search WHERE text_id + 0 IN ({titles}) AND line_id < :before"
        " ORDER BY line_id DESC LIMIT :n"), {"q": q, "before": before, "n": n}).all())


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


_ROWS = sql("SELECT id, ref, display_name, channel, status, ship_by, ship_name, buyer_name FROM orders"
            " WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)).columns(ship_by=Order.ship_by.type)


def _rows(s: Session, hits: dict[int, str], limit: int) -> list[Found]:
    order_ids = list(hits)[:limit]
    if not order_ids:
        return []
    by_id = {r[0]: r for r in s.connection().execute(_ROWS, {"ids": order_ids})}
    return [Found(*by_id[i], match=hits[i]) for i in order_ids if i in by_id]
