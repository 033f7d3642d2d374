"""Generate a benchmark warehouse through the import users take.

Writes the stock CSV and the generic order CSV, then runs ``warehouse-tui stock import`` and
``warehouse-tui import`` (their Python entry point, ``warehouse_tui.cli.main``). About 2% of the
orders ask for a product with no stock (``backordered``); the other statuses come from the
benchmark's own scans (picking, picked, packed, labeled, shipped, short) and a few commands.
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
                # a product of each line, spread over the catalogue; 2% of orders hit unstocked ones
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
    return took
