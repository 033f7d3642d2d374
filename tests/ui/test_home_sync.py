"""The home screen shows each marketplace's last sync: when, what it brought, its last error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ui.conftest import FIXED_NOW, screen_text, settle
from warehouse_tui.domain.channel_sync import ChannelSync


@pytest.fixture
def synced(db, monkeypatch):
    for var in ("WAREHOUSE_AMAZON_REFRESH_TOKEN", "WAREHOUSE_EBAY_REFRESH_TOKEN", "WAREHOUSE_ETSY_REFRESH_TOKEN",
                "WAREHOUSE_SHOPIFY_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    at = FIXED_NOW - timedelta(minutes=7)
    with db.write() as s:
        s.add(ChannelSync(channel="amazon", synced_from=at, last_attempt_at=at, last_success_at=at, orders_new=4,
                          orders_updated=1, parcels_confirmed=3))
        s.add(ChannelSync(channel="ebay", last_attempt_at=at, last_success_at=at - timedelta(hours=1),
                          last_error="[bold]refused[/bold] credentials: 400 invalid_grant"))
    return db


CHANNELS = {"amazon": {"client_id": "a", "client_secret": "b", "refresh_token": "Atzr|c"},
            "ebay": {"client_id": "a", "client_secret": "b", "refresh_token": "v^1.1#c"},
            "shopify": {"shop": "x.myshopify.com", "access_token": "shpat_c"}}


@pytest.mark.parametrize("size", [(40, 16), (80, 24)])
async def test_each_configured_channel_has_a_line(app_factory, synced, size):
    app = app_factory(channels=CHANNELS)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = screen_text(app)
    # first in "needs attention", one line each; a handheld scrolls to see the rest
    assert "amazon  08:53 +4 ~1 -0 3 sent" in text
    assert "ebay    08:53 ✗ [bold]refused[/bold]" in text  # the marketplace's words: plain text
    if size == (80, 24):
        assert "shopify not synced yet" in text
    assert "etsy    " not in text  # not configured, never synced
