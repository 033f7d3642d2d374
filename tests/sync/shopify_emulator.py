"""Shopify GraphQL Admin API on loopback: orders by updated_at with cursor paging, their line
items and fulfillment orders, an order's fulfillments, fulfillmentCreate; the query-cost
bucket in every answer's extensions, and THROTTLED errors when it runs dry."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from tests.sync.emulators import Emulator, Request, iso, parse_iso

SHOP = "example.myshopify.com"
ACCESS_TOKEN = "shpat_secret_shopify_0123456789abcdef"
API_VERSION = "2025-07"
GRAPHQL = f"/admin/api/{API_VERSION}/graphql.json"
COSTS = {"orders": 52, "fulfillments": 3, "confirm": 10, "orderLines": 5, "orderFulfillmentOrders": 5,
         "fulfillmentOrderLines": 5}

_UPDATED = re.compile(r"updated_at:>='([^']+)'")


def gid(kind: str, n: int | str) -> str:
    return f"gid://shopify/{kind}/{n}"


def _first(query: str, field: str, default: int) -> int:
    """The page size a query asks of a connection: ``lineItems(first: 100``."""
    m = re.search(rf"{field}\(first: (\d+)", query)
    return int(m.group(1)) if m else default


def page(nodes: list, first: int, after: str | None) -> dict:
    """A GraphQL connection: ``first`` nodes after the cursor, and where the next page starts."""
    offset = int((after or "c-0").split("-")[1])
    chunk = nodes[offset:offset + first]
    more = offset + first < len(nodes)
    return {"nodes": chunk, "pageInfo": {"hasNextPage": more, "endCursor": f"c-{offset + len(chunk)}" if chunk else None}}


def _fulfillment_order(fo: dict, lines: int) -> dict:
    return dict(fo, lineItems=page(fo["lineItems"]["nodes"], lines, None))


class ShopifyEmulator(Emulator):
    def __init__(self):
        super().__init__()
        self.orders: dict[str, dict] = {}
        self.fulfillments: dict[str, list[dict]] = {}
        self.refuse: dict[str, str] = {}  # order id -> userErrors message
        self.maximum, self.available, self.restore = 1000.0, 1000.0, 100.0
        self.last = time.monotonic()
        self.throttle_next = 0

    def add_order(self, order_id: int, number: int, items: list[tuple[int, str, int]], *, name: str = "Ken Sato",
                  address: tuple[str, str, str, str, str] = ("1 Market St", "San Francisco", "CA", "94105", "US"),
                  updated: datetime | None = None, split: int = 1) -> dict:
        """``split``: the lines dealt round-robin into this many fulfillment orders."""
        now = updated or datetime.now(timezone.utc) - timedelta(minutes=1)
        street, city, region, postcode, country = address
        first, _, last = name.partition(" ")
        fo_id = order_id + 7
        order = {
            "id": gid("Order", order_id), "legacyResourceId": str(order_id), "name": f"#{number}",
            "createdAt": iso(now - timedelta(hours=2)), "updatedAt": iso(now), "cancelledAt": None,
            "email": "ken@example.invalid", "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED",
            "currencyCode": "USD", "customer": {"firstName": first, "lastName": last},
            "shippingAddress": {"name": name, "firstName": first, "lastName": last, "address1": street, "address2": "",
                                "city": city, "provinceCode": region, "zip": postcode, "countryCodeV2": country,
                                "phone": None},
            "lineItems": {"nodes": [{
                "id": gid("LineItem", li), "sku": sku, "name": f"{sku} title", "quantity": qty, "currentQuantity": qty,
                "unfulfilledQuantity": qty, "requiresShipping": True, "variant": {"legacyResourceId": str(li + 1)},
                "originalUnitPriceSet": {"shopMoney": {"amount": "19.0"}},
            } for li, sku, qty in items]},
            "fulfillmentOrders": {"nodes": [{
                "id": gid("FulfillmentOrder", fo_id + k), "status": "OPEN", "fulfillAt": None, "fulfillmentHolds": [],
                "lineItems": {"nodes": [{"id": gid("FulfillmentOrderLineItem", li + 3), "remainingQuantity": qty,
                                         "lineItem": {"id": gid("LineItem", li)}} for li, _sku, qty in items[k::split]]},
            } for k in range(split)]},
        }
        self.orders[str(order_id)] = order
        self.fulfillments[str(order_id)] = []
        return order

    def cancel(self, order_id: int) -> None:
        o = self.orders[str(order_id)]
        o["cancelledAt"] = o["updatedAt"] = iso(datetime.now(timezone.utc))

    def op(self, req: Request) -> str:
        if req.path != GRAPHQL or req.method != "POST":
            return "other"
        q = (req.json() or {}).get("query", "")
        for name, op in (("query orderLines", "orderLines"), ("query orderFulfillmentOrders", "orderFulfillmentOrders"),
                         ("query fulfillmentOrderLines", "fulfillmentOrderLines"),
                         ("query orders", "orders"), ("query fulfillments", "fulfillments"),
                         ("mutation fulfillmentCreate", "confirm")):
            if name in q:
                return op
        return "unknown"

    def authorised(self, req: Request) -> bool:
        return req.headers.get("x-shopify-access-token") == ACCESS_TOKEN

    def unauthorised(self):
        return 401, {}, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}

    def _cost(self, op: str) -> tuple[bool, dict]:
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.last) * self.restore)
        self.last = now
        cost = COSTS.get(op, 1)
        ok = self.available >= cost and self.throttle_next <= 0
        if self.throttle_next > 0:
            self.throttle_next -= 1
        if ok:
            self.available -= cost
        return ok, {"cost": {"requestedQueryCost": cost, "actualQueryCost": cost if ok else None,
                             "throttleStatus": {"maximumAvailable": self.maximum,
                                                "currentlyAvailable": int(self.available),
                                                "restoreRate": self.restore}}}

    def route(self, op: str, req: Request):
        body = req.json() or {}
        v = body.get("variables") or {}
        with self.lock:
            ok, ext = self._cost(op)
            if not ok:
                return 200, {}, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                                 "extensions": ext}
            if op == "orders":
                m = _UPDATED.search(v.get("query") or "")
                after = parse_iso(m.group(1)) if m else datetime.min.replace(tzinfo=timezone.utc)
                found = [o for o in sorted(self.orders.values(), key=lambda o: o["updatedAt"])
                         if parse_iso(o["updatedAt"]) >= after]
                offset = int((v.get("after") or "cursor-0").split("-")[1])
                size = min(int(v.get("first") or 50), self.page_size)
                q = body.get("query") or ""
                lines, fos = _first(q, "lineItems", 100), _first(q, "fulfillmentOrders", 20)
                chunk = [dict(o, lineItems=page(o["lineItems"]["nodes"], lines, None),
                              fulfillmentOrders=page([_fulfillment_order(fo, lines)
                                                      for fo in o["fulfillmentOrders"]["nodes"]], fos, None))
                         for o in found[offset:offset + size]]
                more = offset + size < len(found)
                return 200, {}, {"data": {"orders": {"nodes": chunk, "pageInfo": {
                    "hasNextPage": more, "endCursor": f"cursor-{offset + size}" if chunk else None}}},
                    "extensions": ext}
            if op in ("orderLines", "orderFulfillmentOrders", "fulfillmentOrderLines"):
                return 200, {}, {"data": self._rest(op, str(v.get("id", "")), v.get("after"), body.get("query") or ""),
                                 "extensions": ext}
            if op == "fulfillments":
                order_id = str(v.get("id", "")).rsplit("/", 1)[-1]
                if order_id not in self.orders:
                    return 200, {}, {"data": {"order": None}, "extensions": ext}
                return 200, {}, {"data": {"order": {"fulfillments": list(self.fulfillments[order_id])}},
                                 "extensions": ext}
            if op == "confirm":
                return self._create(req, v.get("fulfillment") or {}, ext)
        return 200, {}, {"errors": [{"message": "unknown query"}]}

    def _rest(self, op: str, owner: str, after: str | None, query: str) -> dict:
        """The further pages of an order's line items or fulfillment orders, or of a
        fulfillment order's line items."""
        lines, fos = _first(query, "lineItems", 100), _first(query, "fulfillmentOrders", 20)
        if op == "fulfillmentOrderLines":
            for o in self.orders.values():
                for fo in o["fulfillmentOrders"]["nodes"]:
                    if fo["id"] == owner:
                        return {"fulfillmentOrder": {"lineItems": page(fo["lineItems"]["nodes"], lines, after)}}
            return {"fulfillmentOrder": None}
        o = self.orders.get(owner.rsplit("/", 1)[-1])
        if o is None:
            return {"order": None}
        if op == "orderLines":
            return {"order": {"lineItems": page(o["lineItems"]["nodes"], lines, after)}}
        return {"order": {"fulfillmentOrders": page([_fulfillment_order(fo, lines) for fo in o["fulfillmentOrders"]["nodes"]],
                                                    fos, after)}}

    def _create(self, req: Request, f: dict, ext: dict):
        def refused(message: str):
            return 200, {}, {"data": {"fulfillmentCreate": {"fulfillment": None, "userErrors": [
                {"field": ["fulfillment"], "message": message}]}}, "extensions": ext}

        groups = f.get("lineItemsByFulfillmentOrder") or []
        owner = None
        for o in self.orders.values():
            fo_ids = {fo["id"] for fo in o["fulfillmentOrders"]["nodes"]}
            if groups and all(g.get("fulfillmentOrderId") in fo_ids for g in groups):
                owner = o
        if owner is None:
            return refused("Fulfillment order does not exist.")
        order_id = owner["legacyResourceId"]
        if order_id in self.refuse:
            return refused(self.refuse[order_id])
        lines = {fl["id"]: fl for fo in owner["fulfillmentOrders"]["nodes"] for fl in fo["lineItems"]["nodes"]}
        for g in groups:
            for item in g.get("fulfillmentOrderLineItems") or []:
                fl = lines.get(item.get("id"))
                if fl is None or item.get("quantity", 0) > fl["remainingQuantity"]:
                    return refused("Invalid fulfillment order line item quantity requested.")
        self.confirmations.append(req)
        for g in groups:
            for item in g.get("fulfillmentOrderLineItems") or []:
                lines[item["id"]]["remainingQuantity"] -= item["quantity"]
        tracking = f.get("trackingInfo") or {}
        fulfillment = {"id": gid("Fulfillment", 800 + len(self.confirmations)), "status": "SUCCESS",
                       "trackingInfo": [{"company": tracking.get("company"), "number": tracking.get("number"),
                                         "url": tracking.get("url")}]}
        self.fulfillments[order_id].append(fulfillment)
        owner["updatedAt"] = iso(datetime.now(timezone.utc))
        for li in owner["lineItems"]["nodes"]:
            li["unfulfilledQuantity"] = sum(fl["remainingQuantity"] for fl in lines.values()
                                            if fl["lineItem"]["id"] == li["id"])
        self.lock.release()
        try:
            self.wait_if_held()
        finally:
            self.lock.acquire()
        return 200, {}, {"data": {"fulfillmentCreate": {"fulfillment": fulfillment, "userErrors": []}},
                         "extensions": ext}
