"""Property-based tests of the scan grammar, and of scans through a real station session: any
text or bytes end in a scan read or a refusal that changes nothing, never a traceback."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.dbrows import table_rows
from tests.core.conftest import ORDERS, STOCK, write
from warehouse_tui.scanning.grammar import GS, MAX_SCAN, ParsedScan, ScanRefused, parse_scan
from warehouse_tui.text import json_text
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file
from warehouse_tui.workflow.stations import open_session

TRIED: Counter = Counter()

# what scanners send and what they should not: codes of the warehouse, GS1 data, commands,
# symbology identifiers, line ends, control characters, long bursts, bytes that are not UTF-8
PIECES = st.sampled_from([
    "%NEXT", "%DONE", "%SHORT", "%CANCEL", "%BATCH", "%HOME", "%next", "%", "TOTE-", "TOTE-1", "BOX-", "BOX-S",
    "OP-", "OP-alice", "ORD-", "ORD-1", "ORD-99999999999999999999", "BAR-1001", "A-01-03", "MUG-BLU",
    "5012345678900", "05012345678900", "0105012345678900", "010501234567890010LOT1", "17991231", "17260230",
    "]C1", "]E0", "]Q3", "]d2", GS, "\r", "\n", "\r\n", " ", "\t", "\x00", "\x1b", "\x1b]0;pwn\x07", "\x9b",
    "\ud800", "1Z999AA10123456784", "9400100000000000000001", "420", "%0", "é", "😀", "\u202e",
])
# a burst around the length limit: a short piece repeated
LONG = st.tuples(st.text(min_size=1, max_size=4), st.integers(MAX_SCAN - 4, MAX_SCAN + 4)).map(
    lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]])
SCANS = st.one_of(st.lists(PIECES, max_size=6).map("".join), st.text(max_size=60), LONG)
RAW = st.one_of(SCANS, st.binary(max_size=60), SCANS.map(lambda s: s.encode("utf-8", "surrogatepass")))


def no_control(text: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" for c in text)


@given(raw=RAW)
def test_the_grammar_reads_or_refuses(raw):
    try:
        scan = parse_scan(raw)
    except ScanRefused as e:
        TRIED["grammar refused"] += 1
        assert e.message.startswith("scan refused") and no_control(e.message)
        return
    TRIED["grammar read"] += 1
    assert isinstance(scan, ParsedScan)
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    body = text.rstrip("\r\n")
    assert len(body) <= MAX_SCAN + 2  # the line end aside
    assert all(c == GS or unicodedata.category(c) != "Cc" for c in scan.text)
    assert scan.text and scan.value


@given(raw=LONG)
def test_over_long_scans_are_refused(raw):
    if len(raw.rstrip("\r\n")) <= MAX_SCAN:
        return
    with pytest.raises(ScanRefused, match="more than 4,096"):
        parse_scan(raw)


@given(a=st.text(max_size=10), control=st.characters(categories=["Cc"], exclude_characters="\x1d\r\n"),
       b=st.text(max_size=10))
def test_control_characters_are_refused(a, control, b):
    with pytest.raises(ScanRefused):
        parse_scan(a + control + b)


def state(db) -> list:
    """Everything a scan could change but the event log (a refused scan is recorded as one)."""
    return table_rows(db, ["orders", "order_lines", "stock", "allocations", "parcels"])


@pytest.fixture
def floor(db, tmp_path, settings):
    f = write(tmp_path / "stock.csv", STOCK)
    with db.write() as s:
        apply_stock(s, read_stock_file(f), path=f)
    import_files(db, [write(tmp_path / "orders.csv", ORDERS)])
    return db


# whole codes of this floor, so that scans get past the grammar and move orders along too
FLOOR = st.sampled_from(["%NEXT", "%DONE", "%SHORT", "%CANCEL", "%BATCH", "BAR-1001", "BAR-1002", "A-01-03",
                         "A-02-01", "B-01-01", "MUG-BLU", "TEE-M-BLK", "CANDLE-FIG", "5012345678900", "TOTE-1",
                         "BOX-S", "%RESTOCK", "%QUARANTINE"])


@pytest.mark.parametrize("mode", ["pick", "pack", "returns"])
@given(scans=st.lists(st.one_of(FLOOR, FLOOR, RAW), min_size=1, max_size=8))
def test_scans_through_a_station_session(floor, settings, mode, scans):
    session = open_session(mode, floor, settings, station=f"FUZZ-{mode}", operator="alice")
    for raw in scans:
        before = state(floor)
        fb = session.handle(raw)
        TRIED[f"{mode} {'ok' if fb.ok else 'refused'}"] += 1
        assert isinstance(fb.message, str) and fb.message
        assert no_control(fb.message), fb
        line = json_text(fb.as_json())  # the headless station's output line
        assert no_control(line) and json.loads(line)["ok"] is fb.ok
        if not fb.ok:
            assert state(floor) == before, f"refused {raw!r} changed something: {fb.message}"


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    print("\nhostile scans tried:", ", ".join(f"{k}: {v}" for k, v in sorted(TRIED.items())) or "none")
