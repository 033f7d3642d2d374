"""Syncing every configured channel at once, each in its own thread so a marketplace that is
slow or down never holds up the others; once, or every N seconds until stopped."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from warehouse_tui.sync.channels import ChannelConfig
from warehouse_tui.sync.runner import ChannelResult, sync_channel

log = logging.getLogger("warehouse_tui.sync")


def client_for(cfg: ChannelConfig, settings):
    from warehouse_tui.sync import amazon, ebay, etsy, shopify

    kinds = {"amazon": amazon.Amazon, "ebay": ebay.Ebay, "etsy": etsy.Etsy, "shopify": shopify.Shopify}
    return kinds[cfg.name](cfg, timeout=settings.sync_timeout_s, backoff=settings.sync_backoff_s,
                           max_wait=settings.sync_max_wait_s)


def sync_all(db, settings, configs: list[ChannelConfig], clients: dict | None = None) -> list[ChannelResult]:
    """One sync of each channel, side by side; ``clients`` keeps each marketplace's client (and
    its access token) from one run to the next."""
    from warehouse_tui.sync.errors import SyncError

    clients = {} if clients is None else clients
    results: dict[str, ChannelResult] = {}

    def one(cfg: ChannelConfig) -> None:
        if cfg.missing:
            results[cfg.name] = ChannelResult(cfg.name, error=f"[channels.{cfg.name}] lacks {', '.join(cfg.missing)}")
            return
        try:
            market = clients.get(cfg.name) or clients.setdefault(cfg.name, client_for(cfg, settings))
            results[cfg.name] = sync_channel(db, market, station=settings.station, operator=settings.operator)
        except SyncError as exc:  # pragma: no cover - sync_channel reports its own
            results[cfg.name] = ChannelResult(cfg.name, error=str(exc))
        except Exception as exc:  # a bug must not take the other channels down; its words stay generic
            log.exception("%s: sync failed", cfg.name)
            results[cfg.name] = ChannelResult(cfg.name, error=f"sync failed: {type(exc).__name__}")

    threads = [threading.Thread(target=one, args=(cfg,), name=f"sync-{cfg.name}", daemon=True) for cfg in configs]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)  # short joins keep the main thread open to SIGTERM and ctrl+c
    return [results[cfg.name] for cfg in configs]


def exit_status(results: list[ChannelResult]) -> int:
    if any(r.error for r in results):
        return 1
    return 3 if any(r.failed for r in results) else 0


def report(results: list[ChannelResult], out: Callable[[str], None], err: Callable[[str], None]) -> None:
    for r in results:
        out(r.line())
        for failure in r.failures:
            err(f"warehouse-tui: {r.channel}: {failure}")
        if r.error:
            err(f"warehouse-tui: {r.channel}: {r.error}")
