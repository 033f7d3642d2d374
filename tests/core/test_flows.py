"""Whole flows through the station sessions, with the stock checked after each step."""

from __future__ import annotations

from sqlmodel import select

from warehouse_tui.domain.models import Event, Order
from warehouse_tui.workflow.inventory import stock_of
from warehouse_tui.workflow.lookup import find_order, order_detail
from warehouse_tui.workflow.stations import open_session


def stock(db, sku):
    with db.session() as s:
        return stock_of(s, sku)


def bin_of(info, code):
    return next(b for b in info["bins"] if b["bin"] == code)


def detail(db, ref):
    with db.session() as s:
        return order_detail(s, find_order(s, ref)[0])


def session(mode, db, settings, **kw):
    return open_session(mode, db, settings, **kw)


def pick_all(p, fb):
    while fb.expect in ("bin", "item"):
        fb = p.handle(fb.bin if fb.expect == "bin" else fb.sku)
        assert fb.ok, fb
    return fb


def test_import_reserves_stock(warehouse):
    mug = stock(warehouse, "MUG-BLU")
    assert (mug["on_hand"], mug["reserved"]) == (10, 2)
    assert detail(warehouse, "BAR-1001")["status"] == "ready"


def test_pick_refuses_wrong_bin_and_wrong_item(warehouse, settings):
    p = session("pick", warehouse, settings)
    assert p.prompt().expect == "order"
    fb = p.handle("%NEXT")  # earliest ship-by first
    assert fb.ok and fb.order == "BAR-1001" and fb.status == "picking"
    assert (fb.expect, fb.bin, fb.sku, fb.quantity) == ("bin", "A-01-03", "MUG-BLU", 2)

    fb = p.handle("A-02-01")
    assert not fb.ok and "wrong bin A-02-01" in fb.message and "A-01-03" in fb.message
    assert fb.expect == "bin"
    fb = p.handle("5012345678900")
    assert not fb.ok and "scan the bin A-01-03 first" in fb.message

    assert p.handle("A-01-03").expect == "item"
    fb = p.handle("4006381333931")  # the candle: not in this order
    assert not fb.ok and "not in this order" in fb.message
    fb = p.handle("012345678905")  # the tee, in the order but not on this line
    assert not fb.ok and "not on this line" in fb.message
    assert stock(warehouse, "MUG-BLU")["on_hand"] == 10  # refused scans changed nothing

    fb = p.handle("5012345678900")
    assert fb.ok and fb.quantity == 1
    fb = p.handle("]E05012345678900")  # the same EAN with its AIM prefix
    assert fb.ok and (fb.expect, fb.bin) == ("bin", "A-02-01")
    fb = p.handle("A-02-01")
    fb = p.handle("012345678905")  # UPC-A: leading zeros normalised to the stored GTIN
    assert fb.ok and fb.expect == "tote"
    fb = p.handle("%NEXT")
    assert not fb.ok and "in hand" in fb.message and fb.expect == "tote"
    fb = p.handle("TOTE-01")  # the answer tells what became of the order just finished
    assert fb.ok and fb.expect == "order" and (fb.order, fb.status) == ("BAR-1001", "picked")

    d = detail(warehouse, "BAR-1001")
    assert d["status"] == "picked" and d["tote"] == "TOTE-01"
    assert [(ln["sku"], ln["picked"]) for ln in d["lines"]] == [("MUG-BLU", 2), ("TEE-M-BLK", 1)]
    mug = stock(warehouse, "MUG-BLU")
    assert (mug["on_hand"], mug["reserved"]) == (8, 0)
    with warehouse.session() as s:
        refused = s.exec(select(Event).where(Event.type == "scan", Event.ok == False)).all()  # noqa: E712
    assert len(refused) == 5


def test_short_pick_goes_to_exceptions(warehouse, settings):
    p = session("pick", warehouse, settings)
    fb = p.handle("BAR-1002")
    assert (fb.bin, fb.quantity) == ("B-01-01", 1)
    p.handle("B-01-01")
    fb = p.handle("4006381333931")
    assert fb.ok and fb.bin == "B-02-02"
    fb = p.handle("%SHORT")
    assert fb.ok and fb.status == "short" and fb.expect == "tote"
    fb = p.handle("TOTE-02")
    assert fb.ok and fb.expect == "order"
    d = detail(warehouse, "BAR-1002")
    assert d["status"] == "short" and d["lines"][0]["picked"] == 1 and d["tote"] == "TOTE-02"
    candle = stock(warehouse, "CANDLE-FIG")
    assert candle["on_hand"] == 2 and candle["reserved"] == 0
    assert bin_of(candle, "B-01-01")["on_hand"] == 0


def test_pack_label_verify_and_return(warehouse, settings, labels):
    p = session("pick", warehouse, settings)
    pick_all(p, p.handle("BAR-1001"))
    p.handle("TOTE-01")

    k = session("pack", warehouse, settings)
    fb = k.handle("TOTE-01")
    assert fb.ok and fb.status == "packing" and (fb.expect, fb.sku, fb.quantity) == ("item", "MUG-BLU", 2)
    assert "3 left to verify" in fb.instruction
    assert not k.handle("%DONE").ok  # units still to verify
    assert k.handle("TEE-M-BLK-ALT").ok
    fb = k.handle("00012345678905")
    assert not fb.ok and "one too many" in fb.message
    fb = k.handle("4006381333931")
    assert not fb.ok and "not in this order" in fb.message
    k.handle("5012345678900")
    fb = k.handle("BOX-S")  # a box with a unit still to verify: parcel 1 closes
    assert fb.ok and "parcel 1 closed" in fb.message and fb.expect == "item"
    fb = k.handle("5012345678900")
    assert fb.ok and fb.expect == "box"
    fb = k.handle("%DONE")
    assert fb.ok and fb.expect == "order"
    d = detail(warehouse, "BAR-1001")
    assert d["status"] == "packed" and d["tote"] is None and len(d["parcels"]) == 2
    assert d["parcels"][0]["weight_g"] == 90 + 200 + 350  # products and box, no scale

    lb = session("label", warehouse, settings)
    fb = lb.handle("BAR-1001")
    assert fb.ok and fb.status == "labeled" and fb.expect == "label"
    assert len(fb.tracking_numbers) == 2 and fb.tracking_number == fb.tracking_numbers[0]
    files = sorted(labels.iterdir())
    assert len(files) == 2 and all(f.read_bytes().startswith(b"^XA") for f in files)
    assert fb.tracking_numbers[0].encode() in files[0].read_bytes() or fb.tracking_numbers[0].encode() in files[1].read_bytes()
    fb = lb.handle("1Z999AA10123456784")  # a valid UPS number, but no parcel of this order
    assert not fb.ok
    t1, t2 = fb.tracking_numbers or detail(warehouse, "BAR-1001")["parcels"][0]["tracking_number"], None
    numbers = [p["tracking_number"] for p in detail(warehouse, "BAR-1001")["parcels"]]
    assert lb.handle(numbers[0]).status == "labeled"
    fb = lb.handle(numbers[1])
    assert fb.ok and fb.status == "shipped" and fb.expect == "order"
    assert detail(warehouse, "BAR-1001")["status"] == "shipped"

    r = session("returns", warehouse, settings)
    fb = r.handle(numbers[1])  # a tracking number opens the return of its order
    assert fb.ok and fb.expect == "item" and fb.order == "BAR-1001"
    assert r.handle("%RESTOCK").ok is False  # no unit scanned yet
    assert r.handle("5012345678900").expect == "condition"
    assert not r.handle("5012345678900").ok  # say what happens to the first one first
    assert r.handle("%RESTOCK").ok
    r.handle("5012345678900")
    assert r.handle("%QUARANTINE").ok
    fb = r.handle("5012345678900")
    assert not fb.ok and "returned already" in fb.message
    r.handle("TEE-M-BLK")
    assert r.handle("%DISPOSE").ok
    fb = r.handle("%DONE")
    assert fb.ok and fb.expect == "order"

    mug = stock(warehouse, "MUG-BLU")
    assert (mug["on_hand"], mug["quarantine"]) == (8 + 1, 1)
    assert bin_of(mug, "A-01-03")["on_hand"] == 9
    assert stock(warehouse, "TEE-M-BLK")["on_hand"] == 4
    d = detail(warehouse, "BAR-1001")
    assert d["returns"] == [{"status": "closed", "opened_at": d["returns"][0]["opened_at"],
                             "closed_at": d["returns"][0]["closed_at"],
                             "lines": [{"sku": "MUG-BLU", "quantity": 1, "disposition": "quarantine"},
                                       {"sku": "MUG-BLU", "quantity": 1, "disposition": "restock"},
                                       {"sku": "TEE-M-BLK", "quantity": 1, "disposition": "dispose"}]}]


def test_bad_scans_are_refused_and_change_nothing(warehouse, settings):
    p = session("pick", warehouse, settings)
    p.handle("BAR-1001")
    before = detail(warehouse, "BAR-1001")
    for raw in ("X" * 4097, "A-01\x07-03", b"\xff\xfeA-01-03", "%FOO", "", "nothing-like-this"):
        fb = p.handle(raw)
        assert not fb.ok and fb.expect == "bin", raw
    fb = p.handle("X" * 4000)
    assert not fb.ok
    after = detail(warehouse, "BAR-1001")
    assert [e for e in after["events"] if e["type"] != "scan"] == [e for e in before["events"] if e["type"] != "scan"]
    assert after["lines"] == before["lines"]


def test_resume_after_restart(warehouse, settings):
    p = session("pick", warehouse, settings)
    p.handle("BAR-1001")
    p.handle("A-01-03")
    p.handle("5012345678900")
    again = session("pick", warehouse, settings)
    fb = again.prompt()
    assert (fb.order, fb.expect, fb.bin, fb.quantity) == ("BAR-1001", "item", "A-01-03", 1)


def test_other_station_cannot_take_an_order_in_hand(warehouse, settings):
    session("pick", warehouse, settings).handle("BAR-1001")
    other = session("pick", warehouse, settings, station="PACK-2")
    fb = other.handle("BAR-1001")
    assert not fb.ok and "PACK-1" in fb.message
    fb = other.handle("%NEXT")
    assert fb.ok and fb.order == "BAR-1002"


def test_cancel_releases_the_order(warehouse, settings):
    p = session("pick", warehouse, settings)
    p.handle("BAR-1001")
    fb = p.handle("%CANCEL")
    assert fb.ok and fb.expect == "order"
    assert detail(warehouse, "BAR-1001")["status"] == "ready"


def test_badge_login(warehouse, settings):
    settings.operator = None
    p = session("pick", warehouse, settings)
    fb = p.handle("BAR-1001")
    assert not fb.ok and "badge" in fb.message
    assert not p.handle("OP-nobody").ok
    with warehouse.write() as s:
        from warehouse_tui.domain.models import Operator

        s.add(Operator(name="carol"))
    assert p.handle("OP-carol").ok
    fb = p.handle("BAR-1001")
    assert fb.ok
    assert detail(warehouse, "BAR-1001")["events"][-1]["operator"] == "carol"


def test_batch_pick_into_totes(warehouse, settings):
    p = session("pick", warehouse, settings)
    fb = p.handle("%BATCH")
    assert fb.ok and fb.expect == "tote" and fb.order == "BAR-1001"
    fb = p.handle("TOTE-A")
    assert fb.expect == "tote" and fb.order == "BAR-1002"
    assert not p.handle("TOTE-A").ok  # one tote, one order
    fb = p.handle("TOTE-B")
    assert (fb.expect, fb.bin, fb.sku, fb.quantity, fb.tote) == ("bin", "A-01-03", "MUG-BLU", 2, "TOTE-A")
    fb = p.handle("A-01-03")
    fb = p.handle("MUG-BLU")
    assert fb.expect == "tote" and fb.tote == "TOTE-A"
    assert not p.handle("TOTE-B").ok
    fb = p.handle("TOTE-A")
    assert (fb.expect, fb.quantity) == ("item", 1)
    while fb.expect != "order":
        if fb.expect == "bin":
            fb = p.handle(fb.bin)
        elif fb.expect == "item":
            fb = p.handle(fb.sku)
        else:
            fb = p.handle(fb.tote)
        assert fb.ok, fb
    assert detail(warehouse, "BAR-1001")["status"] == "picked"
    assert detail(warehouse, "BAR-1002")["status"] == "picked"
    assert detail(warehouse, "BAR-1002")["tote"] == "TOTE-B"


def test_no_carrier_configured_takes_bought_labels(warehouse, settings):
    settings.carriers = {}
    p = session("pick", warehouse, settings)
    pick_all(p, p.handle("BAR-1002"))
    p.handle("TOTE-1")
    k = session("pack", warehouse, settings)
    k.handle("TOTE-1")
    k.handle("4006381333931")
    k.handle("BOX-S")  # two parcels
    k.handle("4006381333931")
    k.handle("%DONE")
    lb = session("label", warehouse, settings)
    fb = lb.handle("BAR-1002")
    assert fb.ok and fb.expect == "label" and "carrier label" in fb.instruction
    fb = lb.handle("1Z999AA10123456785")  # one digit off: the check digit is wrong
    assert not fb.ok
    fb = lb.handle("1Z999AA10123456784")
    assert fb.ok and fb.status == "labeled" and fb.tracking_number == "1Z999AA10123456784"
    fb = lb.handle("1Z999AA10123456784")  # recorded already: the second parcel does not get it too
    assert fb.ok and "verified already" in fb.message and fb.status == "labeled"
    fb = lb.handle("9400111899223197428497")  # a USPS label for the second parcel
    assert fb.ok and fb.status == "shipped"
    parcels = detail(warehouse, "BAR-1002")["parcels"]
    assert [(x["carrier"], x["tracking_number"]) for x in parcels] == [
        ("ups", "1Z999AA10123456784"), ("usps", "9400111899223197428497")]


def test_a_gs1_product_scan_finds_a_13_digit_barcode(warehouse, settings):
    p = session("pick", warehouse, settings)
    p.handle("BAR-1001")
    p.handle("A-01-03")
    fb = p.handle("]C10105012345678900\x1d10LOT7")  # AI 01 (GTIN-14 of the EAN), then a lot
    assert fb.ok and fb.quantity == 1


def test_one_station_keeps_each_flow_in_hand(warehouse, settings):
    p = session("pick", warehouse, settings)
    pick_all(p, p.handle("BAR-1002"))
    p.handle("TOTE-2")
    p.handle("BAR-1001")  # picking at this station ...
    k = session("pack", warehouse, settings)
    assert k.handle("TOTE-2").ok  # ... while packing another order here
    fb = session("pick", warehouse, settings).prompt()
    assert fb.order == "BAR-1001" and fb.expect == "bin"
    assert session("pack", warehouse, settings).prompt().order == "BAR-1002"


def test_batch_instruction_says_which_tote_the_next_unit_goes_in(warehouse, settings):
    p = session("pick", warehouse, settings)
    p.handle("%BATCH")
    p.handle("TOTE-A")
    p.handle("TOTE-B")
    fb = p.handle("A-01-03")
    assert fb.expect == "item" and "BAR-1001" in fb.instruction and "TOTE-A" in fb.instruction


def counts(db, sku):
    """(on hand in its first bin, reserved there, picked on its allocations, picked on its lines)."""
    from sqlalchemy import func

    from warehouse_tui.domain.models import Allocation, OrderLine, Product, Stock

    with db.session() as s:
        pid = s.exec(select(Product.id).where(Product.sku == sku)).one()
        st = s.exec(select(Stock).where(Stock.product_id == pid).order_by(Stock.id)).first()
        lines = s.exec(select(OrderLine.id).where(OrderLine.sku == sku)).all()
        alloc = s.exec(select(func.sum(Allocation.picked)).where(Allocation.order_line_id.in_(lines))).one()
        line = s.exec(select(func.sum(OrderLine.picked)).where(OrderLine.id.in_(lines))).one()
    return st.on_hand, st.reserved, alloc, line


def waiting_on_a_lock(db) -> bool:
    from sqlalchemy import text

    with db.write_engine.connect() as c:
        return bool(c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                   "AND datname = current_database()")).scalar())


def test_a_unit_taken_under_the_picker_is_refused_and_changes_nothing(warehouse, settings):
    """Another writer changes a count the unit needs while the item scan is under way (the
    shelf emptied; on PostgreSQL, where writers overlap, also the reservation gone or the line
    done, committed while the scan waits on the row): the scan is refused, says why, and not
    one of the three counts moves; put right, the same scan takes the unit."""
    from sqlalchemy import update

    from warehouse_tui.domain.models import Allocation, OrderLine, Product, Stock

    p = session("pick", warehouse, settings)
    assert p.handle("%NEXT").order == "BAR-1001"
    assert p.handle("A-01-03").expect == "item"
    with warehouse.session() as s:
        pid = s.exec(select(Product.id).where(Product.sku == "MUG-BLU")).one()
        line = s.exec(select(OrderLine.id).where(OrderLine.sku == "MUG-BLU")).one()
    changes = [
        (update(Stock).where(Stock.product_id == pid).values(on_hand=0),
         update(Stock).where(Stock.product_id == pid).values(on_hand=10), "holds no MUG-BLU: count the bin"),
        (update(Allocation).where(Allocation.order_line_id == line).values(picked=2),
         update(Allocation).where(Allocation.order_line_id == line).values(picked=0), "no longer reserved"),
        (update(OrderLine).where(OrderLine.id == line).values(short=2),
         update(OrderLine).where(OrderLine.id == line).values(short=0), "all of MUG-BLU are picked"),
    ]
    for k, (take, put_back, why) in enumerate(changes):
        if k == 0:
            with warehouse.write() as s:
                s.execute(take)
            fb = p.handle("5012345678900")
        elif warehouse.is_sqlite:
            continue  # one writer at a time: nothing changes between a scan's reads and its writes
        else:
            fb = scan_while_another_writer_holds(warehouse, p, "5012345678900", take)
        assert not fb.ok and why in fb.message, fb.message
        # the other writer's change alone: no unit off the shelf, none picked
        assert counts(warehouse, "MUG-BLU") == (0 if k == 0 else 10, 2, 2 if k == 1 else 0, 0)
        with warehouse.write() as s:
            s.execute(put_back)
    fb = p.handle("5012345678900")
    assert fb.ok and fb.quantity == 1
    assert counts(warehouse, "MUG-BLU") == (9, 1, 1, 1)


def test_a_product_is_named_by_its_row_whatever_its_sku_and_title(db, settings, tmp_path):
    """The scan's one lookup answers with the product's row: SKUs and titles with colons,
    accents, an empty title, a lot-tracked one; by SKU and by barcode alike."""
    from warehouse_tui.scanning.grammar import parse_scan
    from warehouse_tui.workflow.inventory import apply_stock, read_stock_file
    from warehouse_tui.workflow.resolve import What, named, resolve

    f = tmp_path / "odd.csv"
    f.write_text("sku,title,barcode,bin,quantity,lot_tracked\n"
                 "A:1:B,Tasse: émaillée 1:2,4006381333931,A-01-01,3,no\n"
                 "ÉCRU-2,,5012345678900,A-01-02,3,yes\n"
                 "12,12:34,,A-01-03,1,no\n", encoding="utf-8")
    with db.write() as s:
        apply_stock(s, read_stock_file(f), path=f)
    want = {"A:1:B": ("A:1:B", "Tasse: émaillée 1:2", False), "4006381333931": ("A:1:B", "Tasse: émaillée 1:2", False),
            "ÉCRU-2": ("ÉCRU-2", "", True), "5012345678900": ("ÉCRU-2", "", True), "12": ("12", "12:34", False)}
    with db.session() as s:
        for code, (sku, title, lot) in want.items():
            m = resolve(s, parse_scan(code))
            assert m.what is What.PRODUCT
            assert (m.product.sku, m.product.title or "", m.product.lot_tracked) == (sku, title, lot)
        assert named(resolve(s, parse_scan("4006381333931"))) == "4006381333931 (A:1:B, Tasse: émaillée 1:2)"
    fb = session("pick", db, settings).handle("5012345678900")
    assert not fb.ok and "ÉCRU-2" in fb.message


def scan_while_another_writer_holds(db, station, scan: str, change):
    """PostgreSQL: another writer makes ``change`` and holds its rows while the scan runs; it
    commits once the scan waits on them. The scan's feedback."""
    import threading
    import time

    other = db.write_engine.connect()
    tx = other.begin()
    other.execute(change)  # holds the rows until it commits
    answer = {}
    worker = threading.Thread(target=lambda: answer.update(fb=station.handle(scan)))
    worker.start()
    deadline = time.monotonic() + 10
    while not waiting_on_a_lock(db) and time.monotonic() < deadline:
        time.sleep(0.02)
    tx.commit()
    other.close()
    worker.join(10)
    return answer["fb"]


def test_the_last_box_and_the_last_label_wait_for_the_order_and_see_it_changed(warehouse, settings, labels):
    """PostgreSQL, where writers overlap: the order in hand is taken off the station by another
    writer, committed while the last box (then the last label scanned back) waits on its row.
    Each is refused and changes nothing: the parcel stays open and the tote keeps the order;
    the label stays unverified. Given back to a station, the same scans finish the order."""
    import pytest
    from sqlalchemy import update

    from warehouse_tui.domain.models import Parcel, Tote

    if warehouse.is_sqlite:
        pytest.skip("one writer at a time: nothing changes between a scan's reads and its writes")
    p = session("pick", warehouse, settings)
    pick_all(p, p.handle("BAR-1001"))
    p.handle("TOTE-01")
    k = session("pack", warehouse, settings)
    fb = k.handle("TOTE-01")
    while fb.expect == "item":
        fb = k.handle(fb.sku)
        assert fb.ok, fb.message
    elsewhere = update(Order).where(Order.ref == "BAR-1001").values(station="ELSEWHERE")
    fb = scan_while_another_writer_holds(warehouse, k, "BOX-S", elsewhere)
    assert not fb.ok and "changed meanwhile" in fb.message, fb.message
    with warehouse.session() as s:
        o = s.exec(select(Order).where(Order.ref == "BAR-1001")).one()
        assert (o.status, o.station, o.tote) == ("packing", "ELSEWHERE", "TOTE-01")
        assert [pc.status for pc in s.exec(select(Parcel).where(Parcel.order_id == o.id))] == ["open"]
        assert s.exec(select(Tote.order_id).where(Tote.code == "TOTE-01")).one() == o.id
    with warehouse.write() as s:
        s.execute(update(Order).where(Order.ref == "BAR-1001").values(station=k.station))
    fb = k.handle("BOX-S")
    assert fb.ok and fb.expect == "order" and fb.status == "packed", fb.message

    lb = session("label", warehouse, settings)
    number = lb.handle("BAR-1001").tracking_number
    released = update(Order).where(Order.ref == "BAR-1001").values(station=None)
    fb = scan_while_another_writer_holds(warehouse, lb, number, released)
    assert not fb.ok and "changed meanwhile" in fb.message, fb.message
    with warehouse.session() as s:
        o = s.exec(select(Order).where(Order.ref == "BAR-1001")).one()
        assert (o.status, o.station) == ("labeled", None)
        assert [pc.status for pc in s.exec(select(Parcel).where(Parcel.order_id == o.id))] == ["labeled"]
    lb2 = session("label", warehouse, settings, station="LABEL-2")
    assert lb2.handle(number).expect == "label"  # a label of an order no station holds takes it
    fb = lb2.handle(number)
    assert fb.ok and fb.status == "shipped", fb.message
    assert detail(warehouse, "BAR-1001")["status"] == "shipped"
