"""What every channel reader produces and every confirmation writer takes.

A channel module reads files in a marketplace's own format into ``ImportedOrder`` records
(nothing touches the database there) and writes confirmations from ``ShipmentConfirmation``
records. ``warehouse_tui.workflow.importing`` stores the orders; ``workflow.confirmations``
collects the shipped parcels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol


class InputRejected(Exception):
    """A file that cannot be taken as a whole. ``where`` names the line or record."""

    def __init__(self, path: str | Path, where: str, message: str):
        self.path = str(path)
        self.where = where
        self.message = message
        super().__init__(f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}")


@dataclass
class Address:
    name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    phone: str = ""
    email: str = ""


@dataclass
class ImportedLine:
    line_id: str  # the channel's line id: Amazon OrderItemId, eBay lineItemId, ...
    sku: str
    title: str
    quantity: int  # units still to ship
    unit_price: str | None = None  # decimal as text
    currency: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. shopify fulfillment_order ids
    source: str = ""  # "file:line" or "file:record N", for messages


@dataclass
class ImportedOrder:
    channel: str  # amazon | ebay | etsy | shopify | csv
    ref: str  # the channel's order id, as the marketplace's API knows it
    display_name: str  # what people call it ("#1001" on Shopify; else the ref)
    placed_at: datetime | None = None  # UTC (naive values are taken as UTC)
    ship_by: datetime | None = None  # UTC (naive values are taken as UTC)
    ship_to: Address = field(default_factory=Address)
    buyer_name: str = ""
    lines: list[ImportedLine] = field(default_factory=list)
    priority: int = 0
    cancelled: bool = False
    # reasons to put the order on hold on arrival (missing restricted address, ...)
    hold_reasons: list[str] = field(default_factory=list)
    # a reason not to queue it at all (Amazon AFN, nothing left to fulfil); still reported
    skip_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # channel ids the confirmations need
    source: str = ""  # "file:line" or "file:record N", for messages


class ChannelReader(Protocol):
    name: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """Whether this file is in one of this channel's formats (head: its first 64 KiB)."""

    def read(self, paths: list[Path]) -> list[ImportedOrder]:
        """All orders in these files; raise InputRejected naming the file and record."""


@dataclass
class ConfirmedLine:
    line_id: str
    sku: str
    quantity: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ShipmentConfirmation:
    """One parcel to confirm to its marketplace."""

    channel: str
    order_ref: str
    display_name: str
    order_extra: dict[str, Any]
    parcel_id: int
    parcel_seq: int  # 1-based within the order
    parcel_count: int
    carrier: str  # our carrier code: ups, usps, fedex, dhl, royalmail, ...
    service: str | None
    tracking_number: str
    shipped_at: datetime  # UTC (naive values are taken as UTC)
    lines: list[ConfirmedLine] = field(default_factory=list)
