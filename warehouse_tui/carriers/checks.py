"""Check digits of the carriers' own numbering schemes.

GS1 mod 10 (weights 3,1 from the right) is biip's; it serves USPS IMpb (Pub. 199) and
FedEx Ground alike. The rest are the carriers' own, each a few lines.
"""

from __future__ import annotations

from itertools import cycle

from biip.checksums import gs1_standard_check_digit

__all__ = [
    "dhl_check_digit",
    "dpd_check_character",
    "fedex_express_check_digit",
    "gs1_standard_check_digit",
    "s10_check_digit",
    "ups_check_digit",
]

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ups_check_digit(body: str) -> int:
    """UPS 1Z: the 15 characters after "1Z"; letters count as (ord - 63) % 10 (A=2 ... I=0),
    then odd positions weigh 1 and even positions 2, mod 10."""
    total = 0
    for i, ch in enumerate(body):
        value = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        total += value * (2 if i % 2 else 1)
    return (10 - total % 10) % 10


def fedex_express_check_digit(body: str) -> int:
    """FedEx Express: weights 1, 3, 7 repeating from the rightmost digit, sum mod 11, 10 -> 0."""
    total = sum(int(d) * w for d, w in zip(reversed(body), cycle((1, 3, 7))))
    return total % 11 % 10


def dhl_check_digit(body: str) -> int:
    """DHL Express waybill: the number without its last digit, mod 7."""
    return int(body) % 7


def s10_check_digit(serial: str) -> int:
    """UPU S10 (Royal Mail and the other posts): weights 8 6 4 2 3 5 9 7 over the 8-digit
    serial, 11 minus the sum mod 11, where 10 gives 0 and 11 gives 5."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def dpd_check_character(data: str) -> str:
    """DPD human-readable check character: ISO/IEC 7064 MOD 37,36 over the 27 characters
    (postcode, parcel number, service, country). The barcode itself does not carry it."""
    p = 36
    for ch in data:
        p = (p + _ALNUM.index(ch)) % 36 or 36
        p = p * 2 % 37
    return _ALNUM[(37 - p) % 36]
