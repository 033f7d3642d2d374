"""Small dialogs: a line of text (a note, a hold reason) and a supervisor's badge."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from warehouse_tui.ui.format import SafeText


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text; Enter keeps it, Escape cancels. A scan is typed into it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    modal_scan = True

    def __init__(self, prompt: str, placeholder: str = "") -> None:
        super().__init__()
        self.prompt, self.placeholder = prompt, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(SafeText(self.prompt, style="bold"))
            yield Input(placeholder=self.placeholder, id="dialog-input")
            yield Static(SafeText("Enter to save · Esc to cancel", style="dim"))

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = self.app.blink
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def handle_scan(self, source: str, data: str) -> None:
        self.query_one(Input).insert_text_at_cursor(data)


class BadgeDialog(ModalScreen[str | None]):
    """Ask for a badge scan (OP-...): a supervisor's, to release an order."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    modal_scan = True

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(SafeText(self.prompt, style="bold"), id="badge-prompt")
            yield Input(placeholder="OP-...", id="dialog-input")
            yield Static(SafeText("scan the badge · Esc to cancel", style="dim"))

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = self.app.blink
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._take(event.value)

    async def handle_scan(self, source: str, data: str) -> None:
        self._take(data)

    def _take(self, data: str) -> None:
        text = data.strip()
        if text.upper().startswith("OP-") and len(text) > 3:
            self.dismiss(text[3:])
        else:
            self.app.bell()
            self.query_one("#badge-prompt", Static).update(SafeText(f"{text[:40]} is not a badge: scan OP-...",
                                                                style="bold red"))
            self.query_one(Input).value = ""

    def action_cancel(self) -> None:
        self.dismiss(None)
