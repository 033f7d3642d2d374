"""The packing slip that goes in the box, and the pick list that walks a batch of orders."""

from __future__ import annotations

from warehouse_tui.documents.base import PickListData, SlipData
from warehouse_tui.documents.pdfkit import Flow, Page, page_label, page_size, paged
from warehouse_tui.documents.text import address_lines, clean, date_text


class _Sizes:
    """Type sizes and margins: a sheet of paper, or a 4x6 label stock."""

    def __init__(self, width: float):
        small = width < 400
        self.small = small
        self.margin = 14.0 if small else 40.0
        self.body = 8.0 if small else 10.0
        self.leading = 11.0 if small else 15.0
        self.title = 12.0 if small else 18.0


def packing_slip_pdf(slip: SlipData, page: str = "a4") -> bytes:
    """A packing slip on A4, Letter or 4x6: barcode of the order, lines, how to return."""
    return paged(lambda total: _slip(slip, page_size(page), total))


def _slip(slip: SlipData, size: tuple[float, float], total: int | None) -> tuple[bytes, int]:
    width, height = size
    s = _Sizes(width)
    m, inner = s.margin, width - 2 * s.margin
    p = Page(size, f"Packing slip {clean(slip.order_ref)}")
    qty_x = width - m  # right edge of the quantity column
    sku_w = inner * (0.30 if s.small else 0.25)
    title_x = m + sku_w + 6

    def header(p: Page, number: int, total: int | None) -> float:
        y = height - m - s.title
        p.text(m, y, "PACKING SLIP", s.body, bold=True)
        y -= s.title + 2
        barcode_w = inner if s.small else min(220.0, inner / 2)
        p.text(
            m,
            y,
            clean(slip.order_ref),
            s.title,
            bold=True,
            max_width=inner if s.small else inner - barcode_w - 10,
        )
        y -= s.leading
        placed = date_text(slip.placed_at)
        p.text(m, y, f"Placed {placed}" if placed else "", s.body)
        p.text(width - m, height - m - s.body, page_label(number, total), s.body - 1, align="right")
        bar_h = 34.0 if s.small else 44.0
        if s.small:
            y -= bar_h + 8
            bx, align = width / 2, "center"
        else:
            y = height - m - s.title - 4 - bar_h
            bx, align = width - m, "right"
        p.barcode(bx, y, slip.order_barcode, max_width=barcode_w, height=bar_h, align=align)
        under = bx if align == "center" else width - m
        p.text(
            under, y - s.body - 2, slip.order_barcode, s.body - 1, align=align, max_width=barcode_w
        )
        y -= s.body + 2 + s.leading
        if number == 1:
            y = _addresses(p, slip, s, y, m, inner)
        y -= s.leading
        p.text(m, y, "SKU", s.body, bold=True)
        p.text(title_x, y, "Item", s.body, bold=True)
        p.text(qty_x, y, "Qty", s.body, bold=True, align="right")
        p.rule(y - 4, m, width - m)
        return y - s.leading - 2

    f = Flow(p, m + s.leading, header, total)
    for sku, title, quantity in slip.lines:
        y = f.need(s.leading)
        p.text(m, y, sku, s.body, max_width=sku_w)
        p.text(title_x, y, title, s.body, max_width=qty_x - title_x - 30)
        p.text(qty_x, y, str(quantity), s.body, bold=True, align="right")
        f.advance(s.leading)
    units = sum(int(q) for _, _, q in slip.lines)
    y = f.need(s.leading * 2)
    p.rule(y + s.leading - 4, m, width - m)
    p.text(qty_x, y, f"{units} unit{'s' if units != 1 else ''}", s.body, bold=True, align="right")
    f.advance(s.leading * 2)

    if clean(slip.return_instructions):
        lines = len(p.wrap(slip.return_instructions, s.body, inner))
        y = f.need(s.leading * (lines + 1))
        p.text(m, y, "Returns", s.body, bold=True)
        p.wrapped(m, y - s.leading, slip.return_instructions, s.body, inner, s.leading)
    return p.pdf(), f.number


def _addresses(p: Page, slip: SlipData, s: _Sizes, y: float, m: float, inner: float) -> float:
    home = slip.ship_from.country
    blocks = [
        ("Ship to", address_lines(slip.ship_to, home)),
        ("From", address_lines(slip.ship_from, home)),
    ]
    if s.small:
        for caption, lines in blocks:
            p.text(m, y, caption, s.body, bold=True)
            for line in lines:
                y -= s.leading
                p.text(m, y, line, s.body, max_width=inner)
            y -= s.leading * 1.5
        return y
    column = inner / 2
    bottom = y
    for i, (caption, lines) in enumerate(blocks):
        x, yy = m + i * column, y
        p.text(x, yy, caption, s.body, bold=True)
        for line in lines:
            yy -= s.leading
            p.text(x, yy, line, s.body, max_width=column - 12)
        bottom = min(bottom, yy)
    return bottom - s.leading


def pick_list_pdf(pick_list: PickListData, page: str = "a4") -> bytes:
    """A batch's orders with their barcodes and totes, then its lines in the order given."""
    return paged(lambda total: _pick_list(pick_list, page_size(page), total))


def _pick_list(data: PickListData, size: tuple[float, float], total: int | None):
    width, height = size
    s = _Sizes(width)
    m, inner = s.margin, width - 2 * s.margin
    p = Page(size, clean(data.title) or "Pick list")
    columns = 1 if s.small else 3
    cell_w = inner / columns
    bar_h = 30.0
    cell_h = bar_h + 3 * s.leading + 6
    # bin | sku | title | qty | order, with a box to tick at the left
    box = s.body
    bin_x = m + box + 6
    sku_x = bin_x + inner * 0.14
    title_x = sku_x + inner * 0.18
    qty_x = m + inner * 0.78
    order_x = qty_x + 10

    def header(p: Page, number: int, total: int | None) -> float:
        y = height - m - s.title
        p.text(m, y, clean(data.title) or "Pick list", s.title, bold=True, max_width=inner - 90)
        p.text(width - m, y, page_label(number, total), s.body - 1, align="right")
        y -= s.leading
        units = sum(int(line[3]) for line in data.lines)
        summary = f"{len(data.orders)} orders, {len(data.lines)} lines, {units} units"
        created = date_text(data.created_at, with_time=True)
        p.text(m, y, f"{created} · {summary}" if created else summary, s.body)
        return y - s.leading * 1.5

    f = Flow(p, m, header, total)
    for i, (name, barcode, tote) in enumerate(data.orders):
        col = i % columns
        if col == 0:
            y = f.need(cell_h)
        x = m + col * cell_w
        p.text(x, y, name, s.body + 1, bold=True, max_width=cell_w - 10)
        p.text(
            x,
            y - s.leading,
            f"Tote {clean(tote)}" if tote else "No tote yet",
            s.body,
            max_width=cell_w - 10,
        )
        p.barcode(x, y - s.leading - bar_h - 4, barcode, max_width=cell_w - 10, height=bar_h)
        p.text(x, y - s.leading * 2 - bar_h - 2, barcode, s.body - 2, max_width=cell_w - 10)
        if col == columns - 1 or i == len(data.orders) - 1:
            f.advance(cell_h)

    def table_head(y: float) -> None:
        p.text(bin_x, y, "Bin", s.body, bold=True)
        p.text(sku_x, y, "SKU", s.body, bold=True)
        p.text(title_x, y, "Item", s.body, bold=True)
        p.text(qty_x, y, "Qty", s.body, bold=True, align="right")
        p.text(order_x, y, "Order", s.body, bold=True)
        p.rule(y - 4, m, width - m)

    y = f.need(s.leading * 3)
    table_head(y)
    f.advance(s.leading + 4)
    page_number = f.number
    for bin_code, sku, title, quantity, order in data.lines:
        y = f.need(s.leading)
        if f.number != page_number:  # a new page: the columns again
            page_number = f.number
            table_head(y)
            f.advance(s.leading + 4)
            y = f.y
        p.canvas.rect(m, y - 1, box - 2, box - 2)
        p.text(bin_x, y, bin_code, s.body, bold=True, max_width=sku_x - bin_x - 4)
        p.text(sku_x, y, sku, s.body, max_width=title_x - sku_x - 4)
        p.text(title_x, y, title, s.body, max_width=qty_x - title_x - 24)
        p.text(qty_x, y, str(quantity), s.body, bold=True, align="right")
        p.text(order_x, y, order, s.body, max_width=width - m - order_x)
        f.advance(s.leading)
    return p.pdf(), f.number
