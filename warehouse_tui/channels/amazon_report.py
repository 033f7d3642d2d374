"""Amazon's tab-separated order reports: the unshipped-orders report
(GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING) and the older order-fulfilment report
(GET_FLAT_FILE_ORDERS_DATA), one row per order item.

Amazon's flat files are not quoted: a product name may hold a lone double quote, so the file is
read with quoting off.
"""

from __future__ import annotations

import csv
from pathlib import Path

from warehouse_tui.channels import amazon_status as status
from warehouse_tui.channels._common import (
    Table, decimal_text, end_of_day, head_headers, join, read_table, report_time, unit_price, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected

# the sales-channel column names the marketplace; confirmShipment wants its id
MARKETPLACE_IDS = {
    "amazon.com": "ATVPDKIKX0DER", "amazon.ca": "A2EUQ1WTGCTBG2", "amazon.com.mx": "A1AM78C64UM0Y8",
    "amazon.com.br": "A2Q3Y263D00KWC", "amazon.co.uk": "A1F83G8C2ARO7P", "amazon.de": "A1PA6795UKMFR9",
    "amazon.fr": "A13V1IB3VIYZZH", "amazon.it": "APJ6JRA9NG5V4", "amazon.es": "A1RKKUPIHCS9HS",
    "amazon.nl": "A1805IZSGTT6HS", "amazon.se": "A2NODRKZP88ZB9", "amazon.pl": "A1C3SOZRARQ6R3",
    "amazon.com.be": "AMEN7PMS3EDWL", "amazon.com.tr": "A33AVAJ2PDY3EV", "amazon.co.jp": "A1VC38T7YXB528",
    "amazon.com.au": "A39IBJ37TRP1C6", "amazon.in": "A21TJRUUN4KGV", "amazon.sg": "A19VAU5U5O7RUS",
    "amazon.ae": "A2VIGQ35RCS4UG", "amazon.sa": "A17E79C6D8DWNP",
}


def sniff(head: bytes) -> bool:
    return any(("order-id" in names or "amazon-order-id" in names) and len(names) > 2
               for names in head_headers(head, "\t", lines=5))


def _is_header(names: set[str]) -> bool:
    return "order-id" in names or "amazon-order-id" in names


def read(path: Path) -> list[ImportedOrder]:
    t = read_table(path, _is_header, delimiter="\t", quoting=csv.QUOTE_NONE, preamble=5, what="Amazon report")
    if not t.has("order-item-id"):
        raise InputRejected(path, f"line {t.header_line}", "this Amazon report has no order-item-id (the "
                            "all-orders report cannot drive shipping): use the unshipped-orders report")
    if not t.has("quantity-to-ship", "quantity-purchased"):
        what = "a shipping-confirmation file" if t.has("tracking-number") else "not an order report"
        raise InputRejected(path, f"line {t.header_line}", f"{what}: it has no quantity-to-ship or "
                            "quantity-purchased column")
    t.require(("sku",))
    orders: dict[str, tuple[ImportedOrder, list[ImportedLine]]] = {}
    for line, row in t.rows:
        ref = t.get(row, "order-id")
        if not ref:
            raise InputRejected(path, f"line {line}", "order-id is empty")
        if ref not in orders:
            orders[ref] = (_order(t, row, ref, path, line), [])
        item = _line(t, row, path, line)
        if item is not None:
            orders[ref][1].append(item)
    out = []
    for order, lines in orders.values():
        status.finish(order, lines, False, items_given=True)
        out.append(order)
    return out


def _order(t: Table, row: list[str], ref: str, path: Path, line: int) -> ImportedOrder:
    sales = t.get(row, "sales-channel").lower()
    order = ImportedOrder(
        channel="amazon", ref=ref, display_name=ref,
        placed_at=report_time(t.get(row, "purchase-date"), (), path, f"line {line}", "purchase-date"),
        ship_by=end_of_day(report_time(t.get(row, "promise-date", "latest-ship-date"), (), path, f"line {line}",
                                       "latest-ship-date"),
                           t.get(row, "promise-date", "latest-ship-date")),
        ship_to=Address(
            name=t.get(row, "recipient-name"), address1=t.get(row, "ship-address-1"),
            address2=join(t.get(row, "ship-address-2"), t.get(row, "ship-address-3")),
            city=t.get(row, "ship-city"), region=t.get(row, "ship-state"),
            postal_code=t.get(row, "ship-postal-code"), country=t.get(row, "ship-country").upper(),
            phone=t.get(row, "ship-phone-number", "buyer-phone-number"), email=t.get(row, "buyer-email"),
        ),
        buyer_name=t.get(row, "buyer-name"),
        extra={"format": "amazon-order-report", "fulfillment_channel": "MFN"},
        source=f"{path.name}:{line}",
    )
    if MARKETPLACE_IDS.get(sales):
        order.extra["marketplace_id"] = MARKETPLACE_IDS[sales]
    if t.get(row, "fulfillment-channel").lower() in ("afn", "amazon"):
        order.extra["fulfillment_channel"] = "AFN"
        order.skip_reason = status.AFN
    return order


def _line(t: Table, row: list[str], path: Path, line: int) -> ImportedLine | None:
    where = f"line {line}"
    item_id = t.get(row, "order-item-id")
    if not item_id:
        raise InputRejected(path, where, "order-item-id is empty")
    purchased = t.get(row, "quantity-purchased")
    bought = whole(purchased, "quantity-purchased", path, where) if purchased else None
    if t.has("quantity-to-ship"):
        left = whole(t.get(row, "quantity-to-ship"), "quantity-to-ship", path, where)
    else:
        shipped = t.get(row, "quantity-shipped")
        left = (bought or 0) - (whole(shipped, "quantity-shipped", path, where) if shipped else 0)
    if left <= 0:
        return None
    # item-price is for all the units bought
    price = unit_price(decimal_text(t.get(row, "item-price")), bought or left)
    return ImportedLine(line_id=item_id, sku=t.get(row, "sku"), title=t.get(row, "product-name"),
                        quantity=left, unit_price=price, currency=t.get(row, "currency") or None)
