"""The scanner test sheet: one code of each kind a station meets, for the scanner check.

Code 128, UPC-A and EAN-13 and GS1-128 are drawn by reportlab. ReportLab's own DataMatrix
encoder knows neither FNC1 nor GS1, so the GS1 DataMatrix is encoded by zxing-cpp (its
writer, built on zint, puts FNC1 first and a GS between variable-length elements) and drawn
here module by module as vector squares, as crisp as the bars.
"""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import eanbc
from reportlab.graphics.shapes import Drawing

from warehouse_tui.documents.base import Document
from warehouse_tui.documents.pdfkit import Page, page_size
from warehouse_tui.scanning.check import SHEET, SheetCode

TITLE = "Scanner test sheet"


def gs1_hri(data: str) -> str:
    """GS1 data as people read it: (01)09506000134352(10)LOT..."""
    from biip.gs1_messages import GS1Message

    return GS1Message.parse(data).as_hri()


def datamatrix_modules(data: str) -> list[list[bool]]:
    """The GS1 DataMatrix of GS-separated element strings: rows of modules, True for dark."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(gs1_hri(data), zxingcpp.BarcodeFormat.DataMatrix, gs1=True,
                                      force_square=True)
    image = zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False)
    height, width = image.shape
    pixels = bytes(memoryview(image))
    return [[pixels[y * width + x] < 128 for x in range(width)] for y in range(height)]


def _datamatrix(p: Page, x: float, y: float, data: str, size: float) -> float:
    modules = datamatrix_modules(data)
    n = len(modules)
    cell = size / n
    c = p.canvas
    c.setFillGray(0)
    for row, line in enumerate(modules):
        for col, dark in enumerate(line):
            if dark:
                c.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1)
    return size


def _retail(p: Page, x: float, y: float, code: SheetCode, height: float) -> float:
    cls = eanbc.UPCA if code.key == "upca" else eanbc.Ean13BarcodeWidget
    widget = cls(value=code.data[:-1], barHeight=height, barWidth=1.4, fontSize=10, fontName=p.regular)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(x1 - x0, y1 - y0)
    drawing.add(widget)
    renderPDF.draw(drawing, p.canvas, x - x0 + 10, y - y0)
    return x1 - x0


def scanner_test_pdf(page: str = "a4") -> bytes:
    """The sheet: each code of ``SHEET`` with its name, what it tests and what it holds."""
    width, height = page_size(page)
    small = width < 400
    m = 14.0 if small else 48.0
    inner = width - 2 * m
    p = Page((width, height), TITLE)
    y = height - m - 16
    p.text(m, y, TITLE, 16, bold=True)
    y -= 18
    p.wrapped(m, y, "Open the scanner check (F11 or scan %SCANCHECK) and scan each code in turn.", 9,
              inner, 11)
    y -= 22
    row = (height - 2 * m - 60) / len(SHEET)
    bar_h = min(44.0, row - 40)
    for number, code in enumerate(SHEET, 1):
        p.text(m, y - 10, f"{number}. {code.name}: {code.tests}", 10, bold=True, max_width=inner)
        top = y - 16
        if code.key == "gs1-datamatrix":
            size = min(bar_h + 20, row - 36)
            _datamatrix(p, m + 10, top - size, code.data, size)
            p.text(m + size + 24, top - size / 2, gs1_hri(code.data), 10, max_width=inner - size - 30)
        elif code.key in ("upca", "ean13"):
            _retail(p, m, top - bar_h - 12, code, bar_h)
        else:
            p.barcode(m, top - bar_h, code.data, max_width=inner, height=bar_h, gs1=code.gs1)
            text = gs1_hri(code.data) if code.gs1 else code.data
            p.text(m + 10, top - bar_h - 12, text, 10, max_width=inner - 12)
        y -= row
    return p.pdf()


def scanner_test_document(page: str = "a4") -> Document:
    return Document(kind="scanner_test", format="pdf", data=scanner_test_pdf(page), name="scanner-test")
