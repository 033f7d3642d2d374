"""The lookup screen as an operator uses it: typing, Down into the results, Enter, Escape back,
scans into the field; at 40x16 (a handheld over SSH) and at 80x24."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.ui.conftest import Keyboard, screen_text, settle
from warehouse_tui.ui.lookup import LookupScreen


async def type_query(pilot, kb: Keyboard, text: str) -> None:
    await kb.type(pilot, text, gap=0.06)
    await settle(pilot)


def table(app) -> DataTable:
    return app.screen.query_one("#results", DataTable)


def field(app) -> Input:
    return app.screen.query_one("#search", Input)


async def test_by_names_without_accents_at_40x16_after_many_round_trips(app_factory):
    app = app_factory(start="lookup")
    rounds = [("chloe", "Chloé Dubois"), ("lukasz", "Zoë Ångström-Łukasz"), ("muller", "Jonas Müller"),
              ("chloe", "Chloé Dubois"), ("jose garc", "María José García")]
    async with app.run_test(size=(40, 16)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        for query, buyer in rounds:
            await type_query(pilot, kb, query)
            assert field(app).value == query  # typing replaced the last search
            text = screen_text(app)
            assert table(app).display and table(app).row_count >= 1, text
            assert buyer[:5] in text, text
            assert "Timeline" not in text  # the list, not an old order's detail

            kb.press("down")  # from the field into the results
            await settle(pilot)
            assert app.focused is table(app)
            kb.press("enter")
            await settle(pilot)
            text = screen_text(app)
            assert buyer in text and not table(app).display, text  # the order's detail, full name

            kb.press("escape")  # back to the list
            await settle(pilot)
            assert table(app).display and app.focused is table(app)
            assert "Orders (" in screen_text(app)
            kb.press("escape")  # back to the field
            await settle(pilot)
            assert app.focused is field(app)


async def test_at_80x24_status_in_words_and_the_buyer(app_factory, db):
    app = app_factory(start="lookup")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await type_query(pilot, kb, "oskar")
        text = screen_text(app)
        header = next(line for line in text.splitlines() if "order" in line and "status" in line)
        assert "buyer" in header and "channel" in header and "ship by" in header
        rows = [line for line in text.splitlines() if "Oskar Nowak" in line]
        assert rows, text
        words = {"ready", "backordered", "on hold", "picking", "picked", "short", "packing", "packed",
                 "labeled", "shipped", "cancelled", "new"}
        assert all(any(w in line for w in words) for line in rows), rows
        kb.press("down")
        await settle(pilot)
        kb.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert table(app).display and "ORD-" in text  # the detail below the results


async def test_a_scan_replaces_the_field_and_typing_then_replaces_the_scan(app_factory, db):
    app = app_factory(start="lookup")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await type_query(pilot, kb, "xyz")
        kb.scan("OP-bob")  # a badge is not an order: nothing found, the field shows the scan
        await settle(pilot)
        assert field(app).value == "OP-bob"
        await type_query(pilot, kb, "chloe")
        assert field(app).value == "chloe"  # never "chloeOP-bob" nor "OP-bobchloe"
        assert "Chloé Dubois" in screen_text(app)


async def test_a_scan_of_an_order_opens_it_and_typing_returns_to_the_list(app_factory, db):
    from sqlmodel import select

    from warehouse_tui.domain.models import Order

    with db.session() as s:
        order = s.exec(select(Order).where(Order.ship_name == "Chen Wei")).first()
    app = app_factory(start="lookup")
    async with app.run_test(size=(40, 16)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan(f"ORD-{order.id}")
        await settle(pilot)
        assert app.screen.order_id == order.id and "Chen Wei" in screen_text(app)
        assert not table(app).display
        await type_query(pilot, kb, "chloe")
        text = screen_text(app)
        assert table(app).display and "Chloé" in text and "Chen Wei" not in text
