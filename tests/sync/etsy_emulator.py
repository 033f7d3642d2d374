"""Etsy Open API v3 on loopback: x-api-key on every call, OAuth refresh tokens that rotate
(each refresh gives a new one; the old one is spent), getShopReceipts by min_last_modified with
offset paging, getShopReceipt, createReceiptShipment (specs/etsy_openapi_v3_2023-06-08.json)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.sync.emulators import Emulator, Request

API_KEY = "etsykeystring1234567890"
REFRESH_TOKEN = "12345678.refresh-secret-etsy-first"
SHOP_ID = 31415926
TOKEN_PATH = "/v3/public/oauth/token"

_RECEIPTS = re.compile(r"^/v3/application/shops/(\d+)/receipts$")
_RECEIPT = re.compile(r"^/v3/application/shops/(\d+)/receipts/(\d+)$")
_TRACKING = re.compile(r"^/v3/application/shops/(\d+)/receipts/(\d+)/tracking$")


def stamp(t: datetime) -> int:
    return int(t.timestamp())


class EtsyEmulator(Emulator):
    token_path = TOKEN_PATH

    def __init__(self):
        super().__init__()
        self.receipts: dict[str, dict] = {}
        self.refuse: dict[str, dict] = {}
        self.refresh_token = REFRESH_TOKEN
        self.spent: list[str] = []

    def add_receipt(self, receipt_id: int, items: list[tuple[int, str, int]], *, name: str = "Ingrid Bjørnstad",
                    address: tuple[str, str, str, str] = ("Storgata 1", "Tromsø", "9008", "NO"),
                    updated: datetime | None = None) -> dict:
        now = updated or datetime.now(timezone.utc) - timedelta(minutes=1)
        street, city, postcode, country = address
        r = {
            "receipt_id": receipt_id, "receipt_type": 0, "seller_user_id": 1001, "buyer_user_id": 2002,
            "buyer_email": "buyer@example.invalid", "name": name, "first_line": street, "second_line": "",
            "city": city, "state": None, "zip": postcode, "status": "Paid", "country_iso": country,
            "is_paid": True, "is_shipped": False, "create_timestamp": stamp(now - timedelta(hours=2)),
            "created_timestamp": stamp(now - timedelta(hours=2)), "update_timestamp": stamp(now),
            "updated_timestamp": stamp(now), "shipments": [],
            "transactions": [{
                "transaction_id": tid, "title": f"{sku} title", "seller_user_id": 1001, "buyer_user_id": 2002,
                "quantity": qty, "listing_id": 900 + tid % 100, "sku": sku, "is_digital": False,
                "shipped_timestamp": None, "expected_ship_date": stamp(now + timedelta(days=3)),
                "price": {"amount": 1250, "divisor": 100, "currency_code": "EUR"}, "variations": [],
            } for tid, sku, qty in items],
        }
        self.receipts[str(receipt_id)] = r
        return r

    def cancel(self, receipt_id: int) -> None:
        r = self.receipts[str(receipt_id)]
        r["status"] = "Canceled"
        r["updated_timestamp"] = r["update_timestamp"] = stamp(datetime.now(timezone.utc))

    def op(self, req: Request) -> str:
        if req.path == self.token_path:
            return "token"
        if _RECEIPTS.match(req.path):
            return "orders"
        if _RECEIPT.match(req.path):
            return "order"
        if _TRACKING.match(req.path):
            return "confirm"
        return "other"

    def token(self, req: Request):
        f = req.form()
        if f.get("grant_type") != "refresh_token" or f.get("client_id") != API_KEY:
            return 400, {}, {"error": "invalid_request", "error_description": "client_id is not valid"}
        if f.get("refresh_token") != self.refresh_token:
            return 400, {}, {"error": "invalid_grant", "error_description": "refresh_token is invalid or spent"}
        self.spent.append(self.refresh_token)
        self.refresh_token = f"12345678.refresh-secret-etsy-{len(self.spent) + 1:03d}"
        return 200, {}, {"access_token": "12345678." + self.issue(), "token_type": "Bearer", "expires_in": 3600,
                         "refresh_token": self.refresh_token}

    def authorised(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        return req.headers.get("x-api-key") == API_KEY and auth.startswith("Bearer 12345678.") \
            and self.check_token(auth[len("Bearer 12345678."):])

    def unauthorised(self):
        return 401, {}, {"error": "invalid_token"}

    def route(self, op: str, req: Request):
        shop = int(re.match(r"^/v3/application/shops/(\d+)", req.path).group(1))
        if shop != SHOP_ID:
            return 403, {}, {"error": "You do not have access to this shop"}
        if op == "orders":
            q = {k: v[0] for k, v in req.query.items()}
            after = int(q.get("min_last_modified", 0))
            limit, offset = int(q.get("limit", 25)), int(q.get("offset", 0))
            with self.lock:
                found = [r for r in sorted(self.receipts.values(), key=lambda r: r["updated_timestamp"])
                         if r["updated_timestamp"] >= after]
            size = min(limit, self.page_size)
            return 200, {}, {"count": len(found), "results": found[offset:offset + size]}
        if op == "order":
            rid = _RECEIPT.match(req.path).group(2)
            with self.lock:
                r = self.receipts.get(rid)
                return (200, {}, r) if r else (404, {}, {"error": "Receipt not found"})
        rid = _TRACKING.match(req.path).group(2)
        with self.lock:
            r = self.receipts.get(rid)
            if r is None:
                return 404, {}, {"error": "Receipt not found"}
            if rid in self.refuse:
                return 400, {}, self.refuse[rid]
            if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                return 400, {}, {"error": "expected a form"}
            f = req.form()
            if not f.get("tracking_code") or not f.get("carrier_name"):
                return 400, {}, {"error": "tracking_code and carrier_name are required"}
            self.confirmations.append(req)
            r["shipments"].append({"receipt_shipping_id": len(r["shipments"]) + 1,
                                   "shipment_notification_timestamp": stamp(datetime.now(timezone.utc)),
                                   "carrier_name": f["carrier_name"], "tracking_code": f["tracking_code"]})
            r["updated_timestamp"] = r["update_timestamp"] = stamp(datetime.now(timezone.utc))
            body = dict(r)
        self.wait_if_held()
        return 200, {}, body
