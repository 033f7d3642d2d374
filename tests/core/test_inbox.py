"""The inbox folder: each dropped file imported, then moved to done/ or failed/ with the reason."""

from __future__ import annotations

from tests.core.conftest import ORDERS, write
from warehouse_tui.workflow.inbox import import_ready
from warehouse_tui.workflow.lookup import order_list


def test_inbox_imports_and_files_away(stocked, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "done").mkdir(parents=True)
    (inbox / "failed").mkdir()
    write(inbox / "orders.csv", ORDERS)
    write(inbox / "bad.csv", ORDERS.replace("MUG-BLU,2", "MUG-BLU,two"))
    seen: dict = {}
    logs: list[str] = []
    assert import_ready(stocked, inbox, seen, log=logs.append) == 0  # not settled yet
    assert import_ready(stocked, inbox, seen, log=logs.append) == 2
    assert (inbox / "done" / "orders.csv").exists()
    assert "2 new" in (inbox / "done" / "orders.csv.txt").read_text()
    reason = (inbox / "failed" / "bad.csv.txt").read_text()
    assert "line 2" in reason and "two" in reason
    with stocked.session() as s:
        assert [o["ref"] for o in order_list(s)] == ["BAR-1001", "BAR-1002"]
    write(inbox / "orders.csv", ORDERS)  # the same file again: no duplicates, no clobbered done/ file
    import_ready(stocked, inbox, seen, log=logs.append, settle=False)
    assert (inbox / "done" / "orders-2.csv").exists()
    with stocked.session() as s:
        assert len(order_list(s)) == 2
