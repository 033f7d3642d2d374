"""Fixtures for the documents: addresses and orders with awkward text, and barcode readers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("warehouse_tui") is None:  # a checkout that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from doc_helpers import UPS_TRACKING, USPS_GS1, USPS_TRACKING  # noqa: E402

from warehouse_tui.channels.base import Address  # noqa: E402
from warehouse_tui.documents.base import LabelData  # noqa: E402


@pytest.fixture
def ship_from() -> Address:
    return Address(
        name="Example Goods Ltd",
        address1="1 Dock Road",
        city="Leeds",
        postal_code="LS1 1AA",
        country="GB",
    )


@pytest.fixture
def ship_to() -> Address:
    return Address(
        name="Zoë Ångström-Łukasz",
        address1="1600 Pennsylvania Avenue NW",
        address2="Apt 4",
        city="Washington",
        region="DC",
        postal_code="20500",
        country="US",
    )


@pytest.fixture
def ups_label(ship_from, ship_to) -> LabelData:
    return LabelData(
        ship_from=ship_from,
        ship_to=ship_to,
        carrier="ups",
        carrier_name="UPS",
        service="Ground",
        weight_g=1250,
        order_ref="#1001",
        parcel_seq=1,
        parcel_count=2,
        tracking_number=UPS_TRACKING,
    )


@pytest.fixture
def usps_label(ship_from, ship_to) -> LabelData:
    return LabelData(
        ship_from=ship_from,
        ship_to=ship_to,
        carrier="usps",
        carrier_name="USPS",
        service="Ground Advantage",
        weight_g=450,
        order_ref="#1002",
        parcel_seq=1,
        parcel_count=1,
        tracking_number=USPS_TRACKING,
        barcode_type="gs1-128",
        barcode_data=USPS_GS1,
    )
