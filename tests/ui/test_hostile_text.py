"""Escape sequences in order text never reach the terminal from the console: the lookup screen's
results, the order detail and the pick screen show them as visible escapes."""

from __future__ import annotations

import io

from rich.console import Console

from tests import engines
from tests.ui.conftest import Keyboard, settle
from tests.ui.test_flows import add_order, scan

ESC, BEL, NUL = "\x1b", "\x07", "\x00"
NAME = f"Eve{ESC}]0;pwn{BEL}Mallory{NUL}"
CITY = f"Leeds{ESC}[31m\x9b2J"
TITLE = f"Mug{ESC}[5m blue"
UNSAFE = (ESC, BEL, NUL, "\x9b")


def plant(db, ref: str) -> int:
    """An order whose stored text holds raw escapes, as a row from before import cleaning would."""
    from sqlalchemy import update

    from warehouse_tui.domain.models import Order, OrderLine

    oid = add_order(db, ref, "placeholder")
    name = NAME.replace(NUL, "") if engines.ON_POSTGRES else NAME  # PostgreSQL text cannot hold NUL
    with db.write() as s:
        s.execute(update(Order).where(Order.id == oid).values(
            ship_name=name, buyer_name=name, ship_city=CITY, ship_address1=f"1 Road{ESC}P"))
        s.execute(update(OrderLine).where(OrderLine.order_id == oid).values(title=TITLE))
    return oid


def segments_text(app) -> str:
    """Every character of every segment the screen sends to the terminal."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(seg.text for seg in strip) for strip in update.strips)


def terminal_bytes(app) -> str:
    """What the driver would write: only the console's own sequences may hold ESC."""
    console = Console(width=app.size[0], height=app.size[1], file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False)
    return app.screen._compositor.render_full_update().render_segments(console)


def assert_safe(app) -> str:
    text = segments_text(app)
    assert not any(c in text for c in UNSAFE), repr(text)
    raw = terminal_bytes(app)
    assert "\x1b]" not in raw and BEL not in raw and NUL not in raw and "\x9b" not in raw
    return text


async def test_lookup_results_and_detail_show_escapes_as_text(app_factory, db):
    oid = plant(db, "EVIL-9")
    app = app_factory(start="lookup")
    async with app.run_test(size=(120, 40)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await kb.type(pilot, "Mallory")
        await settle(pilot)
        text = assert_safe(app)
        assert app.screen.query_one("#results").row_count == 1 and "EVIL-9" in text  # the results
        await scan(kb, pilot, "EVIL-9")
        assert app.screen.order_id == oid
        text = assert_safe(app)  # the order's detail
        shown = "Eve\\x1b]0;pwn\\x07Mallory" + ("" if engines.ON_POSTGRES else "\\x00")
        assert shown in text and "Mug\\x1b[5m blue" in text
        assert "Leeds\\x1b[31m\\x9b2J" in text


async def test_pick_screen_queue_and_order_in_hand(app_factory, db):
    oid = plant(db, "EVIL-8")
    app = app_factory(start="pick")
    async with app.run_test(size=(120, 30)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        assert "Eve\\x1b]0;pwn" in assert_safe(app)  # the queue: earliest ship-by first
        fb = await scan(kb, pilot, f"ORD-{oid}")
        assert fb.ok
        text = assert_safe(app)
        assert "Eve\\x1b]0;pwn" in text and "Mug\\x1b[5m" in text


async def test_an_order_imported_from_a_hostile_csv(app_factory, db, tmp_path):
    from sqlmodel import select

    from warehouse_tui.domain.models import Product
    from warehouse_tui.workflow.importing import import_files

    with db.session() as s:
        sku = s.exec(select(Product.sku).order_by(Product.sku)).first()
    f = tmp_path / "orders.csv"
    f.write_text("order_id,ship_name,address1,city,postal_code,country,sku,quantity,title\n"
                 f'EVIL-7,"{NAME}","1 Road{ESC}[31m",{CITY},LS1,GB,{sku},1,"{TITLE}"\n', encoding="utf-8")
    import_files(db, [f])
    app = app_factory(start="lookup")
    async with app.run_test(size=(120, 40)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        await scan(kb, pilot, "EVIL-7")
        text = assert_safe(app)
        # stored without its control characters, so shown without escapes too
        assert "Eve]0;pwnMallory" in text and "Mug[5m blue" in text and "1 Road[31m" in text
