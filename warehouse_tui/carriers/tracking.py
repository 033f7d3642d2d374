"""Recognising a tracking number from what a scanner read.

A number is claimed only when both its format and its check digit are right, so a
mis-read label is refused at the station instead of being recorded against a parcel.
The number given back is the one people see and carriers track: the 22-digit USPS
number without its "420" + ZIP routing prefix, the 15-digit FedEx Ground number inside
a "96" barcode, the 14-character DPD parcel number inside the DPD barcode.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from warehouse_tui.carriers.checks import (
    dhl_check_digit,
    dpd_check_character,
    fedex_express_check_digit,
    gs1_standard_check_digit,
    s10_check_digit,
    ups_check_digit,
)

GS = "\x1d"


@dataclass(frozen=True)
class TrackingMatch:
    carrier: str  # a key of CARRIERS
    number: str  # normalised: upper case, no spaces


def normalise_tracking(number: str) -> str:
    """Upper case without spaces: how tracking numbers are stored and compared."""
    return number.strip().upper().replace(" ", "")


def _mod10_ok(digits: str) -> bool:
    return gs1_standard_check_digit(digits[:-1]) == int(digits[-1])


def _ups(n: str) -> str | None:
    if re.fullmatch(r"1Z[0-9A-Z]{15}[0-9]", n) and ups_check_digit(n[2:17]) == int(n[17]):
        return n
    return None


def impb(n: str) -> str | None:
    """A USPS IMpb tracking number (Pub. 199): channel 91-95, 22/26/30/34 digits, mod 10."""
    if re.fullmatch(r"9[1-5][0-9]{20}(?:[0-9]{4}){0,3}", n) and _mod10_ok(n):
        return n
    return None


def _usps(n: str) -> str | None:
    if not n.startswith("420"):
        return impb(n)
    # "420" + ZIP5 or ZIP+4, then FNC1 (sent as GS) before the tracking number; without
    # the GS the ZIP length is ambiguous, so the check digit decides.
    rest = n[3:]
    for zip_len in (9, 5):
        if rest[:zip_len].isdigit() and len(rest) > zip_len:
            found = impb(rest[zip_len:].removeprefix(GS))
            if found:
                return found
    return None


def _fedex(n: str) -> str | None:
    if not n.isdigit():
        return None
    if len(n) == 12 and fedex_express_check_digit(n[:-1]) == int(n[-1]):
        return n  # FedEx Express
    if len(n) == 15 and _mod10_ok(n):
        return n  # FedEx Ground
    if len(n) == 22 and n.startswith("96") and _mod10_ok(n[7:]):
        return n[7:]  # Ground "96" barcode: 96 + SCNC + service + the 15-digit number
    if len(n) == 34 and n.startswith("100") and fedex_express_check_digit(n[20:-1]) == int(n[-1]):
        return n[20:].lstrip("0").zfill(12)  # Express 34-digit label barcode
    return None


def _dhl(n: str) -> str | None:
    if n.isdigit() and len(n) in (10, 11) and dhl_check_digit(n[:-1]) == int(n[-1]):
        return n
    return None


_S10 = re.compile(r"[A-Z]{2}([0-9]{8})([0-9])([A-Z]{2})")
# which carrier an S10 number belongs to, by the issuing post's country
_S10_POSTS = {"GB": "royalmail", "US": "usps"}


def _s10(n: str) -> TrackingMatch | None:
    m = _S10.fullmatch(n)
    if m and s10_check_digit(m[1]) == int(m[2]):
        return TrackingMatch(_S10_POSTS.get(m[3], "other"), n)
    return None


DPD_PARCEL = re.compile(r"[0-9A-Z]{4}[0-9]{10}")
# postcode (7) + parcel number (14) + service (3) + ISO numeric country (3)
_DPD_DATA = re.compile(r"[0-9A-Z]{7}([0-9A-Z]{4}[0-9]{10})[0-9]{6}")


def _dpd(n: str) -> str | None:
    # The barcode is "%" + the 27 characters and carries no check character (the Code 128
    # symbol checks itself); the human-readable line adds an ISO 7064 check character.
    if n.startswith("%") and (m := _DPD_DATA.fullmatch(n[1:])):
        return m[1]
    if len(n) == 28 and (m := _DPD_DATA.fullmatch(n[:27])) and dpd_check_character(n[:27]) == n[27]:
        return m[1]
    return None


def _simple(carrier: str, match: Callable[[str], str | None]) -> Callable[[str], TrackingMatch | None]:
    def detect(n: str) -> TrackingMatch | None:
        number = match(n)
        return TrackingMatch(carrier, number) if number else None

    return detect


# No two of these accept the same text, so the order does not matter for correctness.
_DETECTORS: tuple[Callable[[str], TrackingMatch | None], ...] = (
    _simple("ups", _ups),
    _simple("usps", _usps),
    _simple("fedex", _fedex),
    _simple("dhl", _dhl),
    _s10,
    _simple("dpd", _dpd),
)


def detect_tracking(text: str) -> TrackingMatch | None:
    """The carrier and number of a scanned or typed tracking number, or None."""
    n = normalise_tracking(text)
    if not n or len(n) > 64 or not n.isascii():  # isdigit() takes "²" and "٣"
        return None
    for detect in _DETECTORS:
        found = detect(n)
        if found:
            return found
    return None


def check_digit_problem(text: str) -> str | None:
    """What is wrong with a number shaped like a tracking number whose check digit fails
    (a misread or a mistyped label), or None. Only shapes no product code can have are
    judged: a 12-digit FedEx number could be a UPC-A."""
    n = normalise_tracking(text)
    if not n.isascii() or detect_tracking(n) is not None:
        return None
    if re.fullmatch(r"1Z[0-9A-Z]{15}[0-9]", n):
        return f"UPS tracking number with a wrong check digit ({n[17]}, should be {ups_check_digit(n[2:17])})"
    if re.fullmatch(r"9[1-5][0-9]{20}(?:[0-9]{4}){0,3}", n):
        return (f"USPS tracking number with a wrong check digit ({n[-1]}, "
                f"should be {gs1_standard_check_digit(n[:-1])})")
    if m := _S10.fullmatch(n):
        return f"postal tracking number with a wrong check digit ({m[2]}, should be {s10_check_digit(m[1])})"
    return None


def validate_tracking(carrier: str, number: str) -> bool:
    """Whether `number` is a well-formed tracking number of `carrier`.

    DPD parcel numbers on their own carry no check character, so a bare 14-character
    number is accepted for "dpd" by its format alone (detect_tracking never claims one:
    it would collide with GTIN-14s). "other" takes any number a known scheme checks.
    An unknown carrier code validates nothing.
    """
    carrier = carrier.strip().lower()
    n = normalise_tracking(number)
    if carrier == "dpd" and n.isascii() and DPD_PARCEL.fullmatch(n):
        return True
    found = detect_tracking(n)
    if found is None:
        return False
    return carrier == "other" or found.carrier == carrier


def format_tracking(number: str) -> str:
    """The number grouped the way carriers print it, for labels and screens."""
    found = detect_tracking(number)
    n = found.number if found else normalise_tracking(number)
    if found and found.carrier == "ups":
        return f"{n[:2]} {n[2:8]} {n[8:10]} {n[10:17]} {n[17:]}"
    if found and _S10.fullmatch(n):
        return f"{n[:2]} {n[2:5]} {n[5:8]} {n[8:11]} {n[11:]}"
    if found:  # USPS, FedEx, DHL, DPD: groups of four
        return " ".join(n[i : i + 4] for i in range(0, len(n), 4))
    return n
