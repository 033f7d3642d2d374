"""Label stations killed (SIGKILL) at random points, a label perhaps printed and not yet
recorded, then started again: no tracking number ever reaches two parcels' labels, every
parcel ends labeled with a number of its own, and a number printed twice is the same
parcel's label printed again. Two stations draw from one UPS sequence at once."""

from __future__ import annotations

import random
import re
import threading
import time

from tests import engines
from tests.core.station_proc import LiveStation
from tests.printing.conftest import pack, pick
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file

ORDERS = 24


def labels(jobs: list[bytes]) -> list[tuple[str, str]]:
    """(tracking number, order) of each label the printer received whole. A station killed
    while sending leaves a job cut short (or empty): a printer prints nothing of a label
    format that never reaches its ^XZ."""
    out = []
    for job in list(jobs):
        if not job.rstrip().endswith(b"^XZ"):
            continue
        text = job.decode("utf-8", "replace")
        out.append((re.search(r"1Z[0-9A-Z]{16}", text).group(0), re.search(r"ORDER (KILL-\d{4})", text).group(1)))
    return out


class Labeler(threading.Thread):
    def __init__(self, name: str, refs: list[str], env: dict, rng: random.Random, printer):
        super().__init__(daemon=True, name=name)
        self.station, self.refs, self.env, self.rng, self.printer = name, refs, env, rng, printer
        self.kills = self.print_kills = 0
        self.error: BaseException | None = None

    def printed_for(self, ref: str) -> set[str]:
        time.sleep(0.3)  # the printer's connection of the label just sent
        return {number for number, order in labels(self.printer.jobs) if order == ref}

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.error = exc

    def _run(self) -> None:
        st = self.proc = LiveStation("label", self.env, "--station", self.station)
        try:
            for ref in self.refs:
                while True:
                    if self.rng.random() < 0.4:  # the order's scan in flight, then killed
                        st.proc.stdin.write(ref.encode() + b"\n")
                        st.proc.stdin.flush()
                        time.sleep(self.rng.random() * 0.15)
                        st.kill()
                        self.kills += 1
                        st = self.proc = LiveStation("label", self.env, "--station", self.station)
                        continue
                    try:
                        fb = st.scan(ref)
                    except AssertionError:  # the printer's side killed it as the label came out
                        self.kills += 1
                        st = self.proc = LiveStation("label", self.env, "--station", self.station)
                        continue
                    if not fb["ok"] and fb["expect"] == "label":
                        # killed after its label printed: the operator scans the printed label
                        numbers = sorted(self.printed_for(ref))
                    elif fb["ok"]:
                        numbers = fb.get("tracking_numbers") or [fb["tracking_number"]]
                    else:
                        raise AssertionError(f"{self.station} {ref}: {fb['message']}")
                    try:
                        for n in numbers:  # verify each label: the order ships
                            fb = st.scan(n)
                            assert fb["ok"], fb
                    except AssertionError as exc:
                        if "the station ended" not in str(exc):
                            raise
                        # killed by the printer's side after it answered: started again, the
                        # order is scanned again and its label checked then
                        self.kills += 1
                        st = self.proc = LiveStation("label", self.env, "--station", self.station)
                        continue
                    assert fb["expect"] == "order", fb
                    break
            assert st.close() == 0
        finally:
            if st.proc.poll() is None:
                st.kill()


def test_killed_label_stations_never_put_one_number_on_two_parcels(tmp_path, db, settings, listener):
    from tests.core.conftest import cli_environment, write
    from tests.printing.conftest import CONFIG

    stock = ["sku,title,barcode,bin,quantity,weight_g", "KILL-1,Kill test mug,5012345678900,A-01-01,500,300"]
    orders = ["order_id,ship_name,address1,city,postal_code,country,sku,quantity"]
    orders += [f"KILL-{i:04d},Buyer {i},1 Road,Leeds,LS1 1AA,GB,KILL-1,1" for i in range(ORDERS)]
    with db.write() as s:
        apply_stock(s, read_stock_file(write(tmp_path / "stock.csv", "\n".join(stock) + "\n")),
                    path=tmp_path / "stock.csv")
    import_files(db, [write(tmp_path / "orders.csv", "\n".join(orders) + "\n")])
    refs = [f"KILL-{i:04d}" for i in range(ORDERS)]
    for i, ref in enumerate(refs):
        pick(db, settings, ref, f"TOTE-{i}")
        pack(db, settings, f"TOTE-{i}")

    env = cli_environment(tmp_path, db.url if engines.ON_POSTGRES else db.path, CONFIG)
    env["WAREHOUSE_PRINTER"] = listener.spec
    rng = random.Random(7)
    killer = random.Random(11)

    def kill_as_it_prints(job: bytes) -> None:
        """Half the labels: SIGKILL the station that sent it the moment it arrives, before
        the station can record it."""
        whole = labels([job])
        if not whole:
            return
        ref = whole[0][1]
        st = next(s for s in stations if ref in s.refs)
        if killer.random() < 0.5 and getattr(st, "proc", None) is not None:
            st.proc.proc.kill()
            st.print_kills += 1

    listener.on_job = kill_as_it_prints
    stations = [Labeler("LABEL-A", refs[0::2], env, random.Random(rng.random()), listener),
                Labeler("LABEL-B", refs[1::2], env, random.Random(rng.random()), listener)]
    for st in stations:
        st.start()
    for st in stations:
        st.join(timeout=900)
    assert [st.error for st in stations] == [None, None]

    time.sleep(0.5)  # the printer's last connection
    printed: dict[str, set[str]] = {}
    for number, order in labels(listener.jobs):
        printed.setdefault(number, set()).add(order)
    shared = {n: o for n, o in printed.items() if len(o) > 1}

    from sqlmodel import select

    from warehouse_tui.domain.models import Order, Parcel

    with db.session() as s:
        rows = s.exec(select(Order.ref, Order.status, Parcel.tracking_number)
                      .join(Parcel, Parcel.order_id == Order.id)).all()
    numbers = [n for _, _, n in rows]
    kills = sum(st.kills for st in stations)
    print(f"\nlabel kills ({engines.ENGINE}): {ORDERS} orders, 2 stations, {kills} kills "
          f"({sum(st.print_kills for st in stations)} as a label came out), "
          f"{len(labels(listener.jobs))} labels printed, "
          f"{len(listener.jobs) - len(labels(listener.jobs))} cut short by a kill, {len(shared)} numbers on two parcels")
    assert kills > 0
    assert shared == {}
    assert all(status == "shipped" for _, status, _ in rows)
    assert len(set(numbers)) == len(numbers) == ORDERS
    # every parcel's recorded number is on a label printed for that very order
    assert all(ref in printed.get(n, set()) for ref, _, n in rows)
