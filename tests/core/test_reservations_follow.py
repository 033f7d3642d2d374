"""Reservations follow the stock: a stock count that empties a bin moves its reservations,
backorders what cannot be covered, and re-plans the walk of an order already picking."""

from __future__ import annotations

from sqlmodel import select

from tests.core.conftest import write
from tests.core.test_station_cli import cli_env, run, show, station  # noqa: F401 (fixture)
from warehouse_tui.domain.models import Event
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file, stock_of
from warehouse_tui.workflow.lookup import find_order, order_detail
from warehouse_tui.workflow.stations import open_session

MUG = "5012345678900"
HEADER = "sku,title,barcode,bin,quantity\n"


def load_stock(db, tmp_path, rows: str, name: str = "stock.csv"):
    f = write(tmp_path / name, HEADER + rows)
    with db.write() as s:
        return apply_stock(s, read_stock_file(f), path=f)


def orders(db, tmp_path, *lines: tuple[str, int, str]):
    """(order id, quantity of MUG-BLU, ship-by day) each."""
    text = "order_id,ship_name,address1,city,postal_code,country,sku,quantity,ship_by\n" + "".join(
        f"{ref},Ann Buyer,1 High St,Leeds,LS1 1AA,GB,MUG-BLU,{n},2026-12-{day}T17:00:00Z\n" for ref, n, day in lines)
    import_files(db, [write(tmp_path / "orders.csv", text)])


def mug(db):
    with db.session() as s:
        info = stock_of(s, "MUG-BLU")
    return {b["bin"]: (b["on_hand"], b["reserved"]) for b in info["bins"]}


def detail(db, ref):
    with db.session() as s:
        return order_detail(s, find_order(s, ref)[0])


def moves(db):
    with db.session() as s:
        return [e.message for e in s.exec(select(Event).where(Event.type == "reservation").order_by(Event.id))]


def test_a_bin_zeroed_by_a_count_sends_the_picker_to_the_bin_holding_the_stock(db, settings, tmp_path):
    load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,10\nMUG-BLU,Blue mug,,C-01-01,5\n")
    orders(db, tmp_path, ("ORD-A", 2, "01"))
    assert mug(db) == {"A-01-03": (10, 2), "C-01-01": (5, 0)}

    report = load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,0\nMUG-BLU,Blue mug,,C-01-01,5\n",
                        "count.csv")
    assert report.moved == 2 and report.backordered == []
    assert mug(db) == {"A-01-03": (0, 0), "C-01-01": (5, 2)}
    assert moves(db) == ["2 x MUG-BLU reserved in C-01-01 instead of A-01-03: the stock count moved it"]
    d = detail(db, "ORD-A")
    assert d["status"] == "ready"
    assert any(e["type"] == "reservation" for e in d["events"])  # the move is in the order's history

    p = open_session("pick", db, settings)
    fb = p.handle("%NEXT")
    assert (fb.order, fb.expect, fb.bin, fb.quantity) == ("ORD-A", "bin", "C-01-01", 2)
    assert not p.handle("A-01-03").ok  # the count says it is empty: never a place to pick from
    assert p.handle("C-01-01").ok
    assert p.handle(MUG).ok
    fb = p.handle(MUG)
    assert fb.ok and fb.expect == "tote"
    assert mug(db) == {"A-01-03": (0, 0), "C-01-01": (3, 0)}


def test_an_order_that_can_no_longer_be_covered_goes_back_to_backordered(db, tmp_path):
    load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,10\n")
    orders(db, tmp_path, ("ORD-SOON", 2, "01"), ("ORD-LATER", 2, "05"))
    assert mug(db) == {"A-01-03": (10, 4)}

    report = load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,3\n", "count.csv")
    # the later order gives its units up; the earlier one keeps them
    assert report.backordered == ["ORD-LATER"]
    assert detail(db, "ORD-SOON")["status"] == "ready"
    later = detail(db, "ORD-LATER")
    assert later["status"] == "backordered"
    assert any("not enough stock of MUG-BLU" in (e["message"] or "") for e in later["events"])
    assert mug(db) == {"A-01-03": (3, 2)}

    # units arrive in another bin: the backordered order is ready again
    report = load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,C-01-01,4\n", "more.csv")
    assert report.allocated == ["ORD-LATER"]
    assert mug(db) == {"A-01-03": (3, 3), "C-01-01": (4, 1)}


def test_an_order_being_picked_keeps_its_units_and_its_walk_is_planned_again(db, settings, tmp_path):
    load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,10\nMUG-BLU,Blue mug,,C-01-01,1\n")
    orders(db, tmp_path, ("ORD-A", 3, "01"))
    p = open_session("pick", db, settings)
    p.handle("ORD-A")
    p.handle("A-01-03")
    assert p.handle(MUG).ok
    assert mug(db) == {"A-01-03": (9, 2), "C-01-01": (1, 0)}

    # the bin is counted empty while the picker stands at it: one unit moves, one is short
    report = load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,0\n", "count.csv")
    assert (report.moved, report.short) == (1, ["ORD-A"])
    assert mug(db) == {"A-01-03": (0, 0), "C-01-01": (1, 1)}
    d = detail(db, "ORD-A")
    assert d["status"] == "short" and (d["lines"][0]["picked"], d["lines"][0]["short"]) == (1, 1)

    fb = p.prompt()
    assert (fb.expect, fb.bin, fb.quantity) == ("bin", "C-01-01", 1)
    fb = p.handle(MUG)  # still at the emptied bin: refused, nothing taken
    assert not fb.ok and "scan the bin C-01-01 first" in fb.message
    p.handle("C-01-01")
    fb = p.handle(MUG)
    assert fb.ok and fb.expect == "tote"
    fb = p.handle("TOTE-1")
    assert fb.ok and fb.status == "short"  # two picked, one short: the exceptions queue decides
    d = detail(db, "ORD-A")
    assert (d["lines"][0]["picked"], d["lines"][0]["short"]) == (2, 1)
    assert mug(db) == {"A-01-03": (0, 0), "C-01-01": (0, 0)}


def test_a_batch_walk_is_planned_again_from_the_current_stock(db, settings, tmp_path):
    load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,4\nMUG-BLU,Blue mug,,C-01-01,10\n")
    orders(db, tmp_path, ("ORD-A", 2, "01"), ("ORD-B", 2, "02"))
    settings.batch_size = 2
    p = open_session("pick", db, settings)
    assert p.handle("%BATCH").ok
    p.handle("TOTE-A")
    fb = p.handle("TOTE-B")
    assert (fb.expect, fb.bin, fb.quantity) == ("bin", "A-01-03", 4)
    p.handle("A-01-03")
    p.handle(MUG)
    fb = p.handle("TOTE-A")
    assert (fb.expect, fb.bin, fb.quantity) == ("item", "A-01-03", 3)

    load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,1\n", "count.csv")
    assert mug(db) == {"A-01-03": (1, 1), "C-01-01": (10, 2)}
    fb = p.prompt()  # one unit left here, then on to the bin that holds the rest
    assert (fb.expect, fb.bin, fb.quantity) == ("item", "A-01-03", 1)
    p.handle(MUG)
    fb = p.handle(fb.tote)
    assert (fb.expect, fb.bin, fb.quantity) == ("bin", "C-01-01", 2)


def test_the_picker_may_take_the_product_from_another_bin_with_free_stock(db, settings, tmp_path):
    load_stock(db, tmp_path, "MUG-BLU,Blue mug,5012345678900,A-01-03,2\n"
                             "MUG-BLU,Blue mug,,C-01-01,2\nMUG-BLU,Blue mug,,D-01-01,2\n")
    orders(db, tmp_path, ("ORD-A", 2, "01"), ("ORD-B", 2, "02"))
    assert mug(db) == {"A-01-03": (2, 2), "C-01-01": (2, 2), "D-01-01": (2, 0)}

    p = open_session("pick", db, settings)
    fb = p.handle("ORD-A")
    assert fb.bin == "A-01-03"
    fb = p.handle("C-01-01")  # holds mugs, but all of them are ORD-B's
    assert not fb.ok and "wrong bin C-01-01" in fb.message and fb.bin == "A-01-03"
    fb = p.handle("D-01-01")
    assert fb.ok and (fb.expect, fb.bin, fb.quantity) == ("item", "D-01-01", 2)
    assert "reserved here instead of A-01-03" in fb.message
    assert mug(db) == {"A-01-03": (2, 0), "C-01-01": (2, 2), "D-01-01": (2, 2)}
    assert moves(db) == ["2 x MUG-BLU reserved in D-01-01 instead of A-01-03: found there by alice"]
    p.handle(MUG)
    fb = p.handle(MUG)
    assert fb.ok and fb.expect == "tote"
    assert mug(db) == {"A-01-03": (2, 0), "C-01-01": (2, 2), "D-01-01": (0, 0)}


def test_a_new_user_zeroes_a_bin_and_is_sent_to_the_bin_that_holds_the_stock(tmp_path, cli_env):
    run("stock", "import", write(tmp_path / "stock.csv", HEADER + "MUG-BLU,Blue mug,5012345678900,A-01-03,10\n"
                                                                   "MUG-BLU,Blue mug,,C-01-01,5\n"), env=cli_env)
    orders_csv = ("order_id,ship_name,address1,city,postal_code,country,sku,quantity\n"
                  "CLI-1,Ann Buyer,1 High St,Leeds,LS1 1AA,GB,MUG-BLU,2\n")
    run("import", write(tmp_path / "orders.csv", orders_csv), env=cli_env)
    p = run("stock", "import", write(tmp_path / "count.csv", HEADER + "MUG-BLU,Blue mug,5012345678900,A-01-03,0\n"),
            env=cli_env)
    assert "2 reserved units moved to other bins" in p.stderr.decode()
    out = station("pick", ["%NEXT", "C-01-01", MUG, MUG, "TOTE-5"], cli_env)
    assert (out[0]["expect"], out[0]["bin"], out[0]["quantity"]) == ("bin", "C-01-01", 2)
    assert all(o["ok"] for o in out) and out[-1]["status"] == "picked"
    events = show("CLI-1", cli_env)["events"]
    assert [e["type"] for e in events].count("reservation") == 1
