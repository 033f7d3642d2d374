"""How fast a scan is answered, and how fast a queue page comes, on a large warehouse.

    .venv/bin/python benchmarks/bench_scans.py [--orders 1000000] [--db PATH]

Builds (or reuses) a database with that many orders through SQLAlchemy Core bulk inserts,
then times station scans end to end (parse, resolve, transaction, ledger, next expectation)
and queue pages at the start and deep inside the queue. A screen frame at 60 Hz is 16.7 ms:
the median scan should be well inside it. This measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from warehouse_tui.config import Settings
from warehouse_tui.db import open_database
from warehouse_tui.domain.models import Allocation, Barcode, Bin, Order, OrderLine, Product, Stock
from warehouse_tui.workflow.queues import queue_page
from warehouse_tui.workflow.stations import open_session


def build(db, orders: int) -> None:
    now = datetime.now(timezone.utc)
    with db.write() as s:
        if s.exec(select(Order.id).limit(1)).first() is not None:
            return
        s.execute(insert(Product), [{"sku": f"SKU-{i:04d}", "title": f"Product {i}", "weight_g": 100}
                                    for i in range(1000)])
        s.execute(insert(Barcode), [{"code": f"{i:014d}", "product_id": i + 1} for i in range(1000)])
        s.execute(insert(Bin), [{"code": f"B-{i:04d}", "sequence": i} for i in range(1000)])
        s.execute(insert(Stock), [{"product_id": i + 1, "bin_id": i + 1, "on_hand": 10**9, "reserved": 0,
                                   "quarantine": 0} for i in range(1000)])
    step = 50_000
    for start in range(0, orders, step):
        n = min(step, orders - start)
        with db.write() as s:
            s.execute(insert(Order), [{
                "channel": "csv", "ref": f"O-{k:07d}", "display_name": f"O-{k:07d}", "status": "ready",
                "ship_by": now + timedelta(minutes=k % 5000), "due": now + timedelta(minutes=k % 5000), "priority": 0, "ship_name": f"Buyer {k}",
                "ship_postal_code": "LS1 1AA", "ship_country": "GB", "extra": "{}",
                "created_at": now, "updated_at": now,
                "ship_address1": "", "ship_address2": "", "ship_city": "", "ship_region": "",
                "ship_phone": "", "ship_email": "", "buyer_name": "",
            } for k in range(start, start + n)])
            first = s.exec(select(Order.id).where(Order.ref == f"O-{start:07d}")).one()
            s.execute(insert(OrderLine), [{"order_id": first + j, "line_id": "1", "sku": f"SKU-{(start + j) % 1000:04d}",
                                           "product_id": (start + j) % 1000 + 1, "title": "", "quantity": 2,
                                           "picked": 0, "short": 0, "packed": 0, "extra": "{}"} for j in range(n)])
            line0 = s.exec(select(OrderLine.id).where(OrderLine.order_id == first)).one()
            s.execute(insert(Allocation), [{"order_line_id": line0 + j, "bin_id": (start + j) % 1000 + 1,
                                            "quantity": 2, "picked": 0} for j in range(n)])
        print(f"  {start + n:,} orders", flush=True)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) >= 20 else ms[-1]
    print(f"{name:<32} median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   n={len(ms)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/warehouse-bench.db"))
    args = ap.parse_args()
    db = open_database(args.db)
    print(f"building {args.orders:,} orders in {args.db}")
    build(db, args.orders)
    settings = Settings(db=str(args.db), station="BENCH", operator="bench")
    pick = open_session("pick", db, settings)
    scans = []
    for _ in range(100):
        t = time.perf_counter()
        fb = pick.handle("%NEXT")
        while fb.expect in ("bin", "item"):
            fb = pick.handle(fb.bin if fb.expect == "bin" else fb.sku)
        pick.handle("TOTE-BENCH")
        scans.append((time.perf_counter() - t) * 1000 / 5)
        with db.write() as s:  # empty the tote for the next order
            from warehouse_tui.domain.models import Tote

            tote = s.exec(select(Tote).where(Tote.code == "TOTE-BENCH")).one()
            tote.order_id = None
            s.add(tote)
    report("pick scan (mean of a 5-scan order)", scans)
    refused = timed(lambda: pick.handle("NO-SUCH-CODE"), 200)
    report("refused scan", refused)
    with db.session() as s:
        report("queue page 1", timed(lambda: queue_page(s, "pick", offset=0, limit=20), 50))
        report("queue page deep (offset 90%)", timed(lambda: queue_page(s, "pick", offset=int(args.orders * 0.9), limit=20), 10))
        from warehouse_tui.workflow.queues import queue_key

        deep = queue_page(s, "pick", offset=int(args.orders * 0.9), limit=1)[0]
        report("queue page deep, by key", timed(lambda: queue_page(s, "pick", after=queue_key(deep), limit=20), 50))
        from warehouse_tui.workflow.queues import late_count, queue_length, status_counts

        report("queue length", timed(lambda: queue_length(s, "pick"), 20))
        report("status counts (home)", timed(lambda: status_counts(s), 10))
        report("late count (home)", timed(lambda: late_count(s, datetime.now(timezone.utc)), 10))
    report("change token", timed(db.change_token, 500))


if __name__ == "__main__":
    main()
