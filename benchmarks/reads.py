"""Lookups and queue pages beside their floor: an indexed primary-key SELECT."""

from __future__ import annotations

import time

from figures import Figure, Timer


def _pk_floor(db, runs: int, top: int) -> list[float]:
    raw = db.read_engine.raw_connection()
    try:
        mark = "?" if db.is_sqlite else "%s"
        cur = raw.cursor()
        out = []
        for i in range(runs):
            t = time.perf_counter()
            cur.execute(f"SELECT * FROM orders WHERE id = {mark}", ((i * 7919) % top + 1,))
            cur.fetchall()
            out.append((time.perf_counter() - t) * 1000)
        raw.rollback()
        return out
    finally:
        raw.close()


def _search():
    """The shared search when the product has one, else the console's lookup."""
    try:
        from warehouse_tui.workflow.search import find

        return lambda s, text: find(s, text, limit=50)
    except ImportError:
        from warehouse_tui.workflow.lookup import search

        return lambda s, text: search(s, text, limit=50)


def read_figures(url: str, timer: Timer, size: dict) -> list[Figure]:
    from sqlmodel import func, select

    from warehouse_tui.db import open_database
    from warehouse_tui.domain.models import Order, Parcel
    from warehouse_tui.workflow.lookup import find_order
    from warehouse_tui.workflow.queues import STEP_STATUS, queue_key, queue_page

    db = open_database(url, migrate=False)
    runs = timer.runs
    search = _search()
    with db.session() as s:
        top = s.exec(select(func.max(Order.id))).one()
        tracking = s.exec(select(Parcel.tracking_number).where(Parcel.tracking_number.is_not(None)).limit(runs)).all()
    floor = _pk_floor(db, runs, top)
    orders = size["orders"]
    kinds = {
        "channel order id": lambda i: f"BN-{(i * 7919) % orders:07d}",
        "display name with #": lambda i: f"#BN-{(i * 7919) % orders:07d}",
        "order barcode (ORD-)": lambda i: f"ORD-{(i * 7919) % top + 1}",
        "tracking number": lambda i: tracking[i % len(tracking)],
    }
    figures = []
    print("lookups and queue pages", flush=True)
    with db.session() as s:
        for kind, make in kinds.items():
            ms = timer.time(lambda ref: find_order(s, ref), setup=make)
            figures.append(Figure.of(f"lookup by {kind}", ms, floor, "PK SELECT", 5))
        for kind, make in {"SKU": lambda i: f"SKU-{(i * 37) % size['products']:06d}",
                           "product barcode": lambda i: f"{2000000000000 + (i * 37) % size['products']:013d}",
                           "part of a name": lambda i: ["chlo", "kierk", "müller", "silva", "nowak"][i % 5]}.items():
            target = 50 if kind == "part of a name" else 5
            ms = timer.time(lambda text: search(s, text), setup=make)
            figures.append(Figure.of(f"search by {kind}", ms, floor, "PK SELECT", target))
        figures.append(Figure.of("queue page, first", timer.time(lambda: queue_page(s, "pick", limit=20)),
                                 floor, "PK SELECT", 20))
        # the whole queue counted (the screens stop counting at COUNT_CAP)
        waiting = s.exec(select(func.count()).select_from(Order).where(Order.status == STEP_STATUS["pick"])).one()
        deep_at = max(0, waiting * 9 // 10)
        deep = queue_page(s, "pick", offset=deep_at, limit=1)
        if deep:
            key = queue_key(deep[0])
            figures.append(Figure.of("queue page, deep (90%, by key)",
                                     timer.time(lambda: queue_page(s, "pick", after=key, limit=20)),
                                     floor, "PK SELECT", 20))
    db.dispose()
    return figures
