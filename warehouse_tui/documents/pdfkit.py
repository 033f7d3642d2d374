"""What every PDF document draws with: a Unicode font, plain text lines, Code 128 barcodes.

Text from orders is drawn with ``drawString`` only (never a Paragraph, which reads markup),
after control characters are removed and any character the font has no glyph for is
replaced with "?", so nothing in a buyer's name changes what the page shows beyond itself.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from warehouse_tui.documents.text import GS, clean, code128_text, ellipsize, gs1_elements

PAGE_SIZES = {"a4": A4, "letter": letter, "4x6": (4 * inch, 6 * inch)}

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    str(Path.home() / "Library/Fonts"),
    "C:/Windows/Fonts",
)


def _find_font(file_name: str, family: str) -> str | None:
    for folder in _FONT_DIRS:
        path = Path(folder) / file_name
        if path.is_file():
            return str(path)
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", family],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if found.endswith(file_name):
            return found
    return None


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str]:
    """The (regular, bold) font names to draw with: DejaVu Sans when the machine has it."""
    regular = _find_font("DejaVuSans.ttf", "DejaVu Sans")
    bold = _find_font("DejaVuSans-Bold.ttf", "DejaVu Sans:bold")
    if regular:
        try:
            pdfmetrics.registerFont(TTFont("DocSans", regular))
            pdfmetrics.registerFont(TTFont("DocSans-Bold", bold or regular))
            return "DocSans", "DocSans-Bold"
        except Exception:  # a damaged font file: the standard fonts still print
            pass
    return "Helvetica", "Helvetica-Bold"


def printable(text: object, font: str) -> str:
    """One clean line that ``font`` can draw; characters it has no glyph for become "?"."""
    s = clean(text)
    face = getattr(pdfmetrics.getFont(font), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    if glyphs is not None:
        return "".join(c if ord(c) in glyphs or c == " " else "?" for c in s)
    return s.encode("cp1252", "replace").decode("cp1252")


class Page:
    """A canvas with the documents' fonts, plain text and barcodes."""

    def __init__(self, pagesize: tuple[float, float], title: str):
        self.buffer = io.BytesIO()
        self.width, self.height = pagesize
        self.canvas = canvas.Canvas(self.buffer, pagesize=pagesize, invariant=1, pageCompression=1)
        self.canvas.setTitle(clean(title))
        self.regular, self.bold = fonts()

    def text(
        self,
        x: float,
        y: float,
        text: object,
        size: float,
        *,
        bold: bool = False,
        max_width: float | None = None,
        align: str = "left",
    ) -> str:
        """Draw one line at baseline ``y``, shortened with "…" to ``max_width``; returns it."""
        font = self.bold if bold else self.regular
        line = printable(text, font)
        if max_width is not None:
            line = ellipsize(line, max_width, lambda s: pdfmetrics.stringWidth(s, font, size))
        if not line:
            return ""
        self.canvas.setFont(font, size)
        if align == "right":
            self.canvas.drawRightString(x, y, line)
        elif align == "center":
            self.canvas.drawCentredString(x, y, line)
        else:
            self.canvas.drawString(x, y, line)
        return line

    def wrapped(
        self, x: float, y: float, text: str, size: float, max_width: float, leading: float
    ) -> float:
        """Draw text over as many lines as it needs; returns the baseline after the last."""
        for line in self.wrap(text, size, max_width):
            self.text(x, y, line, size, max_width=max_width)
            y -= leading
        return y

    def wrap(self, text: str, size: float, max_width: float) -> list[str]:
        """``text`` broken into lines at spaces (and at its own line breaks) to fit."""
        font = self.regular
        lines: list[str] = []
        for paragraph in str(text or "").splitlines() or [""]:
            line = ""
            for word in printable(paragraph, font).split(" "):
                candidate = f"{line} {word}" if line else word
                if pdfmetrics.stringWidth(candidate, font, size) <= max_width or not line:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        return lines

    def rule(self, y: float, x0: float, x1: float, width: float = 0.75) -> None:
        self.canvas.setLineWidth(width)
        self.canvas.line(x0, y, x1, y)

    def barcode(
        self,
        x: float,
        y: float,
        data: str,
        *,
        max_width: float,
        height: float,
        max_bar: float = 1.2,
        gs1: bool = False,
        align: str = "left",
    ) -> float:
        """Code 128 (or GS1-128 from GS-separated elements) with its bottom-left at (x, y).

        The bars are as wide as ``max_bar`` points allows within ``max_width`` (quiet zones
        of 10 modules included); returns the width drawn.
        """
        value = "\xf1" + "\xf1".join(gs1_elements(data)) if gs1 else code128_text(data)
        probe = Code128(value, barWidth=1.0, quiet=1, lquiet=10.0, rquiet=10.0)
        bar = min(max_bar, max_width / probe.width)
        symbol = Code128(
            value,
            barWidth=bar,
            barHeight=height,
            humanReadable=False,
            quiet=1,
            lquiet=10 * bar,
            rquiet=10 * bar,
        )
        if align == "center":
            x -= symbol.width / 2
        elif align == "right":
            x -= symbol.width
        symbol.drawOn(self.canvas, x, y)
        return symbol.width

    def new_page(self) -> None:
        self.canvas.showPage()

    def pdf(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def page_size(page: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[page.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"page must be one of {', '.join(PAGE_SIZES)}, not {page!r}") from None


class Flow:
    """Rows down a page that go on to a new page, under a fresh header, when they run out.

    ``header(page, number, total)`` draws a page's header and returns the y below it;
    ``total`` is None on the first of the two passes ``paged`` makes to learn it.
    """

    def __init__(self, page: Page, bottom: float, header, total: int | None):
        self.page = page
        self.bottom = bottom
        self.header = header
        self.total = total
        self.number = 1
        self.y = header(page, 1, total)

    def need(self, height: float) -> float:
        """Room for ``height`` points: the y to draw at, on a new page if this one is full."""
        if self.y - height < self.bottom:
            self.page.new_page()
            self.number += 1
            self.y = self.header(self.page, self.number, self.total)
        return self.y

    def advance(self, height: float) -> None:
        self.y -= height


def paged(draw) -> bytes:
    """``draw(total)`` returns (pdf, pages); drawn twice so every page can say "n of m"."""
    _, pages = draw(None)
    data, _ = draw(pages)
    return data


def page_label(number: int, total: int | None) -> str:
    return f"Page {number} of {total}" if total else f"Page {number}"


__all__ = [
    "GS",
    "PAGE_SIZES",
    "Flow",
    "Page",
    "fonts",
    "page_label",
    "page_size",
    "paged",
    "printable",
]
