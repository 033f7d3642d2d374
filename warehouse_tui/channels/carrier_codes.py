"""Our carrier codes -> each marketplace's own carrier code, in one table.

Amazon's codes come from the CarrierCode enumeration of amzn-base.xsd, eBay's from the Trading
API's ShippingCarrierCodeType, Etsy's from the carrier names createReceiptShipment recognises
(unknown ones may be sent as ``other``), Shopify's from its list of tracking companies (Shopify
builds the tracking link itself for those it knows). A carrier that is not in the table goes
out as the marketplace's "other" code, with its name where the marketplace takes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class MarketplaceCarrier:
    name: str  # for people, and the carrier name where a marketplace wants one
    amazon: str
    ebay: str
    etsy: str
    shopify: str | None  # tracking_info.company; None: leave the company out
    tracking_url: str | None = None  # "{}" takes the tracking number


CARRIER_CODES: dict[str, MarketplaceCarrier] = {
    "ups": MarketplaceCarrier("UPS", "UPS", "UPS", "ups", "UPS",
                              "https://www.ups.com/track?tracknum={}"),
    "usps": MarketplaceCarrier("USPS", "USPS", "USPS", "usps", "USPS",
                               "https://tools.usps.com/go/TrackConfirmAction?tLabels={}"),
    "fedex": MarketplaceCarrier("FedEx", "FedEx", "FedEx", "fedex", "FedEx",
                                "https://www.fedex.com/fedextrack/?trknbr={}"),
    "dhl": MarketplaceCarrier(
        "DHL Express", "DHL", "DHL", "dhl", "DHL Express",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={}"),
    "royalmail": MarketplaceCarrier("Royal Mail", "Royal Mail", "RoyalMail", "royal-mail", "Royal Mail",
                                    "https://www.royalmail.com/track-your-item#/tracking-results/{}"),
    "dpd": MarketplaceCarrier("DPD", "DPD", "DPD", "dpd", "DPD"),
    "other": MarketplaceCarrier("Other", "Other", "Other", "other", None),
}

OTHER = CARRIER_CODES["other"]


def carrier_for(code: str, service: str | None = None) -> tuple[MarketplaceCarrier, str]:
    """The marketplace codes for our carrier code, and the carrier's name for people.

    An unknown code is taken as the carrier's own name ("evri" -> Other, "evri"); for
    ``other`` the name is the service when one is given, since nothing else names it.
    """
    key = (code or "").strip().lower()
    known = CARRIER_CODES.get(key)
    if known is not None and known is not OTHER:
        return known, known.name
    if known is OTHER:
        return OTHER, (service or "").strip() or OTHER.name
    return OTHER, (code or "").strip() or OTHER.name


def tracking_url(code: str, tracking_number: str) -> str | None:
    known = CARRIER_CODES.get((code or "").strip().lower())
    if known is None or known.tracking_url is None:
        return None
    return known.tracking_url.format(quote(tracking_number, safe=""))
