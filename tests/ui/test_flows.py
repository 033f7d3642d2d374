"""The flows as an operator works them: scans in, what the screen says, what the database holds."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlmodel import select

from tests.ui.conftest import FIXED_NOW, Keyboard, screen_text, settle
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder
from warehouse_tui.domain.models import Event, Order, Return
from warehouse_tui.ui.commands import LookupCommands
from warehouse_tui.demo import DEMO_PIN
from warehouse_tui.ui.dialogs import BadgeDialog, PinDialog, TextDialog
from warehouse_tui.ui.login import LoginScreen
from warehouse_tui.ui.widgets import Instruction, QueueView
from warehouse_tui.workflow.importing import store_orders
from warehouse_tui.workflow.queues import queue_page
from warehouse_tui.workflow.stations import open_session


def get(db, oid: int) -> Order:
    with db.session() as s:
        return s.get(Order, oid)


def first_ready_id(db) -> int:
    with db.session() as s:
        return queue_page(s, "pick", limit=1)[0].id


async def scan(kb: Keyboard, pilot, code: str):
    kb.scan(code)
    await settle(pilot)
    return getattr(pilot.app.screen, "feedback", None)


async def test_an_order_from_pick_to_return(app_factory, db, tmp_path):
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        assert "SCAN AN ORDER" in screen_text(app)
        fb = await scan(kb, pilot, "%NEXT")
        oid = app.session("pick").current_order_id()
        assert get(db, oid).status == "picking"
        text = screen_text(app)
        assert fb.bin in text and fb.sku in text  # what to scan next, in the instruction
        while fb.expect in ("bin", "item"):
            fb = await scan(kb, pilot, fb.bin if fb.expect == "bin" else fb.sku)
            assert fb.ok, fb.message
        assert fb.expect == "tote"
        await scan(kb, pilot, "TOTE-UI1")
        assert get(db, oid).status == "picked"

        await scan(kb, pilot, "%PACK")
        assert app.current_mode == "pack"
        fb = await scan(kb, pilot, "TOTE-UI1")
        assert get(db, oid).status == "packing"
        assert "LEFT TO VERIFY" in screen_text(app)
        while fb.expect == "item":
            fb = await scan(kb, pilot, fb.sku)
        fb = await scan(kb, pilot, "%DONE")
        assert fb.ok, fb.message
        assert get(db, oid).status == "packed"

        await scan(kb, pilot, "%LABEL")
        fb = await scan(kb, pilot, f"ORD-{oid}")
        assert fb.ok, fb.message
        numbers = fb.tracking_numbers or [fb.tracking_number]
        assert numbers and all(numbers)
        assert list((tmp_path / "printed").iterdir())
        assert app.printer_state[0] == "ok"
        for n in numbers:
            fb = await scan(kb, pilot, n)
            assert fb.ok, fb.message
        assert get(db, oid).status == "shipped"

        await scan(kb, pilot, "%RETURNS")
        fb = await scan(kb, pilot, numbers[0])
        assert fb.ok and fb.expect == "item", fb.message
        view = app.screen.view
        fb = await scan(kb, pilot, view.lines[0].sku)
        assert fb.expect == "condition"
        assert "RESTOCK" in screen_text(app)
        await scan(kb, pilot, "%RESTOCK")
        fb = await scan(kb, pilot, "%DONE")
        assert fb.ok, fb.message
        with db.session() as s:
            r = s.exec(select(Return).where(Return.order_id == oid)).one()
            assert r.status == "closed"


async def test_a_refused_scan_rings_and_turns_red(app_factory, db):
    app = app_factory(start="pick")
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(40, 16)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await scan(kb, pilot, "%NEXT")
        fb = await scan(kb, pilot, "TOTE-999")  # a bin is asked for
        assert not fb.ok
        instruction = app.screen.query_one(Instruction)
        assert instruction.has_class("-refused")
        assert bells == [1]
        assert "TOTE-999 is not" in screen_text(app)
        good = await scan(kb, pilot, fb.bin)
        assert good.ok and not instruction.has_class("-refused")
        assert bells == [1]  # a good scan is quiet


async def test_the_instruction_grows_to_show_a_long_refusal_whole_and_shrinks_after(app_factory, db):
    app = app_factory(start="pick")
    async with app.run_test(size=(40, 16)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await scan(kb, pilot, "%NEXT")
        instruction = app.screen.query_one(Instruction)
        asked = instruction.region.height
        fb = await scan(kb, pilot, "TOTE-9999 TOTE-8888 TOTE-7777 TOTE-6666 TOTE-5555 TOTE-4444")
        assert not fb.ok
        tall = instruction.region.height
        assert tall > asked
        shown = screen_text(app)
        for word in (fb.message.split("; ")[0] + " " + fb.instruction).split():  # wrapped, not cut
            assert word in shown, word
        good = await scan(kb, pilot, fb.bin)
        assert good.ok and instruction.region.height < tall
        assert good.instruction.split()[0].upper() in screen_text(app)


async def test_another_station_claiming_an_order_takes_it_off_this_queue(app_factory, db):
    app = app_factory(start="pick", poll_seconds=0.2)
    oid = first_ready_id(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueView)
        assert str(oid) in [k.value for k in table.rows]
        other = open_session("pick", db, app.settings, station="PICK-9", operator="bob")
        fb = await asyncio.to_thread(other.handle, f"ORD-{oid}")
        assert fb.ok
        loop = asyncio.get_running_loop()
        start = loop.time()
        while str(oid) in [k.value for k in table.rows]:
            assert loop.time() - start < 1.0, "still queued a second later"
            await pilot.pause(0.05)


async def test_this_stations_claim_and_release_move_its_queue_and_its_scans_in_hand_do_not(app_factory, db):
    """With no polling, only the station's own scans can change its queue on screen: a claim
    takes the order off, a release puts it back, and the scans in between (bin, unit) leave
    the queue, and the order's lines, as they were and as the database says."""
    app = app_factory(start="pick", poll_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        table = app.screen.query_one(QueueView)
        oid = first_ready_id(db)
        assert str(oid) in [k.value for k in table.rows]
        title = str(app.screen.query_one("#queue-title").render())
        fb = await scan(kb, pilot, "%NEXT")
        assert app.session("pick").current_order_id() == oid
        assert str(oid) not in [k.value for k in table.rows]
        fb = await scan(kb, pilot, fb.bin)
        fb = await scan(kb, pilot, fb.sku)
        assert fb.ok, fb.message
        assert "1/" in screen_text(app)  # the unit picked, on the order's lines
        fb = await scan(kb, pilot, "%CANCEL")
        assert fb.ok and fb.expect == "order", fb.message
        await settle(pilot)
        assert str(oid) in [k.value for k in table.rows]
        assert str(app.screen.query_one("#queue-title").render()) == title


def add_order(db, ref: str, buyer: str) -> int:
    order = ImportedOrder(
        channel="csv", ref=ref, display_name=ref, placed_at=FIXED_NOW - timedelta(hours=1),
        ship_by=FIXED_NOW - timedelta(days=3),  # the earliest of all: first in the queue
        ship_to=Address(name=buyer, address1="[b]1 Markup Lane", city="[i]Testville", postal_code="1",
                        country="US"),
        buyer_name=buyer, lines=[ImportedLine(line_id="1", sku="MUG-BLU", title="[blink]mug", quantity=1)],
        source="test")
    with db.write() as s:
        store_orders(s, [order], station="TEST", operator="bob")
    with db.session() as s:
        return s.exec(select(Order.id).where(Order.ref == ref)).one()


async def test_marketplace_text_is_shown_as_it_is_and_does_nothing(app_factory, db):
    buyer = "[@click=app.quit]Bob[/]"
    oid = add_order(db, "EVIL-1", buyer)
    app = app_factory(start="pick")
    async with app.run_test(size=(120, 30)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        assert buyer in screen_text(app)
        await scan(kb, pilot, f"ORD-{oid}")
        text = screen_text(app)
        assert buyer in text and "[i]Testville" in text
        await pilot.press("f6")
        await settle(pilot)
        await scan(kb, pilot, "EVIL-1")
        text = screen_text(app)
        assert buyer in text and "[b]1 Markup Lane" in text
        await pilot.click("#detail")  # a click on the name must not run its "action"
        await settle(pilot)
        assert app.is_running
        await app.show("lookup")
        await scan(kb, pilot, "[red]x")
        assert "[red]x" in screen_text(app)


async def test_lookup_note_hold_and_release_with_a_supervisor_badge(app_factory, db):
    oid = first_ready_id(db)
    app = app_factory(start="lookup")  # alice is an operator, not a supervisor
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await scan(kb, pilot, f"ORD-{oid}")
        assert app.screen.order_id == oid
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"call buyer", "enter")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press(*"damaged box", "enter")
        await settle(pilot)
        assert get(db, oid).status == "on_hold"
        assert "damaged box" in screen_text(app)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, BadgeDialog)
        kb.scan("OP-alice")  # not a supervisor: the dialog stays, the release is refused
        await settle(pilot)
        assert get(db, oid).status == "on_hold"
        await pilot.press("escape")
        await pilot.press("f10")
        await settle(pilot)
        kb.scan("OP-bob")
        await settle(pilot)
        assert isinstance(app.screen, PinDialog)  # then the supervisor's PIN, typed
        await kb.type(pilot, "4321")
        assert "4321" not in screen_text(app)  # never shown
        await pilot.press("enter")
        await settle(pilot)
        assert get(db, oid).status == "on_hold"  # a wrong PIN changes nothing
        await pilot.press("f10")
        await settle(pilot)
        kb.scan("OP-bob")
        await settle(pilot)
        await kb.type(pilot, DEMO_PIN)
        await pilot.press("enter")
        await settle(pilot)
        assert get(db, oid).status == "ready"
        with db.session() as s:
            events = list(s.exec(select(Event).where(Event.order_id == oid)))
        kinds = {(e.type, e.operator, e.message) for e in events}
        assert ("note", "alice", "call buyer") in kinds
        assert any(t == "status" and op == "bob" for t, op, _m in kinds)
        overrides = [(e.ok, json.loads(e.data)["asked_by"], json.loads(e.data).get("allowed_by"))
                     for e in events if e.type == "override"]
        assert overrides == [(False, "alice", None), (True, "alice", "bob")]
        assert all("4321" not in f"{e.message}{e.data}{e.scan}" and DEMO_PIN not in f"{e.message}{e.data}{e.scan}"
                   for e in events)


async def test_log_in_by_badge(app_factory, db):
    app = app_factory(operator=None)
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(40, 16)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and bells == [1]
        kb.scan("OP-nobody")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and "unknown badge" in screen_text(app)
        kb.scan("OP-bob")
        await settle(pilot)
        assert not isinstance(app.screen, LoginScreen)
        assert app.operator == "bob" and "bob" in screen_text(app)
        with db.session() as s:
            assert s.exec(select(Event).where(Event.type == "login", Event.operator == "bob")).first()
        kb.scan("%PICK")
        await settle(pilot)
        assert app.current_mode == "pick"


async def test_command_palette_finds_orders(app_factory, db):
    oid = first_ready_id(db)
    name = get(db, oid).display_name
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = LookupCommands(app.screen)
        hits = [h async for h in provider.search(name)]
        order_hits = [h for h in hits if h.text and h.text.startswith("Order")]
        assert order_hits and order_hits[0].text == f"Order {name}"
        await order_hits[0].command()
        await settle(pilot)
        assert app.current_mode == "lookup" and app.screen.order_id == oid


async def test_home_shows_queues_attention_and_today(app_factory, db):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for word in ("Queues", "ready", "Needs attention", "short", "hold", "Today", "alice", "Devices"):
            assert word in text, word


def _many_orders(db, n: int) -> list[str]:
    """n more orders waiting to be picked; the whole pick queue's names, in order."""
    with db.session() as s:
        from warehouse_tui.domain.models import Product

        skus = [p.sku for p in s.exec(select(Product).order_by(Product.sku))]
    orders = [ImportedOrder(channel="csv", ref=f"PAGE-{i:03d}", display_name=f"PAGE-{i:03d}",
                            ship_by=FIXED_NOW + timedelta(minutes=i),
                            ship_to=Address(name=f"Buyer {i}", address1="1 Lane", city="Leeds", country="GB"),
                            lines=[ImportedLine(line_id="1", sku=skus[i % len(skus)], title="", quantity=1)])
              for i in range(n)]
    with db.write() as s:
        store_orders(s, orders)
    with db.session() as s:
        return [r.display_name for r in queue_page(s, "pick", limit=10_000)]


async def test_the_queue_pages_by_key(app_factory, db):
    expected = _many_orders(db, 45)
    total = len(expected)
    assert total > 40
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert [r.display_name for r in screen.last_rows] == expected[:20]
        await pilot.press("pagedown")
        await settle(pilot)
        assert [r.display_name for r in screen.last_rows] == expected[20:40]
        assert "page 2 of" in screen_text(app)
        await pilot.press("pagedown")
        await settle(pilot)
        assert [r.display_name for r in screen.last_rows] == expected[40:60]
        await pilot.press("pageup")
        await settle(pilot)
        assert [r.display_name for r in screen.last_rows] == expected[20:40]


async def test_counts_past_the_cap_say_so_and_the_queue_still_pages(app_factory, db, monkeypatch):
    """Counting a million waiting orders at every change would cost a scan its frame: counts
    stop at a cap (10,000; 30 here) and say "30+", and paging goes on past it."""
    from warehouse_tui.workflow import queues

    monkeypatch.setattr(queues, "COUNT_CAP", 30)
    expected = _many_orders(db, 45)
    assert len(expected) > 40
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert ": 30+" in text and "page 1" in text and "page 1 of" not in text, text
        for page in (1, 2):
            await pilot.press("pagedown")
            await settle(pilot)
            assert [r.display_name for r in app.screen.last_rows] == expected[20 * page:20 * page + 20]
        assert "page 3" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        if type(app.screen).__name__ != "HomeScreen":
            await app.show("home")
            await settle(pilot)
        assert "30+" in screen_text(app)
