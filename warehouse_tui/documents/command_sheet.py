"""A sheet of the ``%`` command barcodes and operators' badges, to run a station by scanner."""

from __future__ import annotations

from warehouse_tui.documents.pdfkit import Flow, Page, page_label, page_size, paged
from warehouse_tui.documents.text import clean, code128_text

# the scan grammar's commands, in the order an operator meets them
COMMANDS: list[tuple[str, str]] = [
    ("%NEXT", "Claim the next order"),
    ("%BATCH", "Start a batch pick"),
    ("%DONE", "Finish this step"),
    ("%SHORT", "Line cannot be picked in full"),
    ("%CANCEL", "Release the order"),
    ("%REPRINT", "Print the last document again"),
    ("%RESTOCK", "Returned unit: back on the shelf"),
    ("%QUARANTINE", "Returned unit: set apart"),
    ("%DISPOSE", "Returned unit: throw away"),
    ("%HOME", "Home screen"),
    ("%PICK", "Pick screen"),
    ("%PACK", "Pack screen"),
    ("%LABEL", "Label screen"),
    ("%RETURNS", "Returns screen"),
    ("%LOOKUP", "Lookup screen"),
    ("%SCANCHECK", "Scanner check screen"),
]

BADGE_PREFIX = "OP-"


def badge_code(badge: str) -> str:
    """An operator's badge barcode: ``OP-<name>``; a value given with the prefix is kept."""
    value = clean(badge)
    if not value:
        raise ValueError("a badge needs an operator name")
    if value.upper().startswith(BADGE_PREFIX):
        value = value[len(BADGE_PREFIX) :]
    value = BADGE_PREFIX + value
    try:
        return code128_text(value)
    except ValueError:
        raise ValueError(f"badge {badge!r}: a badge barcode can hold ASCII letters only") from None


def command_sheet_pdf(badges: list[str], page: str = "a4") -> bytes:
    """Every command barcode, then a badge for each operator given (name or ``OP-<name>``)."""
    codes = [badge_code(b) for b in badges]
    return paged(lambda total: _sheet(codes, page_size(page), total))


def _sheet(badges: list[str], size: tuple[float, float], total: int | None):
    width, height = size
    small = width < 400
    m = 14.0 if small else 36.0
    inner = width - 2 * m
    columns = 1 if small else 2  # wide bars scan easily from a sheet on the wall
    cell_w = inner / columns
    bar_h = 36.0
    cell_h = bar_h + 40
    p = Page(size, "Station commands")

    def header(p: Page, number: int, total: int | None) -> float:
        y = height - m - 16
        p.text(m, y, "Station commands", 16, bold=True)
        p.text(width - m, y, page_label(number, total), 9, align="right")
        return y - 26

    f = Flow(p, m, header, total)

    def grid(cells: list[tuple[str, str]]) -> None:
        for i, (code, caption) in enumerate(cells):
            col = i % columns
            if col == 0:
                f.need(cell_h)
            x, y = m + col * cell_w, f.y
            p.text(x, y - 10, caption, 9, max_width=cell_w - 12)
            p.barcode(x, y - 16 - bar_h, code, max_width=cell_w - 12, height=bar_h)
            p.text(x + 4, y - 28 - bar_h, code, 10, bold=True, max_width=cell_w - 16)
            if col == columns - 1 or i == len(cells) - 1:
                f.advance(cell_h)

    grid(COMMANDS)
    if badges:
        f.need(cell_h + 30)
        f.advance(8)
        p.text(m, f.y - 12, "Operator badges", 13, bold=True)
        f.advance(26)
        grid([(code, code[len(BADGE_PREFIX) :]) for code in badges])
    return p.pdf(), f.number
