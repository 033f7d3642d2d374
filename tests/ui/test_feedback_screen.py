"""The console says what just happened: a finished step stays in the large instruction until
the next scan, and a refusal names what was read."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import select

from tests.ui.conftest import Keyboard, settle
from warehouse_tui.domain.models import Barcode, OrderLine, Product
from warehouse_tui.ui.widgets import Instruction


def instruction(app) -> str:
    widget = app.screen.query_one(Instruction)
    content = widget.render()
    return content.plain if isinstance(content, Text) else str(content)


async def scan(kb: Keyboard, pilot, code: str):
    kb.scan(code)
    await settle(pilot)
    return pilot.app.screen.feedback


def other_product(db, order_id: int) -> tuple[str, str, str]:
    """A product barcode that is not in the order: (barcode, sku, title)."""
    with db.session() as s:
        skus = {ln.sku for ln in s.exec(select(OrderLine).where(OrderLine.order_id == order_id))}
        for code, sku, title in s.exec(select(Barcode.code, Product.sku, Product.title)
                                       .join(Product, Product.id == Barcode.product_id)):
            if sku not in skus and code.isdigit():
                return code, sku, title
    raise AssertionError("the demo has no other product")


async def test_each_finished_step_stays_in_the_instruction_until_the_next_scan(app_factory, db):
    app = app_factory(start="pick")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        fb = await scan(kb, pilot, "%NEXT")
        oid = app.session("pick").current_order_id()
        name = fb.order
        fb = await scan(kb, pilot, fb.bin)
        code, sku, title = other_product(db, oid)
        fb = await scan(kb, pilot, code)
        assert not fb.ok
        shown = instruction(app)
        assert shown.startswith(f"{code} ({sku}, {title[:20]}") and "not in this order" in shown
        assert instruction(app).endswith(fb.instruction)  # then: what to scan
        while fb.expect in ("bin", "item"):
            fb = await scan(kb, pilot, fb.bin if fb.expect == "bin" else fb.sku)
            assert fb.ok, fb.message
        fb = await scan(kb, pilot, "TOTE-FB1")
        assert fb.ok
        shown = instruction(app)
        assert shown.startswith(f"{name} picked into TOTE-FB1")  # in its own words, not upper-cased
        assert "next: scan an order, or %NEXT" in shown
        assert app.screen.query_one(Instruction).has_class("-done")
        await pilot.pause(1.0)  # the flash is over; the words stay
        assert instruction(app).startswith(f"{name} picked into TOTE-FB1")

        fb = await scan(kb, pilot, "%NEXT")  # the next scan: the instruction is the next step's
        assert fb.ok and "picked into" not in instruction(app)
        assert not app.screen.query_one(Instruction).has_class("-done")
        await scan(kb, pilot, "%CANCEL")
        assert instruction(app).startswith("released ")

        await scan(kb, pilot, "%PACK")
        fb = await scan(kb, pilot, "TOTE-FB1")
        while fb.expect == "item":
            fb = await scan(kb, pilot, fb.sku)
        fb = await scan(kb, pilot, "%DONE")
        assert fb.ok and instruction(app).startswith(f"{name} packed in 1 parcel")

        await scan(kb, pilot, "%LABEL")
        fb = await scan(kb, pilot, f"ORD-{oid}")
        numbers = fb.tracking_numbers or [fb.tracking_number]
        for n in numbers:
            fb = await scan(kb, pilot, n)
        assert fb.ok and instruction(app).startswith(f"{name} shipped: {', '.join(numbers)}")
