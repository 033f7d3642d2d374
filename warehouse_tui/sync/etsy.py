"""Etsy Open API v3: ``getShopReceipts`` by ``min_last_modified``, paged by offset;
``createReceiptShipment`` per parcel (each call e-mails the buyer, so before sending one again
``getShopReceipt`` shows whether its tracking code is there already). Every call carries the
``x-api-key``; the OAuth refresh token rotates, and the newest is kept in a file of its own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from warehouse_tui.channels import etsy
from warehouse_tui.channels._common import keep_latest
from warehouse_tui.channels.base import ImportedOrder, InputRejected, ShipmentConfirmation
from warehouse_tui.channels.confirm import path_part
from warehouse_tui.sync.base import Marketplace, need, source
from warehouse_tui.sync.errors import NotTheApi
from warehouse_tui.sync.tokens import RefreshGrant, TokenFile

PAGE = 100


def token_file(cfg) -> Path:
    from warehouse_tui.config import data_dir

    given = cfg.get("token_file")
    return Path(given).expanduser() if given else data_dir() / f"etsy-{cfg['shop_id']}.token.json"


class Etsy(Marketplace):
    name = "etsy"

    def __init__(self, cfg, **kw):
        super().__init__(cfg, **kw)
        key = cfg["api_key"]
        self.shop = str(cfg["shop_id"])
        self.grant = RefreshGrant(self.api("", secrets=self.secrets), cfg["token_url"], cfg["refresh_token"],
                                  {"client_id": key.split(":", 1)[0]},
                                  store=TokenFile(token_file(cfg), cfg["refresh_token"]))
        self.v3 = self.api(cfg["endpoint"], auth=self._auth, reauth=self.grant.forget, secrets=self.secrets)

    def _auth(self, headers: dict) -> None:
        headers["x-api-key"] = self.cfg["api_key"]
        headers["Authorization"] = f"Bearer {self.grant.token()}"

    def _receipts(self) -> str:
        return f"/v3/application/shops/{path_part(self.shop)}/receipts"

    def fetch(self, since: datetime) -> list[ImportedOrder]:
        out = []
        offset, page = 0, 0
        while True:
            page += 1
            doc = self.v3.call("GET", self._receipts(), params={"min_last_modified": int(since.timestamp()),
                                                                "limit": PAGE, "offset": offset},
                               op="getShopReceipts").json()
            results = need(doc, "results", list, f"getShopReceipts page {page}")
            path = source("etsy", f"getShopReceipts page {page}")
            try:
                out.extend(etsy._receipt(path, r, f"results[{i}]", self.shop) for i, r in enumerate(results))
            except InputRejected as exc:
                raise NotTheApi(str(exc)) from None
            offset += len(results)
            count = doc.get("count")
            if not results or (isinstance(count, int) and offset >= count):
                break
        return keep_latest(out)

    def confirmation_options(self) -> dict:
        return {"shop_id": self.shop}

    def already_confirmed(self, shipment: ShipmentConfirmation) -> bool:
        doc = self.v3.call("GET", f"{self._receipts()}/{path_part(shipment.order_ref)}", op="getShopReceipt").json()
        return any(isinstance(s, dict) and str(s.get("tracking_code")) == shipment.tracking_number
                   for s in (doc.get("shipments") or []))

    def confirm(self, shipment: ShipmentConfirmation, request: dict) -> None:
        self.v3.call(request["method"], request["path"], content=request["body"].encode(),
                     headers={"Content-Type": request["content_type"]}, op="createReceiptShipment", once_only=True)
