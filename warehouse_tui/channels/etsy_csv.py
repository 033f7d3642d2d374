"""Etsy Shop Manager CSVs: Sold Orders (one row per order: the address) and Sold Order Items (one
row per transaction: what to send), paired by Order ID. Column order varies: map by name."""

from __future__ import annotations

from pathlib import Path

from warehouse_tui.channels._common import (
    Table, decimal_text, head_headers, hold_without_address, read_table, report_time, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected
from warehouse_tui.channels.countries import country_code

DATES = ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d")


def _is_orders(names: set[str]) -> bool:
    return "order id" in names and ("number of items" in names or "street 1" in names)


def _is_items(names: set[str]) -> bool:
    return {"order id", "transaction id", "listing id"} <= names


def sniff(head: bytes) -> bool:
    return any(_is_orders(n) or _is_items(n) for n in head_headers(head, lines=3))


def read(paths: list[Path]) -> list[ImportedOrder]:
    orders: dict[str, ImportedOrder] = {}
    lines: dict[str, list[ImportedLine]] = {}
    first_item: dict[str, tuple[Table, list[str], int]] = {}
    for path in paths:
        t = read_table(path, lambda n: _is_orders(n) or _is_items(n), preamble=3, what="Etsy")
        is_items = t.has("transaction id") and t.has("listing id")
        for line, row in t.rows:
            ref = _ref(t, row, path, line)
            if not is_items:
                orders[ref] = _order(t, row, ref, path, line)
                continue
            first_item.setdefault(ref, (t, row, line))
            item = _item(t, row, path, line)
            lines.setdefault(ref, []).extend([item] if item else [])
    for ref, found in lines.items():
        order = orders.get(ref)
        if order is None:
            t, row, line = first_item[ref]
            order = orders[ref] = _order_from_item(t, row, ref, t.path, line)
        order.lines = found
    out = []
    for ref, order in orders.items():
        if not order.cancelled and not order.skip_reason:
            if ref not in lines:
                order.skip_reason = "no items given: import the Sold Order Items CSV with it"
            elif not order.lines:
                order.skip_reason = "nothing left to ship"
        hold_without_address(order)
        out.append(order)
    return out


def _ref(t: Table, row: list[str], path: Path, line: int) -> str:
    ref = t.get(row, "Order ID")
    if not ref:
        raise InputRejected(path, f"line {line}", "Order ID is empty")
    return ref


def _country(order: ImportedOrder, name: str) -> str:
    code = country_code(name)
    if name and not code:
        order.hold_reasons.append(f"unknown country {name!r}")
    return code or ""


def _order(t: Table, row: list[str], ref: str, path: Path, line: int) -> ImportedOrder:
    order = ImportedOrder(
        channel="etsy", ref=ref, display_name=ref,
        placed_at=report_time(t.get(row, "Sale Date"), DATES, path, f"line {line}", "Sale Date"),
        buyer_name=t.get(row, "Full Name") or t.get(row, "Buyer"),
        extra={"format": "sold-orders-csv", **({"buyer": t.get(row, "Buyer")} if t.get(row, "Buyer") else {})},
        source=f"{path.name}:{line}",
    )
    order.ship_to = Address(
        name=t.get(row, "Full Name"), address1=t.get(row, "Street 1"), address2=t.get(row, "Street 2"),
        city=t.get(row, "Ship City"), region=t.get(row, "Ship State"), postal_code=t.get(row, "Ship Zipcode"),
        country=_country(order, t.get(row, "Ship Country")),
    )
    _state(order, t, row)
    return order


def _order_from_item(t: Table, row: list[str], ref: str, path: Path, line: int) -> ImportedOrder:
    order = ImportedOrder(
        channel="etsy", ref=ref, display_name=ref,
        placed_at=report_time(t.get(row, "Sale Date"), DATES, path, f"line {line}", "Sale Date"),
        buyer_name=t.get(row, "Ship Name") or t.get(row, "Buyer"), source=f"{path.name}:{line}",
        extra={"format": "sold-order-items-csv"},
    )
    order.ship_to = Address(
        name=t.get(row, "Ship Name"), address1=t.get(row, "Ship Address1"), address2=t.get(row, "Ship Address2"),
        city=t.get(row, "Ship City"), region=t.get(row, "Ship State"), postal_code=t.get(row, "Ship Zipcode"),
        country=_country(order, t.get(row, "Ship Country")),
    )
    if not t.has("Ship Address2"):
        order.hold_reasons.append("the Sold Order Items CSV has no second address line: "
                                  "import the Sold Orders CSV with it")
    _state(order, t, row)
    return order


def _state(order: ImportedOrder, t: Table, row: list[str]) -> None:
    status = t.get(row, "Status").lower()
    if status in ("canceled", "cancelled", "fully refunded"):
        order.cancelled = True
    elif t.get(row, "Date Shipped") and t.has("Number of Items", "Street 1"):
        order.skip_reason = "already shipped"
    elif t.get(row, "Order Type").lower().replace("-", " ") == "in person":
        order.skip_reason = "sold in person"


def _item(t: Table, row: list[str], path: Path, line: int) -> ImportedLine | None:
    where = f"line {line}"
    line_id = t.get(row, "Transaction ID")
    if not line_id:
        raise InputRejected(path, where, "Transaction ID is empty")
    quantity = whole(t.get(row, "Quantity"), "Quantity", path, where)
    if quantity == 0 or t.get(row, "Date Shipped") or "digital" in t.get(row, "Listings Type").lower():
        return None
    extra = {k: v for k, v in (("listing_id", t.get(row, "Listing ID")),
                               ("variations", t.get(row, "Variations"))) if v}
    return ImportedLine(line_id=line_id, sku=t.get(row, "SKU"), title=t.get(row, "Item Name"), quantity=quantity,
                        unit_price=decimal_text(t.get(row, "Price")), currency=t.get(row, "Currency") or None,
                        extra=extra)
