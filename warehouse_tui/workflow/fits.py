"""Imported values that do not fit their columns are refused before anything is written.

SQLite would store an over-long id anyway; PostgreSQL refuses it in the middle of the write.
Either way it is a mistake in the file (or a file of another kind), named with its record. So
is a date no order can have (year 1 or 9999 breaks the arithmetic of every screen).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from warehouse_tui.channels.base import ImportedOrder, InputRejected
from warehouse_tui.domain.models import Order, OrderLine


def _limit(table, column: str) -> int | None:
    return getattr(table.__table__.c[column].type, "length", None)


ORDER_FIELDS = {"ref": "ref", "display_name": "display_name", "channel": "channel"}
ADDRESS_FIELDS = {"postal_code": "ship_postal_code", "country": "ship_country", "phone": "ship_phone"}
LINE_FIELDS = ("line_id", "sku", "unit_price", "currency")
EARLIEST, LATEST = datetime(1970, 1, 1), datetime(2200, 1, 1)


def _where(source: str, paths: list[Path]) -> tuple[str, str]:
    """(file, where) from an order's or line's source ("file:line" or "file:record ...")."""
    for p in paths:
        for name in (str(p), p.name):
            if source.startswith(name + ":"):
                rest = source[len(name) + 1:]
                return str(p), f"line {rest}" if rest.isdigit() else rest
    return (str(paths[0]) if paths else source), ""


def _limits() -> tuple[list, list, list]:
    order = [(attr, _limit(Order, column)) for attr, column in ORDER_FIELDS.items()]
    address = [(attr, _limit(Order, column)) for attr, column in ADDRESS_FIELDS.items()]
    line = [(attr, _limit(OrderLine, attr)) for attr in LINE_FIELDS]
    return ([x for x in order if x[1]], [x for x in address if x[1]], [x for x in line if x[1]])


def check_fits(orders: list[ImportedOrder], paths: list[Path]) -> None:
    order_limits, address_limits, line_limits = _limits()
    for o in orders:
        for attrs, obj in ((order_limits, o), (address_limits, o.ship_to)):
            for name, limit in attrs:
                value = getattr(obj, name)
                if value and len(value) > limit:
                    raise InputRejected(*_where(o.source, paths), f"{name} of {len(value):,} characters "
                                        f"(at most {limit}): {value[:20]!r}…")
        for attr in ("placed_at", "ship_by"):
            t = getattr(o, attr)
            if t is not None and not EARLIEST <= t.replace(tzinfo=None) < LATEST:
                raise InputRejected(*_where(o.source, paths), f"{attr} {t.isoformat()} is not a date an order "
                                    f"can have ({EARLIEST.year} to {LATEST.year - 1})")
        for ln in o.lines:
            for attr, limit in line_limits:
                value = getattr(ln, attr)
                if value and len(value) > limit:
                    raise InputRejected(*_where(ln.source or o.source, paths), f"{attr} of {len(value):,} "
                                        f"characters (at most {limit}) in order {o.ref[:40]}: {value[:20]!r}…")
