"""Shopify: Admin REST order JSON with its fulfillment orders, and the orders export CSV, in;
fulfillment requests out: REST ``fulfillments.json`` (the default) or the GraphQL mutation.

The GraphQL mutation is ``fulfillmentCreateV2`` because the path's API version is 2024-04:
``fulfillmentCreate`` (the same input without the suffix) only exists from 2024-10.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warehouse_tui.channels import shopify_csv, shopify_json
from warehouse_tui.channels._common import json_keys, keep_latest, looks_like_json, read_head
from warehouse_tui.channels.base import ConfirmedLine, ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.carrier_codes import OTHER, carrier_for, tracking_url
from warehouse_tui.channels.confirm import CannotConfirm, choose_format, json_lines, parcel_lines, request

API_VERSION = "2024-04"
MUTATION = """mutation fulfillmentCreateV2($fulfillment: FulfillmentV2Input!) {
  fulfillmentCreateV2(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message }
  }
}"""


class ShopifyReader:
    name = "shopify"

    def sniff(self, path: Path, head: bytes) -> bool:
        if looks_like_json(head):
            return json_keys(head, "fulfillment_orders") or (
                json_keys(head, "line_items", "total_line_items_price")
                and json_keys(head, "financial_status", "fulfillable_quantity", "order_number"))
        return shopify_csv.sniff(head)

    def read(self, paths: list[Path]) -> list[ImportedOrder]:
        found: list[tuple[Any, Path, str]] = []
        fulfillment_orders: dict[str, dict] = {}
        orders: list[tuple[ImportedOrder, Any]] = []
        for path in map(Path, paths):
            if looks_like_json(read_head(path, 4096)):
                shopify_json.collect(path, found, fulfillment_orders)
            else:
                orders.extend((o, None) for o in shopify_csv.read(path))
        if fulfillment_orders and not found:
            fo, path, where = next(iter(next(iter(fulfillment_orders.values())).values()))
            raise InputRejected(path, where, "fulfillment orders without their orders: import the order JSON "
                                             "with them")
        for o, path, where in found:
            key = str(o.get("id")) if isinstance(o, dict) else ""
            fos = fulfillment_orders.get(key)
            if fos is None and isinstance(o, dict) and isinstance(o.get("fulfillment_orders"), list):
                own: dict[str, dict] = {}
                shopify_json.index_fulfillment_orders(path, o["fulfillment_orders"], f"{where}, fulfillment_orders",
                                                 o.get("id"), own)
                fos = own.get(key)
            orders.append(shopify_json.build(o, path, where, fos))
        return keep_latest(orders)


READER = ShopifyReader()
name = READER.name
sniff = READER.sniff
read = READER.read


def write_confirmations(shipments: list[ShipmentConfirmation], fmt: str | None = None, *,
                        notify_customer: bool = True) -> str:
    """JSON Lines, one fulfillment per parcel: ``rest`` (POST fulfillments.json, the default) or
    ``graphql`` (the fulfillment mutation with its variables)."""
    fmt = choose_format("shopify", fmt, ("rest", "graphql"))
    used: dict[tuple[str, str], int] = {}
    out = []
    for s in shipments:
        groups = _by_fulfillment_order(s, parcel_lines(s, "shopify"), used)
        tracking = _tracking(s)
        if fmt == "rest":
            body = {"fulfillment": {
                "line_items_by_fulfillment_order": [
                    {"fulfillment_order_id": fo, "fulfillment_order_line_items": items}
                    for fo, items in groups.items()],
                "tracking_info": tracking,
                "notify_customer": notify_customer,
            }}
            out.append(request("POST", f"/admin/api/{API_VERSION}/fulfillments.json", body))
        else:
            variables = {"fulfillment": {
                "notifyCustomer": notify_customer,
                "trackingInfo": tracking,
                "lineItemsByFulfillmentOrder": [
                    {"fulfillmentOrderId": f"gid://shopify/FulfillmentOrder/{fo}",
                     "fulfillmentOrderLineItems": [
                         {"id": f"gid://shopify/FulfillmentOrderLineItem/{i['id']}", "quantity": i["quantity"]}
                         for i in items]}
                    for fo, items in groups.items()],
            }}
            out.append(request("POST", f"/admin/api/{API_VERSION}/graphql.json",
                               {"query": MUTATION, "variables": variables}))
    return json_lines(out)


def _tracking(s: ShipmentConfirmation) -> dict:
    codes, carrier_name = carrier_for(s.carrier, s.service)
    info: dict[str, Any] = {"number": s.tracking_number}
    company = codes.shopify or (carrier_name if carrier_name != OTHER.name else None)
    if company:
        info["company"] = company
    url = tracking_url(s.carrier, s.tracking_number)
    if url:
        info["url"] = url
    return info


def _id(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _by_fulfillment_order(s: ShipmentConfirmation, lines: list[ConfirmedLine],
                          used: dict[tuple[str, str], int]) -> dict[Any, list[dict]]:
    """The parcel's units spread over the fulfillment order lines that hold them, first come
    first served (a line item split over two locations is in two fulfillment orders)."""
    groups: dict[Any, list[dict]] = {}
    for line in lines:
        held = line.extra.get("fulfillment_order_lines")
        if not held:
            raise CannotConfirm(s, f"line {line.sku or line.line_id} has no fulfillment order id: import the "
                                   "order JSON with its fulfillment orders (the CSV export has none)")
        need = line.quantity
        for fl in held:
            key = (s.order_ref, str(fl["id"]))
            take = min(need, int(fl["quantity"]) - used.get(key, 0))
            if take <= 0:
                continue
            used[key] = used.get(key, 0) + take
            groups.setdefault(_id(fl["fulfillment_order_id"]), []).append({"id": _id(fl["id"]), "quantity": take})
            need -= take
            if need == 0:
                break
        if need:
            raise CannotConfirm(s, f"line {line.sku or line.line_id}: {line.quantity} to confirm, more than its "
                                   "fulfillment orders held when it was imported")
    return groups
