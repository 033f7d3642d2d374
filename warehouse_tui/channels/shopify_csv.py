"""The Shopify orders export CSV: one row per line item; only an order's first row carries the
order's fields (its later rows repeat just the Name). It has no line item or fulfillment order
ids, so orders read from it can be picked and packed but not confirmed through the API."""

from __future__ import annotations

from pathlib import Path

from warehouse_tui.channels._common import (
    Table, decimal_text, head_headers, hold_without_address, read_table, report_time, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected
from warehouse_tui.channels.countries import country_code

_FINANCIAL_HOLD = {"pending": "payment pending at Shopify", "refunded": "refunded on Shopify",
                   "voided": "the payment was voided on Shopify"}


def _is_header(names: set[str]) -> bool:
    return {"name", "lineitem quantity"} <= names


def sniff(head: bytes) -> bool:
    return any(_is_header(n) for n in head_headers(head, lines=3))


def read(path: Path) -> list[ImportedOrder]:
    t = read_table(path, _is_header, preamble=3, what="Shopify orders export")
    t.require(("Lineitem sku",), ("Shipping Address1", "Shipping Street"))
    orders: dict[str, ImportedOrder] = {}
    rows_seen: dict[str, int] = {}
    currency: dict[str, str] = {}
    for line, row in t.rows:
        name = t.get(row, "Name")
        if not name:
            raise InputRejected(path, f"line {line}", "Name is empty")
        order = orders.get(name)
        if order is None:
            order = orders[name] = _order(t, row, name, path, line)
            currency[name] = t.get(row, "Currency")
        rows_seen[name] = rows_seen.get(name, 0) + 1
        item = _line(t, row, path, line, rows_seen[name], order, currency[name])
        if item is not None:
            order.lines.append(item)
    for order in orders.values():
        if not order.lines and not order.cancelled:
            order.skip_reason = "nothing left to fulfil"
        hold_without_address(order)
    return list(orders.values())


def _order(t: Table, row: list[str], name: str, path: Path, line: int) -> ImportedOrder:
    order_id = t.get(row, "Id")
    order = ImportedOrder(
        channel="shopify", ref=order_id or name, display_name=name,
        placed_at=report_time(t.get(row, "Created at"), (), path, f"line {line}", "Created at"),
        buyer_name=t.get(row, "Billing Name"),
        extra={"format": "orders-export-csv", "name": name,
               **({"order_id": int(order_id)} if order_id.isdigit() else {})},
        source=f"{path.name}:{line}",
    )
    country = t.get(row, "Shipping Country")
    order.ship_to = Address(
        name=t.get(row, "Shipping Name"), address1=t.get(row, "Shipping Address1") or t.get(row, "Shipping Street"),
        address2=t.get(row, "Shipping Address2"), city=t.get(row, "Shipping City"),
        region=t.get(row, "Shipping Province"), postal_code=t.get(row, "Shipping Zip"),
        country=country_code(country) or "", phone=t.get(row, "Shipping Phone"), email=t.get(row, "Email"),
    )
    if country and not order.ship_to.country:
        order.hold_reasons.append(f"unknown country {country!r}")
    if t.get(row, "Cancelled at"):
        order.cancelled = True
    financial = t.get(row, "Financial Status").lower()
    if financial in _FINANCIAL_HOLD:
        order.hold_reasons.append(_FINANCIAL_HOLD[financial])
    return order


def _line(t: Table, row: list[str], path: Path, line: int, n: int, order: ImportedOrder,
          currency: str) -> ImportedLine | None:
    quantity = whole(t.get(row, "Lineitem quantity"), "Lineitem quantity", path, f"line {line}")
    status = t.get(row, "Lineitem fulfillment status").lower()
    if quantity == 0 or status == "fulfilled" or t.get(row, "Lineitem requires shipping").lower() == "false":
        return None
    if status == "partial" and "partly fulfilled already: check what is left" not in order.hold_reasons:
        order.hold_reasons.append("partly fulfilled already: check what is left")
    # no line item ids in the export: the line's place in its order stands in for one
    return ImportedLine(line_id=f"export-line-{n}", sku=t.get(row, "Lineitem sku"), title=t.get(row, "Lineitem name"),
                        quantity=quantity, unit_price=decimal_text(t.get(row, "Lineitem price")),
                        currency=currency or None, extra={"from_export_csv": True})
