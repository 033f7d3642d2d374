"""Packing slips, pick lists and the command sheet: printed by the stations and the commands."""

from __future__ import annotations

from sqlmodel import select

from tests.documents.doc_helpers import pdf_barcodes, pdf_text
from tests.printing.conftest import closed_port, pack, packed, pick, run
from warehouse_tui.documents.printers import DirPrinter, open_printer
from warehouse_tui.domain.models import Document, Order
from warehouse_tui.workflow.stations import open_session


def order_id(db, ref):
    with db.session() as s:
        return s.exec(select(Order).where(Order.ref == ref)).one().id


def page_size(data: bytes):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return tuple(round(v) for v in pdf[0].get_size())
    finally:
        pdf.close()


def test_packing_slip_prints_when_packed_and_its_barcode_brings_the_order_up(warehouse, settings, labels):
    settings.print_packing_slip = True
    fb = packed(warehouse, settings, "BAR-1001", "TOTE-1")
    assert "packing slip printed" in fb.message
    (slip,) = labels.glob("packing-slip-*.pdf")
    data = slip.read_bytes()
    oid = order_id(warehouse, "BAR-1001")
    assert [b.text for b in pdf_barcodes(data)[0]] == [f"ORD-{oid}"]
    text = pdf_text(data)[0]
    assert "BAR-1001" in text and "MUG-BLU" in text and "TEE-M-BLK" in text
    assert page_size(data) == (595, 842)  # A4 unless slip_page says otherwise

    fb = open_session("label", warehouse, settings, station="LABEL-1").handle(f"ORD-{oid}")
    assert fb.ok and fb.order == "BAR-1001" and fb.status == "labeled"


def test_no_packing_slip_unless_the_config_asks(warehouse, settings, labels):
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    assert not labels.exists() or not list(labels.glob("packing-slip-*"))


def test_a_slip_that_does_not_print_never_holds_up_packing_and_reprints(warehouse, settings, listener):
    settings.print_packing_slip = True
    pick(warehouse, settings, "BAR-1001", "TOTE-1")
    fb = pack(warehouse, settings, "TOTE-1", printer=open_printer(f"tcp://127.0.0.1:{closed_port()}"))
    assert "packing slip not printed" in fb.message and "connection refused" in fb.message
    with warehouse.session() as s:
        assert s.exec(select(Order).where(Order.ref == "BAR-1001")).one().status == "packed"
        stored = s.exec(select(Document).where(Document.kind == "packing_slip")).one()
    k = open_session("pack", warehouse, settings, station="PACK-1", printer=open_printer(listener.spec))
    fb = k.handle("%REPRINT")
    assert fb.ok and "reprinted packing slip" in fb.message
    listener.close()
    assert listener.jobs == [stored.data]


def test_print_slip_command_on_each_page_size(warehouse, settings, cli_env, tmp_path):
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    for page, size in (("letter", (612, 792)), ("4x6", (288, 432)), ("a4", (595, 842))):
        out = tmp_path / page
        run("print", "slip", "BAR-1001", "--page", page, "--out", out, env=cli_env)
        (pdf,) = out.iterdir()
        assert page_size(pdf.read_bytes()) == size
        oid = order_id(warehouse, "BAR-1001")
        assert [b.text for b in pdf_barcodes(pdf.read_bytes())[0]] == [f"ORD-{oid}"]
    p = run("print", "slip", "NO-SUCH", "--out", tmp_path, env=cli_env, check=False)
    assert p.returncode == 1 and b"no order" in p.stderr
    # without --out it goes to the --printer
    run("print", "slip", "BAR-1001", env=cli_env)
    assert len(list((tmp_path / "printed").glob("packing-slip-*.pdf"))) == 1


def test_pick_list_command_walks_the_bins(warehouse, cli_env, tmp_path):
    out = tmp_path / "out"
    run("print", "pick-list", "--orders", "2", "--out", out, env=cli_env)
    (pdf,) = out.iterdir()
    data = pdf.read_bytes()
    ids = [order_id(warehouse, r) for r in ("BAR-1001", "BAR-1002")]
    assert sorted(b.text for page in pdf_barcodes(data) for b in page) == sorted(f"ORD-{i}" for i in ids)
    text = "".join(pdf_text(data))
    at = [text.index(code) for code in ("A-01-03", "A-02-01", "B-01-01", "B-02-02")]
    assert at == sorted(at)  # walking order of bins
    with warehouse.session() as s:
        assert s.exec(select(Document).where(Document.kind == "pick_list")).one().data == data
        assert {o.status for o in s.exec(select(Order))} == {"ready"}  # a paper list claims nothing

    run("print", "pick-list", "--orders", "1", "--out", tmp_path / "one", env=cli_env)
    (one,) = (tmp_path / "one").iterdir()
    assert [b.text for page in pdf_barcodes(one.read_bytes()) for b in page] == [f"ORD-{ids[0]}"]


def test_batch_pick_prints_its_pick_list_when_the_station_has_a_printer(warehouse, settings, tmp_path):
    folder = tmp_path / "pick-printer"
    settings.print_pick_list = True
    p = open_session("pick", warehouse, settings, station="PICK-1", printer=DirPrinter(f"dir:{folder}", folder))
    fb = p.handle("%BATCH")
    assert fb.ok and "pick list printed" in fb.message and fb.expect == "tote"
    (pdf,) = folder.iterdir()
    assert len([b for page in pdf_barcodes(pdf.read_bytes()) for b in page]) == 2
    assert p.handle("%REPRINT").ok and len(list(folder.iterdir())) == 2


def test_batch_pick_without_a_printer_prints_nothing(warehouse, settings):
    settings.print_pick_list = True
    p = open_session("pick", warehouse, settings, station="PICK-2")
    fb = p.handle("%BATCH")
    assert fb.ok and "pick list" not in fb.message
    with warehouse.session() as s:
        assert s.exec(select(Document)).all() == []


def test_command_sheet_with_badges(warehouse, settings, cli_env, tmp_path):
    from warehouse_tui.workflow.pins import add_operator

    with warehouse.write() as s:  # alice is there already
        add_operator(s, "bob", "supervisor", station=None, by=None)
    run("print", "commands", "--badges", "--out", tmp_path / "sheet", env=cli_env)
    (pdf,) = (tmp_path / "sheet").iterdir()
    codes = {b.text for page in pdf_barcodes(pdf.read_bytes()) for b in page}
    assert {"%NEXT", "%BATCH", "%REPRINT", "OP-alice", "OP-bob"} <= codes
    run("print", "commands", "--out", tmp_path / "plain", env=cli_env)
    (plain,) = (tmp_path / "plain").iterdir()
    assert not any(b.text.startswith("OP-") for page in pdf_barcodes(plain.read_bytes()) for b in page)
