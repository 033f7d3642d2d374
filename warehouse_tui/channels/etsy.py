"""Etsy: Open API v3 getShopReceipts / getShopReceipt JSON and the Shop Manager Sold Orders +
Sold Order Items CSVs in; createReceiptShipment requests out.

Money is amount/divisor integers, times are epoch seconds, and the status comes in any case
("Completed" in real answers, "completed" in the spec). Tracking is per receipt and every call
e-mails the buyer: a tracking number is never sent twice for one receipt.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from warehouse_tui.channels import etsy_csv
from warehouse_tui.channels._common import (
    epoch, hold_without_address, json_keys, keep_latest, load_json, looks_like_json, read_head, shaped, text, whole,
)
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.carrier_codes import OTHER, carrier_for
from warehouse_tui.channels.confirm import CannotConfirm, choose_format, json_lines, parcel_lines, path_part, request

_CANCELLED = {"canceled", "cancelled", "fully refunded"}
_HOLD = {"open": "not paid yet", "payment processing": "payment processing at Etsy",
         "partially refunded": "partly refunded on Etsy: check what is left to send"}


class EtsyReader:
    name = "etsy"

    def sniff(self, path: Path, head: bytes) -> bool:
        if looks_like_json(head):
            return json_keys(head, "receipt_id")
        return etsy_csv.sniff(head)

    def read(self, paths: list[Path]) -> list[ImportedOrder]:
        orders: list[tuple[ImportedOrder, Any]] = []
        tables = []
        for path in map(Path, paths):
            if looks_like_json(read_head(path, 4096)):
                orders.extend(_read_json(path))
            else:
                tables.append(path)
        if tables:
            orders.extend((o, None) for o in etsy_csv.read(tables))
        return keep_latest(orders)


def money(m: Any) -> tuple[str | None, str | None]:
    """Etsy Money {amount, divisor, currency_code} -> ('6.90', 'EUR')."""
    if not isinstance(m, dict) or not isinstance(m.get("amount"), int):
        return None, None
    divisor = m.get("divisor") if isinstance(m.get("divisor"), int) and m["divisor"] > 0 else 1
    value = Decimal(m["amount"]) / Decimal(divisor)
    places = len(str(divisor)) - 1
    if divisor == 10 ** places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return str(value), text(m.get("currency_code")) or None


def _read_json(path: Path) -> list[tuple[ImportedOrder, Any]]:
    doc = load_json(path)
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        receipts, label, shop_id = doc["results"], "results", doc.get("shop_id")
    elif isinstance(doc, list):
        receipts, label, shop_id = doc, "record", None
    elif isinstance(doc, dict) and "receipt_id" in doc:
        receipts, label, shop_id = [doc], "receipt", None
    else:
        raise InputRejected(path, "record 1", "not a getShopReceipts response or a receipt")
    return [_receipt(path, r, f"{label}[{i}]", shop_id) for i, r in enumerate(receipts)]


def _epoch(path: Path, value: Any, where: str, what: str):
    try:
        return epoch(value)
    except ValueError as e:
        raise InputRejected(path, where, f"{what}: {e}") from None


@shaped
def _receipt(path: Path, r: Any, where: str, shop_id: Any) -> tuple[ImportedOrder, Any]:
    if not isinstance(r, dict) or not text(r.get("receipt_id")):
        raise InputRejected(path, where, "a receipt without a receipt_id")
    ref = text(r["receipt_id"])
    where = f"{where} ({ref})"
    order = ImportedOrder(
        channel="etsy", ref=ref, display_name=ref,
        placed_at=_epoch(path, r.get("created_timestamp", r.get("create_timestamp")), where, "created_timestamp"),
        ship_to=Address(
            name=text(r.get("name")), address1=text(r.get("first_line")), address2=text(r.get("second_line")),
            city=text(r.get("city")), region=text(r.get("state")), postal_code=text(r.get("zip")),
            country=text(r.get("country_iso")).upper(), email=text(r.get("buyer_email")),
        ),
        buyer_name=text(r.get("name")),
        extra={k: v for k, v in (("format", "open-api-v3"), ("shop_id", r.get("shop_id") or shop_id),
                                 ("seller_user_id", r.get("seller_user_id")),
                                 ("buyer_user_id", r.get("buyer_user_id"))) if v},
        source=f"{path.name}:{where}",
    )
    status = text(r.get("status")).lower()
    if status in _CANCELLED:
        order.cancelled = True
    elif r.get("is_shipped") is True or status == "completed":
        order.skip_reason = "already shipped"
    elif status in _HOLD:
        order.hold_reasons.append(_HOLD[status])
    elif r.get("is_paid") is False:
        order.hold_reasons.append("not paid yet")
    ship_by = []
    for i, t in enumerate(r.get("transactions") or []):
        line, by = _transaction(path, t, f"{where}, transactions[{i}]")
        if line is not None:
            order.lines.append(line)
            if by:
                ship_by.append(by)
    order.ship_by = min(ship_by, default=None)
    if not order.lines and not order.cancelled and not order.skip_reason:
        order.skip_reason = "nothing to ship (digital or already shipped)"
    hold_without_address(order)
    stamp = r.get("updated_timestamp", r.get("update_timestamp"))
    return order, stamp if isinstance(stamp, int) else None


def _transaction(path: Path, t: Any, where: str) -> tuple[ImportedLine | None, Any]:
    if not isinstance(t, dict) or not text(t.get("transaction_id")):
        raise InputRejected(path, where, "a transaction without a transaction_id")
    line_id = text(t["transaction_id"])
    where = f"{where} ({line_id})"
    quantity = t.get("quantity")
    if not isinstance(quantity, int):  # JSON gives a number; text is not one here
        raise InputRejected(path, where, f"quantity {quantity!r:.40} is not a whole number of units")
    quantity = whole(quantity, "quantity", path, where)
    if t.get("is_digital") or t.get("shipped_timestamp") or quantity == 0:
        return None, None
    price, currency = money(t.get("price"))
    variations = ", ".join(f"{text(v.get('formatted_name'))}: {text(v.get('formatted_value'))}"
                           for v in t.get("variations") or [] if isinstance(v, dict))
    extra = {k: v for k, v in (("listing_id", t.get("listing_id")), ("product_id", t.get("product_id")),
                               ("variations", variations)) if v}
    line = ImportedLine(line_id=line_id, sku=text(t.get("sku")), title=text(t.get("title")), quantity=quantity,
                        unit_price=price, currency=currency, extra=extra)
    return line, _epoch(path, t.get("expected_ship_date"), where, "expected_ship_date")


READER = EtsyReader()
name = READER.name
sniff = READER.sniff
read = READER.read


def write_confirmations(shipments: list[ShipmentConfirmation], fmt: str | None = None, *,
                        shop_id: int | str | None = None, send_bcc: bool = False) -> str:
    """JSON Lines of createReceiptShipment requests (form-encoded), one per parcel. A receipt does
    not carry its shop id: it comes from ``shop_id``, the order's extra (a file that had one), or
    the WAREHOUSE_ETSY_SHOP_ID environment variable."""
    choose_format("etsy", fmt, ("api",))
    out, sent = [], set()
    for s in shipments:
        parcel_lines(s, "etsy")
        shop = shop_id or s.order_extra.get("shop_id") or os.environ.get("WAREHOUSE_ETSY_SHOP_ID", "").strip()
        if not shop:
            raise CannotConfirm(s, "the Etsy shop id is unknown: set WAREHOUSE_ETSY_SHOP_ID")
        key = (s.order_ref, s.tracking_number)
        if key in sent:
            continue  # Etsy would e-mail the buyer again for the same parcel
        sent.add(key)
        codes, carrier_name = carrier_for(s.carrier, s.service)
        notes = []
        if codes is OTHER and carrier_name != OTHER.name:
            notes.append(f"Sent with {carrier_name}.")
        if s.parcel_count > 1:
            notes.append(f"Parcel {s.parcel_seq} of {s.parcel_count}.")
        fields = [("tracking_code", s.tracking_number), ("carrier_name", codes.etsy),
                  ("send_bcc", "true" if send_bcc else "false")]
        if notes:
            fields.append(("note_to_buyer", " ".join(notes)))
        path = f"/v3/application/shops/{path_part(shop)}/receipts/{path_part(s.order_ref)}/tracking"
        out.append(request("POST", path, urlencode(fields, quote_via=quote),
                           "application/x-www-form-urlencoded"))
    return json_lines(out)
