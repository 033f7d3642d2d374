"""Lookup: find an order by id, name, buyer, SKU, barcode or tracking number; see all of it.

Results come as you type (``lookup.search`` in a thread worker). An order's detail shows its
lines, parcels, returns and the timeline of its events; from there the operator adds a note,
prints its documents again, and holds or releases it (a release needs a supervisor's badge).
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

from warehouse_tui.workflow import reprint as actions
from warehouse_tui.ui.dialogs import BadgeDialog, TextDialog
from warehouse_tui.text import safe
from warehouse_tui.ui.format import SafeText, aware, plain, ship_by
from warehouse_tui.ui.messages import ActionDone, DatabaseChanged, DetailLoaded, SearchResults
from warehouse_tui.ui.widgets import KeyBar, GS, GS_SHOWN, StatusBar


def _search(db, query: str):
    from warehouse_tui.workflow.lookup import search

    with db.session() as s:
        return [(o.id, o.display_name, o.channel, o.status, o.ship_by, o.ship_name) for o in search(s, query, 30)]


def _detail(db, order_id: int) -> dict | None:
    from warehouse_tui.domain.models import Order
    from warehouse_tui.workflow.lookup import order_detail

    with db.session() as s:
        o = s.get(Order, order_id)
        return order_detail(s, o) if o else None


class LookupScreen(Screen):
    BINDINGS = [
        Binding("f7", "note", "Note"),
        Binding("f8", "reprint", "Reprint"),
        Binding("f9", "hold", "Hold"),
        Binding("f10", "release", "Release"),
        Binding("escape", "focus_search", "Search", show=False),
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
        self.query_one("#search", Input).focus()

    # -- searching ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.query_text = event.value.replace(GS_SHOWN, GS)
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
        field.value = data.replace(GS, GS_SHOWN)
        self.query_text = data
        rows = await asyncio.to_thread(_search, self.app.db, data)
        self._show_results(data, rows)
        if rows:
            self.open_order(rows[0][0])
        else:
            self.app.bell()

    @work(thread=True, group="search", exclusive=True)
    def _search(self, query: str) -> None:
        self.post_message(SearchResults(query, _search(self.app.db, query)))

    def on_search_results(self, message: SearchResults) -> None:
        if message.query == self.query_text:
            self._show_results(message.query, message.rows)

    def _show_results(self, query: str, rows) -> None:
        table = self.query_one("#results", DataTable)
        table.clear(columns=True)
        narrow = self.app.size.width < 60
        name_w = min(22, max([5] + [len(r[1]) for r in rows]))
        if narrow:
            columns = (("order", name_w), ("status", 11))
        else:
            columns = (("order", name_w), ("channel", 8), ("status", 11), ("ship by", 17), ("buyer", 20))
        for label, width in columns:
            table.add_column(label, width=width)
        now, tz = self.app.now(), self.app.tz
        for oid, name, channel, status, sb, buyer in rows:
            if narrow:
                table.add_row(plain(name, "bold"), plain(status), key=str(oid))
            else:
                table.add_row(plain(name, "bold"), plain(channel, "dim"), plain(status),
                              plain(ship_by(sb, now, tz)), plain(buyer), key=str(oid))
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
        t.append("\n\nF7 note · F8 reprint · F9 hold · F10 release", style="dim")
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

    async def action_release(self) -> None:
        if not self._need_order():
            return
        me = self.app.operator
        if await asyncio.to_thread(actions.is_supervisor, self.app.db, me):
            self._run(actions.release, self.app.db, self.order_id, station=self.app.settings.station, supervisor=me)
        else:
            self.app.push_screen(BadgeDialog("Releasing needs a supervisor: scan a supervisor's badge"),
                                 self._release)

    def _release(self, supervisor: str | None) -> None:
        if supervisor:
            self._run(actions.release, self.app.db, self.order_id, station=self.app.settings.station,
                      supervisor=supervisor)

    @work(thread=True, group="action")
    def _run(self, fn, *args, **kwargs) -> None:
        order_id = self.order_id
        try:
            message, ok = fn(*args, **kwargs), True
        except ValueError as exc:
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
