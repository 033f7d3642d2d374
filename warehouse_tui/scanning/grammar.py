"""What a scan says, before anything is looked up: the syntax half of the classifier.

The resolver takes a ParsedScan and asks the database what the text names (an order, a
bin, a SKU, a product barcode, a parcel). This module only decides what the text can be,
and refuses what no scan should be: over-long input, control characters, bytes that are
not UTF-8, unknown `%` commands, GS1 data that does not parse. GS1, GTIN and SSCC rules
and their check digits are biip's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.symbology import GS1Symbology
from biip.upc import Upc

from warehouse_tui.carriers import TrackingMatch, detect_tracking
from warehouse_tui.scanning.limits import MAX_SCAN

__all__ = [
    "COMMANDS",
    "MAX_SCAN",
    "Kind",
    "ParsedScan",
    "ScanRefused",
    "normalise_barcode",
    "order_barcode",
    "parse_scan",
]

GS = "\x1d"  # FNC1 as scanners send it inside GS1 data

COMMANDS: frozenset[str] = frozenset(
    {
        "NEXT", "BATCH", "DONE", "SHORT", "CANCEL", "REPRINT",
        "RESTOCK", "QUARANTINE", "DISPOSE",
        "HOME", "PICK", "PACK", "LABEL", "RETURNS", "LOOKUP", "SCANCHECK",
    }
)  # fmt: skip

# ISO/IEC 15424 symbology identifier: "]" + symbology letter + modifier
_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_GS1_SYMBOLOGIES = frozenset(s.value for s in GS1Symbology.with_gs1_messages())
_EAN_UPC = "E0", "E3"  # symbologies that send UPC-E as 6 to 8 digits
_GTIN_LENGTHS = (8, 12, 13, 14)
_PREVIEW = 40  # characters of the scan quoted back to the operator
_ORDER_ID = re.compile(r"[0-9]{1,18}")
_AI01_START = re.compile(r"01[0-9]{14}")


class ScanRefused(Exception):
    """A scan that means nothing and changes nothing; `message` is for the operator."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.raw = raw  # what was received, for the event log


class Kind(StrEnum):
    COMMAND = "command"
    TOTE = "tote"
    BOX = "box"
    BADGE = "badge"
    ORDER_BARCODE = "order_barcode"
    GS1 = "gs1"
    TEXT = "text"


@dataclass(frozen=True)
class ParsedScan:
    """One scan read; which bin, order or product it names is the resolver's question."""

    raw: str  # as received (decoded), for the event log
    text: str  # without symbology identifier, line end and surrounding spaces; GS kept
    kind: Kind
    # COMMAND: "NEXT"; TOTE/BOX: the code upper-cased; BADGE: the name after "OP-";
    # ORDER_BARCODE: the order id; GS1/TEXT: the text
    value: str
    symbology: str | None = None  # "]C1" when the scanner sent a symbology identifier
    gtin: str | None = None  # 14 digits, check digit verified
    lot: str | None = None  # AI 10
    expiry: date | None = None  # AI 17
    serial: str | None = None  # AI 21
    sscc: str | None = None  # AI 00
    tracking: TrackingMatch | None = None
    postal_code: str | None = None  # AI 420, the ZIP of a USPS label
    # all digits of a GTIN's length, but not a valid GTIN: the resolver says so if
    # nothing else matches, so a misread is not mistaken for an unknown product
    check_digit_error: str | None = None


def _quote(text: str) -> str:
    """What was read, safe to show and log: escaped, and cut short."""
    if len(text) > _PREVIEW:
        return repr(text[:_PREVIEW]) + "…"
    return repr(text)


def _shown(text: str) -> str:
    """Like _quote, without the quotes."""
    shown = repr(text[:_PREVIEW])[1:-1]
    return shown + "…" if len(text) > _PREVIEW else shown


def _refuse(reason: str, text: str) -> ScanRefused:
    return ScanRefused(f"scan refused: {reason}: {_quote(text)}", text)


def _decode(raw: str | bytes) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw[: _PREVIEW // 2]
        tail = "…" if len(raw) > len(shown) else ""
        raise ScanRefused(
            f"scan refused: not valid UTF-8: {shown!r}{tail}",
            raw.decode("utf-8", "backslashreplace"),
        ) from None


def _strip_terminator(text: str) -> str:
    for end in ("\r\n", "\r", "\n"):
        if text.endswith(end):
            return text[: -len(end)]
    return text


def _check_safe(text: str) -> None:
    if len(text) > MAX_SCAN:
        raise _refuse(f"{len(text):,} characters, more than {MAX_SCAN:,}", text)
    for i, ch in enumerate(text):
        if ch != GS and unicodedata.category(ch) == "Cc":
            raise _refuse(f"control character U+{ord(ch):04X} at position {i + 1}", text)


def _gtin_of(digits: str, symbology: str | None = None) -> tuple[str | None, str | None]:
    """(14-digit GTIN, None), or (None, check digit error), or (None, None) for not a GTIN.

    An 8-digit code is a GTIN-8 if its check digit says so, else a UPC-E if that check
    holds; shorter UPC-E codes are only trusted when the scanner said EAN/UPC.
    """
    if not (digits.isascii() and digits.isdigit()):
        return None, None
    parsers = [Gtin.parse] if len(digits) in _GTIN_LENGTHS else []
    if len(digits) == 8 or (len(digits) in (6, 7) and symbology in _EAN_UPC):
        # EAN-8 has its own symbology (]E4), so under ]E0 eight digits are a UPC-E
        parsers.insert(0 if symbology in _EAN_UPC else 1, Upc.parse)
    for parse in parsers:
        try:
            return parse(digits).as_gtin_14(), None
        except ParseError:
            pass
    if len(digits) in _GTIN_LENGTHS:
        expected = gs1_standard_check_digit(digits[:-1])
        return None, f"check digit of {digits} should be {expected}"
    return None, None


def normalise_barcode(code: str) -> str:
    """A product barcode as stored and looked up: a valid GTIN in its 14-digit form (so
    UPC-A, EAN-13 and GTIN-14 of one product meet), anything else stripped, case kept."""
    code = code.strip()
    gtin, _ = _gtin_of(code)
    return gtin or code


def order_barcode(order_id: int) -> str:
    """The barcode printed on an order's documents (pick list, packing slip)."""
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 0:
        raise ValueError(f"an order id is a whole number, not {order_id!r}")
    return f"ORD-{order_id}"


def _is_gs1(text: str, symbology: str | None) -> bool:
    if GS in text or (symbology and symbology[1:] in _GS1_SYMBOLOGIES):
        return True
    # AI 01 and a GTIN-14 without a symbology identifier: how most wedge scanners send it
    return _AI01_START.match(text) is not None


def _postal_code_before(text: str, tracking: TrackingMatch | None) -> str | None:
    """The ZIP of a USPS "420" + ZIP + tracking barcode."""
    if not (tracking and text.startswith("420") and text.endswith(tracking.number)):
        return None
    zip_code = text[3 : len(text) - len(tracking.number)].rstrip(GS)
    return zip_code if zip_code.isdigit() and len(zip_code) in (5, 9) else None


def _parse_gs1(raw: str, text: str, symbology: str | None) -> ParsedScan:
    tracking = detect_tracking(text)
    try:
        message = GS1Message.parse(text)
    except ParseError as exc:
        if tracking:  # a tracking barcode whose FNC1 the scanner did not send
            return ParsedScan(
                raw, text, Kind.TEXT, text, symbology, tracking=tracking,
                postal_code=_postal_code_before(text, tracking),
            )  # fmt: skip
        raise _refuse("not a valid GS1 barcode", text) from exc
    found = {es.ai.ai: es for es in message.element_strings}
    for ai, name in (("01", "GTIN"), ("00", "SSCC")):
        es = found.get(ai)
        if es and (es.gtin_error or es.sscc_error):
            expected = gs1_standard_check_digit(es.value[:-1])
            raise _refuse(f"check digit of {name} {es.value} should be {expected}", text)
    gtin = found.get("01")
    expiry = found.get("17")
    return ParsedScan(
        raw=raw,
        text=text,
        kind=Kind.GS1,
        value=text,
        symbology=symbology,
        gtin=gtin.gtin.as_gtin_14() if gtin and gtin.gtin else None,
        lot=found["10"].value if "10" in found else None,
        expiry=expiry.date if expiry else None,
        serial=found["21"].value if "21" in found else None,
        sscc=found["00"].value if "00" in found else None,
        tracking=tracking,
        postal_code=found["420"].value if "420" in found else None,
    )


def _prefixed(raw: str, text: str, symbology: str | None) -> ParsedScan | None:
    upper = text.upper()
    for prefix, kind in (("TOTE-", Kind.TOTE), ("BOX-", Kind.BOX), ("OP-", Kind.BADGE)):
        if upper.startswith(prefix):
            rest = text[len(prefix) :]
            if not rest.strip():
                raise _refuse(f"{prefix} with nothing after it", text)
            value = rest if kind is Kind.BADGE else upper
            return ParsedScan(raw, text, kind, value, symbology)
    if upper.startswith("ORD-") and _ORDER_ID.fullmatch(text[4:]):
        return ParsedScan(raw, text, Kind.ORDER_BARCODE, str(int(text[4:])), symbology)
    return None  # "ORD-2024-17" may be a channel's own order id: left to the resolver


def parse_scan(raw: str | bytes) -> ParsedScan:
    """Classify one scan, as the scanner sent it (a trailing CR/LF is expected)."""
    decoded = _decode(raw)
    text = _strip_terminator(decoded)
    _check_safe(text)
    text = text.strip(" ")  # not str.strip(): it would take a trailing GS as whitespace
    symbology = None
    if m := _AIM.match(text):
        symbology = m[0]
        text = text[m.end() :].strip(" ")
    if not text:
        raise ScanRefused("scan refused: empty scan", decoded)

    if GS in text:
        return _parse_gs1(decoded, text, symbology)
    if text.startswith("%"):
        name = text[1:].upper()
        if name in COMMANDS:
            return ParsedScan(decoded, text, Kind.COMMAND, name, symbology)
        if tracking := detect_tracking(text):  # DPD label barcodes begin with "%"
            return ParsedScan(decoded, text, Kind.TEXT, text, symbology, tracking=tracking)
        raise ScanRefused(f"scan refused: unknown command {_shown(text)}", decoded)
    if found := _prefixed(decoded, text, symbology):
        return found
    if _is_gs1(text, symbology):
        return _parse_gs1(decoded, text, symbology)

    gtin, check_digit_error = _gtin_of(text, symbology[1:] if symbology else None)
    tracking = detect_tracking(text)
    return ParsedScan(
        raw=decoded,
        text=text,
        kind=Kind.TEXT,
        value=text,
        symbology=symbology,
        gtin=gtin,
        tracking=tracking,
        postal_code=_postal_code_before(text, tracking),
        check_digit_error=check_digit_error,
    )
