"""Documents and printers: the shapes the stations hand to ``documents``."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse_tui.channels.base import Address


class PrintError(Exception):
    """The printer did not take the document; the message says why, for the operator."""


@dataclass
class Document:
    kind: str  # label | packing_slip | pick_list | manifest | command_sheet
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
