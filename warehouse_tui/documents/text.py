"""Text shared by the ZPL and PDF documents: cleaning untrusted fields, fitting them, addresses.

Everything here is plain string work; the caller supplies how wide a string is in its own
font, so the same shortening serves a thermal printer's font and a PDF's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from warehouse_tui.channels.base import Address

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: none of them has a
# place on a printed line, and in ZPL some of them would end a field or a command
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")

GS = "\x1d"  # the GS1 element separator, as scanners hand it over
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(text: object) -> str:
    """One printable line: control characters become spaces, runs of spaces collapse."""
    if text is None:
        return ""
    s = _CONTROL.sub(" ", str(text))
    return _SPACES.sub(" ", s).strip()


def ellipsize(
    text: str, max_width: float, width: Callable[[str], float], ellipsis: str = "…"
) -> str:
    """``text`` as it is when it fits ``max_width``, else cut and ended with ``ellipsis``."""
    if width(text) <= max_width:
        return text
    lo, hi = 0, len(text)
    # the longest prefix that fits with the ellipsis; widths only grow with length
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if width(text[:mid].rstrip() + ellipsis) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo].rstrip()
    return cut + ellipsis if width(cut + ellipsis) <= max_width else ""


def address_lines(address: Address, home_country: str = "") -> list[str]:
    """The lines of an address as printed on a parcel; the country only when it is abroad."""
    lines = [clean(address.name), clean(address.address1), clean(address.address2)]
    city = clean(address.city)
    region = clean(address.region)
    postal = clean(address.postal_code)
    if region:
        city = f"{city}, {region}" if city else region
    lines.append(" ".join(p for p in (city, postal) if p))
    country = clean(address.country).upper()
    if country and country != clean(home_country).upper():
        lines.append(country)
    return [line for line in lines if line]


def weight_text(weight_g: int | None) -> str:
    """Metric and imperial both, since carriers on either side of the Atlantic read labels."""
    if weight_g is None:
        return ""
    kg = weight_g / 1000
    lb = weight_g / 453.59237
    return f"{kg:.2f} kg / {lb:.2f} lb"


def utc(at: datetime) -> datetime:
    """Naive UTC, as the database keeps times; an aware time is converted first."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def date_text(at: datetime | None, with_time: bool = False) -> str:
    if at is None:
        return ""
    at = utc(at)
    return at.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def grouped(number: str, size: int = 4) -> str:
    """A long tracking number in groups, as carriers print it for people."""
    return " ".join(number[i : i + size] for i in range(0, len(number), size))


def code128_text(value: str) -> str:
    """Barcode data for Code 128: printable ASCII only.

    The encoders would silently drop anything else, and a barcode that scans as something
    other than what is printed beside it is worse than none.
    """
    if not value:
        raise ValueError("a barcode needs some data")
    bad = [c for c in value if not " " <= c <= "~"]
    if bad:
        raise ValueError(f"cannot print {value!r} as a Code 128 barcode: {bad[0]!r} is not ASCII")
    return value


def gs1_elements(data: str) -> list[str]:
    """The element strings of GS1 data ("420" + ZIP, GS, "92..."), each checked as ASCII."""
    elements = [e for e in data.split(GS)]
    if not elements or any(not e for e in elements):
        raise ValueError(f"GS1 data {data!r} has an empty element")
    for element in elements:
        code128_text(element)
        if not element[:2].isdigit():
            raise ValueError(f"GS1 element {element!r} does not start with an AI")
    return elements


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a "'" first."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s
