"""Issuing tracking numbers for labels printed here (UPS shipper number, USPS Mailer ID).

The serial (package number) comes from a shared counter in the database; these
functions only build the number around it, so they are pure and easy to check.
"""

from __future__ import annotations

import re

from warehouse_tui.carriers.checks import gs1_standard_check_digit, ups_check_digit
from warehouse_tui.carriers.tracking import GS, impb, normalise_tracking


def ups_tracking_number(shipper_number: str, service: str, package_number: int) -> str:
    """ "1Z" + 6-character shipper number + 2-character service + 7-digit package number
    + check digit."""
    shipper = shipper_number.strip().upper()
    service = service.strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{6}", shipper):
        raise ValueError(f"a UPS shipper number is 6 letters or digits, not {shipper_number!r}")
    if not re.fullmatch(r"[0-9A-Z]{2}", service):
        raise ValueError(f"a UPS service code is 2 letters or digits, not {service!r}")
    if not 0 <= package_number < 10**7:
        raise ValueError(f"UPS package number {package_number} does not fit in 7 digits")
    body = f"{shipper}{service}{package_number:07d}"
    return f"1Z{body}{ups_check_digit(body)}"


def usps_tracking_number(service_type_code: str, mailer_id: str, serial: int) -> str:
    """An IMpb tracking number: "92" + 3-digit service type code + Mailer ID + serial,
    22 digits with the mod 10 check digit of USPS Pub. 199.

    A 9-digit Mailer ID begins with 9 and leaves 7 digits of serial; a 6-digit one begins
    with 0-8 and leaves 10. USPS enforces that split, so a mistyped ID is caught here.
    """
    stc = service_type_code.strip()
    mid = mailer_id.strip()
    if not re.fullmatch(r"[0-9]{3}", stc):
        raise ValueError(f"a USPS service type code is 3 digits, not {service_type_code!r}")
    if not re.fullmatch(r"9[0-9]{8}|[0-8][0-9]{5}", mid):
        raise ValueError(
            f"a USPS Mailer ID is 9 digits beginning with 9 or 6 digits beginning with 0-8,"
            f" not {mailer_id!r}"
        )
    width = 21 - 2 - len(stc) - len(mid)
    if not 0 <= serial < 10**width:
        raise ValueError(f"USPS serial {serial} does not fit in {width} digits")
    body = f"92{stc}{mid}{serial:0{width}d}"
    return f"{body}{gs1_standard_check_digit(body)}"


def usps_barcode_data(postal_code: str, tracking: str) -> str:
    """The GS1-128 element string of a USPS label barcode: AI 420 + the ZIP (5 or 9 digits),
    FNC1 (sent as GS), then the tracking number (which begins with its own AI, 92..95)."""
    zip_code = postal_code.strip().replace("-", "").replace(" ", "")
    if not re.fullmatch(r"[0-9]{5}|[0-9]{9}", zip_code):
        raise ValueError(f"a USPS barcode needs a 5- or 9-digit ZIP code, not {postal_code!r}")
    number = normalise_tracking(tracking)
    if impb(number) is None:
        raise ValueError(f"{tracking!r} is not a USPS IMpb tracking number")
    return f"420{zip_code}{GS}{number}"
