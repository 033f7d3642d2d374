"""Amazon: SP-API order JSON and the tab-separated order reports in; shipping confirmations out,
as the flat file (POST_FLAT_FILE_FULFILLMENT_DATA) or as confirmShipment requests."""

from __future__ import annotations

from pathlib import Path

from warehouse_tui.channels import amazon_json, amazon_report
from warehouse_tui.channels import amazon_status as status
from warehouse_tui.channels._common import json_keys, keep_latest, load_json, looks_like_json, read_head
from warehouse_tui.channels.base import ImportedOrder, ShipmentConfirmation
from warehouse_tui.channels.carrier_codes import carrier_for
from warehouse_tui.channels.confirm import (
    CannotConfirm, choose_format, iso_millis, iso_offset, json_lines, parcel_lines, path_part, request,
    safe_cell,
)

FLAT_FILE_HEADER = ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "carrier-name",
                    "tracking-number", "ship-method")
FORMATS = ("flat", "api")


class AmazonReader:
    name = "amazon"

    def sniff(self, path: Path, head: bytes) -> bool:
        if looks_like_json(head):
            return json_keys(head, "AmazonOrderId", "orderItemId")
        return amazon_report.sniff(head)

    def read(self, paths: list[Path]) -> list[ImportedOrder]:
        found = amazon_json.Found()
        orders: list[tuple[ImportedOrder, object]] = []
        for path in map(Path, paths):
            if looks_like_json(read_head(path, 4096)):
                amazon_json.collect(path, load_json(path), found)
            else:
                orders.extend((o, None) for o in amazon_report.read(path))
        return keep_latest(orders + _assemble(found))


def _assemble(found: amazon_json.Found) -> list[tuple[ImportedOrder, object]]:
    """Orders with the items, addresses and buyer details given for them in any file."""
    out = []
    for seen in found.orders:
        order = seen.order
        if not seen.done:
            amazon_json.merge_address(order, found)
            if seen.embedded is not None:
                entries = [(item, seen.path, f"{seen.where}, OrderItems[{n}]")
                           for n, item in enumerate(seen.embedded)]
            else:
                entries = found.items.get(order.ref)
            lines, asked = amazon_json.lines_v0(entries or [])
            status.finish(order, lines, asked, items_given=entries is not None)
        out.append((order, seen.stamp))
    known = {seen.order.ref for seen in found.orders}
    for ref, entries in found.items.items():
        if ref in known:
            continue
        _, path, where = entries[0]
        order = ImportedOrder(channel="amazon", ref=ref, display_name=ref, source=f"{path.name}:{where}",
                              extra={"format": "sp-api-orders-v0"})
        lines, asked = amazon_json.lines_v0(entries)
        status.finish(order, lines, asked, items_given=True, details_given=False)
        out.append((order, None))
    return out


READER = AmazonReader()
name = READER.name
sniff = READER.sniff
read = READER.read


def write_confirmations(shipments: list[ShipmentConfirmation], fmt: str | None = None) -> str:
    """``flat`` (the default): the shipping-confirmation flat file, one row per order item per
    parcel; ``api``: JSON Lines of confirmShipment requests, one per parcel."""
    fmt = choose_format("amazon", fmt, FORMATS)
    parcels = [(s, parcel_lines(s, "amazon")) for s in shipments]
    if fmt == "api":
        return json_lines([_confirm_shipment(s, lines) for s, lines in parcels])
    rows = ["\t".join(FLAT_FILE_HEADER)]
    for s, lines in parcels:
        codes, carrier_name = carrier_for(s.carrier, s.service)
        for line in lines:
            cells = (s.order_ref, line.line_id, str(line.quantity), iso_offset(s.shipped_at), codes.amazon,
                     carrier_name, s.tracking_number, s.service or "")
            rows.append("\t".join(safe_cell(c) for c in cells))
    return "\n".join(rows) + "\n"


def _confirm_shipment(s: ShipmentConfirmation, lines) -> dict:
    marketplace = str(s.order_extra.get("marketplace_id") or "")
    if not marketplace:
        raise CannotConfirm(s, "its marketplace id is unknown (the report it came from has none): "
                               "confirm it with the flat file")
    codes, carrier_name = carrier_for(s.carrier, s.service)
    package = {
        "packageReferenceId": str(s.parcel_seq),  # positive and unique within the order
        "carrierCode": codes.amazon,
        "carrierName": carrier_name,
        "trackingNumber": s.tracking_number,
        "shipDate": iso_millis(s.shipped_at),
        "orderItems": [{"orderItemId": ln.line_id, "quantity": ln.quantity} for ln in lines],
    }
    if s.service:
        package["shippingMethod"] = s.service
    return request("POST", f"/orders/v0/orders/{path_part(s.order_ref)}/shipmentConfirmation",
                   {"marketplaceId": marketplace, "packageDetail": package})
