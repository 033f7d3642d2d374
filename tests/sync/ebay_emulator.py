"""eBay Sell Fulfillment API on loopback: the OAuth refresh-token grant, getOrders with a
lastmodifieddate filter and offset paging, getShippingFulfillments, createShippingFulfillment
(specs/ebay_sell_fulfillment_v1_oas3.json)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.sync.emulators import Emulator, Request, basic, iso, parse_iso

CLIENT_ID = "ExampleS-warehous-PRD-1a2b3c4d5-6e7f8a9b"
CLIENT_SECRET = "PRD-ebay-client-secret-3c4d5e6f"
REFRESH_TOKEN = "v^1.1#i^1#r^1#refresh-secret-ebay-77aa"
TOKEN_PATH = "/identity/v1/oauth2/token"

_FILTER = re.compile(r"^lastmodifieddate:\[(.+?)\.\.\]$")
_SHIP = re.compile(r"^/sell/fulfillment/v1/order/([^/]+)/shipping_fulfillment$")


def errors(error_id: int, message: str, category: str = "REQUEST") -> dict:
    return {"errors": [{"errorId": error_id, "domain": "API_FULFILLMENT", "category": category,
                        "message": message}]}


class EbayEmulator(Emulator):
    token_path = TOKEN_PATH

    def __init__(self):
        super().__init__()
        self.orders: dict[str, dict] = {}
        self.fulfillments: dict[str, list[dict]] = {}
        self.refuse: dict[str, dict] = {}

    def add_order(self, order_id: str, items: list[tuple[str, str, int]], *, name: str = "Hans Meier",
                  address: tuple[str, str, str, str] = ("Hauptstrasse 5", "Berlin", "10115", "DE"),
                  updated: datetime | None = None) -> dict:
        now = updated or datetime.now(timezone.utc) - timedelta(minutes=1)
        street, city, postcode, country = address
        order = {
            "orderId": order_id, "legacyOrderId": f"{order_id}-legacy", "creationDate": iso(now - timedelta(hours=3)),
            "lastModifiedDate": iso(now), "orderFulfillmentStatus": "NOT_STARTED", "orderPaymentStatus": "PAID",
            "buyer": {"username": "hans_m"},
            "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
            "fulfillmentStartInstructions": [{
                "fulfillmentInstructionsType": "SHIP_TO",
                "shippingStep": {"shipTo": {"fullName": name, "contactAddress": {
                    "addressLine1": street, "city": city, "postalCode": postcode, "countryCode": country}},
                    "shippingCarrierCode": "UPS"}}],
            "lineItems": [{
                "lineItemId": line_id, "legacyItemId": f"11{line_id[-6:]}", "sku": sku, "title": f"{sku} title",
                "quantity": qty, "lineItemCost": {"value": f"{10 * qty:.2f}", "currency": "EUR"},
                "lineItemFulfillmentStatus": "NOT_STARTED",
                "lineItemFulfillmentInstructions": {"shipByDate": iso(now + timedelta(days=2))},
            } for line_id, sku, qty in items],
        }
        self.orders[order_id] = order
        self.fulfillments[order_id] = []
        return order

    def cancel(self, order_id: str) -> None:
        o = self.orders[order_id]
        o["cancelStatus"]["cancelState"] = "CANCELED"
        o["lastModifiedDate"] = iso(datetime.now(timezone.utc))

    def op(self, req: Request) -> str:
        if req.path == self.token_path:
            return "token"
        if req.method == "GET" and req.path == "/sell/fulfillment/v1/order":
            return "orders"
        if _SHIP.match(req.path):
            return "fulfillments" if req.method == "GET" else "confirm"
        return "other"

    def token(self, req: Request):
        f = req.form()
        if req.headers.get("authorization") != basic(CLIENT_ID, CLIENT_SECRET):
            return 401, {}, {"error": "invalid_client", "error_description": "client authentication failed"}
        if f.get("grant_type") != "refresh_token" or f.get("refresh_token") != REFRESH_TOKEN:
            return 400, {}, {"error": "invalid_grant", "error_description": "the provided authorization refresh token "
                                                                            "is invalid or was issued to another client"}
        return 200, {}, {"access_token": "v^1.1#i^1#p^3#" + self.issue(), "expires_in": 7200,
                         "token_type": "User Access Token"}

    def authorised(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        return auth.startswith("Bearer ") and self.check_token(auth[7:].split("#")[-1])

    def unauthorised(self):
        return 401, {}, {"errors": [{"errorId": 1001, "domain": "OAuth", "category": "REQUEST",
                                     "message": "Invalid access token",
                                     "longMessage": "Invalid access token. Check the value of the Authorization "
                                                    "HTTP request header."}]}

    def route(self, op: str, req: Request):
        if op == "orders":
            q = {k: v[0] for k, v in req.query.items()}
            m = _FILTER.match(q.get("filter", ""))
            if not m:
                return 400, {}, errors(30700, "The 'filter' value is invalid")
            after = parse_iso(m.group(1))
            limit, offset = int(q.get("limit", 50)), int(q.get("offset", 0))
            with self.lock:
                found = [o for o in sorted(self.orders.values(), key=lambda o: o["lastModifiedDate"])
                         if parse_iso(o["lastModifiedDate"]) >= after]
            size = min(limit, self.page_size)
            chunk = found[offset:offset + size]
            body = {"href": req.path, "total": len(found), "limit": size, "offset": offset, "orders": chunk}
            if offset + size < len(found):
                body["next"] = f"{req.path}?limit={size}&offset={offset + size}"
            return 200, {}, body
        order_id = _SHIP.match(req.path).group(1)
        with self.lock:
            o = self.orders.get(order_id)
            if o is None:
                return 404, {}, errors(32100, "Invalid order ID: " + order_id)
            if op == "fulfillments":
                return 200, {}, {"fulfillments": list(self.fulfillments[order_id]),
                                 "total": len(self.fulfillments[order_id])}
            if order_id in self.refuse:
                return 400, {}, self.refuse[order_id]
            body = req.json()
            lines = {li["lineItemId"]: li for li in o["lineItems"]}
            if not body.get("trackingNumber") or not body.get("shippingCarrierCode") \
                    or any(li.get("lineItemId") not in lines or not li.get("quantity") for li in body.get("lineItems") or []):
                return 400, {}, errors(32200, "The request is not valid")
            self.confirmations.append(req)
            fid = f"{len(self.fulfillments[order_id]) + 1:03d}{body['trackingNumber'][-6:]}"
            self.fulfillments[order_id].append({"fulfillmentId": fid, "shipmentTrackingNumber": body["trackingNumber"],
                                                "shippingCarrierCode": body["shippingCarrierCode"],
                                                "lineItems": body["lineItems"]})
            o["lastModifiedDate"] = iso(datetime.now(timezone.utc))
        self.wait_if_held()
        return 201, {"Location": f"{req.path}/{fid}"}, {}
