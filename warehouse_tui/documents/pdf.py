"""The PDF documents: the 4x6 shipping label here, the others in their own modules.

Every function takes plain data and returns the PDF's bytes; see ``pdfkit`` for how text
from orders is drawn.
"""

from __future__ import annotations

from warehouse_tui.documents.base import LabelData
from warehouse_tui.documents.command_sheet import COMMANDS, command_sheet_pdf
from warehouse_tui.documents.manifest import csv_safe, manifest_csv, manifest_pdf
from warehouse_tui.documents.pdfkit import PAGE_SIZES, Page
from warehouse_tui.documents.slip import packing_slip_pdf, pick_list_pdf
from warehouse_tui.documents.text import address_lines, clean, grouped, weight_text

M = 8.0  # the label's margin, in points


def label_pdf(label: LabelData) -> bytes:
    """The same 4x6 label as ``label_zpl``, for printers that take PDF."""
    width, height = PAGE_SIZES["4x6"]
    p = Page((width, height), f"Label {clean(label.order_ref)} {label.parcel_seq}")

    def top(y: float) -> float:  # the layout reads top down
        return height - y

    inner = width - 2 * M
    right = 178.0
    home = label.ship_from.country

    for i, line in enumerate(address_lines(label.ship_from, home)[:5]):
        p.text(M, top(14 + 9.5 * i), line, 7.5, max_width=right - M - 6)
    p.text(
        right,
        top(30),
        label.carrier_name or label.carrier,
        22,
        bold=True,
        max_width=width - M - right,
    )
    p.text(right, top(43), label.service, 9, max_width=width - M - right)
    p.text(right, top(54), weight_text(label.weight_g), 7.5, max_width=width - M - right)
    p.rule(top(60), M, width - M, 1.5)

    p.text(M, top(71), "SHIP TO:", 8, bold=True)
    for i, line in enumerate(address_lines(label.ship_to, home)[:6]):
        p.text(M + 7, top(89 + 17 * i), line, 14, bold=True, max_width=inner - 7)
    p.rule(top(188), M, width - M, 1.5)

    p.text(M, top(203), f"ORDER {clean(label.order_ref)}", 11, bold=True, max_width=165)
    p.text(
        width - M,
        top(203),
        f"PARCEL {label.parcel_seq} OF {label.parcel_count}",
        11,
        bold=True,
        align="right",
        max_width=inner - 170,
    )
    p.rule(top(211), M, width - M, 1.5)

    banner = " ".join(s for s in (clean(label.carrier_name), clean(label.service)) if s)
    p.text(M, top(230), banner.upper(), 16, bold=True, max_width=inner)
    p.rule(top(238), M, width - M, 1.5)

    tracking = clean(label.tracking_number)
    if label.barcode_type == "gs1-128":
        caption = f"{clean(label.carrier_name).upper() or 'USPS'} TRACKING #"
        data, gs1, readable = label.barcode_data, True, grouped(tracking)
    elif label.barcode_type == "code128":
        caption = "TRACKING #"
        data, gs1, readable = label.barcode_data or label.tracking_number, False, tracking
    else:
        raise ValueError(f"unknown label barcode type {label.barcode_type!r}")
    p.text(M, top(252), caption, 9, bold=True)
    p.barcode(width / 2, top(362), data, max_width=inner, height=100, gs1=gs1, align="center")
    p.text(width / 2, top(377), readable, 11, bold=True, align="center", max_width=inner)
    p.rule(top(388), M, width - M, 1.5)
    return p.pdf()


__all__ = [
    "COMMANDS",
    "command_sheet_pdf",
    "csv_safe",
    "label_pdf",
    "manifest_csv",
    "manifest_pdf",
    "packing_slip_pdf",
    "pick_list_pdf",
]
