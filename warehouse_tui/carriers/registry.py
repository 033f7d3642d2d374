"""The carriers a parcel can leave with, and which of them serves a destination."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    code: str  # the key used in config (`[carriers.ups]`) and stored on parcels
    name: str  # for people and for marketplace confirmations
    countries: frozenset[str] | None  # ISO 3166 alpha-2 destinations; None = everywhere


# USPS domestic mail also reaches the US territories, which marketplaces export under
# their own country codes (Amazon writes "PR" for Puerto Rico).
_USPS_DOMESTIC = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})

CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in (
        Carrier("ups", "UPS", None),
        Carrier("usps", "USPS", _USPS_DOMESTIC),
        Carrier("fedex", "FedEx", None),
        Carrier("dhl", "DHL Express", None),
        Carrier("royalmail", "Royal Mail", None),
        Carrier("dpd", "DPD", None),
        Carrier("other", "Other", None),
    )
}


def carrier_for_destination(configured: list[str], country: str) -> str | None:
    """The first configured carrier that serves `country`, in the order configured.

    Codes that are not in CARRIERS are passed over: config validation reports them,
    and a label must never be bought from a carrier nobody knows.
    """
    country = country.strip().upper()
    for code in configured:
        carrier = CARRIERS.get(code.strip().lower())
        if carrier and (carrier.countries is None or country in carrier.countries):
            return carrier.code
    return None
