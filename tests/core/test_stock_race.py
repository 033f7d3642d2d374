"""Two pick stations (separate processes) race over orders of the same product, each
answering the other's changes: no unit is lost or made up, on any engine."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from tests.core.conftest import write
from tests.core.test_station_cli import cli_env, run, stock  # noqa: F401 (fixture)

ORDERS = 16
STOCK = """sku,title,barcode,bin,quantity
MUG-BLU,Blue enamel mug,5012345678900,A-01-01,20
MUG-BLU,Blue enamel mug,,A-02-01,20
MUG-BLU,Blue enamel mug,,B-01-01,20
"""


def work(name: str, env: dict, log: list, ready: threading.Barrier, first_done: threading.Barrier) -> None:
    """A station that answers its own feedback: claim the next order, walk it, tote it.

    Both stations answer a first scan before either claims, so the slower start-up of one
    never leaves the other to pick every order alone."""
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "station", "--mode", "pick", "--station", name],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    totes = 0

    def send(scan: str) -> dict:
        p.stdin.write(scan.encode() + b"\n")
        p.stdin.flush()
        fb = json.loads(p.stdout.readline())
        log.append((name, fb))
        return fb

    try:
        send("%PICK")  # the station is up and answering
        ready.wait(timeout=120)
        fb = send("%NEXT")
        while len(log) < 2000:
            if fb["expect"] == "order":
                if not fb["ok"] and "no order is waiting" in fb["message"]:
                    break
                fb = send("%NEXT")
            elif fb["expect"] == "bin":
                fb = send(fb["bin"])
            elif fb["expect"] == "item":
                fb = send("5012345678900")
            else:
                totes += 1
                fb = send(f"TOTE-{name}-{totes}")
                if totes == 1:  # each has picked an order before they race on: both really pick
                    first_done.wait(timeout=120)
    finally:
        p.stdin.close()
        p.wait(timeout=60)


def test_two_stations_picking_the_same_product_lose_no_unit(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    rows = "".join(f"R-{i:03},Ann,1 High St,Leeds,LS1 1AA,GB,MUG-BLU,{1 + i % 3}\n" for i in range(ORDERS))
    run("import", write(tmp_path / "orders.csv",
                        "order_id,ship_name,address1,city,postal_code,country,sku,quantity\n" + rows), env=env)
    ordered = sum(1 + i % 3 for i in range(ORDERS))
    assert stock("MUG-BLU", env)["reserved"] == ordered

    log: list = []
    ready, first_done = threading.Barrier(2), threading.Barrier(2)
    stations = [threading.Thread(target=work, args=(f"PICK-{n}", env, log, ready, first_done)) for n in (1, 2)]
    for t in stations:
        t.start()
    for t in stations:
        t.join(timeout=600)

    picks = [fb for _name, fb in log if fb["ok"] and fb["scan"] == "5012345678900"]
    by_station = {name for name, fb in log if fb["ok"] and fb["scan"] == "5012345678900"}
    assert by_station == {"PICK-1", "PICK-2"}  # both stations really picked
    assert len(picks) == ordered
    info = stock("MUG-BLU", env)
    assert info["on_hand"] == 60 - len(picks) and info["reserved"] == 0
    assert all(b["on_hand"] >= 0 for b in info["bins"])
    listed = json.loads(run("order", "list", "--json", env=env).stdout)
    assert {o["status"] for o in listed} == {"picked"} and len(listed) == ORDERS
