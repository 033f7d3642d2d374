"""The command palette: find an order by anything (as on the lookup screen), and the screens."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from warehouse_tui.text import safe

SCREENS = [("Home", "home"), ("Pick", "pick"), ("Pack", "pack"), ("Label", "label"), ("Returns", "returns"),
           ("Lookup", "lookup")]


def _search(db, query: str) -> list[tuple[int, str, str, str, str]]:
    from warehouse_tui.workflow.lookup import search

    with db.session() as s:
        return [(o.id, o.display_name, o.channel, o.status, o.ship_name) for o in search(s, query, limit=12)]


class LookupCommands(Provider):
    async def discover(self) -> Hits:
        for label, mode in SCREENS:
            yield DiscoveryHit(f"Screen: {label}", partial(self.app.action_screen, mode))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, mode in SCREENS:
            score = matcher.match(f"Screen: {label}")
            if score > 0:
                yield Hit(score, matcher.highlight(f"Screen: {label}"), partial(self.app.action_screen, mode))
        if len(query.strip()) < 2:
            return
        rows = await asyncio.to_thread(_search, self.app.db, query)
        for i, (oid, name, channel, status, buyer) in enumerate(rows):
            # names and buyers come from marketplaces: plain content, escaped help
            yield Hit(1.0 - i * 0.01, Content(safe(f"Order {name}  {status}")), partial(self.app.open_order, oid),
                      text=safe(f"Order {name}"), help=escape(safe(f"{channel} · {buyer}")))
