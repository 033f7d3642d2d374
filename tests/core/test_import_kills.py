"""An import killed (SIGKILL) at random points, then run again: every order of the file is
there once, with its lines once, and every reservation is counted once in its bin."""

from __future__ import annotations

import random
import subprocess
import sys
import time

from sqlalchemy import func
from sqlmodel import select

from tests import engines
from tests.core.conftest import cli_environment, write
from tests.core.test_station_cli import CONFIG, run
from warehouse_tui.db import open_database
from warehouse_tui.domain.models import Allocation, Order, OrderLine, Stock

ORDERS = 3000


def _files(tmp_path):
    stock = ["sku,title,barcode,bin,quantity"] + [
        f"IMP-{p:02d},Product {p},,{'AB'[b]}-{p:02d},{200 + 50 * b}" for p in range(20) for b in range(2)]
    rng = random.Random(3)
    orders = ["order_id,ship_name,address1,city,postal_code,country,sku,quantity"]
    for o in range(ORDERS):
        for p in rng.sample(range(20), rng.randint(1, 3)):
            orders.append(f"IMP-{o:05d},Buyer {o},1 Road,Leeds,LS1 1AA,GB,IMP-{p:02d},{rng.randint(1, 3)}")
    return write(tmp_path / "stock.csv", "\n".join(stock) + "\n"), write(tmp_path / "orders.csv", "\n".join(orders) + "\n")


def _consistent(db_ref) -> list[str]:
    db = open_database(db_ref)
    wrong = []
    try:
        with db.session() as s:
            n = s.exec(select(func.count()).select_from(Order)).one()
            if n != ORDERS:
                wrong.append(f"{n} orders, the file has {ORDERS}")
            twice = s.exec(select(Order.ref).group_by(Order.channel, Order.ref).having(func.count() > 1)).all()
            wrong += [f"{ref} twice" for ref in twice]
            lines_twice = s.exec(select(OrderLine.order_id, OrderLine.line_id, OrderLine.sku)
                                 .group_by(OrderLine.order_id, OrderLine.line_id, OrderLine.sku)
                                 .having(func.count() > 1)).all()
            wrong += [f"line {row} twice" for row in lines_twice]
            held = dict(((p, b), r) for p, b, r in s.exec(select(Stock.product_id, Stock.bin_id, Stock.reserved)))
            counted = dict(((p, b), int(q)) for p, b, q in s.exec(
                select(OrderLine.product_id, Allocation.bin_id, func.sum(Allocation.quantity - Allocation.picked))
                .join(OrderLine, OrderLine.id == Allocation.order_line_id)
                .group_by(OrderLine.product_id, Allocation.bin_id)))
            for key in set(held) | set(counted):
                if held.get(key, 0) != counted.get(key, 0):
                    wrong.append(f"stock {key}: reserved {held.get(key, 0)}, allocations {counted.get(key, 0)}")
            on_hand = dict(((p, b), q) for p, b, q in s.exec(select(Stock.product_id, Stock.bin_id, Stock.on_hand)))
            wrong += [f"stock {k}: {r} reserved of {on_hand[k]}" for k, r in held.items() if r > on_hand[k]]
            uncovered = s.exec(
                select(Order.ref).where(Order.status == "ready")
                .join(OrderLine, OrderLine.order_id == Order.id)
                .outerjoin(Allocation, Allocation.order_line_id == OrderLine.id)
                .group_by(Order.ref, OrderLine.id, OrderLine.quantity)
                .having(func.coalesce(func.sum(Allocation.quantity), 0) != OrderLine.quantity)).all()
            wrong += [f"{ref} ready but not covered" for ref in uncovered]
    finally:
        db.dispose()
    return wrong


def _orders_stored(db) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(Order)).one()


def test_an_import_killed_anywhere_completes_when_run_again(tmp_path, db_path):
    """Imports of the file killed while part way through, three times: once a random number of
    its sets have been committed, a random moment into the next one."""
    env = cli_environment(tmp_path, db_path, CONFIG)
    stock_file, orders_file = _files(tmp_path)
    run("stock", "import", stock_file, env=env)
    rng = random.Random(5)
    kills = 0
    db = open_database(db_path)
    try:
        for _ in range(10):
            before = _orders_stored(db)
            if kills == 3 or ORDERS - before < 2:  # (a stalled test may let an import finish)
                break
            target = before + rng.randint(1, (ORDERS - before) // 2)
            p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "import", str(orders_file)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while p.poll() is None and _orders_stored(db) < target:
                time.sleep(0.005)
            time.sleep(rng.random() * 0.03)
            if p.poll() is None:
                p.kill()
                kills += 1
            p.wait(timeout=60)
    finally:
        db.dispose()
    assert kills >= 1  # (3 unless this test's process stalled while the imports ran)
    done = run("import", orders_file, env=env)
    assert done.returncode == 0
    again = run("import", orders_file, env=env)
    wrong = _consistent(db_path)
    print(f"\nimport kills ({engines.ENGINE}): {ORDERS} orders, {kills} kills, {len(wrong)} inconsistencies")
    assert wrong == []
    assert b"unchanged" in again.stderr
