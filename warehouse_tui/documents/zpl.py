"""The 4x6 inch shipping label in ZPL II, for 203 and 300 dpi thermal printers.

The layout is drawn in 203 dpi dots and scaled by dpi/203, so both resolutions print the same
label. Every field that comes from an order is written through ``^FH_`` with ``^``, ``~``,
``_`` and ``\\`` hex-escaped, under ``^CI28`` (UTF-8): a buyer named ``^XA^FDx^FS^XZ`` prints
as those characters and cannot open, close or reset anything. Text is shortened to its field,
measured with Helvetica Bold metrics, which run a little wider than the printers' font 0 (CG
Triumvirate Bold Condensed), so a shortened line never runs into its neighbour.

The tracking barcode is ``^BC`` Code 128. A USPS IMpb is GS1-128 written with explicit
invocation codes: Start C (``>;``), FNC1 (``>8``), ``420`` + ZIP, FNC1, ``92...``; that form
needs no firmware support for mode D and leaves no doubt where each FNC1 goes.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth

from warehouse_tui.documents.base import LabelData
from warehouse_tui.documents.text import (
    address_lines,
    clean,
    code128_text,
    ellipsize,
    grouped,
    gs1_elements,
    weight_text,
)

BASE_DPI = 203
WIDTH_DOTS = 812  # 4 in at 203 dpi
HEIGHT_DOTS = 1218  # 6 in at 203 dpi
MARGIN = 20
INNER = WIDTH_DOTS - 2 * MARGIN

_ESCAPES = {"_": "_5F", "^": "_5E", "~": "_7E", "\\": "_5C"}
# the three characters that cannot be written as themselves in ^BC field data (subset B)
_BC_ESCAPES = str.maketrans({">": ">0", "^": "><", "~": ">="})


def zpl_escape(text: str) -> str:
    """Field data for ``^FH_^FD...^FS``: one clean line with the ZPL specials hex-escaped."""
    return "".join(_ESCAPES.get(c, c) for c in clean(text))


@lru_cache(maxsize=4096)
def _em(ch: str) -> float:
    """A character's width in ems of font 0 (Helvetica Bold's metrics), erring wide."""
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return 1.0  # outside Helvetica's metrics: take a full em
    return stringWidth(ch, "Helvetica-Bold", 1000) / 1000


def text_width(text: str, height: int, width: int | None = None) -> float:
    """How wide ``text`` prints in font 0 at ``^A0N,height,width``, erring wide."""
    return sum(_em(ch) for ch in text) * (width or height)


def fit(text: str, height: int, max_width: int) -> str:
    """``text`` cleaned and shortened with "..." to ``max_width`` dots at font ``height``."""
    return ellipsize(clean(text), max_width, lambda s: text_width(s, height), ellipsis="...")


class _Label:
    """ZPL commands in 203 dpi dots, scaled to the printer's resolution as they are written."""

    def __init__(self, dpi: int):
        if dpi not in (203, 300):
            raise ValueError(f"label dpi must be 203 or 300, not {dpi}")
        self.dpi = dpi
        self.parts: list[str] = []

    def d(self, dots: float) -> int:
        return round(dots * self.dpi / BASE_DPI)

    def text(self, x: int, y: int, text: str, size: int, max_width: int) -> None:
        line = fit(text, size, max_width)
        if line:
            h = self.d(size)
            self.parts.append(f"^FO{self.d(x)},{self.d(y)}^A0N,{h},{h}^FH_^FD{zpl_escape(line)}^FS")

    def rule(self, y: int, thickness: int = 4) -> None:
        t = self.d(thickness)
        self.parts.append(f"^FO{self.d(MARGIN)},{self.d(y)}^GB{self.d(INNER)},{t},{t}^FS")

    def barcode(self, y: int, height: int, field_data: str, symbols: int) -> int:
        """A ^BC barcode centred on the label; returns its left edge in 203 dpi dots."""
        modules = 11 * symbols + 13  # every symbol is 11 modules, the stop 13
        available = self.d(INNER)
        module = 1
        for candidate in (3, 2):  # 0.375 mm or 0.25 mm at 203 dpi
            w = self.d(candidate)
            if (modules + 20) * w <= available:  # with 10-module quiet zones either side
                module = w
                break
        left = self.d(MARGIN) + (available - modules * module) // 2
        self.parts.append(
            f"^FO{left},{self.d(y)}^BY{module},3,{self.d(height)}"
            f"^BCN,{self.d(height)},N,N,N,N^FD{field_data}^FS"
        )
        return round(left * BASE_DPI / self.dpi)

    def zpl(self) -> bytes:
        head = [
            "^XA",
            "^CI28",
            f"^PW{self.d(WIDTH_DOTS)}",
            f"^LL{self.d(HEIGHT_DOTS)}",
            "^LH0,0",
            "^PON",
        ]
        return ("\n".join(head + self.parts + ["^XZ"]) + "\n").encode("utf-8")


def code128_field(data: str) -> tuple[str, int]:
    """^BC field data for plain Code 128 in subset B, and its symbol count (start + check)."""
    data = code128_text(data)
    return ">:" + data.translate(_BC_ESCAPES), len(data) + 2


def gs1_128_field(data: str) -> tuple[str, int]:
    """^BC field data for GS1-128 from a GS-separated element string, and its symbol count.

    Digits go in subset C; an element with an odd count of digits ends its last digit in
    subset B, and an element with letters is written in subset B.
    """
    out = [">;"]
    symbols = 2  # start and check
    subset = "C"
    for element in gs1_elements(data):
        out.append(">8")
        symbols += 1
        if element.isdigit():
            pairs = element[: len(element) // 2 * 2]
            if pairs:
                if subset != "C":
                    out.append(">5")
                    symbols += 1
                    subset = "C"
                out.append(pairs)
                symbols += len(pairs) // 2
            rest = element[len(pairs) :]
        else:
            rest = element
        if rest:
            if subset != "B":
                out.append(">6")
                symbols += 1
                subset = "B"
            out.append(rest.translate(_BC_ESCAPES))
            symbols += len(rest)
    return "".join(out), symbols


def label_zpl(label: LabelData, dpi: int = 203) -> bytes:
    z = _Label(dpi)
    home = label.ship_from.country

    for i, line in enumerate(address_lines(label.ship_from, home)[:5]):
        z.text(MARGIN, 20 + 26 * i, line, 22, 470)
    z.text(510, 20, label.carrier_name or label.carrier, 64, 282)
    z.text(510, 92, label.service, 26, 282)
    z.text(510, 126, weight_text(label.weight_g), 22, 282)
    z.rule(160)

    z.text(MARGIN, 176, "SHIP TO:", 24, 200)
    for i, line in enumerate(address_lines(label.ship_to, home)[:6]):
        z.text(40, 206 + 50 * i, line, 44, INNER - 20)
    z.rule(520)

    z.text(MARGIN, 540, f"ORDER {clean(label.order_ref)}", 32, 460)
    z.text(500, 540, f"PARCEL {label.parcel_seq} OF {label.parcel_count}", 32, 292)
    z.rule(590)

    banner = " ".join(p for p in (clean(label.carrier_name), clean(label.service)) if p)
    z.text(MARGIN, 610, banner.upper(), 48, INNER)
    z.rule(676)

    tracking = clean(label.tracking_number)
    if label.barcode_type == "gs1-128":
        caption = f"{clean(label.carrier_name).upper() or 'USPS'} TRACKING #"
        field, symbols = gs1_128_field(label.barcode_data)
        readable = grouped(tracking)
    elif label.barcode_type == "code128":
        caption = "TRACKING #"
        field, symbols = code128_field(label.barcode_data or label.tracking_number)
        readable = tracking
    else:
        raise ValueError(f"unknown label barcode type {label.barcode_type!r}")
    z.text(MARGIN, 694, caption, 28, INNER)
    left = z.barcode(740, 280, field, symbols)
    z.text(max(left, MARGIN), 1040, readable, 34, WIDTH_DOTS - MARGIN - max(left, MARGIN))
    z.rule(1100)
    return z.zpl()
