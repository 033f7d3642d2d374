"""eBay: Sell Fulfillment getOrders / getOrder JSON and the Seller Hub orders report in;
createShippingFulfillment requests out, one per parcel, keyed by lineItemId."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from warehouse_tui.channels import ebay_report
from warehouse_tui.channels._common import (
    decimal_text, hold_without_address, join, json_keys, keep_latest, load_json, looks_like_json, parse_time,
    read_head, shaped, text, unit_price, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.carrier_codes import carrier_for
from warehouse_tui.channels.confirm import choose_format, iso_millis, json_lines, parcel_lines, path_part, request

_PAYMENT_HOLD = {"PENDING": "payment pending at eBay", "FAILED": "the payment failed at eBay",
                 "FULLY_REFUNDED": "fully refunded on eBay"}


class EbayReader:
    name = "ebay"

    def sniff(self, path: Path, head: bytes) -> bool:
        if looks_like_json(head):
            return json_keys(head, "lineItemId", "legacyOrderId", "fulfillmentStartInstructions")
        return ebay_report.sniff(head)

    def read(self, paths: list[Path]) -> list[ImportedOrder]:
        orders: list[tuple[ImportedOrder, Any]] = []
        for path in map(Path, paths):
            if looks_like_json(read_head(path, 4096)):
                orders.extend(_read_json(path))
            else:
                orders.extend((o, None) for o in ebay_report.read(path))
        return keep_latest(orders)


def _read_json(path: Path) -> list[tuple[ImportedOrder, Any]]:
    doc = load_json(path)
    pages = doc if isinstance(doc, list) else [doc]
    out = []
    for n, page in enumerate(pages, start=1):
        where = f"record {n}"
        if not isinstance(page, dict):
            raise InputRejected(path, where, "not a getOrders response or an order")
        if isinstance(page.get("orders"), list):
            entries = [(o, f"{where}, orders[{i}]") for i, o in enumerate(page["orders"])]
        elif "orderId" in page:
            entries = [(page, where)]
        elif page.get("errors"):
            raise InputRejected(path, where, f"the response holds errors, not orders: {page['errors']!r:.200}")
        else:
            raise InputRejected(path, where, "not a getOrders response or an order")
        out.extend(_order(path, o, w) for o, w in entries)
    return out


def _time(path: Path, value: Any, where: str, what: str):
    try:
        return parse_time(value)
    except ValueError as e:
        raise InputRejected(path, where, f"{what}: {e}") from None


@shaped
def _order(path: Path, o: Any, where: str) -> tuple[ImportedOrder, Any]:
    if not isinstance(o, dict) or not text(o.get("orderId")):
        raise InputRejected(path, where, "an order without an orderId")
    ref = text(o["orderId"])
    where = f"{where} ({ref})"
    order = ImportedOrder(
        channel="ebay", ref=ref, display_name=ref,
        placed_at=_time(path, o.get("creationDate"), where, "creationDate"),
        buyer_name=text((o.get("buyer") or {}).get("username")),
        extra={k: v for k, v in (("format", "sell-fulfillment"), ("legacy_order_id", text(o.get("legacyOrderId"))),
                                 ("sales_record_reference", text(o.get("salesRecordReference")))) if v},
        source=f"{path.name}:{where}",
    )
    program = o.get("program") if isinstance(o.get("program"), dict) else {}
    _destination(order, o.get("fulfillmentStartInstructions") or [], bool(program.get("authenticityVerification")))
    _state(order, o)
    ship_by = []
    for i, li in enumerate(o.get("lineItems") or []):
        line, by = _line(path, li, f"{where}, lineItems[{i}]")
        if line is not None:
            order.lines.append(line)
            if by is not None:
                ship_by.append(by)
    order.ship_by = min(ship_by, default=None)
    if any(ln.extra.get("partly_shipped") for ln in order.lines):
        order.hold_reasons.append("partly shipped already: check the quantities left to ship")
    if not order.lines and not order.cancelled and not order.skip_reason:
        order.skip_reason = "nothing left to ship"
    hold_without_address(order)
    return order, _time(path, o.get("lastModifiedDate"), where, "lastModifiedDate")


def _contact(c: dict) -> Address:
    a = c.get("contactAddress") or {}
    return Address(
        name=text(c.get("fullName")), address1=text(a.get("addressLine1")), address2=text(a.get("addressLine2")),
        city=text(a.get("city")), region=text(a.get("stateOrProvince")), postal_code=text(a.get("postalCode")),
        country=text(a.get("countryCode") or a.get("country")).upper(),
        phone=text((c.get("primaryPhone") or {}).get("phoneNumber")), email=text(c.get("email")),
    )


def _destination(order: ImportedOrder, instructions: list, authenticity: bool) -> None:
    """Where the parcel goes. For the Global Shipping Program eBay's spec says: ship to shipTo, the
    provider's domestic hub, with "Reference #<shipToReferenceId>" just above its street, never to
    finalDestinationAddress (the buyer's home). For Authenticity Guarantee the parcel goes to
    finalDestinationAddress, the authenticator. The address not shipped to is kept in extra."""
    first = next((i for i in instructions if isinstance(i, dict)), {}) if isinstance(instructions, list) else {}
    kind = text(first.get("fulfillmentInstructionsType")).upper()
    step = first.get("shippingStep") or {}
    ship_to = _contact(step.get("shipTo") or {})
    final = first.get("finalDestinationAddress")
    reference = text(step.get("shipToReferenceId"))
    if kind in ("DIGITAL", "FULFILLED_BY_EBAY"):
        order.skip_reason = "digital" if kind == "DIGITAL" else "fulfilled by eBay"
    elif kind == "PREPARE_FOR_PICKUP" or first.get("pickupStep"):
        order.hold_reasons.append("the buyer collects it in store (In-Store Pickup)")
    if isinstance(final, dict) and authenticity:
        order.extra["buyer_address"] = asdict(ship_to)
        ship_to = _contact({"fullName": ship_to.name, "contactAddress": final})
        order.extra["authenticity_guarantee"] = True
    elif isinstance(final, dict):
        order.extra["final_destination"] = asdict(_contact({"fullName": ship_to.name, "contactAddress": final}))
        if reference:
            order.extra["ship_to_reference_id"] = reference
            ship_to.address2 = join(ship_to.address1, ship_to.address2)
            ship_to.address1 = f"Reference #{reference}"
    order.ship_to = ship_to


def _state(order: ImportedOrder, o: dict) -> None:
    cancel = text((o.get("cancelStatus") or {}).get("cancelState")).upper()
    if cancel == "CANCELED":
        order.cancelled = True
    elif cancel == "IN_PROGRESS":
        order.hold_reasons.append("the buyer asked to cancel")
    if text(o.get("orderFulfillmentStatus")).upper() == "FULFILLED" and not order.cancelled:
        order.skip_reason = order.skip_reason or "already shipped"
    payment = text(o.get("orderPaymentStatus")).upper()
    if payment in _PAYMENT_HOLD:
        order.hold_reasons.append(_PAYMENT_HOLD[payment])


def _line(path: Path, li: Any, where: str) -> tuple[ImportedLine | None, Any]:
    if not isinstance(li, dict) or not text(li.get("lineItemId")):
        raise InputRejected(path, where, "a line item without a lineItemId")
    line_id = text(li["lineItemId"])
    where = f"{where} ({line_id})"
    quantity = whole(li.get("quantity"), "quantity", path, where)
    if text(li.get("lineItemFulfillmentStatus")).upper() == "FULFILLED" or quantity == 0:
        return None, None
    cost = li.get("lineItemCost") or {}  # the price of all the units of the line
    extra = {k: v for k, v in (("legacy_item_id", text(li.get("legacyItemId"))),
                               ("legacy_variation_id", text(li.get("legacyVariationId")))) if v}
    if text(li.get("lineItemFulfillmentStatus")).upper() == "IN_PROGRESS":
        extra["partly_shipped"] = True
    line = ImportedLine(
        line_id=line_id, sku=text(li.get("sku")), title=text(li.get("title")), quantity=quantity,
        unit_price=unit_price(decimal_text(cost.get("value")), quantity),
        currency=text(cost.get("currency")) or None, extra=extra,
    )
    by = _time(path, (li.get("lineItemFulfillmentInstructions") or {}).get("shipByDate"), where, "shipByDate")
    return line, by


READER = EbayReader()
name = READER.name
sniff = READER.sniff
read = READER.read


def write_confirmations(shipments: list[ShipmentConfirmation], fmt: str | None = None) -> str:
    """JSON Lines of createShippingFulfillment requests, one per parcel, quantities explicit."""
    choose_format("ebay", fmt, ("api",))
    out = []
    for s in shipments:
        lines = parcel_lines(s, "ebay")
        codes, _ = carrier_for(s.carrier, s.service)
        body = {
            "lineItems": [{"lineItemId": ln.line_id, "quantity": ln.quantity} for ln in lines],
            "shippedDate": iso_millis(s.shipped_at),
            "shippingCarrierCode": codes.ebay,
            "trackingNumber": s.tracking_number,
        }
        out.append(request("POST", f"/sell/fulfillment/v1/order/{path_part(s.order_ref)}/shipping_fulfillment",
                           body))
    return json_lines(out)
