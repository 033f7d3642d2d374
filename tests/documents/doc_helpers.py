"""Reading documents back as a person or a scanner would: pages as images, barcodes, text."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

UPS_TRACKING = "1Z999AA10123456784"
USPS_TRACKING = "9205590164917312751089"
USPS_GS1 = "42020500\x1d" + USPS_TRACKING
PLACED = datetime(2024, 5, 1, 12, 30)


def pdf_pages(data: bytes, scale: float = 4.0):
    """Each page of a PDF as a greyscale image, as a scanner would see a good print."""
    import pypdfium2 as pdfium

    assert data.startswith(b"%PDF-")
    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].render(scale=scale).to_pil().convert("L") for i in range(len(pdf))]
    finally:
        pdf.close()


def pdf_barcodes(data: bytes, scale: float = 4.0) -> list[list]:
    """The barcodes zxing-cpp reads on each page, top to bottom."""
    import zxingcpp

    pages = []
    for image in pdf_pages(data, scale):
        found = zxingcpp.read_barcodes(image)
        pages.append(sorted(found, key=lambda r: (r.position.top_left.y, r.position.top_left.x)))
    return pages


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf))]
    finally:
        pdf.close()


def zpl_image(zpl: bytes, dpi: int):
    """A ZPL label drawn by an offline renderer (zplkit), or the test is skipped without one."""
    zplkit = pytest.importorskip("zplkit")
    from PIL import Image

    width, height = (812, 1218) if dpi == 203 else (1200, 1800)
    doc = zplkit.render(zpl, zplkit.Options(dpi=dpi, width=width, height=height))
    assert len(doc.labels) == 1
    return Image.open(io.BytesIO(doc.labels[0].png()))
