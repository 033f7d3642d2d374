"""The four flow screens (pick, pack, label, returns): thin views over a station session.

A screen shows what its session expects (``Feedback``), the order in hand with its lines,
the last scans, and the queue of orders waiting for the step. What a scan does is decided by
the session alone: the screen hands it over (in a thread) and shows the answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from warehouse_tui.ui.format import SafeText
from warehouse_tui.ui.messages import DatabaseChanged, QueueLoaded
from warehouse_tui.workflow.queues import exact, shown_count
from warehouse_tui.workflow.views import OrderView, late_in_step, order_id_by_ref, order_view
from warehouse_tui.ui.widgets import (FixedStatic, Instruction, KeyBar, LastScans, LinesView, OrderBanner, QueueView, ScanField,
                                      ScanLine, StatusBar)

PAGE = 20


@dataclass
class Answered(Message):
    """The session's answer to a scan (or its prompt), with the order in hand read after it."""

    feedback: object
    view: OrderView | None
    scanned: bool


def _answer(app, mode: str, data: str | None):
    """In a thread: the session handles the scan; then the order in hand is read."""
    session = app.session(mode)
    with app.answer_lock:  # a session answers one thing at a time (its state is shared)
        fb = session.handle(data) if data is not None else session.prompt()
        oid = session.current_order_id()
    with app.db.session() as s:
        if oid is None and fb.order:
            oid = order_id_by_ref(s, fb.order)
        view = order_view(s, oid) if oid else None
    return fb, view


def _reason(fb) -> str:
    """A refusal's message is "reason; instruction": the reason is what the operator reads first."""
    if fb.instruction and fb.message.endswith("; " + fb.instruction):
        return fb.message[: -len(fb.instruction) - 2]
    return fb.message


class FlowScreen(Screen):
    mode = ""
    screen_title = ""
    queue_title = ""
    hints = ""

    BINDINGS = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Prev page", show=False),
        Binding("escape", "focus_scan", "Scan field", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0
        # where each page starts, by queue key: paging stays as fast deep in a long queue
        self.page_keys: list[tuple | None] = [None]
        self.last_rows: list = []
        self.total = 0
        self.feedback = None
        self.view: OrderView | None = None
        # the reason of the last scan refused: on screen until the next scan is answered
        self.refusal: str | None = None
        # what the last scan finished (picked into a tote, packed, shipped): the same
        self.result: str | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar(self.screen_title)
        yield Instruction(id="instruction")
        yield OrderBanner(id="banner")
        with Horizontal(id="work"):
            yield LinesView(id="lines")
            yield LastScans(id="scans")
        with Vertical(id="queue-box"):
            yield FixedStatic(id="queue-title")
            yield QueueView(id="queue")
        yield Static(SafeText(self.hints, style="dim"), id="hints")
        yield ScanField(id="scan-field")
        yield Footer()
        yield KeyBar()

    def on_mount(self) -> None:
        field = self.query_one(ScanField)
        field.cursor_blink = self.app.blink
        field.focus()
        self.query_one("#lines").border_title = "Parcels" if self.mode == "label" else "Lines"
        self.query_one("#scans").border_title = "Last scans"
        self.query_one(Instruction).show("…")
        self._prompt()
        self._load_queue()

    def on_screen_resume(self) -> None:
        self.query_one(ScanField).focus()
        if self.feedback is not None:
            self._prompt()
            self._load_queue()

    def action_focus_scan(self) -> None:
        self.query_one(ScanField).focus()

    # -- scans ----------------------------------------------------------------------------

    async def handle_scan(self, source: str, data: str) -> None:
        before = self.feedback
        fb, view = await asyncio.to_thread(_answer, self.app, self.mode, data)
        self._show(fb, view, scanned=True)
        # this station changes its queue only when an order comes into its hands or leaves them
        # (or its status moves); a bin or unit scan leaves the queue as it was, and what other
        # stations change arrives as DatabaseChanged
        if before is None or (before.order, before.status, before.expect == "order") != (
                fb.order, fb.status, fb.expect == "order"):
            self._load_queue()

    @work(thread=True, group="prompt", exclusive=True)
    def _prompt(self) -> None:
        fb, view = _answer(self.app, self.mode, None)
        self.post_message(Answered(fb, view, scanned=False))

    def on_answered(self, message: Answered) -> None:
        self._show(message.feedback, message.view, scanned=message.scanned)

    def _show(self, fb, view: OrderView | None, *, scanned: bool) -> None:
        self.feedback, self.view = fb, view
        app = self.app
        if scanned:
            self.query_one(LastScans).add(ScanLine(app.now(), fb.ok, fb.scan, fb.message if fb.ok else _reason(fb)))
            if self.mode == "label":
                if fb.tracking_number or fb.tracking_numbers or fb.message.startswith("reprinted"):
                    app.set_printer_state("ok")
                elif not fb.ok and "print" in fb.message.lower():
                    app.set_printer_state("failed", _reason(fb))
        instruction = self.query_one(Instruction)
        if scanned:
            self.refusal = None if fb.ok else _reason(fb)
            self.result = fb.result if fb.ok else None
        self._show_instruction()
        if scanned and not fb.ok:
            app.bell()
        elif scanned:
            instruction.add_class("-ok")
            self.set_timer(0.6, lambda: instruction.remove_class("-ok"))
        in_hand = view is not None and fb.expect != "order"
        self.set_class(in_hand, "-in-hand")
        self.query_one(OrderBanner).show(view.head if in_hand else None, app.now(), app.tz)
        self.query_one(LinesView).show(view if in_hand else None, self.mode, fb.sku)

    def _show_instruction(self) -> None:
        fb = self.feedback
        if fb is None:
            return
        if self.refusal is not None:
            self.query_one(Instruction).show(self.refusal, "then: " + fb.instruction, refused=True)
        elif self.result is not None:
            self.query_one(Instruction).show(self.result, "next: " + fb.instruction, done=True)
        else:
            self.query_one(Instruction).show(fb.instruction, self.detail(fb))

    def detail(self, fb) -> str:
        """The fields of what to scan next, beside the instruction."""
        parts = []
        if fb.bin and fb.expect in ("bin", "item"):
            parts.append(f"BIN {fb.bin}")
        if fb.sku and fb.expect in ("bin", "item", "condition"):
            qty = f"{fb.quantity} x " if fb.quantity else ""
            parts.append(f"TAKE {qty}{fb.sku}" if self.mode == "pick" else f"{qty}{fb.sku}")
            if fb.title:
                parts.append(fb.title)
        if fb.tote and self.mode == "pick" and fb.expect in ("item", "tote"):
            parts.append(f"TOTE {fb.tote}")
        return "   ".join(parts)

    # -- the queue ------------------------------------------------------------------------

    def action_page(self, step: int) -> None:
        index = self.page_offset // PAGE
        if step > 0:
            if not self.last_rows or len(self.last_rows) < PAGE or (
                    self.page_offset + PAGE >= self.total and exact(self.total)):
                return
            from warehouse_tui.workflow.queues import queue_key

            del self.page_keys[index + 1:]
            self.page_keys.append(queue_key(self.last_rows[-1]))
            index += 1
        elif index == 0:
            return
        else:
            index -= 1
        self.page_offset = index * PAGE
        self._load_queue()

    @work(thread=True, group="queue", exclusive=True)
    def _load_queue(self) -> None:
        from warehouse_tui.workflow.queues import queue_length, queue_page

        index = min(self.page_offset // PAGE, len(self.page_keys) - 1)
        with self.app.db.session() as s:
            total = queue_length(s, self.mode)
            rows = queue_page(s, self.mode, after=self.page_keys[index], limit=PAGE) if index else \
                queue_page(s, self.mode, limit=PAGE)
            if not rows and index:  # the orders of this page were taken: back to the start
                index, rows = 0, queue_page(s, self.mode, limit=PAGE)
            late = late_in_step(s, self.mode, self.app.now())
        self.post_message(QueueLoaded(self.mode, index * PAGE, rows, total, late))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        self.page_offset, self.total = message.offset, message.total
        self.last_rows = message.rows
        table = self.query_one(QueueView)
        narrow = self.app.size.width < 60
        table.show(message.rows, self.app.now(), self.app.tz, narrow=narrow, late=self.mode != "returns")
        pages = max(1, (message.total + PAGE - 1) // PAGE)
        title = SafeText(no_wrap=True, overflow="ellipsis")
        title.append(f"{self.queue_title}: {shown_count(message.total)}", style="bold")
        if message.late:
            title.append(f"  {shown_count(message.late)} late", style="bold red")
        if pages > 1:
            of = f" of {pages}" if exact(message.total) else ""
            title.append(f"  page {message.offset // PAGE + 1}{of}", style="dim")
            if not narrow:
                title.append("  PgUp/PgDn", style="dim")
        self.query_one("#queue-title", FixedStatic).update(title)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a queue row is the same as scanning that order's barcode."""
        if event.row_key.value:
            from warehouse_tui.ui.messages import ScanReceived

            self.app.post_message(ScanReceived("typed", f"ORD-{event.row_key.value}"))
            self.query_one(ScanField).focus()

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        self._load_queue()
        if self.view is not None:
            self._reload_view(self.view.head.id)

    @work(thread=True, group="view", exclusive=True)
    def _reload_view(self, order_id: int) -> None:
        with self.app.db.session() as s:
            view = order_view(s, order_id)
        self.post_message(ViewReloaded(order_id, view))

    def on_view_reloaded(self, message: "ViewReloaded") -> None:
        if self.view is not None and self.view.head.id == message.order_id and self.feedback is not None:
            self.view = message.view
            in_hand = message.view is not None and self.feedback.expect != "order"
            self.query_one(LinesView).show(message.view if in_hand else None, self.mode, self.feedback.sku)


@dataclass
class ViewReloaded(Message):
    order_id: int
    view: OrderView | None


class PickScreen(FlowScreen):
    mode = "pick"
    screen_title = "PICK"
    queue_title = "Waiting to pick"
    hints = "%NEXT next order · %BATCH batch · %SHORT short pick · %CANCEL release · Tab queue"


class PackScreen(FlowScreen):
    mode = "pack"
    screen_title = "PACK"
    queue_title = "Waiting to pack"
    hints = "scan a tote or order · a BOX-… or %DONE for the suggested box · %CANCEL release"


class LabelScreen(FlowScreen):
    mode = "label"
    screen_title = "LABEL"
    queue_title = "Waiting for labels"
    hints = "scan a packed order · then each printed label · %REPRINT print again · %CANCEL"


class ReturnsScreen(FlowScreen):
    mode = "returns"
    screen_title = "RETURNS"
    queue_title = "Shipped (returns open on these)"
    hints = "scan the order or tracking number · each unit · %RESTOCK %QUARANTINE %DISPOSE · %DONE"
