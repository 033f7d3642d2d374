"""The Seller Hub orders report (CSV): one row per line item, with preamble lines, a ``sep=`` line
and "record(s) downloaded" / "Seller ID:" footers around it; the UK locale says "Post to".

A multi-item order may come as a summary row (the buyer and address, no item) followed by one
row per item, so an order's address is taken from whichever of its rows carries one.
"""

from __future__ import annotations

import re
from pathlib import Path

from warehouse_tui.channels._common import (
    Table, decimal_text, end_of_day, head_headers, hold_without_address, read_table, report_time, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected
from warehouse_tui.channels.countries import country_code

US_DATES = ("%b-%d-%y", "%b-%d-%Y", "%b %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%d-%b-%y", "%d-%b-%Y")
UK_DATES = ("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d/%m/%Y", "%d/%m/%y", "%b-%d-%y", "%b-%d-%Y")

SHIP_TO = {
    "name": ("Ship To Name", "Post to name"), "phone": ("Ship To Phone", "Post to phone"),
    "address1": ("Ship To Address 1", "Post to address 1"), "address2": ("Ship To Address 2", "Post to address 2"),
    "city": ("Ship To City", "Post to city"), "region": ("Ship To State", "Post to county"),
    "postal_code": ("Ship To Zip", "Post to postcode"), "country": ("Ship To Country", "Post to country"),
}


# the UK locale posts and dispatches where the US one ships
SHIP_BY = ("Ship By Date", "Post By Date", "Dispatch By Date")
SHIPPED_ON = ("Shipped On Date", "Dispatched On Date", "Posted On Date")
GSP = ("Global Shipping Program", "Global Shipping Programme")


def _is_header(names: set[str]) -> bool:
    return {"order number", "sales record number"} <= names


def sniff(head: bytes) -> bool:
    return any(_is_header(names) for names in head_headers(head))


def read(path: Path) -> list[ImportedOrder]:
    t = read_table(path, _is_header, what="Seller Hub orders report", cut_check=False)
    t.require(("Quantity",), SHIP_TO["name"], SHIP_TO["address1"], SHIP_TO["country"])
    dates = UK_DATES if t.has("Post to name") else US_DATES
    orders: dict[str, ImportedOrder] = {}
    ship_by: dict[str, list] = {}
    declared: int | None = None
    for line, row in t.rows:
        ref = t.get(row, "Order Number")
        if not ref:  # footers ("2 record(s) downloaded", "Seller ID: ...") and blank rows
            declared = _footer_count(row, declared)
            continue
        if declared is not None:
            raise InputRejected(path, f"line {line}", "an order after the report's \"record(s) downloaded\" line")
        if len(row) < t.width:
            raise InputRejected(path, f"line {line}", f"{len(row)} of the header's {t.width} fields: "
                                "the record is cut short (download the report again)")
        order = orders.get(ref)
        if order is None:
            order = orders[ref] = ImportedOrder(
                channel="ebay", ref=ref, display_name=ref,
                placed_at=report_time(t.get(row, "Sale Date"), dates, path, f"line {line}", "Sale Date"),
                buyer_name=t.get(row, "Buyer Name") or t.get(row, "Buyer Username"),
                extra={"format": "seller-hub-report", "sales_record_number": t.get(row, "Sales Record Number")},
                source=f"{path.name}:{line}",
            )
        if not order.ship_to.address1 and t.get(row, *SHIP_TO["address1"]):
            _address(t, row, order, path, line)
        if not (t.get(row, "Item Number") or t.get(row, "Custom Label") or t.get(row, "Transaction ID")):
            continue  # the summary row of a multi-item order
        item = _line(t, row, path, line)
        if item is not None:
            order.lines.append(item)
            by = end_of_day(report_time(t.get(row, *SHIP_BY), dates, path, f"line {line}", "ship-by date"),
                            t.get(row, *SHIP_BY))
            if by:
                ship_by.setdefault(ref, []).append(by)
    _check_count(path, t, declared, len(orders))
    for ref, order in orders.items():
        order.ship_by = min(ship_by.get(ref, []), default=None)
        if not order.lines:
            order.skip_reason = "nothing left to ship"
        hold_without_address(order)
    return list(orders.values())


def _footer_count(row: list[str], declared: int | None) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s+records?\(?s?\)?\s+downloaded\b.*", " ".join(c for c in row if c.strip()),
                     re.IGNORECASE | re.DOTALL)
    return int(m.group(1)) if m and len(m.group(1)) < 10 else declared


def _check_count(path: Path, t: Table, declared: int | None, found: int) -> None:
    """eBay ends every report with "N record(s) downloaded": without it, or with fewer orders
    than it says, the file was cut short."""
    last = t.rows[-1][0] if t.rows else t.header_line
    if declared is None:
        raise InputRejected(path, f"line {last}", "the report ends without its \"record(s) downloaded\" "
                            "line: it was cut short (download it again)")
    if declared != found:
        raise InputRejected(path, f"line {last}", f"the report says {declared} record(s) but holds {found} "
                            "orders: it was cut short or edited (download it again)")


def _address(t: Table, row: list[str], order: ImportedOrder, path: Path, line: int) -> None:
    fields = {k: t.get(row, *names) for k, names in SHIP_TO.items()}
    country = fields["country"]
    fields["country"] = country_code(country) or ""
    fields["email"] = t.get(row, "Buyer Email")
    order.ship_to = Address(**fields)
    if country and not fields["country"]:
        order.hold_reasons.append(f"unknown country {country!r}")
    if t.get(row, *GSP).lower() in ("yes", "true"):
        reference = t.get(row, "Global Shipping Reference ID")
        order.extra["ship_to_reference_id"] = reference
        order.hold_reasons.append("Global Shipping Program: address it to the hub with "
                                  f"Reference #{reference} above the street")


def _line(t: Table, row: list[str], path: Path, line: int) -> ImportedLine | None:
    where = f"line {line}"
    quantity = whole(t.get(row, "Quantity"), "Quantity", path, where)
    if quantity == 0 or t.get(row, *SHIPPED_ON):
        return None
    item, txn = t.get(row, "Item Number"), t.get(row, "Transaction ID")
    if not item and not txn:
        raise InputRejected(path, where, "a line with neither an Item Number nor a Transaction ID")
    # the report has no lineItemId; a fixed-price sale's Transaction ID is the closest to it
    line_id = txn if txn and txn != "0" else f"{item}-{txn or '0'}"
    extra = {k: v for k, v in (("item_number", item), ("transaction_id", txn),
                               ("variation", t.get(row, "Variation Details"))) if v}
    return ImportedLine(line_id=line_id, sku=t.get(row, "Custom Label"), title=t.get(row, "Item Title"),
                        quantity=quantity, unit_price=decimal_text(t.get(row, "Sold For")), extra=extra)
