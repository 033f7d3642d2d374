"""eBay Sell Fulfillment API: ``getOrders`` filtered by ``lastmodifieddate`` and paged by
offset; ``createShippingFulfillment`` per parcel with its lineItemIds; before sending one again,
``getShippingFulfillments`` shows whether it arrived. OAuth refresh-token grant with the
client id and secret as Basic authentication."""

from __future__ import annotations

from datetime import datetime

from warehouse_tui.channels import ebay
from warehouse_tui.channels._common import keep_latest
from warehouse_tui.channels.base import ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.confirm import iso_millis, path_part
from warehouse_tui.sync.base import Marketplace, source
from warehouse_tui.sync.errors import NotTheApi
from warehouse_tui.sync.tokens import RefreshGrant

ORDERS = "/sell/fulfillment/v1/order"
PAGE = 100  # getOrders takes up to 200; 100 keeps each answer small
SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"


class Ebay(Marketplace):
    name = "ebay"

    def __init__(self, cfg, **kw):
        super().__init__(cfg, **kw)
        self.grant = RefreshGrant(self.api("", secrets=self.secrets), cfg["token_url"], cfg["refresh_token"],
                                  {"scope": cfg.get("scope", SCOPE)},
                                  basic=(cfg["client_id"], cfg["client_secret"]))
        self.sell = self.api(cfg["endpoint"], auth=self._auth, reauth=self.grant.forget, secrets=self.secrets)

    def _auth(self, headers: dict) -> None:
        headers["Authorization"] = f"Bearer {self.grant.token()}"

    def fetch(self, since: datetime) -> list[ImportedOrder]:
        out = []
        offset, page = 0, 0
        while True:
            page += 1
            doc = self.sell.call("GET", ORDERS, params={"filter": f"lastmodifieddate:[{iso_millis(since)}..]",
                                                        "limit": PAGE, "offset": offset}, op="getOrders").json()
            if not isinstance(doc, dict) or ("orders" not in doc and "total" not in doc):
                raise NotTheApi(f"getOrders page {page}: the answer has no 'orders'")
            orders = doc.get("orders") or []
            if not isinstance(orders, list):
                raise NotTheApi(f"getOrders page {page}: 'orders' is not a list")
            path = source("ebay", f"getOrders page {page}")
            try:
                out.extend(ebay._order(path, o, f"orders[{i}]") for i, o in enumerate(orders))
            except InputRejected as exc:
                raise NotTheApi(str(exc)) from None
            offset += len(orders)
            total = doc.get("total")
            if not orders or not doc.get("next") or (isinstance(total, int) and offset >= total):
                break
        return keep_latest(out)

    def already_confirmed(self, shipment: ShipmentConfirmation) -> bool:
        doc = self.sell.call("GET", f"{ORDERS}/{path_part(shipment.order_ref)}/shipping_fulfillment",
                             op="getShippingFulfillments").json()
        return any(isinstance(f, dict) and f.get("shipmentTrackingNumber") == shipment.tracking_number
                   for f in (doc.get("fulfillments") or []))

    def confirm(self, shipment: ShipmentConfirmation, request: dict) -> None:
        self.sell.call(request["method"], request["path"], json=request["body"], op="createShippingFulfillment",
                       once_only=True, expect_json=False)
