"""Documents and printers: the shapes the stations hand to ``documents``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from warehouse_tui.channels.base import Address


class PrintError(Exception):
    """The printer did not take the document; the message says why, for the operator."""


@dataclass
class Document:
    kind: str  # label | packing_slip | pick_list | manifest | command_sheet | scanner_test
    format: str  # zpl | pdf | csv
    data: bytes
    name: str  # a file name stem: "label-BAR-1001-1"


@dataclass
class LabelData:
    ship_from: Address
    ship_to: Address
    carrier: str  # carrier code
    carrier_name: str  # for people: "UPS"
    service: str  # "Ground", "03", ...
    weight_g: int | None
    order_ref: str  # the display name
    parcel_seq: int
    parcel_count: int
    tracking_number: str
    # the tracking barcode: "code128" with barcode_data == tracking number, or "gs1-128"
    # with barcode_data the GS1 element string ("420" + ZIP + GS + "92...") for USPS IMpb
    barcode_type: str = "code128"
    barcode_data: str = ""


class SlipLine(NamedTuple):
    sku: str
    title: str
    quantity: int


@dataclass
class SlipData:
    """A packing slip: what is in the box, and how to send it back."""

    order_ref: str  # the display name
    order_barcode: str  # printed as Code 128; scanning it brings the order up
    placed_at: datetime | None
    ship_from: Address
    ship_to: Address
    lines: list[SlipLine] = field(default_factory=list)  # (sku, title, quantity) tuples do too
    return_instructions: str = ""


class PickOrder(NamedTuple):
    display_name: str
    order_barcode: str
    tote: str | None


class PickLine(NamedTuple):
    bin: str
    sku: str
    title: str
    quantity: int
    order: str  # the order's display name


@dataclass
class PickListData:
    """A batch pick: its orders, and the lines already in walking order of bins."""

    title: str
    created_at: datetime | None
    orders: list[PickOrder] = field(default_factory=list)
    lines: list[PickLine] = field(default_factory=list)  # printed in the order given


class ManifestParcel(NamedTuple):
    tracking_number: str
    order: str  # the order's display name
    weight_g: int | None
    service: str


@dataclass
class ManifestData:
    """The end-of-day hand-over of one carrier's parcels."""

    carrier: str  # carrier code
    carrier_name: str  # for people
    manifest_id: str
    closed_at: datetime | None  # naive UTC
    ship_from: Address
    parcels: list[ManifestParcel] = field(default_factory=list)
