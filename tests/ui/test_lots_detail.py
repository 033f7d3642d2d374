"""The console's order detail shows the lots of the units picked."""

from __future__ import annotations

from sqlmodel import select

from tests.ui.conftest import Keyboard, make_settings, screen_text, settle
from warehouse_tui.domain.models import Barcode, Product
from warehouse_tui.workflow.stations import open_session


async def test_the_order_detail_lists_the_lots_picked(app_factory, db, tmp_path):
    p = open_session("pick", db, make_settings(db, tmp_path, station="PICK-9"))
    fb = p.handle("%NEXT")
    ref = fb.order
    n = 0
    while fb.expect in ("bin", "item"):
        if fb.expect == "bin":
            fb = p.handle(fb.bin)
            continue
        with db.session() as s:
            code = s.exec(select(Barcode.code).join(Product, Product.id == Barcode.product_id)
                          .where(Product.sku == fb.sku, Barcode.code.like("0%")).order_by(Barcode.id)).first()
        n += 1
        lot = "LOT7" if n == 1 else "LOT8"
        fb = p.handle(f"01{code:0>14}17281130" + f"10{lot}")
        assert fb.ok, fb.message
    assert fb.expect == "tote"

    app = app_factory(start="lookup")
    async with app.run_test(size=(100, 40)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan(ref)
        await settle(pilot)
        text = screen_text(app)
        assert "lot LOT7  exp 2028-11-30  x1" in text
        if n > 1:
            assert "lot LOT8  exp 2028-11-30" in text
