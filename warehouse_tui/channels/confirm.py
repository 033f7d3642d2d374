"""What every confirmation writer shares: checks, times, JSON Lines requests, safe cells."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from warehouse_tui.channels.base import ConfirmedLine, ShipmentConfirmation
from warehouse_tui.text import clean, json_text


class CannotConfirm(ValueError):
    """A parcel that cannot be confirmed in this format; nothing is written for any parcel."""

    def __init__(self, shipment: ShipmentConfirmation, reason: str):
        self.shipment = shipment
        self.reason = reason
        name = shipment.display_name or shipment.order_ref
        super().__init__(f"order {name}, parcel {shipment.parcel_seq}: {reason}")


def choose_format(channel: str, fmt: str | None, formats: tuple[str, ...]) -> str:
    """``fmt`` checked against the channel's formats; the first is the default."""
    if fmt is None or fmt == "":
        return formats[0]
    if fmt.lower() not in formats:
        raise ValueError(f"{channel} confirmations come as {' or '.join(formats)}, not {fmt!r}")
    return fmt.lower()


def parcel_lines(shipment: ShipmentConfirmation, channel: str) -> list[ConfirmedLine]:
    """The parcel's lines, one per channel line id with the quantities summed."""
    if shipment.channel != channel:
        raise CannotConfirm(shipment, f"it is a {shipment.channel} order, not {channel}")
    if not shipment.tracking_number.strip():
        raise CannotConfirm(shipment, "it has no tracking number")
    merged: dict[str, ConfirmedLine] = {}
    for line in shipment.lines:
        if line.quantity <= 0:
            continue
        if not line.line_id:
            raise CannotConfirm(shipment, f"line {line.sku!r} has no {channel} line id")
        if line.line_id in merged:
            merged[line.line_id].quantity += line.quantity
        else:
            merged[line.line_id] = ConfirmedLine(line.line_id, line.sku, line.quantity, dict(line.extra))
    if not merged:
        raise CannotConfirm(shipment, "it holds no units to confirm")
    return list(merged.values())


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def iso_millis(t: datetime) -> str:
    """2015-08-04T19:09:02.768Z, as eBay and Amazon's JSON APIs write it."""
    u = _utc(t)
    return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}Z"


def iso_offset(t: datetime) -> str:
    """2015-08-04T19:09:02+00:00, as Amazon's flat files take it."""
    return _utc(t).replace(microsecond=0).isoformat()


def path_part(value: Any) -> str:
    return quote(str(value), safe="")


def request(method: str, path: str, body: Any, content_type: str = "application/json") -> dict:
    return {"method": method, "path": path, "content_type": content_type, "body": body}


def json_lines(requests: list[dict]) -> str:
    return "".join(json_text(r) + "\n" for r in requests)


FORMULA_START = ("=", "+", "-", "@")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not run: no tabs, line breaks or other control characters, no
    leading formula sign."""
    s = " ".join(clean(str(value if value is not None else "")).split())
    return "'" + s if s.startswith(FORMULA_START) else s
