"""Imports in sets: each set committed on its own, a half-done import completed by importing
again, stock reserved set-based and safely, and a pick station that keeps scanning meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.dbrows import table_rows
from tests.engines import postgres_only
from tests.core.conftest import cli_environment, write
from warehouse_tui.channels import registry
from warehouse_tui.domain.models import Allocation, Event, Order, OrderLine, Stock
from warehouse_tui.workflow import allocation, importing
from warehouse_tui.workflow.import_chunk import (
    Incoming, clean_and_fingerprint, fingerprint, fingerprint_v2, legacy_fingerprint, stored_digest, unchanged,
)
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file, stock_of

HEADER = "order_id,ship_name,address1,city,postal_code,country,sku,quantity,ship_by,priority\n"


def stock_file(tmp_path: Path, quantity: int = 100_000, products: int = 20) -> Path:
    rows = "".join(f"P-{i:02d},Product {i},{7_000_000_000_000 + i},A-{i:02d},{quantity}\n" for i in range(products))
    return write(tmp_path / "stock.csv", "sku,title,barcode,bin,quantity\n" + rows)


def order_file(tmp_path: Path, orders: int, lines: int = 3, name: str = "orders.csv", products: int = 20) -> Path:
    rows = [f"N-{k:05d},Buyer {k},{k} Dock Road,Leeds,LS1 1AA,GB,P-{(k * lines + j) % products:02d},1,"
            f"2027-01-0{1 + k % 5}T12:00:00Z,0\n" for k in range(orders) for j in range(lines)]
    return write(tmp_path / name, HEADER + "".join(rows))


def stock_up(db, tmp_path, **kw) -> None:
    f = stock_file(tmp_path, **kw)
    with db.write() as s:
        apply_stock(s, read_stock_file(f), path=f)


def counts(db) -> tuple[int, int, int, int]:
    with db.session() as s:
        events = s.execute(select(func.count()).where(Event.order_id.is_not(None))).scalar_one()
        return tuple(s.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Order, OrderLine, Allocation)) + (events,)


def reserved(db) -> int:
    with db.session() as s:
        return s.execute(select(func.coalesce(func.sum(Stock.reserved), 0))).scalar_one()


def test_a_long_import_commits_set_by_set_and_reports_progress(db, tmp_path, monkeypatch):
    stock_up(db, tmp_path)
    commits = []
    real_write = db.write

    def counting_write():
        commits.append(1)
        return real_write()

    monkeypatch.setattr(db, "write", counting_write)
    said: list[str] = []
    report = importing.import_files(db, [order_file(tmp_path, 2_100)], progress=said.append)
    assert len(report.created) == 2_100 and not report.backordered
    assert len(commits) == -(-2_100 // importing.CHUNK)  # one transaction a set
    assert said == ["  1,000 of 2,100 orders", "  2,000 of 2,100 orders"]
    orders, lines, allocs, events = counts(db)
    assert (orders, lines, allocs, events) == (2_100, 6_300, 6_300, 4_200)  # import + status events
    assert reserved(db) == 6_300
    with db.session() as s:
        assert set(s.execute(select(Order.status).distinct()).scalars()) == {"ready"}
        kinds = s.execute(select(Event.type, Event.message, Event.data).where(Event.order_id == 1)
                          .order_by(Event.id)).all()
    assert [k[0] for k in kinds] == ["import", "status"]
    assert json.loads(kinds[1][2]) == {"from": "new", "to": "ready"}


def test_reimporting_an_unchanged_file_writes_nothing(db, tmp_path):
    stock_up(db, tmp_path)
    f = order_file(tmp_path, 600)
    importing.import_files(db, [f])
    before = counts(db)
    rows = table_rows(db)
    token = db.change_token()
    report = importing.import_files(db, [f])
    assert len(report.unchanged) == 600 and not report.created and not report.updated
    assert counts(db) == before
    assert table_rows(db) == rows
    if db.is_sqlite:
        assert db.change_token() == token  # no commit changed the file


def test_an_import_cut_off_half_way_is_completed_by_importing_again(db, tmp_path, monkeypatch):
    stock_up(db, tmp_path)
    f = order_file(tmp_path, 1_000)
    real = importing.store_chunk
    calls = []

    def dies_in_the_third_set(s, chunk, report, **who):
        calls.append(1)
        if len(calls) == 3:
            real(s, chunk, report, **who)
            raise KeyboardInterrupt  # as a kill between two statements of a set
        real(s, chunk, report, **who)

    monkeypatch.setattr(importing, "store_chunk", dies_in_the_third_set)
    with pytest.raises(KeyboardInterrupt):
        importing.import_files(db, [f])
    orders, lines, allocs, _ = counts(db)
    assert orders == 2 * importing.CHUNK and lines == 3 * orders == allocs  # whole sets only
    monkeypatch.setattr(importing, "store_chunk", real)
    report = importing.import_files(db, [f])
    assert len(report.unchanged) == 2 * importing.CHUNK and len(report.created) == 1_000 - 2 * importing.CHUNK
    orders, lines, allocs, _ = counts(db)
    assert (orders, lines, allocs) == (1_000, 3_000, 3_000) and reserved(db) == 3_000


def test_a_refused_file_writes_nothing_even_when_long(db, tmp_path):
    stock_up(db, tmp_path)
    f = order_file(tmp_path, 1_000)
    with f.open("a", encoding="utf-8") as out:
        out.write("N-99999,Late,1 Road,Leeds,LS1,GB,NO-SUCH-SKU,1,,0\n")
    with pytest.raises(importing.InputRejected) as refused:
        importing.import_files(db, [f])
    assert "NO-SUCH-SKU" in str(refused.value) and f"line {3_002}" in str(refused.value)
    assert counts(db)[:3] == (0, 0, 0)


def test_allocation_is_all_or_nothing_in_file_order_across_sets(db, tmp_path, monkeypatch):
    """Ten units of each product: orders take them in the file's order, set after set; an order
    that cannot be covered in full reserves nothing and waits, the ones after it still go."""
    monkeypatch.setattr(importing, "CHUNK", 3)
    stock_up(db, tmp_path, quantity=10, products=2)
    rows = [f"A-{k},B,1 Rd,Leeds,LS1,GB,P-00,4,,0\n" for k in range(3)]  # 4 + 4 + (4: short) on P-00
    rows += ["A-3,B,1 Rd,Leeds,LS1,GB,P-00,2,,0\n"]  # the last two of P-00
    rows += ["A-4,B,1 Rd,Leeds,LS1,GB,P-01,3,,0\n", "A-4,B,1 Rd,Leeds,LS1,GB,P-00,1,,0\n"]  # P-00 is gone
    report = importing.import_files(db, [write(tmp_path / "o.csv", HEADER + "".join(rows))])
    assert report.backordered == ["A-2", "A-4"]
    with db.session() as s:
        status = dict(s.execute(select(Order.ref, Order.status)).all())
        hold = s.execute(select(Event.message).where(Event.type == "status", Event.order_id == 5)).scalar_one()
    assert status == {"A-0": "ready", "A-1": "ready", "A-2": "backordered", "A-3": "ready", "A-4": "backordered"}
    assert hold == "not enough stock of P-00"
    with db.session() as s:
        assert stock_of(s, "P-00")["reserved"] == 10 and stock_of(s, "P-01")["reserved"] == 0


def test_an_order_given_twice_in_one_file_set_is_created_then_updated(db, tmp_path):
    stock_up(db, tmp_path)
    f = order_file(tmp_path, 3, name="a.csv")
    g = write(tmp_path / "b.csv", HEADER + "N-00001,Buyer 1,New Road,Leeds,LS1 1AA,GB,P-05,2,,0\n")
    report = importing.import_files(db, [f, g])
    assert report.created == ["N-00000", "N-00001", "N-00002"] and report.updated == ["N-00001"]
    with db.session() as s:
        o = s.execute(select(Order).where(Order.ref == "N-00001")).scalar_one()
        lines = s.execute(select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == o.id)).all()
    assert o.ship_address1 == "New Road" and lines == [("P-05", 2)] and o.status == "ready"
    assert reserved(db) == 3 * 3 - 3 + 2  # the first version's units given back


def test_units_taken_by_another_writer_meanwhile_send_the_order_to_be_planned_again(db, tmp_path, monkeypatch):
    """The guarded update refuses units another writer reserved after the plan was made; the
    order is planned again on a fresh read, and nothing is reserved twice."""
    stock_up(db, tmp_path, quantity=5, products=1)
    real_load = allocation.FreeStock.load
    taken = []

    def load_then_someone_takes(s, product_ids):
        free = real_load(s, product_ids)
        if not taken:  # between this read and the update, another station reserves 3 units
            taken.append(s.connection().execute(
                text("UPDATE stock SET reserved = reserved + 3 WHERE on_hand - reserved >= 3")).rowcount)
        return free

    monkeypatch.setattr(allocation.FreeStock, "load", staticmethod(load_then_someone_takes))
    rows = "A-1,B,1 Rd,Leeds,LS1,GB,P-00,2,,0\nA-2,B,1 Rd,Leeds,LS1,GB,P-00,2,,0\n"
    report = importing.import_files(db, [write(tmp_path / "o.csv", HEADER + rows)])
    assert taken == [1]
    assert report.backordered == ["A-2"]  # 5 - 3 leaves 2: the first order in the file gets them
    with db.session() as s:
        assert stock_of(s, "P-00")["reserved"] == 5
        assert s.execute(select(func.sum(Allocation.quantity))).scalar_one() == 2


def test_orders_stored_with_the_earlier_digest_are_recognised(tmp_path):
    f = order_file(tmp_path, 2)
    o = registry.read_orders([f], "csv")[0]
    inc = Incoming(o)
    assert unchanged(legacy_fingerprint(o), inc) and unchanged(inc.digest, inc)
    other = replace(o, priority=5)
    assert fingerprint(other) != inc.digest and not unchanged(legacy_fingerprint(other), inc)
    moved = replace(o, source="elsewhere.csv:9")
    assert fingerprint(moved) == inc.digest  # where it was read from is not what it says
    moved.lines[0].source = "elsewhere.csv:10"
    assert fingerprint(moved) == inc.digest and moved.lines[0].source == "elsewhere.csv:10"
    # the digest before this one (v2) is still recognised, and still tells a change
    assert unchanged(fingerprint_v2(o), inc) and not unchanged(fingerprint_v2(other), inc)
    assert inc.digest.startswith("v3:") and fingerprint_v2(o).startswith("v2:")


def test_one_repr_cleans_the_order_and_makes_its_digest(tmp_path):
    f = order_file(tmp_path, 2)
    plain, dirty = registry.read_orders([f], "csv")[:2]
    assert clean_and_fingerprint(plain) == fingerprint(plain)
    dirty.ship_to.name = "Ann\x1b[31m Red"
    dirty.lines[0].title = "Mug\x07"
    digest = clean_and_fingerprint(dirty)
    assert "\x1b" not in dirty.ship_to.name and "\x07" not in dirty.lines[0].title  # cleaned in place
    assert digest == fingerprint(dirty)  # the digest of what is stored: the cleaned order
    for order in (plain, dirty):
        assert order.source and all(ln.source for ln in order.lines)  # left as they were read


def test_the_stored_digest_is_read_from_the_end_of_extra_or_else_parsed():
    assert stored_digest(None) is None and stored_digest("") is None and stored_digest("{}") is None
    assert stored_digest('{"a": 1, "import_hash": "v3:abc"}') == "v3:abc"
    # not the last key (a marketplace's own key of that name kept its place), or nested
    assert stored_digest('{"import_hash": "v3:abc", "b": 2}') == "v3:abc"
    assert stored_digest('{"b": {"import_hash": "x"}}') is None
    assert stored_digest('{"b": {"import_hash": "x"}, "import_hash": "v3:d"}') == "v3:d"


def test_a_pick_station_keeps_scanning_through_a_long_import(tmp_path, db_path):
    """The issue's finding: a station scanning during a 12,000-line import waited, printed
    `database is locked` and died. Now each set commits on its own and the station goes on."""
    env = cli_environment(tmp_path, db_path, 'station = "PICK-1"\n')
    run = lambda *a: subprocess.run([sys.executable, "-m", "warehouse_tui", *map(str, a)], env=env,
                                    capture_output=True, text=True, timeout=300)
    assert run("stock", "import", stock_file(tmp_path, quantity=1_000_000)).returncode == 0
    assert run("import", order_file(tmp_path, 300, name="first.csv")).returncode == 0
    big = order_file(tmp_path, 4_000, name="big.csv")  # 12,000 lines
    big.write_text(big.read_text().replace("N-", "M-"), encoding="utf-8")

    station = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "station", "--mode", "pick",
                                "--station", "PICK-1", "--operator", "alice"], env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    importer = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "import", str(big)], env=env,
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    answers, during = [], 0
    try:
        nxt = "%NEXT"
        while importer.poll() is None or len(answers) < 20:
            running = importer.poll() is None
            station.stdin.write(nxt + "\n")
            station.stdin.flush()
            line = station.stdout.readline()
            assert line, f"the station stopped answering: {station.stderr.read()}"
            fb = json.loads(line)
            answers.append(fb)
            during += running
            nxt = {"bin": fb.get("bin"), "item": fb.get("sku"), "tote": f"TOTE-{len(answers)}"}.get(fb["expect"], "%NEXT")
        station.stdin.close()
        assert station.wait(timeout=120) == 0
        out_err = station.stderr.read()
        imported = importer.communicate(timeout=300)
    finally:
        for p in (station, importer):
            if p.poll() is None:
                p.kill()
    assert importer.returncode == 0 and "4000 new" in imported[1], imported[1]
    assert during > 0  # scans were answered while the import ran
    assert all(a["ok"] for a in answers), [a for a in answers if not a["ok"]][:3]
    assert "locked" not in out_err and "Traceback" not in out_err, out_err
    assert not any("locked" in a["message"] for a in answers)
    assert sum(a["expect"] == "order" and a["status"] == "picked" for a in answers) >= 1


def test_a_stock_import_gives_waiting_orders_their_units_by_priority_then_ship_by(db, tmp_path):
    stock_up(db, tmp_path, quantity=0, products=1)
    rows = ["W-1,B,1 Rd,Leeds,LS1,GB,P-00,2,2027-01-01T00:00:00Z,0\n",
            "W-2,B,1 Rd,Leeds,LS1,GB,P-00,2,2027-01-03T00:00:00Z,1\n",
            "W-3,B,1 Rd,Leeds,LS1,GB,P-00,2,2026-12-30T00:00:00Z,0\n"]
    report = importing.import_files(db, [write(tmp_path / "o.csv", HEADER + "".join(rows))])
    assert report.backordered == ["W-1", "W-2", "W-3"]
    stock_up(db, tmp_path, quantity=5, products=1)  # room for two of them
    with db.session() as s:
        status = dict(s.execute(select(Order.ref, Order.status)).all())
        assert stock_of(s, "P-00")["reserved"] == 4
    assert status == {"W-2": "ready", "W-3": "ready", "W-1": "backordered"}  # priority, then earliest


@postgres_only
def test_a_set_caught_in_a_deadlock_with_a_station_is_stored_again(db, tmp_path):
    """A real deadlock: the import takes its stock rows in one order (by id, as every writer
    should); another writer holds the later row, and once the import holds the first and waits,
    asks for the first too. PostgreSQL stops the import's transaction (the other writer's
    deadlock_timeout is longer); the import stores the set again and reports it once."""
    import threading
    import time

    from sqlalchemy import update

    from warehouse_tui.domain.models import Product

    stock_up(db, tmp_path, products=2)
    f = write(tmp_path / "two.csv", HEADER + "D-1,Ann,1 Road,Leeds,LS1 1AA,GB,P-01,1,2027-01-01T12:00:00Z,0\n"
                                             "D-2,Bob,2 Road,Leeds,LS1 1AA,GB,P-00,1,2027-01-01T12:00:00Z,0\n")
    with db.session() as s:
        pid = dict(s.execute(select(Product.sku, Product.id)).all())

    def deadlocks(conn) -> int:
        return conn.execute(text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar_one()

    with db.write_engine.connect() as watch:
        before = deadlocks(watch)
    other = db.write_engine.connect()
    tx = other.begin()
    other.execute(text("SET LOCAL deadlock_timeout = '30s'"))
    other.execute(update(Stock).where(Stock.product_id == pid["P-01"]).values(on_hand=Stock.on_hand))
    got: dict = {}
    t = threading.Thread(target=lambda: got.update(report=importing.import_files(db, [f], "csv")))
    t.start()
    with db.write_engine.connect() as watch:
        end = time.monotonic() + 20
        while not watch.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar_one():
            assert time.monotonic() < end and t.is_alive(), "the import never waited for the held row"
            time.sleep(0.05)
            watch.rollback()  # the server's activity is read once a transaction: read it anew
    # the import holds P-00 and waits for P-01; this writer now asks for P-00
    other.execute(update(Stock).where(Stock.product_id == pid["P-00"]).values(on_hand=Stock.on_hand))
    tx.commit()
    other.close()
    t.join(30)
    assert not t.is_alive()
    report = got["report"]
    assert sorted(report.created) == ["D-1", "D-2"] and not report.backordered
    assert counts(db)[:3] == (2, 2, 2) and reserved(db) == 2
    with db.write_engine.connect() as watch:
        end = time.monotonic() + 10
        while deadlocks(watch) == before and time.monotonic() < end:  # statistics are sent a moment later
            time.sleep(0.2)
            watch.rollback()
        assert deadlocks(watch) > before
