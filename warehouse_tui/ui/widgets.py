"""Widgets shared by the screens. All text from the database is rendered as plain text."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from textual import events
from textual.widgets import DataTable, Input, Static

from warehouse_tui.ui.format import SafeText, late_note, plain, ship_by, units

GS = "\x1d"
GS_SHOWN = "␝"  # how a GS (0x1D) typed into a scan field is shown


class FixedStatic(Static):
    """A Static whose size the stylesheet fixes (a height of 1, or a share of its container),
    so new content never moves the layout: an update repaints this widget alone instead of
    laying the whole screen out again, and an update that changes nothing repaints nothing.
    After a scan five of them change at once, and the event loop that takes the next scan's
    keys is the one that paints them."""

    _shown: object = None

    def update(self, content="", *, layout: bool = False) -> None:
        if content == self._shown and not layout:
            return
        self._shown = content
        super().update(content, layout=layout)


class StatusBar(FixedStatic):
    """The screen's name, station, operator and devices: always in view."""

    DEFAULT_CSS = "StatusBar { height: 1; }"

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.title = title

    def on_mount(self) -> None:
        self.watch(self.app, "status_version", self._changed, init=True)

    def _changed(self, _value: int) -> None:
        self.update(self.app.status_text(self.title, self.size.width or 80))

    def on_resize(self, _event: events.Resize) -> None:
        self._changed(0)


class KeyBar(Static):
    """The keys in one line, for a handheld's 40 columns (where the footer cannot fit them)."""

    DEFAULT_CSS = "KeyBar { height: 1; display: none; }"

    def __init__(self, keys: str = "F1 F2 F3 F4 F5 F6 ^q", **kwargs) -> None:
        super().__init__(SafeText(keys, style="bold"), **kwargs)


class Instruction(Static):
    """The one thing to scan next, large; red with the reason when a scan was refused."""

    def show(self, headline: str, detail: str = "", *, refused: bool = False, done: bool = False) -> None:
        """``done``: the headline says what the last scan finished, as the session said it."""
        text = SafeText(headline if refused or done else headline.upper(), style="bold")
        if detail:
            text.append("\n")
            text.append(detail)
        self.set_class(refused, "-refused")
        self.set_class(done and not refused, "-done")
        # its height follows its text: the screen is laid out again only when the new text,
        # wrapped as Textual wraps it, takes another number of rows than the shown one
        self.update(text, layout=False)
        width = self.content_region.width
        if not width or self.get_content_height(self.size, self.app.size, width) != self.content_region.height:
            self.refresh(layout=True)


@dataclass
class ScanLine:
    at: datetime
    ok: bool
    scan: str
    message: str


class LastScans(FixedStatic):
    """The last scans, newest first."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: deque[ScanLine] = deque(maxlen=30)

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh_lines()

    def add(self, line: ScanLine) -> None:
        self.lines.appendleft(line)
        self.refresh_lines()

    def refresh_lines(self) -> None:
        text = SafeText(no_wrap=True, overflow="ellipsis")
        tz = getattr(self.app, "tz", None)
        compact = self.size.width and self.size.width < 50
        for i, ln in enumerate(self.lines):
            if i:
                text.append("\n")
            if not compact:
                text.append(ln.at.astimezone(tz).strftime("%H:%M:%S "), style="dim")
            text.append("✓ " if ln.ok else "✗ ", style="green" if ln.ok else "bold red")
            text.append(ln.scan.replace(GS, GS_SHOWN)[:28], style="" if ln.ok else "red")
            text.append("  ")
            text.append(ln.message, style="dim" if ln.ok else "red")
        if not self.lines:
            text.append("no scans yet", style="dim")
        self.update(text)


class OrderBanner(FixedStatic):
    """The order in hand: name, channel, ship-by and the buyer, as plain text."""

    DEFAULT_CSS = "OrderBanner { height: 1; }"

    def show(self, head, now: datetime, tz) -> None:
        if head is None:
            self.update("")
            return
        text = SafeText(no_wrap=True, overflow="ellipsis")
        text.append(head.display_name, style="bold")
        text.append(f"  {head.channel}  ", style="dim")
        text.append(f"by {ship_by(head.ship_by, now, tz)}")
        note = late_note(head.ship_by, now) if head.status not in ("shipped", "cancelled") else ""
        if note:
            text.append(f" {note}", style="bold red" if note == "LATE" else "yellow")
        if head.tote:
            text.append(f"  {head.tote}", style="cyan")
        text.append("  ")
        text.append(head.ship_name)  # from the marketplace: appended as data, never markup
        if head.city or head.country:
            text.append(f", {head.city} {head.country}".rstrip(), style="dim")
        self.update(text)


class LinesView(FixedStatic):
    """The order's lines and their progress for this step."""

    _last: tuple | None = None

    def on_resize(self, _event: events.Resize) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(self, view, mode: str, current_sku: str | None = None) -> None:
        self._last = (view, mode, current_sku)
        text = SafeText(no_wrap=True, overflow="ellipsis")
        if view is None:
            self.update(text)
            return
        narrow = self.size.width and self.size.width < 50
        if mode == "label":
            for i, p in enumerate(view.parcels):
                if i:
                    text.append("\n")
                mark = "✓" if p.status == "verified" else "→" if p.tracking_number else "·"
                text.append(f"{mark} parcel {p.seq}  ", style="green" if mark == "✓" else "bold")
                text.append(p.tracking_number or "no label yet")
                text.append(f"  {p.status}", style="dim")
                if p.box and not narrow:
                    text.append(f"  {p.box}", style="dim")
            if not view.parcels:
                text.append("no parcels", style="dim")
            self.update(text)
            return
        first_open = True
        for i, ln in enumerate(view.lines):
            if i:
                text.append("\n")
            if mode == "pick":
                done, of = ln.picked + ln.short, ln.quantity
                progress = f"{ln.picked}/{ln.quantity}" + (f" short {ln.short}" if ln.short else "")
            elif mode == "pack":
                done, of = ln.packed, ln.picked
                progress = f"{ln.packed}/{ln.picked}"
            else:
                done, of = ln.returned, ln.packed or ln.picked
                progress = f"{ln.returned} back of {of}"
            finished = done >= of
            current = not finished and (ln.sku == current_sku if current_sku else first_open)
            if current:
                first_open = False
            mark = "✓" if finished else "→" if current else "·"
            style = "green" if finished else "bold" if current else ""
            text.append(f"{mark} ", style=style)
            if mode == "pick":
                text.append(f"{(ln.bins or '-'):<9} ", style=style)
            text.append(f"{ln.sku:<12} ", style=style)
            text.append(f"{progress:<7}", style=style)
            if not narrow:
                text.append("  ")
                text.append(ln.title, style="dim")
        self.update(text)


class QueueView(DataTable):
    """One page of a step's queue (earliest ship-by first), paged from the database."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        self.show_header = True

    def show(self, rows, now: datetime, tz, *, narrow: bool, late: bool = True) -> None:
        """``late``: mark orders past their ship-by (not in the returns queue: they shipped)."""
        self.clear(columns=True)
        if narrow:
            self.add_column("order", width=14)
            self.add_column("by", width=6)
            self.add_column("qty", width=3)
            self.add_column("buyer", width=max(6, self.app.size.width - 38))
        else:
            # widths set here, not measured by the table: the same page always looks the same
            order_w = min(22, max([5] + [len(r.display_name) for r in rows]))
            rest = max(10, self.app.size.width - 6 - order_w - 8 - 17 - 8 - 10 - 12)
            for label, width in (("order", order_w), ("channel", 8), ("ship by", 17), ("units", 8),
                                 ("buyer", rest), ("", 10)):
                self.add_column(label, width=width)
        for r in rows:
            note = late_note(r.ship_by, now) if late else ""
            if r.station:
                note = f"at {r.station}"
            note_style = "bold red" if note == "LATE" else "yellow" if note.startswith("due") else "dim"
            name = plain(r.display_name, "bold")
            if narrow:
                by = plain(ship_by(r.ship_by, now, tz, short=True), "bold red" if note == "LATE" else "")
                self.add_row(name, by, plain(r.units), plain(r.ship_name), key=str(r.id))
            else:
                self.add_row(name, plain(r.channel, "dim"), plain(ship_by(r.ship_by, now, tz)),
                             plain(units(r.units)), plain(r.ship_name), plain(note, note_style), key=str(r.id))


class ScanField(Input):
    """Where a code is typed by hand (a damaged barcode) and Enter sends it as a scan.

    A stock Input drops GS (0x1D, the GS1 field separator, key ``ctrl+right_square_bracket``);
    this one keeps it, shown as ␝, and sends it as 0x1D.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("placeholder", "scan, or type a code and Enter")
        super().__init__(**kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "ctrl+right_square_bracket" or event.character == GS:
            event.stop()
            event.prevent_default()
            self.insert_text_at_cursor(GS_SHOWN)
            return
        await super()._on_key(event)

    @property
    def code(self) -> str:
        return self.value.replace(GS_SHOWN, GS)

    def type_text(self, text: str) -> None:
        """Keys given back by the wedge detector, typed at once, in the order they came
        (not queued behind other messages, where a later Enter could overtake them)."""
        shown = text.replace(GS, GS_SHOWN)
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(shown)
        else:
            self.replace(shown, *selection)

    def send(self) -> None:
        """Enter: what the field holds goes out as a scan now, before any key after it."""
        code = self.code.strip()
        self.value = ""
        if code:
            from warehouse_tui.ui.messages import ScanReceived

            self.app.post_message(ScanReceived("typed", code))

    async def action_submit(self) -> None:
        self.send()
