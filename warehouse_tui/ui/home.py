"""Home: the queues, what is late or due today, what needs attention, today's work, the devices."""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from warehouse_tui.text import safe
from warehouse_tui.ui.format import SafeText, sparkline
from warehouse_tui.ui.messages import DatabaseChanged, HomeLoaded
from warehouse_tui.sync.status import channel_status
from warehouse_tui.workflow.queues import shown_count
from warehouse_tui.workflow.views import HomeData, home_data
from warehouse_tui.ui.widgets import KeyBar, StatusBar

QUEUE_ORDER = ["new", "ready", "picking", "picked", "packing", "packed", "labeled", "shipped",
               "backordered", "short", "on_hold", "cancelled"]


class HomeScreen(Screen):
    def compose(self) -> ComposeResult:
        yield StatusBar("WAREHOUSE")
        with Horizontal(id="home-body"):
            with Vertical(id="home-left"):
                yield Static(id="queues", classes="panel")
                yield Static(id="devices", classes="panel")
            with Vertical(id="home-right"):
                yield Static(id="today", classes="panel")
                yield Static(id="attention", classes="panel")
        yield Footer()
        yield KeyBar()

    def on_mount(self) -> None:
        for wid, title in (("queues", "Queues"), ("today", "Today"), ("attention", "Needs attention"),
                           ("devices", "Devices")):
            self.query_one(f"#{wid}").border_title = title
        self.watch(self.app, "status_version", lambda _v: self._devices(), init=True)
        self._load()

    def on_screen_resume(self) -> None:
        self._load()

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        self._load()

    _reading = False  # a read of the figures is under way
    _again = False  # the warehouse changed while it was: read once more when it ends

    def _load(self) -> None:
        """Read the figures again, one read at a time: changes that come while a read is under
        way (a busy warehouse commits many times a second) make one more read after it, not a
        pile of reads each counting a day of scans."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        self._read()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "home" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                             WorkerState.CANCELLED):
            self._reading = False
            if self._again:
                self._again = False
                self._load()

    @work(thread=True, group="home")
    def _read(self) -> None:
        app = self.app
        with app.db.session() as s:
            data = home_data(s, app.now(), station=app.settings.station, operator=app.operator)
            data.channels = channel_status(s, app.settings)
        self.post_message(HomeLoaded(data))

    async def handle_scan(self, source: str, data: str) -> None:
        """On home a badge logs another operator in; any other scan is looked up."""
        if data.strip().upper().startswith("OP-") and len(data.strip()) > 3:
            from warehouse_tui.workflow.reprint import operator_known

            name = data.strip()[3:]
            if not await asyncio.to_thread(operator_known, self.app.db, name):
                self.app.bell()
                self.notify(safe(f"unknown badge {data.strip()[:40]}"), severity="error", markup=False)
                return
            await asyncio.to_thread(self.app.log_in, name)
            self.app.status_version += 1
            self._load()
            return
        await self.app.show("lookup")
        await self.app.screen.handle_scan(source, data)

    def on_home_loaded(self, message: HomeLoaded) -> None:
        d: HomeData = message.data
        narrow = self.app.size.width < 60
        q = SafeText(no_wrap=True, overflow="ellipsis")
        shown = [st for st in QUEUE_ORDER if d.counts.get(st)]
        for i, st in enumerate(shown):
            if i:
                q.append("  " if narrow and i % 2 else "\n")
            style = "bold red" if st in ("short", "on_hold") else "bold" if st in ("ready", "picked", "packed") else ""
            q.append(f"{st.replace('_', ' '):<12}", style=style)
            q.append(f"{shown_count(d.counts[st]):>5}", style=style)
        q.append("\n")
        q.append(f"{'late':<12}{shown_count(d.late):>5}", style="bold red" if d.late else "dim")
        q.append("  " if narrow else "\n")
        q.append(f"{'due today':<12}{shown_count(d.due_today):>5}", style="yellow" if d.due_today else "dim")
        self.query_one("#queues", Static).update(q)

        t = SafeText(no_wrap=True, overflow="ellipsis")
        for label, today in ((self.app.operator or "-", d.operator), (self.app.settings.station, d.station)):
            if t:
                t.append("\n")
            hours = max(1, len(today.per_hour))
            t.append(f"{label[:10]:<10} ", style="bold")
            t.append(f"{today.units} units  {today.orders} orders")
            if not narrow:
                t.append(f"  {today.units / hours:.0f}/h  ")
                t.append(sparkline(today.per_hour[-12:]), style="green")
            t.append(f"  {today.errors} ✗", style="bold red" if today.errors else "dim")
        self.query_one("#today", Static).update(t)

        a = SafeText(no_wrap=True, overflow="ellipsis")
        for c in d.channels:  # first: a marketplace that stopped syncing matters to all
            self._channel(a, c)
            a.append("\n")
        for i, e in enumerate(d.exceptions):
            if i:
                a.append("\n")
            kind = "short" if e.status == "short" else "hold"
            a.append(f"{kind:<6}", style="bold red")
            a.append(f"{e.display_name:<14} ", style="bold")
            a.append(e.reason, style="dim")  # a hold reason may come from an import: plain text
        more = d.exceptions_total - len(d.exceptions)
        if more > 0:
            a.append(f"\n… {shown_count(d.exceptions_total, len(d.exceptions))} more (F6 lookup)", style="dim")
        if d.unconfirmed:
            total = sum(d.unconfirmed.values())
            per = ", ".join(f"{ch} {n}" for ch, n in sorted(d.unconfirmed.items()))
            a.append(("\n" if a else "") + f"unconfirmed {total} parcels ({per})", style="yellow")
        if not a:
            a.append("nothing", style="dim")
        self.query_one("#attention", Static).update(a)

    def _channel(self, a: SafeText, c) -> None:
        """One line a channel: when it last synced, what it brought, or its error (its words are
        the marketplace's: plain text, never markup)."""
        a.append(f"{c.channel:<8}", style="bold")
        if c.last_attempt_at is None:
            a.append("not synced yet", style="dim")
            return
        at = c.last_attempt_at.astimezone(self.app.tz) if c.last_attempt_at.tzinfo else c.last_attempt_at
        now = self.app.now().astimezone(self.app.tz)
        a.append(at.strftime("%H:%M" if at.date() == now.date() else "%m-%d %H:%M") + " ")
        if c.error and (c.last_success_at is None or c.last_success_at < c.last_attempt_at):
            a.append("✗ " + c.error, style="bold red")
            return
        a.append(f"+{c.new} ~{c.updated} -{c.cancelled} ", style="dim" if not (c.new or c.updated) else "")
        a.append(f"{c.confirmed} sent", style="green" if c.confirmed else "dim")
        if c.failed:
            a.append(f" {c.failed} failed", style="bold red")
            if c.error:
                a.append(f": {c.error}", style="dim")

    def _devices(self) -> None:
        app = self.app
        t = SafeText(no_wrap=True, overflow="ellipsis")
        for i, (name, (state, why)) in enumerate(app.scanners.items()):
            if i:
                t.append("\n")
            t.append("● ", style="green" if state == "connected" else "bold red")
            t.append(f"{name} {state}")
            if why and state != "connected":
                t.append(f": {why}", style="dim")
        if not app.scanners:
            t.append("no scanner configured", style="yellow")
        pstate, why = app.printer_state
        t.append("\n")
        if app.printer is None:
            t.append("● printer not configured", style="dim")
        else:
            t.append("● ", style={"ok": "green", "failed": "bold red"}.get(pstate, "dim"))
            t.append(f"printer {app.settings.printer.split(':', 1)[0]} {pstate}")
            if why:
                t.append(f": {why}", style="dim")
        if app.scale is not None:
            t.append("\n● ", style="dim")
            t.append("scale configured")
        self.query_one("#devices", Static).update(t)
