"""Lookup: find an order by id, name, buyer, SKU, barcode or tracking number; see all of it.

Results come as you type (``workflow.search`` in a thread worker: exclusive, the newest query
wins, typing never waits on it). Down moves from the search field into the results, Enter opens
an order, Escape goes back to the list. An order's detail shows its lines, parcels, returns and
the timeline of its events; from there the operator adds a note, prints its documents again, and
holds it, and releases or cancels it (a release, or a cancellation once picking has begun,
needs a supervisor's badge and PIN).

Layout: side by side on a wide terminal; at 80 columns the results over the detail; at 40 the
results, or the detail of the order opened, one at a time.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets.input import Selection

from warehouse_tui.errors import Refusal
from warehouse_tui.workflow import overrides, reprint as actions
from warehouse_tui.ui.dialogs import BadgeDialog, PinDialog, TextDialog
from warehouse_tui.text import safe
from warehouse_tui.ui.format import SafeText, aware, plain, ship_by
from warehouse_tui.ui.messages import ActionDone, DatabaseChanged, DetailLoaded, SearchResults
from warehouse_tui.ui.widgets import KeyBar, GS, GS_SHOWN, StatusBar

RESULTS = 50
STATUS_W = 11  # "backordered"


def _search(db, query: str):
    from warehouse_tui.workflow.search import find

    with db.session() as s:
        return find(s, query, RESULTS)


def _detail(db, order_id: int) -> dict | None:
    from warehouse_tui.domain.models import Order
    from warehouse_tui.workflow.lookup import order_detail

    with db.session() as s:
        o = s.get(Order, order_id)
        return order_detail(s, o) if o else None


_STATUS_STYLE = {"short": "red", "on_hold": "red", "backordered": "yellow", "cancelled": "dim",
                 "shipped": "green"}


class LookupScreen(Screen):
    BINDINGS = [
        Binding("f7", "note", "Note"),
        Binding("f8", "reprint", "Reprint"),
        Binding("f9", "hold", "Hold"),
        Binding("f10", "release", "Release"),
        Binding("f12", "cancel_order", "Cancel order"),
        Binding("escape", "back", "Back", show=False),
        Binding("down", "results", "Results", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order_id: int | None = None
        self.detail: dict | None = None
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield StatusBar("LOOKUP")
        yield Input(placeholder="order, buyer, SKU, barcode or tracking number", id="search")
        with Horizontal(id="lookup-body"):
            yield DataTable(id="results", cursor_type="row")
            with VerticalScroll(id="detail-box"):
                yield Static(id="detail")
        yield Footer()
        yield KeyBar("F6 F7note F8print F9hold F10rel ^q")

    def on_mount(self) -> None:
        field = self.query_one("#search", Input)
        field.cursor_blink = self.app.blink
        field.focus()
        self.query_one("#results").border_title = "Orders"
        self.query_one("#detail-box").border_title = "Detail"
        self.query_one("#detail", Static).update(SafeText("type or scan to find an order", style="dim"))

    def action_focus_search(self) -> None:
        field = self.query_one("#search", Input)
        field.focus()
        field.selection = Selection(0, len(field.value))  # typing replaces the last search

    def action_back(self) -> None:
        """From an order's detail back to the list; from the list to the search field."""
        table = self.query_one("#results", DataTable)
        if self.has_class("-detail"):
            self.remove_class("-detail")
            if table.row_count:
                table.focus()
                return
        self.action_focus_search()

    def action_results(self) -> None:
        """Down from the search field: into the results, on the first row."""
        table = self.query_one("#results", DataTable)
        if self.focused is self.query_one("#search", Input) and table.row_count:
            table.focus()
            table.move_cursor(row=0)

    # -- searching ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.query_text = event.value.replace(GS_SHOWN, GS)
            self.remove_class("-detail")  # typing looks for another order: the list again
            self._search(self.query_text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            table = self.query_one("#results", DataTable)
            if table.row_count:
                table.focus()
                if table.row_count == 1:
                    self.open_order(int(table.coordinate_to_cell_key((0, 0)).row_key.value))

    async def handle_scan(self, source: str, data: str) -> None:
        field = self.query_one("#search", Input)
        shown = data.replace(GS, GS_SHOWN)
        with field.prevent(Input.Changed):  # searched here, not again as typing
            field.value = shown
        # the scan replaces what was there, and is all selected: typing next replaces it in turn
        field.selection = Selection(0, len(shown))
        self.query_text = data
        rows = await asyncio.to_thread(_search, self.app.db, data)
        self._show_results(data, rows)
        if len(rows) == 1:
            self.open_order(rows[0].id)
        elif rows:  # a SKU or a barcode: the orders that hold it, to choose from
            self.remove_class("-detail")
            self.query_one("#results", DataTable).focus()
        else:
            self.app.bell()

    @work(thread=True, group="search", exclusive=True)
    def _search(self, query: str) -> None:
        self.post_message(SearchResults(query, _search(self.app.db, query)))

    def on_search_results(self, message: SearchResults) -> None:
        if message.query == self.query_text:
            self._show_results(message.query, message.rows)

    def _columns(self, rows) -> list[tuple[str, int]]:
        """The columns that fit: order, status in words and the buyer always; ship-by and
        channel when there is room."""
        width, _ = self.app.size
        if width >= 120:
            inner = width // 2 - 2
        elif width >= 60:
            inner = width - 2
        else:
            inner = width
        inner -= 2 if width >= 60 else 1  # the scrollbar
        order_w = min(18 if width >= 60 else 12, max([5] + [len(r.display_name) for r in rows]))
        rest = inner - (order_w + 2) - (STATUS_W + 2)
        extra = []
        for label, w in (("ship by", 7), ("channel", 8)):
            if rest - (w + 2) >= 16 + 2:
                extra.append((label, w))
                rest -= w + 2
        columns = [("order", order_w)]
        if ("channel", 8) in extra:
            columns.append(("channel", 8))
        columns.append(("status", STATUS_W))
        if ("ship by", 7) in extra:
            columns.append(("ship by", 7))
        columns.append(("buyer", max(6, rest - 2)))
        return columns

    def _show_results(self, query: str, rows) -> None:
        table = self.query_one("#results", DataTable)
        table.clear(columns=True)
        columns = self._columns(rows)
        for label, width in columns:
            table.add_column(label, width=width)
        now, tz = self.app.now(), self.app.tz
        for r in rows:
            cells = {"order": plain(r.display_name, "bold"), "channel": plain(r.channel, "dim"),
                     "status": plain(r.status.replace("_", " "), _STATUS_STYLE.get(r.status, "")),
                     "ship by": plain(ship_by(r.ship_by, now, tz, short=True)),
                     "buyer": plain(r.ship_to_name or r.buyer_name)}
            table.add_row(*(cells[label] for label, _w in columns), key=str(r.id))
        table.border_title = f"Orders ({len(rows)})" if query.strip() else "Orders"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_order(int(event.row_key.value))

    # -- one order ------------------------------------------------------------------------

    def open_order(self, order_id: int) -> None:
        self.order_id = order_id
        self.add_class("-detail")
        self._load_detail(order_id)

    @work(thread=True, group="detail", exclusive=True)
    def _load_detail(self, order_id: int) -> None:
        self.post_message(DetailLoaded(order_id, _detail(self.app.db, order_id)))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        if message.order_id != self.order_id:
            return
        self.detail = message.detail
        self.query_one("#detail", Static).update(self._render_detail(message.detail))

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        if self.order_id is not None:
            self._load_detail(self.order_id)

    def _render_detail(self, d: dict | None) -> Text:
        t = SafeText()
        if d is None:
            return SafeText("no such order", style="red")
        now, tz = self.app.now(), self.app.tz
        t.append(d["display_name"], style="bold")
        t.append(f"  {d['channel']}  ", style="dim")
        t.append(d["status"].replace("_", " "), style="bold red" if d["status"] in ("short", "on_hold") else "bold")
        if d["hold_reason"]:
            t.append(f"  ({d['hold_reason']})", style="red")
        t.append(f"\nref {d['ref']}  {d['barcode']}", style="dim")
        from datetime import datetime

        sb = datetime.fromisoformat(d["ship_by"].replace("Z", "+00:00")) if d["ship_by"] else None
        t.append(f"\nship by {ship_by(sb, now, tz)}")
        if d["station"]:
            t.append(f"  at {d['station']}", style="yellow")
        if d["tote"]:
            t.append(f"  in {d['tote']}", style="cyan")
        to = d["ship_to"]
        t.append("\n")
        t.append(to["name"], style="bold")
        for part in (to["address1"], to["address2"],
                     " ".join(x for x in (to["postal_code"], to["city"], to["region"]) if x), to["country"]):
            if part:
                t.append("\n  ")
                t.append(part)
        t.append("\n\nLines", style="bold underline")
        for ln in d["lines"]:
            t.append(f"\n  {ln['sku']:<12} {ln['quantity']:>2}  picked {ln['picked']}  packed {ln['packed']}")
            if ln["short"]:
                t.append(f"  short {ln['short']}", style="red")
            if ln["title"]:
                t.append("  ")
                t.append(ln["title"], style="dim")
            for lot in ln.get("lots", []):
                t.append(f"\n    lot {lot['lot'] or '-'}  exp {lot['expiry'] or '-'}  x{lot['quantity']}", style="cyan")
        if d["parcels"]:
            t.append("\n\nParcels", style="bold underline")
            for p in d["parcels"]:
                t.append(f"\n  {p['seq']}. {p['tracking_number'] or '-'}  {p['carrier'] or ''}  {p['status']}")
                if p["weight_g"]:
                    t.append(f"  {p['weight_g']} g", style="dim")
        if d["returns"]:
            t.append("\n\nReturns", style="bold underline")
            for r in d["returns"]:
                t.append(f"\n  {r['status']}: ")
                t.append(", ".join(f"{x['quantity']} {x['sku']} {x['disposition'] or '?'}" for x in r["lines"]))
        t.append("\n\nTimeline", style="bold underline")
        for e in reversed(d["events"][-200:]):
            at = aware(datetime.fromisoformat(e["at"].replace("Z", "+00:00")))
            t.append(f"\n  {at.astimezone(tz).strftime('%d %b %H:%M:%S')} ", style="dim")
            mark = "✗ " if e["ok"] is False else ""
            t.append(f"{mark}{e['type']:<6}", style="red" if e["ok"] is False else "")
            t.append(f" {e['station'] or '-'} {e['operator'] or '-'} ", style="dim")
            t.append(e["message"] or e["scan"] or "")
        t.append("\n\nF7 note · F8 reprint · F9 hold · F10 release · F12 cancel", style="dim")
        return t

    # -- actions --------------------------------------------------------------------------

    def _who(self) -> dict:
        return {"station": self.app.settings.station, "operator": self.app.operator}

    def _need_order(self) -> bool:
        if self.order_id is None:
            self.app.bell()
            self.notify("open an order first", severity="warning")
            return False
        return True

    def action_note(self) -> None:
        if self._need_order():
            self.app.push_screen(TextDialog("Note on this order"), self._note)

    def _note(self, text: str | None) -> None:
        if text:
            self._run(actions.add_note, self.app.db, self.order_id, text, **self._who())

    def action_reprint(self) -> None:
        if self._need_order():
            self._run(actions.reprint, self.app.db, self.app.printer, self.order_id, **self._who())

    def action_hold(self) -> None:
        if self._need_order():
            self.app.push_screen(TextDialog("Why is it on hold?", "reason"), self._hold)

    def _hold(self, reason: str | None) -> None:
        if reason:
            self._run(actions.hold, self.app.db, self.order_id, reason, **self._who())

    def action_release(self) -> None:
        if self._need_order():
            self._override("Releasing", overrides.release)

    async def action_cancel_order(self) -> None:
        if not self._need_order():
            return
        self.app.push_screen(TextDialog("Cancel this order: why?", "reason"), self._cancel_reason)

    async def _cancel_reason(self, reason: str | None) -> None:
        if not reason:  # Esc: nothing cancelled
            return
        if await asyncio.to_thread(overrides.cancel_needs_supervisor, self.app.db, self.order_id):
            self._override("Cancelling after picking began", overrides.cancel_order, reason)
        else:
            self._run(overrides.cancel_order, self.app.db, self.order_id, reason, station=self.app.settings.station,
                      asked_by=self.app.operator)

    def _override(self, what: str, fn, *args) -> None:
        """A supervisor's badge, then their PIN (typed, never shown), then FN in a thread."""
        order_id = self.order_id

        def badge(supervisor: str | None) -> None:
            if supervisor:
                self.app.push_screen(PinDialog(f"{what}: PIN of {supervisor}"), lambda pin: run(supervisor, pin))

        def run(supervisor: str, pin: str | None) -> None:
            if pin is not None:
                self._run(fn, self.app.db, order_id, *args, station=self.app.settings.station,
                          asked_by=self.app.operator, supervisor=supervisor, pin=pin)

        self.app.push_screen(BadgeDialog(f"{what} needs a supervisor: scan a supervisor's badge"), badge)

    @work(thread=True, group="action")
    def _run(self, fn, *args, **kwargs) -> None:
        order_id = self.order_id
        try:
            message, ok = fn(*args, **kwargs), True
        except (ValueError, Refusal) as exc:
            message, ok = str(exc), False
        self.post_message(ActionDone(order_id, ok, message))

    def on_action_done(self, message: ActionDone) -> None:
        if message.ok:
            self.notify(safe(message.message), markup=False)
        else:
            self.app.bell()
            self.notify(safe(message.message), severity="error", markup=False)
        if "reprint" in message.message:
            self.app.set_printer_state("ok" if message.ok else "failed", "" if message.ok else message.message)
        if message.order_id == self.order_id:
            self._load_detail(message.order_id)
