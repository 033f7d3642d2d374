"""Rows stored through the bulk path read back exactly as rows stored through SQLAlchemy's own
insert: times, flags, text and missing values alike, on whichever engine the suite runs."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, select

from warehouse_tui.domain.models import Event, Order
from warehouse_tui.workflow.bulk import insert_rows


def _order(ref: str) -> dict:
    t = datetime(2027, 1, 4, 9, 30, 15, 123456, tzinfo=timezone.utc)
    return {"channel": "csv", "ref": ref, "display_name": ref, "status": "new", "placed_at": None, "ship_by": t,
            "due": t, "ship_name": "Chloé \u2603", "buyer_name": "", "created_at": t, "updated_at": t}


def _event(order_id: int) -> dict:
    return {"at": datetime(2027, 1, 4, 9, 30, tzinfo=timezone.utc), "order_id": order_id, "type": "scan",
            "station": None, "operator": "alice", "scan": "x", "ok": False, "message": "m", "data": "{}"}


def _raw(conn, table, where):
    """The stored values as the driver returns them (no type conversion on the way out)."""
    rows = conn.exec_driver_sql(f"SELECT * FROM {table.name} WHERE {where} ORDER BY id").all()
    return [tuple(v for k, v in zip(table.c.keys(), r) if k != "id") for r in rows]


def test_the_bulk_path_stores_what_sqlalchemy_stores(db):
    orders, events = Order.__table__, Event.__table__
    with db.write() as s:
        conn = s.connection()
        conn.execute(insert(orders), [_order("A-1")])
        insert_rows(conn, orders, [_order("B-1"), _order("B-2")])
        a, b = (conn.execute(select(orders.c.id).where(orders.c.ref == r)).scalar() for r in ("A-1", "B-1"))
        conn.execute(insert(events), [_event(a)])
        insert_rows(conn, events, [_event(b)])
    with db.session() as s:
        conn = s.connection()
        by_sqlalchemy, by_bulk, second = _raw(conn, orders, "ref IN ('A-1', 'B-1', 'B-2')")
        assert [v for v in by_bulk if v not in ("B-1",)] == [v for v in by_sqlalchemy if v not in ("A-1",)]
        assert by_bulk.count("B-1") == 2 and second.count("B-2") == 2
        ea, eb = _raw(conn, events, f"order_id IN ({a}, {b})")
        assert ea[:1] == eb[:1] and ea[2:] == eb[2:]  # all but the order id
        # and read back through the models' types, the same times
        times = dict(conn.execute(select(orders.c.ref, orders.c.ship_by).where(orders.c.ref.in_(["A-1", "B-1"]))).all())
        assert times["A-1"] == times["B-1"] and times["B-1"].replace(tzinfo=None) == datetime(2027, 1, 4, 9, 30, 15, 123456)
