"""F8 in an order's detail reprints its documents, never a label that was voided."""

from __future__ import annotations

from sqlmodel import select

from tests.ui.conftest import settle
from warehouse_tui.domain.models import Document, Order, Parcel
from warehouse_tui.workflow.manifests import void_label


def labeled_orders(db) -> list[tuple[int, str]]:
    with db.session() as s:
        rows = s.exec(select(Order.id, Parcel.tracking_number).join(Parcel, Parcel.order_id == Order.id)
                      .join(Document, Document.parcel_id == Parcel.id)
                      .where(Order.status == "labeled", Parcel.manifest_id.is_(None)).order_by(Order.id)).all()
    return list(dict(rows).items())


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_f8_reprints_the_label_and_refuses_a_voided_one(app_factory, db, tmp_path):
    (good, good_number), (voided, number) = labeled_orders(db)[:2]
    with db.write() as s:
        void_label(s, number, station="PACK-1", operator="alice")
    printed = tmp_path / "printed"
    app = app_factory(start="lookup")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.open_order(good)
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert any(n.startswith("reprinted label") for n in notes(app)), notes(app)
        files = list(printed.iterdir())
        assert len(files) == 1 and good_number.encode() in files[0].read_bytes()

        await app.open_order(voided)
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert "its label was voided: the label station prints a new one" in notes(app)
        assert list(printed.iterdir()) == files  # the voided label was not printed
