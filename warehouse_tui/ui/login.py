"""Log-in: the console asks for a badge scan (OP-<name>) unless --operator was given."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from warehouse_tui.scanning.grammar import Kind, ScanRefused, parse_scan
from warehouse_tui.ui.widgets import KeyBar, Instruction, ScanField, StatusBar


class LoginScreen(Screen):
    modal_scan = True  # screen codes wait until someone is logged in

    def compose(self) -> ComposeResult:
        yield StatusBar("LOG IN")
        yield Instruction(id="instruction")
        yield Static(Text("Scan the badge on your command sheet (OP-<name>), or type it and press Enter.",
                          style="dim"), id="login-help")
        yield ScanField(id="scan-field", placeholder="OP-...")
        yield Footer()
        yield KeyBar("scan OP-... ^q quit")

    def on_mount(self) -> None:
        self.query_one(Instruction).show("scan your badge")
        field = self.query_one(ScanField)
        field.cursor_blink = self.app.blink
        field.focus()

    async def handle_scan(self, source: str, data: str) -> None:
        try:
            parsed = parse_scan(data)
        except ScanRefused as exc:
            parsed, reason = None, exc.message
        else:
            reason = f"{parsed.text[:40]} is not a badge"
        if parsed is not None and parsed.kind is Kind.BADGE:
            from warehouse_tui.workflow.reprint import operator_known

            if not await asyncio.to_thread(operator_known, self.app.db, parsed.value):
                parsed, reason = None, f"unknown badge {data.strip()[:40]}"
        if parsed is None or parsed.kind is not Kind.BADGE:
            self.app.bell()
            self.query_one(Instruction).show(reason, "then: scan your badge (OP-...)", refused=True)
            return
        await asyncio.to_thread(self.app.log_in, parsed.value)
        self.app.status_version += 1
        self.dismiss()
