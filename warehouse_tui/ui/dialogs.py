"""Small dialogs: a line of text (a note, a hold reason), a supervisor's badge, a PIN."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from warehouse_tui.ui.format import SafeText


class _OneLineDialog(ModalScreen[str | None]):
    """A prompt, one field and a hint; Escape cancels (None). Scans come to the dialog."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    modal_scan = True
    HINT = ""
    PROMPT_ID = "dialog-prompt"

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def field(self) -> Input:
        return Input(id="dialog-input")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(SafeText(self.prompt, style="bold"), id=self.PROMPT_ID)
            yield self.field()
            yield Static(SafeText(self.HINT, style="dim"))

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = self.app.blink
        field.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(_OneLineDialog):
    """Ask for one line of text; Enter keeps it, Escape cancels. A scan is typed into it."""

    HINT = "Enter to save · Esc to cancel"

    def __init__(self, prompt: str, placeholder: str = "") -> None:
        super().__init__(prompt)
        self.placeholder = placeholder

    def field(self) -> Input:
        return Input(placeholder=self.placeholder, id="dialog-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    async def handle_scan(self, source: str, data: str) -> None:
        self.query_one(Input).insert_text_at_cursor(data)


class BadgeDialog(_OneLineDialog):
    """Ask for a badge scan (OP-...): a supervisor's, to release an order."""

    HINT = "scan the badge · Esc to cancel"
    PROMPT_ID = "badge-prompt"

    def field(self) -> Input:
        return Input(placeholder="OP-...", id="dialog-input")

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


class PinDialog(_OneLineDialog):
    """Ask for a PIN: typed into a password field, never shown, never logged."""

    HINT = "type the PIN, Enter · Esc to cancel"
    PROMPT_ID = "pin-prompt"

    def field(self) -> Input:
        return Input(placeholder="PIN", password=True, restrict=r"[0-9]*", max_length=12, id="dialog-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    async def handle_scan(self, source: str, data: str) -> None:
        # keys typed quickly arrive as one burst; only digits belong in a PIN
        self.query_one(Input).insert_text_at_cursor("".join(ch for ch in data if ch.isdigit()))
