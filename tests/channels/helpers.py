"""Sample files of our own in the marketplaces' formats, and parcels built from imported orders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from warehouse_tui.channels.base import ConfirmedLine, ImportedLine, ImportedOrder, ShipmentConfirmation

DATA = Path(__file__).parent / "data"
SHIPPED_AT = datetime(2026, 3, 2, 15, 4, 5, 678000)


def stored(value):
    """What the database gives back of an extra: it keeps it as JSON."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def parcel(order: ImportedOrder, lines: list[tuple[ImportedLine, int]] | None = None, *, seq: int = 1,
           count: int = 1, carrier: str = "ups", tracking: str = "1Z999AA10123456784", service: str | None = None,
           shipped_at: datetime = SHIPPED_AT) -> ShipmentConfirmation:
    """A parcel of ``order`` holding ``lines`` (line, quantity); all of the order by default."""
    lines = lines if lines is not None else [(ln, ln.quantity) for ln in order.lines]
    return ShipmentConfirmation(
        channel=order.channel, order_ref=order.ref, display_name=order.display_name,
        order_extra=stored(order.extra), parcel_id=seq * 100, parcel_seq=seq, parcel_count=count,
        carrier=carrier, service=service, tracking_number=tracking, shipped_at=shipped_at,
        lines=[ConfirmedLine(ln.line_id, ln.sku, q, stored(ln.extra)) for ln, q in lines],
    )


def by_ref(orders: list[ImportedOrder]) -> dict[str, ImportedOrder]:
    refs = [o.ref for o in orders]
    assert len(refs) == len(set(refs)), "an order came out twice"
    return {o.ref: o for o in orders}


def jsonl(text: str) -> list[dict]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]
