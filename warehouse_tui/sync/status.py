"""Each channel's last sync, for the home screen: when, what it brought, its last error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from warehouse_tui.domain.channel_sync import ChannelSync


@dataclass
class ChannelStatus:
    channel: str
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    new: int = 0
    updated: int = 0
    cancelled: int = 0
    confirmed: int = 0
    failed: int = 0
    error: str | None = None


def channel_status(s: Session, settings) -> list[ChannelStatus]:
    """One entry per channel with API credentials, and per channel synced before."""
    from warehouse_tui.sync.channels import configured

    rows = {r.channel: r for r in s.exec(select(ChannelSync))}
    names = [c.name for c in configured(settings)]
    names += sorted(n for n in rows if n not in names)
    out = []
    for name in names:
        r = rows.get(name)
        if r is None:
            out.append(ChannelStatus(name))
            continue
        out.append(ChannelStatus(name, r.last_attempt_at, r.last_success_at, r.orders_new, r.orders_updated,
                                 r.orders_cancelled, r.parcels_confirmed, r.parcels_failed, r.last_error))
    return out
