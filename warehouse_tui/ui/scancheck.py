"""The scanner check (F11, ``%SCANCHECK``): scan the test sheet's codes, see what is wrong.

A thin view over ``warehouse_tui.scanning.check``. While this screen is up the app hands it
every key before the wedge detector (``take_key``), with the key's own timestamp, so what a
scanner does wrong (a slow key, no Enter) is seen as it happened rather than filtered out.
Keys that are not characters (F1..F11, Escape) go on to the bindings. A serial scanner's
scans arrive whole through ``handle_scan`` and are checked without timing.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from warehouse_tui.scanning.check import SHEET, Capture, CheckResult, Recorder, diagnose, shown
from warehouse_tui.ui.widgets import Instruction, KeyBar, StatusBar


class ScanCheckScreen(Screen):
    DEFAULT_CSS = """
    ScanCheckScreen #check-sheet { height: auto; }
    ScanCheckScreen #check-result { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "restart", "Start again")]

    def __init__(self) -> None:
        super().__init__()
        self.results: dict[str, CheckResult] = {}
        self.last: CheckResult | None = None
        self.recorder: Recorder | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar("SCANNER CHECK")
        yield Instruction(id="instruction")
        yield Static(id="check-sheet", classes="panel")
        yield Static(id="check-result", classes="panel")
        yield Footer()
        yield KeyBar("esc again F1 F11 ^q")

    def on_mount(self) -> None:
        self.query_one("#check-sheet").border_title = "Test sheet"
        self.query_one("#check-result").border_title = "Last scan"
        self.query_one("#check-result").styles.text_wrap = "wrap"  # a cure is read whole
        self._new_recorder()
        self._show()

    def on_screen_resume(self) -> None:
        self._new_recorder()  # the settings may have changed since

    def _new_recorder(self) -> None:
        st = self.app.settings
        self.recorder = Recorder(wedge_gap_ms=st.wedge_gap_ms, suffix=st.scanner_suffix or None,
                                 prefix=st.scanner_prefix or None)

    def action_restart(self) -> None:
        self.results.clear()
        self.last = None
        self._show()

    # -- keys, from the app before the wedge detector --------------------------------------

    def take_key(self, event: events.Key) -> bool:
        """Keep a key of a scan (True), or leave it to the bindings (False)."""
        if self.recorder is None:
            return False
        consumed, capture = self.recorder.feed(event.key, event.character, event.time)
        if capture is not None:
            self._finish(capture)
        self._arm()
        return consumed

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        deadline = self.recorder.deadline if self.recorder else None
        if deadline is not None:
            self._timer = self.set_timer(max(0.001, deadline - self.app.clock()), self._flush)

    def _flush(self) -> None:
        self._timer = None
        capture = self.recorder.flush(self.app.clock())
        if capture is not None:
            self._finish(capture)
        self._arm()

    def _finish(self, capture: Capture) -> None:
        from warehouse_tui.ui.app import screen_code
        from warehouse_tui.ui.messages import ScanReceived

        if capture.ended_by != "silence" and screen_code(capture.text):
            self.app.post_message(ScanReceived("keyboard", capture.text))  # %HOME and the like
            return
        st = self.app.settings
        self.check(diagnose(capture, wedge_gap_ms=st.wedge_gap_ms, suffix=st.scanner_suffix or None,
                            prefix=st.scanner_prefix or None))

    async def handle_scan(self, source: str, data: str) -> None:
        """A serial scanner's scan, or one typed: checked without timing."""
        self.check(diagnose(Capture.serial(data, source)))

    # -- the verdict ----------------------------------------------------------------------

    def check(self, result: CheckResult) -> None:
        self.last = result
        if result.code is not None:
            self.results[result.code.key] = result
        if not result.ok:
            self.app.bell()
        self._show()

    def _next(self):
        return next((c for c in SHEET if c.key not in self.results or not self.results[c.key].ok), None)

    def _show(self) -> None:
        instruction = self.query_one(Instruction)
        r = self.last
        nxt = self._next()
        position = f"{SHEET.index(nxt) + 1} of {len(SHEET)}: {nxt.name}" if nxt else ""
        if r is None:
            instruction.show(f"scan code {position}", "from the scanner test sheet")
        elif not r.ok:
            first = r.faults[0]
            what = f"{r.code.name}: {first.what}" if r.code else first.what
            instruction.show(f"✗ {what}", f"cure: {first.cure}", refused=True)
        elif nxt is None:
            instruction.show("✓ this scanner is set up right", "every code of the sheet arrived as printed")
        else:
            instruction.show(f"✓ {r.code.name} good: now scan code {position}")
        instruction.set_class(r is not None and r.ok, "-ok")
        self.query_one("#check-sheet", Static).update(self._sheet_text())
        self.query_one("#check-result", Static).update(self._result_text())

    def _sheet_text(self) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        for i, code in enumerate(SHEET, 1):
            if i > 1:
                t.append("\n")
            r = self.results.get(code.key)
            if r is None:
                t.append(f"· {i} {code.name:<15}", style="dim")
                t.append("not scanned yet", style="dim")
            elif r.ok:
                t.append(f"✓ {i} {code.name:<15}", style="green")
                t.append("good", style="green")
            else:
                t.append(f"✗ {i} {code.name:<15}", style="bold red")
                t.append(", ".join(f.kind for f in r.faults), style="red")
        return t

    def _result_text(self) -> Text:
        t = Text()
        r = self.last
        if r is None:
            t.append("The sheet: warehouse-tui print scanner-test. For each code scanned: what arrived "
                     "against what the sheet holds, and what to change.", style="dim")
            return t
        t.append("sheet    ", style="dim")
        t.append(shown(r.expected) if r.expected is not None else "(not a code of the sheet)")
        t.append("\narrived  ", style="dim")
        t.append(shown(r.received) or "(nothing)", style="" if r.ok else "bold")
        if r.max_gap_ms is not None:
            st = self.app.settings
            t.append("\nkeys     ", style="dim")
            t.append(f"up to {r.max_gap_ms:.0f} ms apart (wedge_gap_ms {st.wedge_gap_ms:g})")
        for f in r.faults:
            t.append("\n✗ ", style="bold red")
            t.append(f.what, style="red")
            t.append("\n  cure: ", style="dim")
            t.append(f.cure)
        for note in r.notes:
            t.append(f"\n· {note}", style="dim")
        if r.ok:
            t.append("\n✓ as printed", style="green")
        return t
