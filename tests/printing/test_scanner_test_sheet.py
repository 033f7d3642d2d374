"""The scanner test sheet: printed by the command, and each code scans as the sheet says."""

from __future__ import annotations

import pytest

from tests.documents.doc_helpers import pdf_barcodes, pdf_pages, pdf_text
from tests.printing.conftest import run
from warehouse_tui.documents.scanner_test import scanner_test_pdf
from warehouse_tui.scanning.check import SHEET

GS = "\x1d"
FORMATS = {"code128": "Code128", "upca": "UPCA", "ean13": "EAN13", "gs1-128": "Code128",
           "gs1-datamatrix": "DataMatrix"}


def decoded(data: bytes) -> dict[str, tuple[str, bytes, str]]:
    """Each code of the page read the way a scanner reads it: format, bytes, symbology id."""
    import zxingcpp

    (page,) = pdf_pages(data)
    found = {}
    for code in SHEET:
        fmt = getattr(zxingcpp.BarcodeFormat, FORMATS[code.key])
        hits = [r for r in zxingcpp.read_barcodes(page, formats=fmt)
                if code.key != "gs1-128" or r.symbology_identifier == "]C1"]
        if code.key == "code128":
            hits = [r for r in hits if r.symbology_identifier == "]C0"]
        if code.key == "ean13":  # a UPC-A is an EAN-13 with a leading 0 as well
            hits = [r for r in hits if not r.bytes.startswith(b"0")]
        assert len(hits) == 1, (code.key, hits)
        found[code.key] = (str(hits[0].format), hits[0].bytes, hits[0].symbology_identifier)
    return found


@pytest.mark.parametrize("page", ["a4", "letter", "4x6"])
def test_every_code_scans_as_the_sheet_holds(page):
    data = scanner_test_pdf(page)
    read = decoded(data)
    assert read["code128"][1].decode() == 'Zy@"scan-7/x'  # lower case and symbols
    assert read["upca"][1].decode().lstrip("0") == SHEET[1].data.lstrip("0")  # zxing gives UPC-A as 13 digits
    assert read["ean13"][1].decode() == SHEET[2].data
    # GS1: FNC1 first (]C1, ]d2), a GS between the variable-length lot and serial
    assert read["gs1-128"][1:] == (SHEET[3].data.encode(), "]C1")
    assert read["gs1-datamatrix"][1:] == (SHEET[4].data.encode(), "]d2")
    assert len(pdf_barcodes(data)[0]) == len(SHEET)  # nothing else on the page that scans
    text = pdf_text(data)[0]
    assert "(01)09506000134352(10)LOT-7A(21)SN4471" in text and "Zy@\"scan-7/x" in text


def test_the_command_writes_the_sheet(tmp_path, cli_env):
    out = tmp_path / "sheets"
    p = run("print", "scanner-test", "--out", out, env=cli_env)
    assert "printed scanner test" in p.stderr.decode()
    (pdf,) = out.glob("*.pdf")
    read = decoded(pdf.read_bytes())
    assert {k: v[0] for k, v in read.items()} == {
        "code128": "Code 128", "upca": "UPC-A", "ean13": "EAN-13", "gs1-128": "Code 128",
        "gs1-datamatrix": "Data Matrix"}


def test_the_command_sheet_has_the_scanner_check_code():
    from warehouse_tui.documents.command_sheet import COMMANDS

    assert ("%SCANCHECK", "Scanner check screen") in COMMANDS
