"""Shopify Admin REST order JSON (one order or a list) and fulfillment orders, given in the same
file or apart, matched by order id.

``name`` ("#1001") is for people, ``id`` for the API. What is left to send is
``fulfillable_quantity`` (older answers without it: ``current_quantity`` / ``quantity``), and no
more than the open fulfillment orders still hold; confirmations need the fulfillment order ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warehouse_tui.channels._common import (
    decimal_text, hold_without_address, join, load_json, parse_time, shaped, text, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected

OPEN_FULFILLMENT_ORDERS = {"open", "in_progress"}
_FINANCIAL_HOLD = {"pending": "payment pending at Shopify", "refunded": "refunded on Shopify",
                   "voided": "the payment was voided on Shopify"}


def collect(path: Path, orders: list, fulfillment_orders: dict) -> None:
    doc = load_json(path)
    docs = doc if isinstance(doc, list) else [doc]
    for n, d in enumerate(docs, start=1):
        where = f"record {n}" if isinstance(doc, list) else "record 1"
        if not isinstance(d, dict):
            raise InputRejected(path, where, "not a Shopify order or fulfillment orders response")
        found = False
        if isinstance(d.get("order"), dict):
            orders.append((d["order"], path, f"{where}, order"))
            found = True
        if isinstance(d.get("orders"), list):
            orders.extend((o, path, f"{where}, orders[{i}]") for i, o in enumerate(d["orders"]))
            found = True
        if isinstance(d.get("fulfillment_orders"), list):
            index_fulfillment_orders(path, d["fulfillment_orders"], f"{where}, fulfillment_orders",
                                d.get("id"), fulfillment_orders)
            found = True
        if not found and "id" in d and ("line_items" in d or "financial_status" in d):
            orders.append((d, path, where))
            found = True
        if not found:
            raise InputRejected(path, where, "not a Shopify order or fulfillment orders response")


@shaped
def index_fulfillment_orders(path: Path, fos: list, where: str, order_id: Any, into: dict) -> None:
    for i, fo in enumerate(fos):
        if not isinstance(fo, dict) or fo.get("id") is None:
            raise InputRejected(path, f"{where}[{i}]", "a fulfillment order without an id")
        owner = fo.get("order_id", order_id)
        if owner is None:
            raise InputRejected(path, f"{where}[{i}]", "a fulfillment order without an order_id")
        into.setdefault(text(owner), {})[text(fo["id"])] = (fo, path, f"{where}[{i}]")


@shaped
def build(o: Any, path: Path, where: str, fos: dict | None) -> tuple[ImportedOrder, Any]:
    if not isinstance(o, dict) or o.get("id") is None:
        raise InputRejected(path, where, "an order without an id")
    ref = text(o["id"])
    display = text(o.get("name")) or ref
    where = f"{where} ({display})"
    order = ImportedOrder(
        channel="shopify", ref=ref, display_name=display,
        placed_at=_time(path, o.get("created_at"), where, "created_at"),
        ship_to=_address(o.get("shipping_address"), text(o.get("email") or o.get("contact_email"))),
        buyer_name=_buyer(o),
        extra={"format": "admin-rest", "order_id": o["id"], "name": display},
        source=f"{path.name}:{where}",
    )
    if o.get("cancelled_at"):
        order.cancelled = True
    financial = text(o.get("financial_status")).lower()
    if financial in _FINANCIAL_HOLD:
        order.hold_reasons.append(_FINANCIAL_HOLD[financial])
    by_line = _open_lines(order, fos) if fos is not None else None
    for i, li in enumerate(o.get("line_items") or []):
        line = _line(path, li, f"{where}, line_items[{i}]", o.get("currency"), by_line)
        if line is not None:
            order.lines.append(line)
    if fos is not None:
        order.extra["fulfillment_order_ids"] = sorted({fl["fulfillment_order_id"] for ln in order.lines
                                                       for fl in ln.extra["fulfillment_order_lines"]})
    if not order.lines and not order.cancelled:
        order.skip_reason = ("already fulfilled" if text(o.get("fulfillment_status")).lower() == "fulfilled"
                             else "nothing left to fulfil")
    hold_without_address(order)
    return order, _time(path, o.get("updated_at"), where, "updated_at")


def _time(path: Path, value: Any, where: str, what: str):
    try:
        return parse_time(value)
    except ValueError as e:
        raise InputRejected(path, where, f"{what}: {e}") from None


def _address(a: Any, email: str) -> Address:
    a = a if isinstance(a, dict) else {}
    return Address(
        name=text(a.get("name")) or join(a.get("first_name"), a.get("last_name"), sep=" "),
        address1=text(a.get("address1")), address2=text(a.get("address2")), city=text(a.get("city")),
        region=text(a.get("province_code") or a.get("province")), postal_code=text(a.get("zip")),
        country=text(a.get("country_code")).upper(), phone=text(a.get("phone")), email=email,
    )


def _buyer(o: dict) -> str:
    c = o.get("customer") if isinstance(o.get("customer"), dict) else {}
    return join(c.get("first_name"), c.get("last_name"), sep=" ") or text((o.get("billing_address") or {}).get("name"))


def _open_lines(order: ImportedOrder, fos: dict) -> dict[str, list[dict]]:
    """Line item id -> what the open fulfillment orders still hold of it."""
    by_line: dict[str, list[dict]] = {}
    for fo, path, where in fos.values():
        status = text(fo.get("status")).lower()
        if status == "on_hold" or fo.get("fulfillment_holds"):
            order.hold_reasons.append(f"fulfillment order {fo['id']} is on hold at Shopify")
        elif status == "scheduled":
            order.hold_reasons.append(f"fulfillment order {fo['id']} is scheduled for {text(fo.get('fulfill_at'))}")
        if status not in OPEN_FULFILLMENT_ORDERS:
            continue
        for i, fl in enumerate(fo.get("line_items") or []):
            w = f"{where}, line_items[{i}]"
            if not isinstance(fl, dict) or fl.get("id") is None or fl.get("line_item_id") is None:
                raise InputRejected(path, w, "a fulfillment order line item without id or line_item_id")
            left = whole(fl.get("fulfillable_quantity", fl.get("quantity")), "fulfillable_quantity", path, w)
            if left > 0:
                by_line.setdefault(text(fl["line_item_id"]), []).append(
                    {"fulfillment_order_id": fo["id"], "id": fl["id"], "quantity": left})
    return by_line


def _line(path: Path, li: Any, where: str, currency: Any, by_line: dict | None) -> ImportedLine | None:
    if not isinstance(li, dict) or li.get("id") is None:
        raise InputRejected(path, where, "a line item without an id")
    line_id = text(li["id"])
    where = f"{where} ({line_id})"
    if li.get("requires_shipping") is False:
        return None
    if "fulfillable_quantity" in li:
        value = li["fulfillable_quantity"]
        # after some refunds Shopify reports less than nothing left: nothing is left
        left = 0 if isinstance(value, int) and value < 0 else whole(value, "fulfillable_quantity", path, where)
    elif text(li.get("fulfillment_status")).lower() == "fulfilled":
        left = 0
    else:
        left = whole(li.get("current_quantity", li.get("quantity")), "quantity", path, where)
    extra: dict[str, Any] = {"line_item_id": li["id"]}
    if li.get("variant_id") is not None:
        extra["variant_id"] = li["variant_id"]
    if by_line is not None:
        held = by_line.get(line_id, [])
        left = min(left, sum(fl["quantity"] for fl in held))
        extra["fulfillment_order_lines"] = held
    if left <= 0:
        return None
    return ImportedLine(line_id=line_id, sku=text(li.get("sku")), title=text(li.get("name") or li.get("title")),
                        quantity=left, unit_price=decimal_text(li.get("price")), currency=text(currency) or None,
                        extra=extra)
