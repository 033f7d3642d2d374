"""Eight pick stations race for hundreds of orders on one database while stations are killed
(SIGKILL) at random steps, some with a scan in flight, and started again under the same name.

Afterwards every order is picked exactly once, every unit that left a shelf belongs to a
picked line, nothing stays reserved, and each product's on-hand count equals receipts minus
picks. Runs on SQLite and, with WAREHOUSE_TEST_DB, on PostgreSQL. Prints its figures."""

from __future__ import annotations

import json
import os
import random
import threading
import time

from tests import engines
from tests.core.conftest import cli_environment, write
from tests.core.station_proc import LiveStation
from tests.core.test_station_cli import CONFIG, run

STATIONS = 8
ORDERS = int(os.environ.get("WAREHOUSE_RACE_ORDERS", "240"))
PRODUCTS = 12
RECEIVED = 400  # units of each product in each of its two bins


def _files(tmp_path, rng: random.Random):
    stock = ["sku,title,barcode,bin,quantity"]
    for p in range(PRODUCTS):
        gtin = f"{400638133000 + p:012d}"
        for b in range(2):
            stock.append(f"RACE-{p:02d},Race product {p},{gtin if b == 0 else ''},"
                         f"{'AB'[b]}-{p:02d}-01,{RECEIVED}")
    orders = ["order_id,ship_name,address1,city,postal_code,country,sku,quantity,ship_by"]
    for o in range(ORDERS):
        for p in rng.sample(range(PRODUCTS), rng.randint(1, 3)):
            orders.append(f"RACE-{o:04d},Buyer {o},1 Road,Leeds,LS1 1AA,GB,RACE-{p:02d},{rng.randint(1, 2)},"
                          f"2026-12-{1 + o % 28:02d}T12:00:00Z")
    return (write(tmp_path / "stock.csv", "\n".join(stock) + "\n"),
            write(tmp_path / "orders.csv", "\n".join(orders) + "\n"))


def invariant_losses(db_ref: str, received: dict[str, int], restocked: dict[str, int] | None = None) -> list[str]:
    """What the database says was lost: orders not picked in full, units reserved or picked
    twice, on-hand counts that differ from receipts minus picks plus restocks."""
    from sqlalchemy import func
    from sqlmodel import select

    from warehouse_tui.db import open_database
    from warehouse_tui.domain.models import Allocation, Order, OrderLine, Product, Stock

    db = open_database(db_ref)
    losses = []
    try:
        with db.session() as s:
            for ref, status, tote in s.exec(select(Order.ref, Order.status, Order.tote)):
                if status != "picked" or not tote:
                    losses.append(f"{ref} is {status} in {tote}")
            for ref, sku, qty, picked in s.exec(select(Order.ref, OrderLine.sku, OrderLine.quantity, OrderLine.picked)
                                                .join(Order, Order.id == OrderLine.order_id)):
                if picked != qty:
                    losses.append(f"{ref} {sku}: picked {picked} of {qty}")
            for line_id, alloc_picked, line_picked in s.exec(
                    select(OrderLine.id, func.sum(Allocation.picked), OrderLine.picked)
                    .join(Allocation, Allocation.order_line_id == OrderLine.id).group_by(OrderLine.id)):
                if alloc_picked != line_picked:
                    losses.append(f"line {line_id}: {alloc_picked} picked from bins, {line_picked} on the line")
            picked = dict(s.exec(select(OrderLine.sku, func.sum(OrderLine.picked)).group_by(OrderLine.sku)).all())
            for sku, on_hand, reserved in s.exec(
                    select(Product.sku, func.sum(Stock.on_hand), func.sum(Stock.reserved))
                    .join(Stock, Stock.product_id == Product.id).group_by(Product.sku)):
                want = received.get(sku, 0) - int(picked.get(sku) or 0) + (restocked or {}).get(sku, 0)
                if on_hand != want:
                    losses.append(f"{sku}: on hand {on_hand}, receipts - picks + restocks = {want}")
                if reserved != 0:
                    losses.append(f"{sku}: {reserved} still reserved")
    finally:
        db.dispose()
    return losses


class Picker(threading.Thread):
    """One station's scanner: answers what the station asks for, until no order is left;
    killed now and then and started again under the same station name."""

    def __init__(self, n: int, env: dict, rng: random.Random, kill_every: int):
        super().__init__(daemon=True, name=f"PICK-{n}")
        self.station, self.env, self.rng, self.kill_every = f"PICK-{n}", env, rng, kill_every
        self.kills = self.scans = self.totes = 0
        self.error: BaseException | None = None

    def _start(self) -> LiveStation:
        return LiveStation("pick", self.env, "--station", self.station)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _run(self) -> None:
        st = self._start()
        scan = "%NEXT"
        try:
            while True:
                if self.rng.randrange(self.kill_every) == 0:
                    if self.rng.random() < 0.5:  # with this scan in flight
                        st.proc.stdin.write(scan.encode() + b"\n")
                        st.proc.stdin.flush()
                        time.sleep(self.rng.random() * 0.02)
                    st.kill()
                    self.kills += 1
                    st = self._start()
                    scan = "%NEXT"  # refused while an order is in hand: the answer says what is next
                    continue
                fb = st.scan(scan)
                self.scans += 1
                if not fb["ok"] and fb["expect"] == "order" and "no order is waiting" in fb["message"]:
                    break
                if not fb["ok"] and scan != "%NEXT":
                    raise AssertionError(f"{self.station}: {scan!r} refused: {fb['message']}")
                scan = self._next(fb)
            assert st.close() == 0
        finally:
            if st.proc.poll() is None:
                st.kill()

    def _next(self, fb: dict) -> str:
        exp = fb["expect"]
        if exp == "order":
            return "%NEXT"
        if exp == "bin":
            return fb["bin"]
        if exp == "item":
            return fb["sku"]
        if exp == "tote":
            self.totes += 1
            return f"TOTE-{self.station}-{self.totes:04d}-{self.kills}"
        raise AssertionError(f"{self.station}: unexpected answer {fb}")


def test_eight_stations_race_with_kills_and_lose_nothing(tmp_path, db_path):
    rng = random.Random(int(os.environ.get("WAREHOUSE_RACE_SEED", "8")))
    env = cli_environment(tmp_path, db_path, CONFIG)
    stock_file, orders_file = _files(tmp_path, rng)
    run("operator", "add", "alice", env=env)
    run("stock", "import", stock_file, env=env)
    run("import", orders_file, env=env)

    pickers = [Picker(n, env, random.Random(rng.random()), kill_every=40) for n in range(1, STATIONS + 1)]
    for p in pickers:
        p.start()
    for p in pickers:
        p.join(timeout=1500)
    errors = [p.error for p in pickers if p.error is not None]
    assert not errors, errors
    assert not any(p.is_alive() for p in pickers)

    kills = sum(p.kills for p in pickers)
    losses = invariant_losses(env["WAREHOUSE_DB"], {f"RACE-{p:02d}": 2 * RECEIVED for p in range(PRODUCTS)})
    orders = json.loads(run("order", "list", "--json", env=env).stdout)
    print(f"\nrace ({engines.ENGINE}): {len(orders)} orders, {STATIONS} stations, "
          f"{sum(p.scans for p in pickers)} scans, {kills} kills, {len(losses)} losses")
    assert len(orders) == ORDERS
    assert kills > 0
    assert losses == []
