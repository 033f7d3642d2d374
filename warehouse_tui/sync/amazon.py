"""Amazon Selling Partner API with the fewest calls: Orders API 2026-01-01 ``searchOrders``
brings each order with its items, and ``includedData`` its address, buyer, fulfilment and
cancellation in the same answer (v0 would need getOrderItems and getOrderAddress per order,
at a few calls a minute). Confirmations: v0 ``confirmShipment`` per parcel (the newer API has
none); before sending one again, ``getOrder`` with its packages shows whether it arrived.

Pacing: every answer's ``x-amzn-RateLimit-Limit`` (requests a second) spaces the next call of
that operation; a 429 waits as its ``Retry-After`` says, else backs off."""

from __future__ import annotations

from datetime import datetime

import httpx

from warehouse_tui.channels import amazon, amazon_json
from warehouse_tui.channels._common import keep_latest
from warehouse_tui.channels.base import ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.confirm import iso_millis, path_part
from warehouse_tui.sync.base import Marketplace, need, source
from warehouse_tui.sync.errors import NotTheApi
from warehouse_tui.sync.tokens import RefreshGrant

SEARCH = "/orders/2026-01-01/orders"
INCLUDED = "BUYER,RECIPIENT,FULFILLMENT,CANCELLATION"


def pace(_op: str, r: httpx.Response) -> float | None:
    try:
        rate = float(r.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return None
    return 1.0 / rate if rate > 0 else None


class Amazon(Marketplace):
    name = "amazon"
    confirm_format = "api"

    def __init__(self, cfg, **kw):
        super().__init__(cfg, **kw)
        self.grant = RefreshGrant(self.api("", secrets=self.secrets), cfg["token_url"], cfg["refresh_token"],
                                  {"client_id": cfg["client_id"], "client_secret": cfg["client_secret"]})
        self.sp = self.api(cfg["endpoint"], auth=self._auth, reauth=self.grant.forget, secrets=self.secrets,
                           pace=pace)

    def _auth(self, headers: dict) -> None:
        headers["x-amz-access-token"] = self.grant.token()

    def fetch(self, since: datetime) -> list[ImportedOrder]:
        found = amazon_json.Found()
        params = {"lastUpdatedAfter": iso_millis(since), "marketplaceIds": ",".join(self.cfg["marketplace_ids"]),
                  "includedData": INCLUDED, "maxResultsPerPage": 100}
        page = 0
        while True:
            page += 1
            doc = self.sp.call("GET", SEARCH, params=params, op="searchOrders").json()
            need(doc, "orders", list, f"searchOrders page {page}")
            try:
                amazon_json.collect(source("amazon", f"searchOrders page {page}"), doc, found)
            except InputRejected as exc:
                raise NotTheApi(str(exc)) from None
            token = (doc.get("pagination") or {}).get("nextToken")
            if not token:
                break
            # the other parameters must stay as they were; only the token is added
            params = {**params, "paginationToken": token}
        return keep_latest(amazon._assemble(found))

    def already_confirmed(self, shipment: ShipmentConfirmation) -> bool:
        doc = self.sp.call("GET", f"{SEARCH}/{path_part(shipment.order_ref)}", params={"includedData": "PACKAGES"},
                           op="getOrder").json()
        order = doc.get("order", doc) if isinstance(doc, dict) else {}
        packages = order.get("packages") if isinstance(order, dict) else None
        return any(isinstance(p, dict) and p.get("trackingNumber") == shipment.tracking_number
                   for p in packages or [])

    def confirm(self, shipment: ShipmentConfirmation, request: dict) -> None:
        self.sp.call(request["method"], request["path"], json=request["body"], op="confirmShipment",
                     once_only=True, expect_json=False)
