"""Carriers and tracking numbers: pure functions, no database, no screen."""

from warehouse_tui.carriers.issue import (
    ups_tracking_number,
    usps_barcode_data,
    usps_tracking_number,
)
from warehouse_tui.carriers.registry import CARRIERS, Carrier, carrier_for_destination
from warehouse_tui.carriers.tracking import (
    TrackingMatch,
    detect_tracking,
    format_tracking,
    normalise_tracking,
    validate_tracking,
)

__all__ = [
    "CARRIERS",
    "Carrier",
    "TrackingMatch",
    "carrier_for_destination",
    "detect_tracking",
    "format_tracking",
    "normalise_tracking",
    "ups_tracking_number",
    "usps_barcode_data",
    "usps_tracking_number",
    "validate_tracking",
]
