"""Scanner input: wedge bursts are scans wherever the focus is; a person's typing stays typing."""

from __future__ import annotations

from sqlmodel import select

from tests.ui.conftest import Keyboard, settle
from warehouse_tui.domain.models import Barcode, Event, Order, Product
from warehouse_tui.ui.flow import PickScreen
from warehouse_tui.ui.lookup import LookupScreen
from warehouse_tui.ui.widgets import ScanField
from warehouse_tui.workflow.queues import queue_page


def first_ready(db) -> Order:
    with db.session() as s:
        row = queue_page(s, "pick", limit=1)[0]
        return s.get(Order, row.id)


def order(db, oid: int) -> Order:
    with db.session() as s:
        return s.get(Order, oid)


def scans(db, station: str = "PACK-1") -> list[Event]:
    with db.session() as s:
        return list(s.exec(select(Event).where(Event.type == "scan", Event.station == station).order_by(Event.id)))


async def test_burst_is_a_scan_whatever_has_focus(app_factory, db):
    app = app_factory(start="pick")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#queue").focus()  # not the scan field
        Keyboard(app).scan(f"ORD-{target.id}")
        await settle(pilot)
        assert order(db, target.id).status == "picking"
        assert order(db, target.id).station == "PACK-1"
        assert app.screen.query_one(ScanField).value == ""
        assert [e.scan for e in scans(db)] == [f"ORD-{target.id}"]


async def test_gs1_scan_keeps_its_group_separator(app_factory, db):
    app = app_factory(start="pick")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan(f"ORD-{target.id}")
        await settle(pilot)
        fb = app.screen.feedback
        kb.scan(fb.bin)
        await settle(pilot)
        with db.session() as s:
            product = s.exec(select(Product).where(Product.sku == fb.sku)).one()
            gtin = s.exec(select(Barcode.code).where(Barcode.product_id == product.id)).first()
        kb.scan(f"01{gtin.zfill(14)}\x1d10LOT7")
        await settle(pilot)
        last = scans(db)[-1]
        # the session got the element string whole, GS and all (whether a 13-digit barcode
        # matches its 14-digit GTIN is the resolver's business)
        assert last.scan == f"01{gtin.zfill(14)}\x1d10LOT7"


async def test_slow_typing_stays_typing_then_enter_sends_it(app_factory, db):
    app = app_factory(start="pick")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        code = f"ORD-{target.id}"
        await kb.type(pilot, code)
        await pilot.pause(0.1)
        assert app.screen.query_one(ScanField).value == code  # typed, not taken as a scan
        assert scans(db) == []
        await pilot.press("enter")
        await settle(pilot)
        assert order(db, target.id).status == "picking"
        assert app.screen.query_one(ScanField).value == ""


async def test_a_scan_replaces_a_stray_keystroke_in_the_scan_field(app_factory, db):
    """A key knocked before a scan is not kept to land in front of the next code typed."""
    app = app_factory(start="pick")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        field = app.screen.query_one(ScanField)
        await kb.type(pilot, "T")
        await pilot.pause(0.1)
        assert field.value == "T"
        kb.scan(f"ORD-{target.id}")
        await settle(pilot)
        assert [e.scan for e in scans(db)] == [f"ORD-{target.id}"]
        assert order(db, target.id).status == "picking" and field.value == ""


async def test_typing_in_the_lookup_field_searches_as_you_type(app_factory, db):
    app = app_factory(start="lookup")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await Keyboard(app).type(pilot, "MUG")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        assert screen.query_one("#search").value == "MUG"
        assert screen.query_one("#results").row_count > 0


async def test_manual_entry_with_gs_keeps_the_separator(app_factory, db):
    app = app_factory(start="lookup")
    received = []
    async with app.run_test(size=(80, 24), message_hook=lambda m: received.append(m)) as pilot:
        await app.show("pick")
        await settle(pilot)
        await pilot.press(*"0112", "ctrl+right_square_bracket", *"10A")
        field = app.screen.query_one(ScanField)
        assert field.value == "0112␝10A"
        assert field.code == "0112\x1d10A"
        await pilot.press("enter")
        await settle(pilot)
    typed = [m.data for m in received if type(m).__name__ == "ScanReceived"]
    assert typed == ["0112\x1d10A"]


async def test_prefix_key_marks_a_scan_however_slow(app_factory, db):
    app = app_factory(start="pick", scanner_prefix="f12")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.press("f12")
        await kb.type(pilot, f"ORD-{target.id}", gap=0.06)
        kb.press("enter")
        await settle(pilot)
        assert order(db, target.id).status == "picking"
        assert app.screen.query_one(ScanField).value == ""


async def test_screen_codes_by_scan_and_by_key(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        for code, mode in (("%PICK", "pick"), ("%PACK", "pack"), ("%LABEL", "label"), ("%RETURNS", "returns"),
                           ("%LOOKUP", "lookup"), ("%HOME", "home")):
            kb.scan(code)
            await settle(pilot)
            assert app.current_mode == mode
        for key, mode in (("f2", "pick"), ("f3", "pack"), ("f4", "label"), ("f5", "returns"), ("f6", "lookup"),
                          ("f1", "home")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode


async def test_scans_while_busy_are_answered_in_order(app_factory, db):
    """A burst of scans faster than the session answers: none dropped, none reordered."""
    app = app_factory(start="pick")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan(f"ORD-{target.id}")
        await settle(pilot)
        fb = app.screen.feedback
        codes = [fb.bin] + [fb.sku] * fb.quantity + ["NOT-A-THING", "%CANCEL"]
        for code in codes:  # all posted before the first is answered
            kb.scan(code)
        await settle(pilot)
        assert [e.scan for e in scans(db)][1:] == codes
        assert order(db, target.id).status == "ready"
        assert isinstance(app.screen, PickScreen)
