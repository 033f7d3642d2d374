"""What an Amazon order's status means here: queue it, hold it, leave it out, or cancel it."""

from __future__ import annotations

from warehouse_tui.channels.base import ImportedLine, ImportedOrder

NO_ADDRESS = "no shipping address (restricted data)"
AFN = "fulfilled by Amazon (AFN): not shipped from here"
BUYER_CANCEL = "the buyer asked to cancel"

# Orders v0 OrderStatus, Orders 2026-01-01 fulfillmentStatus (upper case)
_HOLD = {
    "PENDING": "pending at Amazon: payment not yet authorised, not ready to ship",
    "PENDINGAVAILABILITY": "a pre-order not yet released: not ready to ship",
    "PENDING_AVAILABILITY": "a pre-order not yet released: not ready to ship",
    "INVOICEUNCONFIRMED": "Amazon waits for the invoice to be confirmed",
}
_SKIP = {
    "SHIPPED": "already shipped",
    "UNFULFILLABLE": "unfulfillable at Amazon",
}
_SHIPPABLE = {"UNSHIPPED", "PARTIALLYSHIPPED", "PARTIALLY_SHIPPED"}
_CANCELLED = {"CANCELED", "CANCELLED"}


def _apply(order: ImportedOrder, state: str, afn: bool) -> None:
    key = state.upper()
    if key in _CANCELLED:
        order.cancelled = True
    elif afn:
        order.skip_reason = AFN
    elif key in _SKIP:
        order.skip_reason = _SKIP[key]
    elif key in _HOLD:
        order.hold_reasons.append(_HOLD[key])
    elif key and key not in _SHIPPABLE:
        order.hold_reasons.append(f"unknown Amazon order status {state!r}")


def apply_v0(order: ImportedOrder, o: dict) -> None:
    afn = str(o.get("FulfillmentChannel") or "MFN").upper() == "AFN"
    _apply(order, str(o.get("OrderStatus") or ""), afn)


def apply_2026(order: ImportedOrder, fulfillment: dict) -> None:
    afn = str(fulfillment.get("fulfilledBy") or "").upper() == "AMAZON"
    _apply(order, str(fulfillment.get("fulfillmentStatus") or ""), afn)


def finish(order: ImportedOrder, lines: list[ImportedLine], buyer_asked_cancel: bool,
           items_given: bool, details_given: bool = True) -> None:
    """Lines, and the reasons that depend on them and on the address, once all is known."""
    order.lines = lines
    if order.cancelled or order.skip_reason:
        return
    if not details_given:
        order.hold_reasons.append("no order details given: import its getOrders response too")
    elif not (order.ship_to.name and order.ship_to.address1):
        order.hold_reasons.append(NO_ADDRESS)
    if buyer_asked_cancel:
        order.hold_reasons.append(BUYER_CANCEL)
    if not items_given:
        order.skip_reason = "no order items given: import its getOrderItems response with it"
    elif not lines:
        order.skip_reason = "nothing left to ship"
