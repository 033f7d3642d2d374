"""The first screen: drawn at once, while the database opens behind it.

The database layer, the migrations and the documents are the slow imports of a start; the
console shows this screen first and opens them in a thread. Scans that arrive meanwhile wait
in the console's queue and are answered, in order, once the database is open.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from warehouse_tui.ui.widgets import Instruction, KeyBar


class StartScreen(Screen):
    modal_scan = True  # screen codes wait until the database is open

    def compose(self) -> ComposeResult:
        # not the status bar: it would ask for a badge before a badge can be checked
        yield Static(Text.assemble((" STARTING ", "bold reverse"), "  station ", self.app.settings.station or ""),
                     id="start-status")
        yield Instruction(id="instruction")
        yield Static(Text(f"opening {self.app.settings.db or 'the database'}", style="dim"), id="start-help")
        yield Footer()
        yield KeyBar("^q quit")

    def on_mount(self) -> None:
        self.query_one(Instruction).show("opening the database", "scans wait until it is open")
