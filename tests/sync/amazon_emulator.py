"""Selling Partner API on loopback: Login with Amazon tokens, Orders API 2026-01-01
searchOrders / getOrder, Orders v0 confirmShipment (specs/amazon_orders_2026-01-01.json,
specs/amazon_ordersV0.json)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.sync.emulators import Emulator, Request, iso, parse_iso

CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef"
CLIENT_SECRET = "amzn1.oa2-cs.v1.client-secret-amazon-7f3e"
REFRESH_TOKEN = "Atzr|IwEBIrefresh-secret-amazon-91c2"
MARKETPLACE = "ATVPDKIKX0DER"

_ORDER = re.compile(r"^/orders/2026-01-01/orders/([^/]+)$")
_CONFIRM = re.compile(r"^/orders/v0/orders/([^/]+)/shipmentConfirmation$")


def errors(code: str, message: str, details: str = "") -> dict:
    return {"errors": [{"code": code, "message": message, "details": details}]}


class AmazonEmulator(Emulator):
    def __init__(self):
        super().__init__()
        self.orders: dict[str, dict] = {}
        self.refuse: dict[str, dict] = {}  # order id -> the error body its confirmation gets
        self.rate_limit = "20.0"

    def add_order(self, order_id: str, items: list[tuple[str, str, int]], *, name: str = "Ada Obi",
                  address: tuple[str, str, str, str, str] = ("410 Terry Ave N", "Seattle", "WA", "98109", "US"),
                  status: str = "UNSHIPPED", updated: datetime | None = None) -> dict:
        now = updated or datetime.now(timezone.utc) - timedelta(minutes=1)
        street, city, region, postcode, country = address
        order = {
            "orderId": order_id, "createdTime": iso(now - timedelta(hours=2)), "lastUpdatedTime": iso(now),
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": MARKETPLACE, "marketplaceName": "Amazon.com"},
            "buyer": {"buyerName": name, "buyerEmail": "buyer-email@marketplace.amazon.com"},
            "recipient": {"deliveryAddress": {"name": name, "addressLine1": street, "city": city,
                                              "stateOrRegion": region, "postalCode": postcode,
                                              "countryCode": country, "addressType": "RESIDENTIAL"}},
            "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": "MERCHANT",
                            "shipByWindow": {"latestDateTime": iso(now + timedelta(days=2))}},
            "orderItems": [{
                "orderItemId": item_id, "quantityOrdered": qty,
                "product": {"asin": f"B0{item_id[-8:]}", "title": f"{sku} title", "sellerSku": sku,
                            "price": {"unitPrice": {"amount": "12.50", "currencyCode": "USD"}}},
                "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": qty},
            } for item_id, sku, qty in items],
            "packages": [],
        }
        self.orders[order_id] = order
        return order

    def cancel(self, order_id: str) -> None:
        o = self.orders[order_id]
        o["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
        o["lastUpdatedTime"] = iso(datetime.now(timezone.utc))

    def op(self, req: Request) -> str:
        if req.path == self.token_path:
            return "token"
        if req.method == "GET" and req.path == "/orders/2026-01-01/orders":
            return "orders"
        if req.method == "GET" and _ORDER.match(req.path):
            return "order"
        if req.method == "POST" and _CONFIRM.match(req.path):
            return "confirm"
        return "other"

    def token(self, req: Request):
        f = req.form()
        if f.get("grant_type") != "refresh_token" or f.get("client_id") != CLIENT_ID \
                or f.get("client_secret") != CLIENT_SECRET:
            return 401, {}, {"error": "invalid_client", "error_description": "Client authentication failed"}
        if f.get("refresh_token") != REFRESH_TOKEN:
            return 400, {}, {"error": "invalid_grant",
                             "error_description": "The request has an invalid grant parameter : refresh_token"}
        return 200, {}, {"access_token": "Atza|" + self.issue(), "refresh_token": REFRESH_TOKEN,
                         "token_type": "bearer", "expires_in": 3600}

    def authorised(self, req: Request) -> bool:
        return self.check_token(req.headers.get("x-amz-access-token", "").removeprefix("Atza|"))

    def unauthorised(self):
        return 403, {}, errors("Unauthorized", "Access to requested resource is denied.",
                               "The access token you provided has expired.")

    def route(self, op: str, req: Request):
        headers = {"x-amzn-RateLimit-Limit": self.rate_limit, "x-amzn-RequestId": "req-1"}
        if op == "orders":
            q = {k: v[0] for k, v in req.query.items()}
            if "lastUpdatedAfter" not in q or q.get("marketplaceIds") != MARKETPLACE:
                return 400, headers, errors("InvalidInput", "lastUpdatedAfter and marketplaceIds are required")
            if "RECIPIENT" not in q.get("includedData", "").split(","):
                return 400, headers, errors("InvalidInput", "this emulator expects includedData=RECIPIENT")
            after = parse_iso(q["lastUpdatedAfter"])
            with self.lock:
                found = [self._public(o) for o in sorted(self.orders.values(), key=lambda o: o["lastUpdatedTime"])
                         if parse_iso(o["lastUpdatedTime"]) >= after]
            offset = int(q.get("paginationToken", "page-0").split("-")[1])
            chunk, nxt = self.page(found, offset)
            body = {"orders": chunk}
            if nxt is not None:
                body["pagination"] = {"nextToken": f"page-{nxt}"}
            return 200, headers, body
        if op == "order":
            order_id = _ORDER.match(req.path).group(1)
            with self.lock:
                o = self.orders.get(order_id)
                if o is None:
                    return 404, headers, errors("NotFound", "Order not found")
                return 200, headers, {"order": {**self._public(o), "packages": list(o["packages"])}}
        if op == "confirm":
            order_id = _CONFIRM.match(req.path).group(1)
            with self.lock:
                o = self.orders.get(order_id)
                if o is None:
                    return 404, headers, errors("NotFound", f"Order {order_id} not found")
                if order_id in self.refuse:
                    return 400, headers, self.refuse[order_id]
                body = req.json()
                pkg = body.get("packageDetail") or {}
                items = {i["orderItemId"]: i for i in o["orderItems"]}
                if body.get("marketplaceId") != MARKETPLACE or not pkg.get("trackingNumber") \
                        or not pkg.get("carrierCode") or not pkg.get("shipDate") \
                        or any(i.get("orderItemId") not in items for i in pkg.get("orderItems") or []):
                    return 400, headers, errors("InvalidInput", "The request is not valid")
                if any(p["packageReferenceId"] == pkg.get("packageReferenceId") for p in o["packages"]):
                    return 400, headers, errors("InvalidInput", "packageReferenceId is already used for this order")
                self.confirmations.append(req)
                o["packages"].append({"packageReferenceId": pkg["packageReferenceId"], "carrier": pkg["carrierCode"],
                                      "trackingNumber": pkg["trackingNumber"],
                                      "packageItems": pkg.get("orderItems") or []})
                for i in pkg.get("orderItems") or []:
                    f = items[i["orderItemId"]]["fulfillment"]
                    f["quantityFulfilled"] += i["quantity"]
                    f["quantityUnfulfilled"] -= i["quantity"]
                if all(i["fulfillment"]["quantityUnfulfilled"] <= 0 for i in o["orderItems"]):
                    o["fulfillment"]["fulfillmentStatus"] = "SHIPPED"
                o["lastUpdatedTime"] = iso(datetime.now(timezone.utc))
            self.wait_if_held()
            return 204, headers, None
        return 404, headers, errors("NotFound", "no such resource")

    @staticmethod
    def _public(o: dict) -> dict:
        return {k: v for k, v in o.items() if k != "packages"}
