"""Queues page through the database in priority order, by offset or by key alike."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder
from warehouse_tui.workflow.importing import store_orders
from warehouse_tui.workflow.queues import queue_key, queue_length, queue_page


def test_paging_by_key_walks_the_whole_queue_in_order(stocked):
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    orders = [ImportedOrder(channel="csv", ref=f"Q-{i:03d}", display_name=f"Q-{i:03d}",
                            ship_by=None if i % 7 == 0 else now + timedelta(hours=i % 5), priority=1 if i % 11 == 0 else 0,
                            ship_to=Address(name="A", address1="1", city="X", country="GB"),
                            lines=[ImportedLine(line_id="1", sku="MUG-BLU", title="", quantity=0 + 1)])
              for i in range(40)]
    with stocked.write() as s:
        store_orders(s, orders)
    with stocked.session() as s:
        ready = queue_length(s, "pick")
        whole = queue_page(s, "pick", limit=1000)
        paged, after = [], None
        while True:
            page = queue_page(s, "pick", limit=7, after=after)
            if not page:
                break
            paged += page
            after = queue_key(page[-1])
    assert len(whole) == ready and [r.ref for r in paged] == [r.ref for r in whole]
    assert whole[0].priority == 1  # priority first
    first_normal = next(r for r in whole if r.priority == 0)
    assert first_normal.ship_by is not None and whole[-1].ship_by is None  # no ship-by last
