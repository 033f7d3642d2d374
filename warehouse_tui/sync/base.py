"""What the four marketplace clients share: the settings they are built from and the three
things a sync asks of each."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from warehouse_tui.channels.base import ImportedOrder, ShipmentConfirmation
from warehouse_tui.sync.channels import ChannelConfig
from warehouse_tui.sync.errors import NotTheApi
from warehouse_tui.sync.http import Api, new_client


class Marketplace:
    name = ""
    confirm_format: str | None = None  # the confirmation writer's format for API requests

    def __init__(self, cfg: ChannelConfig, *, timeout: float = 30.0, backoff: float = 2.0, max_wait: float = 120.0):
        self.cfg = cfg
        self.http = dict(timeout=timeout, backoff=backoff, max_wait=max_wait)
        self.client = new_client(timeout)  # one client per marketplace, its token calls included
        self.apis: list[Api] = []

    def api(self, base_url: str, **kw: Any) -> Api:
        a = Api(self.name, base_url, **self.http, client=self.client, **kw)
        self.apis.append(a)
        return a

    def secrets(self) -> tuple[str, ...]:
        grant = getattr(self, "grant", None)
        return self.cfg.secrets + (grant.secrets() if grant else ())

    def close(self) -> None:
        self.client.close()

    @property
    def calls(self) -> int:
        return sum(a.calls for a in self.apis)

    # what a sync asks
    def fetch(self, since: datetime) -> list[ImportedOrder]:
        """Every order created or changed since then, mapped as its file would be."""
        raise NotImplementedError

    def confirmation_options(self) -> dict[str, Any]:
        return {}

    def already_confirmed(self, shipment: ShipmentConfirmation) -> bool:
        """Whether the marketplace already holds this parcel's tracking number."""
        raise NotImplementedError

    def confirm(self, shipment: ShipmentConfirmation, request: dict) -> None:
        """Send the parcel's request (built by the channel's confirmation writer); raises
        ``Refused`` with the marketplace's reason."""
        raise NotImplementedError


def source(channel: str, what: str) -> Path:
    """What messages name for an answer of the API, where a file's name would stand."""
    return Path(f"{channel} API {what}")


def need(doc: Any, key: str, kind: type, what: str) -> Any:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, kind):
        raise NotTheApi(f"{what}: the answer has no {key!r}")
    return value
