"""Shopify GraphQL Admin API (REST is legacy for new apps): orders by ``updated_at`` with
cursor paging, each with its line items and fulfillment orders, turned into the shape of the
REST order JSON so the same mapper reads them; ``fulfillmentCreate`` per parcel; before sending
one again, the order's fulfillments show whether its tracking number is there.

Throttling is by query cost: every answer's ``extensions.cost.throttleStatus`` says what is
left in the bucket and how fast it refills; when the next query would not fit, wait."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from warehouse_tui.channels import shopify_json
from warehouse_tui.channels._common import keep_latest
from warehouse_tui.channels.base import ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.confirm import iso_millis
from warehouse_tui.sync.base import Marketplace, source
from warehouse_tui.sync.errors import NotTheApi, Refused, Unreachable, clean

PAGE = 50
LINES_PAGE, FULFILLMENT_ORDERS_PAGE = 100, 20  # GraphQL connections are paged: an order may hold more
PAGE_INFO = "pageInfo { hasNextPage endCursor }"
LINE_FIELDS = """id sku name quantity currentQuantity unfulfilledQuantity requiresShipping
                variant { legacyResourceId } originalUnitPriceSet { shopMoney { amount } }"""
FO_LINES = f"lineItems(first: {LINES_PAGE}, after: $after) {{ {PAGE_INFO} nodes {{ id remainingQuantity lineItem {{ id }} }} }}"
FO_FIELDS = "id status fulfillAt fulfillmentHolds { reason }"
ORDERS = f"""query orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    {PAGE_INFO}
    nodes {{
      id legacyResourceId name createdAt updatedAt cancelledAt email
      displayFinancialStatus displayFulfillmentStatus currencyCode
      customer {{ firstName lastName }}
      shippingAddress {{ name firstName lastName address1 address2 city provinceCode zip countryCodeV2 phone }}
      lineItems(first: {LINES_PAGE}) {{ {PAGE_INFO} nodes {{ {LINE_FIELDS} }} }}
      fulfillmentOrders(first: {FULFILLMENT_ORDERS_PAGE}) {{
        {PAGE_INFO}
        nodes {{ {FO_FIELDS} {FO_LINES.replace(", after: $after", "")} }}
      }}
    }}
  }}
}}"""
# the rest of an order's connections, a page at a time
ORDER_LINES = f"""query orderLines($id: ID!, $after: String) {{
  order(id: $id) {{ lineItems(first: {LINES_PAGE}, after: $after) {{ {PAGE_INFO} nodes {{ {LINE_FIELDS} }} }} }}
}}"""
ORDER_FULFILLMENT_ORDERS = f"""query orderFulfillmentOrders($id: ID!, $after: String) {{
  order(id: $id) {{ fulfillmentOrders(first: {FULFILLMENT_ORDERS_PAGE}, after: $after) {{
    {PAGE_INFO} nodes {{ {FO_FIELDS} {FO_LINES.replace(", after: $after", "")} }} }} }}
}}"""
FULFILLMENT_ORDER_LINES = f"""query fulfillmentOrderLines($id: ID!, $after: String) {{
  fulfillmentOrder(id: $id) {{ {FO_LINES} }}
}}"""
FULFILLMENTS = """query fulfillments($id: ID!) {
  order(id: $id) { fulfillments(first: 50) { trackingInfo(first: 10) { number } } }
}"""
CREATE = """mutation fulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 10) { company number url } }
    userErrors { field message }
  }
}"""
THROTTLE_TRIES = 5


def legacy_id(gid: Any) -> str:
    """gid://shopify/Order/450789469 -> 450789469, the id the REST API and the files use."""
    return str(gid).rsplit("/", 1)[-1] if gid is not None else ""


def _int(value: Any) -> Any:
    s = legacy_id(value)
    return int(s) if s.isdigit() else s


def _nodes(conn: Any) -> list:
    nodes = conn.get("nodes") if isinstance(conn, dict) else None
    return nodes if isinstance(nodes, list) else []


def rest_order(o: dict) -> tuple[dict, dict]:
    """A GraphQL order as the REST order JSON, and its fulfillment orders as the mapper indexes them."""
    a = o.get("shippingAddress") or {}
    c = o.get("customer") or {}
    order = {
        "id": _int(o.get("legacyResourceId") or o.get("id")), "name": o.get("name"),
        "created_at": o.get("createdAt"), "updated_at": o.get("updatedAt"), "cancelled_at": o.get("cancelledAt"),
        "email": o.get("email"), "currency": o.get("currencyCode"),
        "financial_status": str(o.get("displayFinancialStatus") or "").lower(),
        "fulfillment_status": str(o.get("displayFulfillmentStatus") or "").lower(),
        "customer": {"first_name": c.get("firstName"), "last_name": c.get("lastName")},
        "shipping_address": {"name": a.get("name"), "first_name": a.get("firstName"), "last_name": a.get("lastName"),
                             "address1": a.get("address1"), "address2": a.get("address2"), "city": a.get("city"),
                             "province_code": a.get("provinceCode"), "zip": a.get("zip"),
                             "country_code": a.get("countryCodeV2"), "phone": a.get("phone")} if a else None,
        "line_items": [{
            "id": _int(li.get("id")), "sku": li.get("sku"), "name": li.get("name"),
            "fulfillable_quantity": li.get("unfulfilledQuantity", li.get("currentQuantity")),
            "requires_shipping": li.get("requiresShipping"),
            "variant_id": _int((li.get("variant") or {}).get("legacyResourceId")) if li.get("variant") else None,
            "price": ((li.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get("amount"),
        } for li in _nodes(o.get("lineItems"))],
    }
    fos = [{
        "id": _int(fo.get("id")), "order_id": order["id"], "status": str(fo.get("status") or "").lower(),
        "fulfill_at": fo.get("fulfillAt"), "fulfillment_holds": fo.get("fulfillmentHolds") or [],
        "line_items": [{"id": _int(fl.get("id")), "line_item_id": _int((fl.get("lineItem") or {}).get("id")),
                        "fulfillable_quantity": fl.get("remainingQuantity")} for fl in _nodes(fo.get("lineItems"))],
    } for fo in _nodes(o.get("fulfillmentOrders"))]
    return order, fos


class Shopify(Marketplace):
    name = "shopify"
    confirm_format = "graphql"

    def __init__(self, cfg, **kw):
        super().__init__(cfg, **kw)
        self.admin = self.api(cfg["endpoint"], auth=self._auth, secrets=self.secrets)
        self.path = f"/admin/api/{cfg['api_version']}/graphql.json"
        self.expected_cost = 1.0
        self.slept = 0.0

    def _auth(self, headers: dict) -> None:
        headers["X-Shopify-Access-Token"] = self.cfg["access_token"]

    def _wait(self, throttle: dict, need: float) -> None:
        """Sleep until the bucket holds ``need`` points."""
        try:
            available = float(throttle.get("currentlyAvailable"))
            rate = float(throttle.get("restoreRate")) or 1.0
        except (TypeError, ValueError):
            return
        if available < need:
            delay = min((need - available) / rate, self.admin.max_wait)
            self.slept += delay
            time.sleep(delay)

    def graphql(self, query: str, variables: dict, what: str, once_only: bool = False) -> dict:
        for _ in range(THROTTLE_TRIES):
            doc = self.admin.call("POST", self.path, json={"query": query, "variables": variables}, op=what,
                                  once_only=once_only).json()
            if not isinstance(doc, dict):
                raise NotTheApi(f"{what}: the answer is not a GraphQL response")
            cost = (doc.get("extensions") or {}).get("cost") or {}
            throttle = cost.get("throttleStatus") or {}
            errors = doc.get("errors")
            if errors and any(isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
                              for e in errors):
                self._wait(throttle, float(cost.get("requestedQueryCost") or self.expected_cost))
                continue
            if errors:
                words = "; ".join(str(e.get("message") if isinstance(e, dict) else e) for e in errors)
                raise NotTheApi(f"{what}: {clean(words, self.secrets())}")
            if not isinstance(doc.get("data"), dict):
                raise NotTheApi(f"{what}: the answer holds no data")
            if cost.get("actualQueryCost") is not None:
                self.expected_cost = float(cost.get("requestedQueryCost") or cost["actualQueryCost"])
            self._wait(throttle, self.expected_cost)  # leave room for the next query
            return doc["data"]
        raise Unreachable(f"{what}: still throttled after {THROTTLE_TRIES} tries")

    def fetch(self, since: datetime) -> list[ImportedOrder]:
        out = []
        after, page = None, 0
        while True:
            page += 1
            data = self.graphql(ORDERS, {"first": PAGE, "after": after,
                                         "query": f"updated_at:>='{iso_millis(since)}'"}, "orders")
            conn = data.get("orders")
            if not isinstance(conn, dict) or not isinstance(conn.get("nodes"), list):
                raise NotTheApi(f"orders page {page}: the answer has no orders")
            path = source("shopify", f"orders page {page}")
            for i, node in enumerate(conn["nodes"]):
                if not isinstance(node, dict):
                    raise NotTheApi(f"orders page {page}: nodes[{i}] is not an order")
                self._complete(node, f"orders page {page}, {node.get('name') or node.get('id')}")
                order, fos = rest_order(node)
                index: dict = {}
                where = f"nodes[{i}]"
                try:
                    shopify_json.index_fulfillment_orders(path, fos, f"{where}, fulfillmentOrders", order["id"], index)
                    out.append(shopify_json.build(order, path, where, index.get(str(order["id"]), {})))
                except InputRejected as exc:
                    raise NotTheApi(str(exc)) from None
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                break
            after = info["endCursor"]
        return keep_latest(out)

    def _rest_of(self, conn: Any, query: str, owner: Any, path: tuple[str, ...], what: str) -> None:
        """Append the further pages of a connection to its first page's nodes."""
        if not isinstance(conn, dict):
            return
        nodes = _nodes(conn)
        info = conn.get("pageInfo") or {}
        pages = 1
        while info.get("hasNextPage") and info.get("endCursor"):
            pages += 1
            data = self.graphql(query, {"id": owner, "after": info["endCursor"]}, f"{what}, page {pages}")
            more: Any = data
            for key in path:
                more = more.get(key) if isinstance(more, dict) else None
            if not isinstance(more, dict) or not isinstance(more.get("nodes"), list):
                raise NotTheApi(f"{what}, page {pages}: the answer has no items")
            nodes.extend(more["nodes"])
            info = more.get("pageInfo") or {}
        conn["nodes"] = nodes

    def _complete(self, node: dict, what: str) -> None:
        """An order whose line items or fulfillment orders go on past their first page gets them
        all: an order is never imported with part of its lines."""
        oid = node.get("id")
        self._rest_of(node.get("lineItems"), ORDER_LINES, oid, ("order", "lineItems"), f"{what}, line items")
        fos = node.get("fulfillmentOrders")
        self._rest_of(fos, ORDER_FULFILLMENT_ORDERS, oid, ("order", "fulfillmentOrders"),
                      f"{what}, fulfillment orders")
        for fo in _nodes(fos):
            if isinstance(fo, dict):
                self._rest_of(fo.get("lineItems"), FULFILLMENT_ORDER_LINES, fo.get("id"),
                              ("fulfillmentOrder", "lineItems"), f"{what}, fulfillment order line items")

    def already_confirmed(self, shipment: ShipmentConfirmation) -> bool:
        data = self.graphql(FULFILLMENTS, {"id": f"gid://shopify/Order/{shipment.order_ref}"}, "fulfillments")
        order = data.get("order") or {}
        for f in order.get("fulfillments") or []:
            if any(isinstance(t, dict) and t.get("number") == shipment.tracking_number
                   for t in (f or {}).get("trackingInfo") or []):
                return True
        return False

    def confirm(self, shipment: ShipmentConfirmation, request: dict) -> None:
        variables = request["body"]["variables"]
        data = self.graphql(CREATE, variables, "fulfillmentCreate", once_only=True)
        result = data.get("fulfillmentCreate") or {}
        errors = result.get("userErrors") or []
        if errors:
            raise Refused(clean("; ".join(str(e.get("message")) for e in errors if isinstance(e, dict)),
                                self.secrets()))
        if not result.get("fulfillment"):
            raise NotTheApi("fulfillmentCreate: the answer holds no fulfillment")
