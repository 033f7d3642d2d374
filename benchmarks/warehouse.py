"""Generate a benchmark warehouse through the import users take.

Writes the stock CSV and the generic order CSV, then runs ``warehouse-tui stock import`` and
``warehouse-tui import`` (their Python entry point, ``warehouse_tui.cli.main``). The last 1% of
the products have no stock: the orders that ask for one wait (``backordered``). Then
``settle`` puts orders in every other status through the flows users take: the station
sessions the console and the headless station share (shipped, labeled, packed, picked, short,
and one order in hand at a pick and at a pack station), and what ``order hold`` and ``order
cancel`` call. The rest wait to be picked (``ready``); ``new`` is no resting status (an import
moves each order on at once).
"""

from __future__ import annotations

import csv
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

NAMES = ["Zoë Ångström", "Chloé Martin", "Łukasz Nowak", "Ana Silva", "John Smith", "Mei Chen",
         "Olamide Bello", "Søren Kierk", "María López", "Hans Müller"]


def sku(i: int) -> str:
    return f"SKU-{i:06d}"


def barcode(i: int) -> str:
    return f"{2000000000000 + i:013d}"


def bin_code(i: int) -> str:
    return f"B-{i // 400:02d}-{i % 400:03d}"


def write_stock(path: Path, products: int, bins: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["sku", "title", "barcode", "bin", "quantity", "weight_g"])
        for i in range(products):
            # the last 1% of products have no stock: their orders wait as backordered
            qty = 0 if i >= products * 0.99 else 1_000_000
            w.writerow([sku(i), f"Product {i} {NAMES[i % len(NAMES)].split()[0]}", barcode(i),
                        bin_code(i % bins), qty, 100 + i % 400])


def write_orders(path: Path, orders: int, lines: int, products: int) -> None:
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    per = max(1, lines // orders)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "ship_name", "address1", "city", "postal_code", "country", "sku", "quantity",
                    "placed_at", "ship_by", "line_id", "email"])
        for k in range(orders):
            name = f"{NAMES[k % len(NAMES)]} {k}"
            placed = start + timedelta(seconds=k)
            ship_by = (placed + timedelta(days=2 + k % 5)).isoformat()
            for j in range(per):
                # a product of each line, spread over the catalogue; 2% of the orders may hit unstocked ones
                p = (k * 7 + j * 13) % products
                if k % 50 != 7:
                    p = p % max(1, int(products * 0.99))
                w.writerow([f"BN-{k:07d}", name, f"{k} Dock Road", "Leeds", "LS1 1AA", "GB", sku(p), 1,
                            placed.isoformat(), ship_by, str(j + 1), f"buyer{k}@example.com"])


def generate(db: str, work: Path, *, orders: int, lines: int, products: int, bins: int,
             say=print) -> dict[str, float]:
    """Build the warehouse in ``db``; returns the seconds each import took."""
    from warehouse_tui.cli import main

    work.mkdir(parents=True, exist_ok=True)
    stock, order_file = work / "stock.csv", work / "orders.csv"
    say(f"writing {products:,} products in {bins:,} bins and {orders:,} orders ({lines:,} lines)")
    write_stock(stock, products, bins)
    write_orders(order_file, orders, lines, products)
    took = {}
    for name, argv in (("operator add", ["operator", "add", "bench"]), ("stock import", ["stock", "import", str(stock)]),
                       ("import", ["import", "--channel", "csv", str(order_file)])):
        say(f"warehouse-tui {' '.join(argv)}")
        t = time.perf_counter()
        rc = main(["--db", db, "--station", "BENCH-GEN", "--operator", "bench", *argv])
        took[name] = time.perf_counter() - t
        if rc:
            raise SystemExit(f"{name} failed with exit status {rc}")
    t = time.perf_counter()
    settle(db, work, orders, say=say)
    took["statuses"] = time.perf_counter() - t
    return took


# the share of the orders taken to each status by ``settle`` (and at least a few of each)
SHARES = {"shipped": 0.005, "labeled": 0.001, "packed": 0.001, "picked": 0.001, "short": 0.0005,
          "cancelled": 0.001, "on_hold": 0.001}


def settle(db_url: str, work: Path, orders: int, say=print) -> dict[str, int]:
    """Orders in every status, each taken there as people take it: scanned through the
    station sessions, held and cancelled by the functions of ``order hold``/``order cancel``."""
    from sqlalchemy import text

    from warehouse_tui.config import Settings
    from warehouse_tui.db import open_database
    from warehouse_tui.documents.printers import open_printer
    from warehouse_tui.domain.models import Order
    from warehouse_tui.workflow.cancel import cancel
    from warehouse_tui.workflow.stations import open_session
    from warehouse_tui.workflow.supervisor import hold

    plan = {status: max(2, int(orders * share)) for status, share in SHARES.items()}
    say("statuses: " + ", ".join(f"{n:,} {status}" for status, n in plan.items()) + ", 2 in hand")
    db = open_database(db_url, migrate=False)
    settings = Settings(db=db_url, station="GEN-PICK", operator="bench", printer=f"dir:{work / 'labels'}")
    settings.carriers = {"ups": {"shipper_number": "A1B2C3", "service": "03"}}
    pick = open_session("pick", db, settings, station="GEN-PICK")
    pack = open_session("pack", db, settings, station="GEN-PACK")
    label = open_session("label", db, settings, station="GEN-LABEL", printer=open_printer(settings.printer))

    def scan(session, code: str):
        fb = session.handle(code)
        if not fb.ok:
            raise SystemExit(f"generating statuses: {code!r} at {session.station} refused: {fb.message}")
        return fb

    def picked(k: int) -> str:
        fb = scan(pick, "%NEXT")
        while fb.expect in ("bin", "item"):
            fb = scan(pick, fb.bin if fb.expect == "bin" else fb.sku)
        tote = f"TOTE-G{k:07d}"
        scan(pick, tote)
        return tote

    def packed(k: int):
        fb = scan(pack, picked(k))
        while fb.expect == "item":
            fb = scan(pack, fb.sku)
        return scan(pack, "BOX-M")

    k = 0
    for status, steps in (("shipped", 4), ("labeled", 3), ("packed", 2), ("picked", 1)):
        for i in range(plan[status]):
            k += 1
            if steps == 1:
                picked(k)
                continue
            fb = packed(k)
            if steps >= 3:
                fb = scan(label, fb.order)
                # shipped once its label is scanned; else labeled, left for another station
                scan(label, fb.tracking_number if steps == 4 else "%CANCEL")
            if i and i % 1000 == 0:
                say(f"  {status}: {i:,} of {plan[status]:,}")
    for _ in range(plan["short"]):  # the first unit is not in its bin; the rest are picked
        fb = scan(pick, "%NEXT")
        scan(pick, fb.bin)
        fb = scan(pick, "%SHORT")
        while fb.expect in ("bin", "item"):
            fb = scan(pick, fb.bin if fb.expect == "bin" else fb.sku)
        if fb.expect == "tote":
            k += 1
            scan(pick, f"TOTE-G{k:07d}")
    with db.session() as s:  # the next ready orders, as a supervisor would look them up
        refs = [r[0] for r in s.execute(text("SELECT id FROM orders WHERE status = 'ready' ORDER BY id DESC "
                                             "LIMIT :n"), {"n": plan["cancelled"] + plan["on_hold"]})]
    who = {"station": "GEN-DESK", "operator": "bench"}
    for i, order_id in enumerate(refs):
        with db.write() as s:
            order = s.get(Order, order_id)
            if i < plan["cancelled"]:
                cancel(s, order, "the buyer asked", **who)
            else:
                hold(s, order, "address to check", **who)
    # in hand: one order picking at a pick station, one packing at a pack station
    hand_pick = open_session("pick", db, settings, station="GEN-HAND-PICK")
    fb = scan(hand_pick, "%NEXT")
    scan(hand_pick, fb.bin)
    hand_pack = open_session("pack", db, settings, station="GEN-HAND-PACK")
    scan(hand_pack, picked(k + 1))
    with db.session() as s:
        counts = dict(s.execute(text("SELECT status, count(*) FROM orders GROUP BY status")).all())
    db.dispose()
    say("orders by status: " + ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items())))
    return counts
