"""Property-based tests of every importer: the stock CSV, the generic order CSV and each
marketplace's files. Real-looking files (the tests' own samples) are mutated: cells replaced,
the file cut, headers doubled, control characters inserted, huge numbers, bad dates, other
encodings; and free text. Every input ends in a correct result or a one-line refusal naming
the file (and the record where there is one), never a traceback; a refused file writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests.channels.helpers import DATA
from tests.dbrows import query, table_rows
from tests.core.conftest import ORDERS, STOCK
from warehouse_tui.channels.base import InputRejected
from warehouse_tui.text import clean
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file

TRIED: Counter = Counter()  # inputs tried per outcome, printed at the end of the run

# the files that are imported together, per format
GROUPS = {
    "amazon-json": ["amazon/getOrders_page1.json", "amazon/getOrders_page2.json",
                    "amazon/getOrderItems_111-0000001-0000001_page1.json",
                    "amazon/getOrderItems_111-0000001-0000001_page2.json",
                    "amazon/getOrderItems_111-0000002-0000002.json", "amazon/getOrderItems_111-0000003-0000003.json",
                    "amazon/getOrderItems_111-0000004-0000004.json", "amazon/getOrderItems_111-0000005-0000005.json"],
    "amazon-embedded": ["amazon/orders_with_items.json"],
    "amazon-report": ["amazon/unshipped_orders.txt"],
    "ebay-json": ["ebay/getOrders.json"],
    "ebay-report": ["ebay/seller_hub_orders.csv"],
    "ebay-report-uk": ["ebay/seller_hub_orders_uk.csv"],
    "etsy-csv": ["etsy/EtsySoldOrders2026-3.csv", "etsy/EtsySoldOrderItems2026-3.csv"],
    "etsy-json": ["etsy/getShopReceipts.json"],
    "shopify-json": ["shopify/orders.json", "shopify/fulfillment_orders_1001.json",
                     "shopify/fulfillment_orders_1004.json"],
    "shopify-csv": ["shopify/orders_export.csv"],
}

CONTROL = st.sampled_from(["\x00", "\x1b", "\x1b]0;pwn\x07", "\x1b[31m", "\x07", "\x7f", "\x9b", "\r", "\t",
                           "\u2028", "\x1d", "\x0c"])
HOSTILE_VALUES = st.one_of(
    st.sampled_from(["", "0", "-1", "1e3", "100000", "100001", str(10**23), "9" * 40, "1.5", "NaN", "Infinity",
                     "Febtober-99-26", "2026-02-30", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00",
                     "=HYPERLINK(\"http://x\")", '"', '""', "\n", "a,b", "\t", "\ufeff", "null", "[]", "{}"]),
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), CONTROL, st.text(max_size=8)),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False), st.sampled_from([1e308, -0.0, 10**23, "Febtober-99-26", "2026-02-30T00:00:00Z",
                                                  "\ud800", {"nested": []}, [], [None]]),
    HOSTILE_VALUES,
)


# -- mutations -------------------------------------------------------------------------------

def _delimiter(name: str) -> str:
    return "\t" if name.endswith(".txt") else ","


def mutate_table(data: st.DataObject, name: str, text: str) -> str:
    d = _delimiter(name)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=d,
                           quoting=csv.QUOTE_NONE if d == "\t" else csv.QUOTE_MINIMAL))
    rows = [r for r in rows if r] or [[""]]
    kind = data.draw(st.sampled_from(["cell", "cell", "duplicate header", "drop cell", "extra row"]), label="kind")
    r = data.draw(st.integers(0, len(rows) - 1), label="row")
    c = data.draw(st.integers(0, max(0, len(rows[r]) - 1)), label="column")
    if kind == "cell" and rows[r]:
        rows[r][c] = data.draw(HOSTILE_VALUES, label="value")
    elif kind == "duplicate header":
        header = max(range(min(len(rows), 4)), key=lambda i: len(rows[i]))
        col = data.draw(st.integers(0, len(rows[header]) - 1), label="header column")
        rows[header].append(rows[header][col].upper())
    elif kind == "drop cell" and rows[r]:
        del rows[r][c]
    else:
        rows.insert(r, [data.draw(HOSTILE_VALUES, label="cell") for _ in rows[min(r, len(rows) - 1)]])
    out = io.StringIO()
    if d == "\t":
        out.write("".join("\t".join(row) + "\n" for row in rows))
    else:
        csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


def mutate_json(data: st.DataObject, text: str) -> str:
    doc = json.loads(text)
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths), label="json path")
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if data.draw(st.booleans(), label="delete"):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON_VALUES, label="json value")
    return json.dumps(doc, ensure_ascii=data.draw(st.booleans(), label="ascii"))


def mutate_bytes(data: st.DataObject, raw: bytes) -> bytes:
    kind = data.draw(st.sampled_from(["cut", "insert", "encoding", "bom"]), label="bytes")
    if kind == "cut":
        return raw[: data.draw(st.integers(1, max(1, len(raw) - 1)), label="cut at")]
    if kind == "insert":
        at = data.draw(st.integers(0, len(raw)), label="at")
        return raw[:at] + data.draw(CONTROL, label="control").encode() + raw[at:]
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw
    codec = data.draw(st.sampled_from(["latin-1", "utf-16", "cp1252"]), label="codec")
    return raw.decode("utf-8-sig").encode(codec, errors="replace")


def mutated(data: st.DataObject, name: str, raw: bytes) -> bytes:
    how = data.draw(st.sampled_from(["structure", "structure", "bytes"]), label="how")
    text = raw.decode("utf-8-sig")
    if how == "bytes":
        return mutate_bytes(data, raw)
    if name.endswith(".json"):
        return mutate_json(data, text).encode("utf-8", errors="surrogatepass")
    return mutate_table(data, name, text).encode("utf-8", errors="surrogatepass")


# -- what must hold --------------------------------------------------------------------------

def dump(db) -> dict:
    return table_rows(db)


def check_stored(db) -> None:
    """After an import that was taken: no control character stored, quantities in range."""
    if True:
        for table, columns in (("orders", ("ref", "display_name", "ship_name", "ship_address1", "ship_address2",
                                           "ship_city", "ship_region", "ship_postal_code", "ship_country",
                                           "buyer_name", "hold_reason")),
                               ("order_lines", ("line_id", "sku", "title")), ("products", ("sku", "title"))):
            for row in query(db, f"SELECT {', '.join(columns)} FROM {table}"):
                for value in row:
                    assert value is None or clean(value) == value, (table, value)
        for (q,) in query(db, "SELECT quantity FROM order_lines"):
            assert 0 <= q <= 100_000


def attempt(db, paths: list[Path], do) -> str:
    before = dump(db)
    try:
        do()
    except InputRejected as e:
        message = f"rejected {e}"
        assert "\n" not in message and "\r" not in message
        assert any(str(p) in message for p in paths), message
        assert dump(db) == before, "a refused file wrote something"
        note(message)
        return "refused"
    check_stored(db)
    return "taken"


def write_group(tmp_path: Path, group: str, data: st.DataObject) -> list[Path]:
    names = GROUPS[group]
    target = data.draw(st.sampled_from(names), label="file")
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    paths = []
    for name in names:
        raw = (DATA / name).read_bytes()
        p = folder / Path(name).name
        p.write_bytes(mutated(data, name, raw) if name == target else raw)
        paths.append(p)
    return paths


# -- the tests -------------------------------------------------------------------------------

@given(group=st.sampled_from(sorted(GROUPS)), data=st.data())
def test_marketplace_files_mutated(stocked, tmp_path, group, data):
    paths = write_group(tmp_path, group, data)
    outcome = attempt(stocked, paths, lambda: import_files(stocked, paths))
    TRIED[f"marketplace {outcome}"] += 1


@given(data=st.data())
def test_generic_order_csv_mutated(stocked, tmp_path, data):
    p = Path(tempfile.mkdtemp(dir=tmp_path)) / "orders.csv"
    p.write_bytes(mutated(data, "orders.csv", ORDERS.encode()))
    outcome = attempt(stocked, [p], lambda: import_files(stocked, [p]))
    TRIED[f"order csv {outcome}"] += 1


@given(data=st.data())
def test_stock_csv_mutated(db, tmp_path, data):
    p = Path(tempfile.mkdtemp(dir=tmp_path)) / "stock.csv"
    p.write_bytes(mutated(data, "stock.csv", STOCK.encode()))

    def load():
        rows = read_stock_file(p)
        with db.write() as s:
            apply_stock(s, rows, path=p)

    outcome = attempt(db, [p], load)
    TRIED[f"stock csv {outcome}"] += 1


@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
                         st.sampled_from(list(GROUPS)).map(lambda g: (DATA / GROUPS[g][0]).read_bytes()[:200])),
       suffix=st.sampled_from([".csv", ".json", ".txt"]))
def test_free_text_as_any_file(stocked, tmp_path, content, suffix):
    p = Path(tempfile.mkdtemp(dir=tmp_path)) / f"free{suffix}"
    p.write_bytes(content)
    outcome = attempt(stocked, [p], lambda: import_files(stocked, [p]))
    TRIED[f"free text {outcome}"] += 1


def test_values_longer_than_their_columns(tmp_path, stocked):
    import shutil

    from tests.channels.test_refusals import GENERIC, STOCK as STOCK_ROW

    f = tmp_path / "orders.csv"
    f.write_text(GENERIC.replace("A-2,", "A" * 150 + ","), encoding="utf-8")
    with pytest.raises(InputRejected) as info:
        import_files(stocked, [f])
    assert info.value.path == str(f) and info.value.where == "line 3" and "ref of 150 characters" in info.value.message
    report = Path(shutil.copy(DATA / "ebay/seller_hub_orders.csv", tmp_path))
    report.write_text(report.read_text(encoding="utf-8-sig").replace(",TEA-SENCHA,", "," + "T" * 101 + ","),
                      encoding="utf-8")
    with pytest.raises(InputRejected) as info:
        import_files(stocked, [report])
    assert info.value.path == str(report) and "sku of 101 characters" in info.value.message
    stock = tmp_path / "stock.csv"
    stock.write_text(STOCK_ROW.replace("A-01-03", "B" * 101), encoding="utf-8")
    before = dump(stocked)
    with pytest.raises(InputRejected, match="line 2: bin of 101 characters"):
        read_stock_file(stock)
    assert dump(stocked) == before



@pytest.mark.parametrize("when", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1969-12-31"])
def test_dates_no_order_can_have(tmp_path, stocked, when):
    f = tmp_path / "orders.csv"
    f.write_text(ORDERS.replace("2026-12-02T17:00:00Z", when), encoding="utf-8")
    before = dump(stocked)
    with pytest.raises(InputRejected) as info:
        import_files(stocked, [f])
    assert info.value.where == "line 4" and "ship_by" in info.value.message and "not a date an order" in info.value.message
    assert dump(stocked) == before


def test_box_types_keep_no_control_characters(tmp_path, db):
    from sqlmodel import select

    from warehouse_tui.domain.models import BoxType
    from warehouse_tui.workflow.boxes import import_boxes

    f = tmp_path / "boxes.csv"
    f.write_text('code,name,length_mm,width_mm,height_mm,weight_g\nBOX-T,"tiny\x1b]0;pwn\x07 box",10,10,10,5\n',
                 encoding="utf-8")
    with db.write() as s:
        assert import_boxes(s, f) == 1
    with db.session() as s:
        assert s.exec(select(BoxType.name).where(BoxType.code == "BOX-T")).one() == "tiny]0;pwn box"

@pytest.fixture(scope="module", autouse=True)
def figures():
    """The figures of this run, printed when the module's tests are done (-s shows them)."""
    yield
    print("\nhostile imports tried:", ", ".join(f"{k}: {v}" for k, v in sorted(TRIED.items())) or "none")
