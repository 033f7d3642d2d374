"""How fast orders import, each figure beside its floor in the same run.

    .venv/bin/python benchmarks/bench_import.py [--orders 10000] [--lines 3] [--dir /tmp/bench-import]
                                                [--no-write]

Generates a stock file (1,000 products, one bin each, plenty of stock) and a generic order CSV
of N orders x L lines, then times:

- ``warehouse-tui import FILE`` (a process of its own: start-up, reading and checking the file,
  storing, allocating) beside its floor: the same rows (orders, lines, allocations, events) into
  the product's own tables with SQLAlchemy Core ``executemany`` in one transaction, prepared
  beforehand, on a database of its own;
- the same file imported again, nothing changed, beside merely reading and parsing the file
  (both in this process, then both as processes of their own);
- the longest write transaction of the import (what a station may wait for the write lock).

Prints each figure with its floor and ratio and writes them into docs/benchmarks.md (section
"Import"). It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse_tui.channels import registry  # noqa: E402
from warehouse_tui.db import open_database  # noqa: E402
from warehouse_tui.domain.models import Allocation, Event, Order, OrderLine  # noqa: E402
from warehouse_tui.workflow import importing  # noqa: E402

PRODUCTS = 1000
BIN = "{:04d}"


def write_files(folder: Path, orders: int, lines: int) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "warehouse.toml").write_text("", encoding="utf-8")
    stock = folder / "stock.csv"
    with stock.open("w", encoding="utf-8") as f:
        f.write("sku,title,barcode,bin,quantity\n")
        for i in range(PRODUCTS):
            f.write(f"SKU-{i:04d},Product {i},{i + 10**12:014d},A-{i // 100:02d}-{i % 100:02d},1000000\n")
    order_file = folder / "orders.csv"
    start = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
    with order_file.open("w", encoding="utf-8") as f:
        f.write("order_id,ship_name,address1,city,postal_code,country,sku,quantity,ship_by,line_id,title\n")
        for k in range(orders):
            ship_by = (start + timedelta(minutes=k % 5000)).isoformat()
            for j in range(lines):
                sku = (k * lines + j) % PRODUCTS
                f.write(f"B-{k:07d},Buyer {k},{k} High Street,Leeds,LS1 1AA,GB,SKU-{sku:04d},{1 + j % 2},"
                        f"{ship_by},{j + 1},Product {sku}\n")
    return stock, order_file


def env_for(db_path: Path) -> dict:
    env = dict(os.environ, WAREHOUSE_DB=str(db_path), WAREHOUSE_STATION="BENCH", WAREHOUSE_OPERATOR="bench",
               WAREHOUSE_CONFIG=str(db_path.parent / "warehouse.toml"), XDG_DATA_HOME=str(db_path.parent / "xdg"))
    return env


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@contextmanager
def clock():
    """Wall and CPU seconds of what runs inside (this process and the processes it waits for).
    The ratios use CPU seconds: on a shared machine the wall clock measures the neighbours too."""
    out = {}
    wall, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
    yield out
    out["wall"] = time.perf_counter() - wall
    out["cpu"] = time.process_time() - cpu + children_cpu() - child


def command(db_path: Path, *args: str) -> tuple[dict, str]:
    with clock() as took:
        done = subprocess.run([sys.executable, "-m", "warehouse_tui", *args], env=env_for(db_path),
                              capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"warehouse-tui {' '.join(args)} failed:\n{done.stderr}")
    return took, done.stderr


def fresh_db(path: Path):
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    return open_database(path)


def floor_rows(order_file: Path):
    """What the import writes, as lists of rows: orders, lines, allocations, events."""
    orders = registry.read_orders([order_file], "csv")
    now = datetime.now(timezone.utc)
    order_rows, line_rows, alloc_rows, event_rows = [], [], [], []
    line_id = 0
    for k, o in enumerate(orders, start=1):
        inc = importing.Incoming(o)
        order_rows.append({"id": k, "channel": o.channel, "ref": o.ref, **inc.header, "status": "ready",
                           "held_from": None, "hold_reason": None, "station": None, "tote": None,
                           "extra": inc.extra, "created_at": now, "updated_at": now})
        for ln in o.lines:
            line_id += 1
            sku = int(ln.sku.split("-")[1])
            line_rows.append({"id": line_id, "order_id": k, "line_id": ln.line_id, "sku": ln.sku,
                              "product_id": sku + 1, "title": ln.title, "quantity": ln.quantity, "picked": 0,
                              "short": 0, "packed": 0, "unit_price": None, "currency": None, "extra": "{}"})
            alloc_rows.append({"order_line_id": line_id, "bin_id": sku + 1, "quantity": ln.quantity, "picked": 0})
        for type, message, data in (("import", "imported", "{}"), ("status", "new -> ready", '{"from": "new", "to": "ready"}')):
            event_rows.append({"at": now, "order_id": k, "type": type, "station": "BENCH", "operator": "bench",
                               "scan": None, "ok": None, "message": message, "data": data})
    return order_rows, line_rows, alloc_rows, event_rows


@contextmanager
def longest_transaction(db):
    """Wraps the database's write transactions to learn the longest one."""
    longest = [0.0, 0.0]  # wall, CPU
    original = db.write

    @contextmanager
    def timed_write():
        t, c = time.perf_counter(), time.process_time()
        with original() as s:
            yield s
        longest[0] = max(longest[0], time.perf_counter() - t)
        longest[1] = max(longest[1], time.process_time() - c)

    db.write = timed_write
    try:
        yield longest
    finally:
        db.write = original


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--lines", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/bench-import"))
    ap.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = ap.parse_args()
    stock, order_file = write_files(args.dir, args.orders, args.lines)
    n_lines = args.orders * args.lines
    print(f"{args.orders:,} orders x {args.lines} lines = {n_lines:,} lines in {order_file}")

    # the floor: the same rows, prepared beforehand, executemany in one transaction
    floor_db_path = args.dir / "floor.db"
    floor_db = fresh_db(floor_db_path)
    command(floor_db_path, "operator", "add", "bench")
    command(floor_db_path, "stock", "import", str(stock))
    rows = floor_rows(order_file)
    with clock() as floor, floor_db.write() as s:
        conn = s.connection()
        for model, part in zip((Order, OrderLine, Allocation, Event), rows):
            conn.execute(insert(model.__table__), part)
    floor_db.dispose()

    db_path = args.dir / "import.db"
    fresh_db(db_path).dispose()
    command(db_path, "operator", "add", "bench")
    command(db_path, "stock", "import", str(stock))
    first, said = command(db_path, "import", str(order_file))
    if f"{args.orders} new" not in said:
        sys.exit(f"the import did not create every order:\n{said}")

    # again, nothing changed: as a process, then in this process beside reading the file
    again, said = command(db_path, "import", str(order_file))
    if f"{args.orders} unchanged" not in said:
        sys.exit(f"the second import changed something:\n{said}")
    with clock() as parse_process:
        subprocess.run([sys.executable, "-c", "import sys; from warehouse_tui.channels import registry; "
                        "registry.read_orders([sys.argv[1]])", str(order_file)], check=True, env=env_for(db_path))
    with clock() as parse:
        registry.read_orders([order_file], "csv")
    db = open_database(db_path)
    with clock() as again_inproc:
        importing.import_files(db, [order_file])
    db.dispose()

    # the longest transaction of a first import, in this process
    db2_path = args.dir / "import2.db"
    fresh_db(db2_path).dispose()
    command(db2_path, "operator", "add", "bench")
    command(db2_path, "stock", "import", str(stock))
    db2 = open_database(db2_path)
    with longest_transaction(db2) as longest, clock() as first_inproc:
        importing.import_files(db2, [order_file])
    db2.dispose()

    executemany = "the same rows, `executemany`, one transaction"
    table = [
        ("import, `warehouse-tui import` (process start to exit)", first, executemany, floor),
        ("import, in process (`import_files`: read, check, store, allocate)", first_inproc, executemany, floor),
        ("the same file again, nothing changes, in process", again_inproc,
         "reading and parsing the file, in process", parse),
        ("the same file again, `warehouse-tui import`", again,
         "a process that only reads and parses the file", parse_process),
    ]
    print("\n(CPU seconds; wall seconds in brackets)")
    for what, took, floor_what, floor_took in table:
        print(f"{what:<68} {took['cpu']:6.2f} s ({took['wall']:6.2f}) {n_lines / took['cpu']:9,.0f} lines/s | "
              f"{floor_what}: {floor_took['cpu']:.2f} s ({floor_took['wall']:.2f}) | {took['cpu'] / floor_took['cpu']:.2f}x")
    print(f"longest write transaction of an import: {longest[1] * 1000:.0f} ms CPU, {longest[0] * 1000:.0f} ms "
          f"wall (sets of {importing.CHUNK} orders)")
    if not args.no_write:
        write_doc(args, table, longest, floor, n_lines)


def write_doc(args, table, longest: list[float], floor: dict, n_lines: int) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\nMeasured on this machine kind (2 cores), each figure beside its floor in the same run.\n"
    lines = [
        "## Import",
        "",
        f"`benchmarks/bench_import.py`: a generic order CSV of {args.orders:,} orders x {args.lines} lines "
        f"({n_lines:,} lines) into a warehouse of {PRODUCTS:,} products with stock for every order "
        f"(allocation included); {datetime.now(timezone.utc):%Y-%m-%d}, SQLite. "
        f"The floor writes the rows the import writes (orders, lines, allocations, two events an order) "
        f"with `executemany` in one transaction: {n_lines / floor['cpu']:,.0f} lines/s. "
        "Times are CPU seconds of the processes measured (the machine is shared; the wall clock "
        "also counts the neighbours), wall seconds in brackets.",
        "",
        "| figure | time | lines/s | floor, same run | floor time | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for what, took, floor_what, floor_took in table:
        lines.append(f"| {what} | {took['cpu']:.2f} s ({took['wall']:.2f}) | {n_lines / took['cpu']:,.0f} | "
                     f"{floor_what} | {floor_took['cpu']:.2f} s ({floor_took['wall']:.2f}) | "
                     f"{took['cpu'] / floor_took['cpu']:.2f}x |")
    lines += ["", f"The longest write transaction of the import (the longest a station waits for the write "
              f"lock): {longest[1] * 1000:.0f} ms of CPU ({longest[0] * 1000:.0f} ms wall), with sets of "
              f"{importing.CHUNK} orders. A process of its own costs the command its start-up (the "
              "database layer and the schema check) over the import in process.", ""]
    section = "\n".join(lines)
    if re.search(r"^## Import$", text, flags=re.M):
        text = re.sub(r"^## Import\n.*?(?=^## |\Z)", section + "\n", text, flags=re.M | re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    print(f"wrote {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
