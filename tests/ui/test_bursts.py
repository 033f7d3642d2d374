"""The console keeps every scan: many in one read, close together, too long, and refusals
that stay on screen until the next scan."""

from __future__ import annotations

import time

from sqlmodel import select
from textual import events
from textual.keys import _character_to_key

from tests.ui.conftest import settle
from tests.ui.test_scanning import first_ready, order, scans
from warehouse_tui.domain.models import Event
from warehouse_tui.ui.widgets import Instruction, ScanField


def post_keys(app, text: str, t: float) -> None:
    """Keys as the driver posts them from one read: one after another, all stamped `t`."""
    for ch in text:
        if ch == "\r":
            ev = events.Key("enter", "\r")
        else:
            ev = events.Key(_character_to_key(ch), ch)
        ev.time = t
        app.post_message(ev)


async def ten_codes(pilot, app, db) -> tuple[list[str], int]:
    """Claim an order with one scan first, to learn its bin and SKU; then ten more codes."""
    target = first_ready(db)
    post_keys(app, f"ORD-{target.id}\r", time.monotonic())
    await settle(pilot)
    fb = app.screen.feedback
    assert fb.expect == "bin"
    codes = [fb.bin, fb.sku] + [f"ONEW-{n:04d}" for n in range(4, 12)]
    return codes, target.id


async def test_ten_scans_in_one_read_are_ten_scans_in_order(app_factory, db):
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        codes, oid = await ten_codes(pilot, app, db)
        await pilot.pause(0.2)
        post_keys(app, "".join(c + "\r" for c in codes), time.monotonic())
        await settle(pilot)
        assert [e.scan for e in scans(db)] == [f"ORD-{oid}"] + codes
        assert app.screen.query_one(ScanField).value == ""


async def test_ten_scans_twenty_ms_apart_while_the_console_is_behind(app_factory, db):
    """Stamped 20 ms apart but all waiting in the queue at once: the console judges the
    pauses by the keys' own times, however late it gets to them."""
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        codes, oid = await ten_codes(pilot, app, db)
        await pilot.pause(0.2)
        t = time.monotonic()
        for i, code in enumerate(codes):
            post_keys(app, code + "\r", t + 0.020 * i)
        await settle(pilot)
        assert [e.scan for e in scans(db)] == [f"ORD-{oid}"] + codes


async def test_ten_scans_twenty_ms_apart_in_real_time(app_factory, db):
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        codes, oid = await ten_codes(pilot, app, db)
        await pilot.pause(0.2)
        for code in codes:
            post_keys(app, code + "\r", time.monotonic())
            await pilot.pause(0.020)
        await settle(pilot)
        assert [e.scan for e in scans(db)] == [f"ORD-{oid}"] + codes


async def test_a_typed_code_then_scans_in_one_read_neither_merge_nor_overtake(app_factory, db):
    """The first code comes right after a keystroke (so it is typing, sent by its Enter);
    the nine after it are scans. The typed one is answered first, alone."""
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        codes, oid = await ten_codes(pilot, app, db)
        await pilot.pause(0.2)
        t = time.monotonic()
        post_keys(app, "x", t)
        post_keys(app, "\x08", t)  # not a character: ends the keystroke's burst
        field = app.screen.query_one(ScanField)
        post_keys(app, "".join(c + "\r" for c in codes), t + 0.040)
        await settle(pilot)
        got = [e.scan for e in scans(db)][1:]
        assert got[1:] == codes[1:]
        assert got[0].endswith(codes[0])  # the keystroke may stand before it: never another code
        assert field.value == ""


async def test_a_scan_over_4096_characters_is_refused_whole_and_changes_nothing(app_factory, db):
    app = app_factory(start="pick")
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        post_keys(app, "Z" * 5000 + "\r", time.monotonic())
        await settle(pilot)
        events_ = scans(db)
        assert len(events_) == 1
        assert events_[0].ok is False
        assert "5,000 characters, more than 4,096" in (events_[0].message or "")
        assert order(db, target.id).status == "ready"
        assert app.screen.query_one(ScanField).value == ""
        assert app.screen.refusal and "more than 4,096" in app.screen.refusal


async def test_a_long_scan_read_in_two_pieces_is_still_one_refused_scan(app_factory, db):
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        t = time.monotonic()
        post_keys(app, "Y" * 4096, t)
        await pilot.pause(0.15)  # the second read comes later: the console's timer ticks meanwhile
        post_keys(app, "Y" * 904 + "\r", t + 0.15)
        await settle(pilot)
        assert len(scans(db)) == 1
        assert scans(db)[0].ok is False


async def test_a_refusal_stays_until_the_next_scan(app_factory, db):
    app = app_factory(start="pick", poll_seconds=0.1)
    target = first_ready(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        post_keys(app, "NOT-A-THING\r", time.monotonic())
        await settle(pilot)
        instruction = app.screen.query_one(Instruction)
        assert instruction.has_class("-refused")
        shown = str(instruction.render())
        assert "NOT-A-THING" in shown
        # another station's work refreshes the screen; time passes; the screen is left and
        # come back to: the refusal is still what the operator reads
        with db.write() as s:
            s.add(Event(type="note", station="ELSEWHERE", message="another station"))
        await pilot.pause(3.5)
        await settle(pilot)
        await app.show("home")
        await settle(pilot)
        await app.show("pick")
        await settle(pilot)
        instruction = app.screen.query_one(Instruction)
        assert instruction.has_class("-refused")
        assert "NOT-A-THING" in str(instruction.render())
        post_keys(app, f"ORD-{target.id}\r", time.monotonic())
        await settle(pilot)
        assert not instruction.has_class("-refused")
        with db.session() as s:
            assert s.exec(select(Event).where(Event.scan == f"ORD-{target.id}")).first().ok
