"""The end-of-day manifest of one carrier's parcels: a PDF for the driver, a CSV for the books."""

from __future__ import annotations

import csv
import io

from warehouse_tui.documents.base import ManifestData
from warehouse_tui.documents.pdfkit import Flow, Page, page_label, page_size, paged
from warehouse_tui.documents.text import address_lines, clean, csv_safe, date_text, utc, weight_text

CSV_HEADER = [
    "manifest_id",
    "carrier",
    "closed_at",
    "tracking_number",
    "order",
    "weight_g",
    "service",
]


def manifest_csv(manifest: ManifestData) -> bytes:
    """One row per parcel, UTF-8, every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    closed = (
        utc(manifest.closed_at).isoformat(sep=" ", timespec="seconds") if manifest.closed_at else ""
    )
    for tracking, order, weight_g, service in manifest.parcels:
        row = [
            manifest.manifest_id,
            manifest.carrier,
            closed,
            tracking,
            order,
            "" if weight_g is None else int(weight_g),
            service,
        ]
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def manifest_pdf(manifest: ManifestData, page: str = "a4") -> bytes:
    """Each parcel with its tracking barcode, the totals, and a line for the driver to sign."""
    return paged(lambda total: _manifest(manifest, page_size(page), total))


def _manifest(data: ManifestData, size: tuple[float, float], total: int | None):
    width, height = size
    m = 14.0 if width < 400 else 40.0
    inner = width - 2 * m
    body, leading = 10.0, 14.0
    p = Page(size, f"{clean(data.carrier_name)} manifest {clean(data.manifest_id)}")
    carrier = clean(data.carrier_name) or clean(data.carrier)
    bar_w = min(240.0, inner * 0.5)
    text_x = m + bar_w + 12

    def header(p: Page, number: int, total: int | None) -> float:
        y = height - m - 18
        p.text(m, y, f"{carrier} manifest", 18, bold=True, max_width=inner - 100)
        p.text(width - m, y, page_label(number, total), body - 1, align="right")
        y -= leading + 2
        p.text(m, y, f"Manifest {clean(data.manifest_id)}", body, bold=True, max_width=inner / 2)
        closed = date_text(data.closed_at, with_time=True)
        p.text(width - m, y, f"Closed {closed}" if closed else "Open", body, align="right")
        y -= leading
        if number == 1:
            for line in address_lines(data.ship_from):
                p.text(m, y, line, body, max_width=inner / 2)
                y -= leading
            y -= leading / 2
        p.text(m, y, "Tracking number", body, bold=True)
        p.text(text_x, y, "Order", body, bold=True)
        p.text(text_x + (width - m - text_x) * 0.45, y, "Weight", body, bold=True)
        p.rule(y - 4, m, width - m)
        return y - leading - 4

    f = Flow(p, m, header, total)
    row_h = 56.0
    total_g = 0
    for tracking, order, weight_g, service in data.parcels:
        y = f.need(row_h)
        p.barcode(m, y - 30, tracking, max_width=bar_w, height=34, max_bar=1.0)
        p.text(m, y - 42, tracking, body - 1, max_width=bar_w)
        col = (width - m - text_x) * 0.45
        p.text(text_x, y - 10, order, body, bold=True, max_width=col - 6)
        p.text(text_x, y - 10 - leading, service, body - 1, max_width=col - 6)
        p.text(
            text_x + col, y - 10, weight_text(weight_g), body, max_width=width - m - text_x - col
        )
        p.rule(y - row_h + 8, m, width - m, 0.25)
        total_g += int(weight_g or 0)
        f.advance(row_h)

    y = f.need(leading * 7)
    count = len(data.parcels)
    p.text(
        m,
        y - leading,
        f"{count} parcel{'s' if count != 1 else ''}, {weight_text(total_g)}",
        body + 1,
        bold=True,
    )
    y -= leading * 3.5
    for i, caption in enumerate(("Collected by", "Signature", "Date and time")):
        x = m + i * inner / 3
        p.rule(y, x, x + inner / 3 - 16)
        p.text(x, y - leading + 2, caption, body - 1)
    return p.pdf(), f.number
