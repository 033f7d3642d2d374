"""The console: one Textual app, one screen per flow, every scan through one queue.

How scans reach a screen
------------------------

Keyboard-wedge scanners type into the terminal like a keyboard. Textual's ``Input`` takes
printable keys before ``App.on_key`` could see them, so the detection sits one level higher:
``WarehouseApp.on_event`` sees every key event from the driver *before* Textual forwards it
to the focused widget. Each key goes through ``WedgeDetector.feed(key, char, event.time)``
(thresholds from the settings: ``wedge_gap_ms``, ``wedge_min_length``, ``scanner_prefix``,
``scanner_suffix``):

* keys of a burst are held (not forwarded); a complete burst becomes a ``ScanReceived``
  message, whichever widget has focus;
* keys that turn out to be a person typing are given back, in order, to the focused widget
  (as if just typed) before the key that ended the burst; a timer calls ``flush`` at the
  detector's deadline so a single keystroke shows at most ``wedge_gap_ms`` late;
* a terminal may deliver many scans in one read, and the app may fall behind the keys: so
  the timer only posts a tick to the app's own queue, behind the keys already waiting (a
  pause is judged on the keys' own timestamps, never on how late the app got to them), and
  text given back to a scan field is typed into it at once and Enter sends it at once, in
  the order of the keys, so a typed scan can neither merge with the next nor overtake it;
* GS (0x1D, key ``ctrl+right_square_bracket``) is a character of a scan, so GS1 element
  strings keep their field separators.

Every flow screen also has a scan field (``ScanField``): a code typed by hand (a damaged
barcode) and Enter is posted as the same ``ScanReceived`` (source ``typed``); a scan that
arrived too slowly to be detected lands there whole and is sent the same way.

Serial scanners (``--scanner /dev/ttyACM0`` or a pyserial URL) are each read by a
``SerialScanner`` in a thread worker (``exit_on_error=False``); the thread posts
``ScanReceived`` and ``ScannerState`` messages and never touches a widget. So there is one
route: every scan, from any source, is put on one ``asyncio.Queue`` and one consumer takes
them in order: the ``%HOME`` .. ``%LOOKUP`` screen codes switch screens; anything else goes
to the current screen's ``handle_scan``, which calls the station session's ``handle`` in a
thread and shows its ``Feedback``. A scan is never dropped, and never processed before the
one ahead of it has been answered, however busy the screen is.

Several consoles share one database. On PostgreSQL a daemon thread waits on ``LISTEN`` (every
write transaction sends a ``NOTIFY``; those of this console's own scans are left out, as its
screens show what each of them changed: ``Database.write(quiet=True)``); on SQLite the app reads ``db.change_token()`` (``PRAGMA
data_version``, a cheap counter, read in a thread: never a database call on the event loop)
every 0.5 s. When it moved, the current screen reads its page again.

Quitting: nothing may keep the console from quitting (see ``quitting.py``): its threads are
daemon threads (work in flight gets a moment to finish; nothing hung is waited for), and a
watchdog armed by ctrl+q ends the process if the shutdown itself hangs.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone, tzinfo
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.css.stylesheet import Stylesheet
from textual.message import Message
from textual.keys import _character_to_key
from textual.reactive import reactive
from textual.timer import Timer

from warehouse_tui.config import Settings
from warehouse_tui.scanning.devices import scanner_specs, serial_specs
from warehouse_tui.scanning.wedge import WedgeDetector, WedgeResult
from warehouse_tui.text import safe
from warehouse_tui.ui.format import SafeText
from warehouse_tui.ui.messages import ChangeToken, DatabaseChanged, ScannerState, ScanReceived, WedgeTick
from warehouse_tui.ui.quitting import QUIT_GRACE_SECONDS, DaemonExecutor, QuitWatchdog
from warehouse_tui.ui.widgets import ScanField

if TYPE_CHECKING:
    from warehouse_tui.db import Database

log = logging.getLogger(__name__)

SCREEN_CODES = {"%HOME": "home", "%PICK": "pick", "%PACK": "pack", "%LABEL": "label", "%RETURNS": "returns",
                "%LOOKUP": "lookup", "%SCANCHECK": "scancheck"}
FLOW_MODES = ("pick", "pack", "label", "returns")
POLL_SECONDS = 0.5
CHANGES_EVERY = 0.2  # seconds: other stations' changes reach the screen at most this often


def screen_code(data: str) -> str | None:
    return SCREEN_CODES.get(data.strip().upper())


def _screen(name: str):
    """A screen of a mode, imported when first shown (the flow screens load the database layer)."""
    if name == "start":
        from warehouse_tui.ui.start import StartScreen

        return StartScreen()
    if name == "home":
        from warehouse_tui.ui.home import HomeScreen

        return HomeScreen()
    if name == "lookup":
        from warehouse_tui.ui.lookup import LookupScreen

        return LookupScreen()
    if name == "scancheck":
        from warehouse_tui.ui.scancheck import ScanCheckScreen

        return ScanCheckScreen()
    from warehouse_tui.ui import flow

    return {"pick": flow.PickScreen, "pack": flow.PackScreen, "label": flow.LabelScreen,
            "returns": flow.ReturnsScreen}[name]()


def _modes() -> dict:
    return {name: partial(_screen, name)
            for name in ("start", "home", "pick", "pack", "label", "returns", "lookup", "scancheck")}


class KeptRulesStylesheet(Stylesheet):
    """A stylesheet that parses a source again only when its text or the variables changed.

    Textual parses every source of the stylesheet again, in a new stylesheet with an empty
    cache, whenever it refreshes the CSS (twice on the first switch to each mode, the first
    screen's included), and its cache of parsed sources holds 64. The rules of one text under
    the same variables are the same, so here each source's rules are kept until the variables
    change (a theme), and a refresh parses only the sources added since (the console's own
    CSS took about 8 ms a parse)."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = {}  # every source of the console: some dozens

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)  # which forgets the parsed sources

    def reparse(self) -> None:
        self.parse()  # as the new stylesheet would: the rules are replaced only if all parse


class WarehouseApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "warehouse"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-normal"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall"), (40, "-huge")]
    BINDINGS = [
        Binding("f1", "screen('home')", "Home"),
        Binding("f2", "screen('pick')", "Pick"),
        Binding("f3", "screen('pack')", "Pack"),
        Binding("f4", "screen('label')", "Label"),
        Binding("f5", "screen('returns')", "Returns"),
        Binding("f6", "screen('lookup')", "Lookup"),
        Binding("f11", "screen('scancheck')", "Scanner check", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    status_version = reactive(0)

    def get_driver_class(self):
        """Textual's own driver, except in a Linux terminal: there, keys carry their read time."""
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver is LinuxDriver:
            from warehouse_tui.ui.driver import StampedLinuxDriver

            return StampedLinuxDriver
        return driver

    def __init__(self, db: Database | None, settings: Settings, *, printer=None, scale=None,
                 now: Callable[[], datetime] | None = None, tz: tzinfo | None = None,
                 clock: Callable[[], float] = time.monotonic, blink: bool = True,
                 poll_seconds: float = POLL_SECONDS, start: str = "home",
                 quit_grace: float | None = None, open_db: Callable[[], Database] | None = None,
                 open_devices: bool = False, settle_memory: bool = False) -> None:
        self.MODES = _modes()
        super().__init__()
        self.stylesheet = KeptRulesStylesheet(variables=self.get_css_variables())
        # without a database, the first screen is drawn while ``open_db`` runs in a thread
        self.db = db
        self._open_db = open_db
        self._open_devices = open_devices
        self.open_error: BaseException | None = None
        self.settings = settings
        self.operator: str | None = settings.operator
        self.printer = printer
        self.scale = scale
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.tz = tz
        self.clock = clock
        self.blink = blink
        self.poll_seconds = poll_seconds
        self.start_mode = start
        self.scanners: dict[str, tuple[str, str]] = {}
        self.printer_state: tuple[str, str] = ("unknown", "")
        self.sessions: dict[str, object] = {}
        self._session_lock = threading.Lock()
        self.answer_lock = threading.Lock()
        self._scans: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._stop = threading.Event()
        self._flush_timer: Timer | None = None
        self._token: int | None = None
        self._changes_timer: Timer | None = None
        self._changed_token = 0
        self._polling = False
        # only where the console is the whole process (run_console): it may end the process
        self._watchdog = QuitWatchdog(lambda: self._driver, quit_grace) if quit_grace else None
        self._settle_memory = settle_memory
        self.wedge: WedgeDetector | None = None
        specs = scanner_specs(settings.scanners)
        if "keyboard" in specs:
            self.wedge = WedgeDetector(settings.wedge_gap_ms, settings.wedge_min_length,
                                       prefix=settings.scanner_prefix or None,
                                       suffix=settings.scanner_suffix or None)
            self.scanners["kbd"] = ("connected", "")
        self.serial_specs = serial_specs(specs)
        for spec in self.serial_specs:
            self.scanners[_short_device(spec)] = ("disconnected", "not opened yet")

    # -- time -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._now()

    async def open_order(self, order_id: int) -> None:
        """Show one order's detail on the lookup screen (from the command palette, home, a scan)."""
        await self.show("lookup")
        self.screen.open_order(order_id)

    # -- start and stop -------------------------------------------------------------------

    def on_load(self) -> None:
        asyncio.get_running_loop().set_default_executor(DaemonExecutor())

    def on_mount(self) -> None:
        if self.db is None:
            self.switch_mode("start")
            self.call_after_refresh(self._open_database)
            return
        self._start()

    def _open_database(self) -> None:
        """Called once the first screen is drawn: the database opens behind it."""
        self.run_worker(self._open_in_thread, thread=True, group="open", exit_on_error=False)

    def _open_in_thread(self) -> None:
        try:
            db = self._open_db()
            devices = open_devices(self.settings) if self._open_devices else (self.printer, self.scale, [])
        except BaseException as exc:  # a database that cannot be used: said after the app ends
            self.open_error = exc
            self.post_message(DatabaseOpened(None, None))
            return
        # a message, never a wait on the loop: the console may be quitting meanwhile
        self.post_message(DatabaseOpened(db, devices))

    def on_database_opened(self, message: "DatabaseOpened") -> None:
        if message.db is None:
            self.exit(2)
            return
        self.db = message.db
        if self._stop.is_set():  # ctrl+q while it opened
            return
        self.printer, self.scale, problems = message.devices
        for p in problems:
            self.notify(safe(p), severity="error", timeout=10, markup=False)
        self.status_version += 1
        self._start()

    def _start(self) -> None:
        from warehouse_tui.ui.commands import LookupCommands

        self.COMMANDS = self.COMMANDS | {LookupCommands}
        self.switch_mode(self.start_mode)
        if not self.operator:
            from warehouse_tui.ui.login import LoginScreen

            self.push_screen(LoginScreen())
        self._consume_scans()
        for spec in self.serial_specs:
            self._start_serial(spec)
        if self.poll_seconds and not self.db.is_sqlite:
            # PostgreSQL tells us: a daemon thread waits on LISTEN and never holds up quitting
            threading.Thread(target=self._listen, daemon=True, name="database changes").start()
        elif self.poll_seconds:
            self.set_interval(self.poll_seconds, self._poll)
        if self._settle_memory:
            self.call_after_refresh(_settle_memory)

    def _start_serial(self, spec: str) -> None:
        from warehouse_tui.scanning.serial_reader import SerialScanner

        name = _short_device(spec)
        reader = SerialScanner(
            spec,
            on_scan=lambda _src, data: self.post_message(ScanReceived(name, data)),
            on_state=lambda _src, state, reason="": self.post_message(ScannerState(name, state, reason)),
        )
        self.run_worker(partial(reader.run, self._stop), thread=True, exit_on_error=False,
                        name=f"scanner {spec}", group="scanners")

    def on_unmount(self) -> None:
        self._stop.set()

    async def action_quit(self) -> None:
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.arm()
        self.exit(0)

    # -- keyboard wedge -------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # the scanner check wants every key with its time, before the detector filters them
        take_key = getattr(self.screen, "take_key", None) if isinstance(event, events.Key) else None
        if take_key is not None and not event.is_forwarded and self.operator and take_key(event):
            return
        if isinstance(event, events.Key) and not event.is_forwarded and self.wedge is not None:
            result = self.wedge.feed(event.key, event.character, event.time)
            self._apply_wedge(result)
            self._arm_flush()
            if result.consumed:
                return
            if event.key == "enter" and self.wedge.prefix is None and isinstance(self.focused, ScanField):
                # every character came through the detector, so the field is complete now
                self.focused.send()
                return
        await super().on_event(event)

    def _apply_wedge(self, result: WedgeResult) -> None:
        if result.release:
            target = self.focused or self.screen
            if isinstance(target, ScanField):
                target.type_text(result.release)
            else:
                for ch in result.release:
                    key = "ctrl+right_square_bracket" if ch == "\x1d" else _character_to_key(ch)
                    target._forward_event(events.Key(key, ch))
        if result.scan:
            if isinstance(self.focused, ScanField):
                # a scan replaces what the field held: a stray keystroke before it is not kept
                # to land in front of the next code typed
                self.focused.value = ""
            self.post_message(ScanReceived("keyboard", result.scan))

    def _arm_flush(self) -> None:
        """One timer at a time: it fires at the earliest deadline and is armed again after."""
        if self._flush_timer is not None or self.wedge is None:
            return
        deadline = self.wedge.deadline
        if deadline is not None:
            self._flush_timer = self.set_timer(max(0.001, deadline - self.clock()), self._tick_wedge)

    def _tick_wedge(self) -> None:
        # through the queue: keys that arrived before the tick are fed before it is judged
        self.post_message(WedgeTick())

    def on_wedge_tick(self, _message: WedgeTick) -> None:
        self._flush_timer = None
        if self.wedge is None:
            return
        self._apply_wedge(self.wedge.flush(self.clock()))
        self._arm_flush()

    # -- one queue, one consumer ----------------------------------------------------------

    def on_scan_received(self, message: ScanReceived) -> None:
        self._scans.put_nowait((message.source, message.data))

    async def scans_done(self) -> None:
        """Wait until every scan received so far has been answered (for tests and scripts)."""
        await self._scans.join()

    @work(group="scan-consumer", exclusive=True)
    async def _consume_scans(self) -> None:
        while True:
            source, data = await self._scans.get()
            try:
                await self._dispatch_scan(source, data)
            except Exception:  # a bug must not stop the station taking scans
                log.exception("scan %r from %s", data, source)
                self.bell()
                self.notify("that scan could not be handled; see the log", severity="error")
            finally:
                self._scans.task_done()

    async def _dispatch_scan(self, source: str, data: str) -> None:
        code = screen_code(data)
        if code and self.operator and not getattr(self.screen, "modal_scan", False):
            await self.show(code)
            return
        handler = getattr(self.screen, "handle_scan", None)
        if handler is not None:
            await handler(source, data)

    # -- screens --------------------------------------------------------------------------

    async def action_screen(self, name: str) -> None:
        if not self.operator or self.db is None:
            self.bell()
            return
        await self.show(name)

    async def show(self, name: str) -> None:
        if self.wedge is not None:
            self._apply_wedge(self.wedge.drain())
        if self.current_mode != name:
            await self.switch_mode(name)

    # -- sessions (created in a thread: they write the station row) ----------------------

    def session(self, mode: str):
        from warehouse_tui.workflow.stations import open_session

        with self._session_lock:
            s = self.sessions.get(mode)
            if s is None:
                s = open_session(mode, self.db, self.settings, station=self.settings.station,
                                 operator=self.operator,
                                 printer=self.printer if mode == "label" else None,
                                 scale=self.scale if mode == "pack" else None)
                s.quiet_commits = True  # the screen shows what its scans change
                self.sessions[mode] = s
            return s

    def log_in(self, name: str) -> None:
        """Called in a thread once a badge was accepted."""
        from warehouse_tui.workflow.ledger import record

        with self._session_lock:
            self.operator = name
            self.settings.operator = name
            for s in self.sessions.values():
                s.operator = name
        with self.db.write() as s:
            record(s, "login", station=self.settings.station, operator=name, message=f"{name} logged in")

    # -- devices and the status line ------------------------------------------------------

    def on_scanner_state(self, message: ScannerState) -> None:
        self.scanners[message.source] = (message.state, message.reason)
        if message.state != "connected":
            self.notify(safe(f"scanner {message.source}: {message.reason or message.state}"), markup=False,
                        severity="warning", timeout=4)
        self.status_version += 1

    def set_printer_state(self, state: str, reason: str = "") -> None:
        self.printer_state = (state, reason)
        self.status_version += 1

    def status_text(self, title: str, width: int) -> Text:
        narrow = width < 60
        text = SafeText(no_wrap=True, overflow="ellipsis")
        text.append(f" {title} ", style="bold reverse")
        if narrow:
            text.append(f" {self.operator or '-'} {self.settings.station}")
        else:
            text.append("  station ", style="dim")
            text.append(self.settings.station)
            text.append("  operator ", style="dim")
            text.append(self.operator or "(scan your badge)", style="bold" if self.operator else "yellow")
        devices = SafeText(no_wrap=True)
        if not narrow:
            devices.append("scanner ", style="dim")
        for name, (state, _why) in self.scanners.items():
            devices.append("● ", style="green" if state == "connected" else "bold red")
            if not narrow:
                devices.append(f"{name} ")
        pstate = self.printer_state[0]
        if self.printer is not None or not narrow:
            if not narrow:
                devices.append(" printer ", style="dim")
            devices.append("●", style={"ok": "green", "failed": "bold red"}.get(pstate, "dim")
                           if self.printer is not None else "dim")
        gap = max(1, width - len(text) - len(devices) - 1)
        text.append(" " * gap)
        text.append_text(devices)
        return text

    # -- other stations' work -------------------------------------------------------------

    def _listen(self) -> None:
        token = None
        while not self._stop.is_set():
            try:
                # this console's own scans are not news to it: its screens show what each of
                # them changed with the answer, and read nothing again for them
                if token is None:
                    token = self.db.change_token(theirs=True)
                changed = self.db.wait_for_change(token, 1.0, theirs=True)
            except Exception as exc:  # the server went away for a moment: try again shortly
                log.warning("database changes: %s", exc)
                token = None
                self._stop.wait(2.0)
                continue
            if changed != token:
                token = changed
                self.post_message(DatabaseNotified(token))  # thread-safe, never waits

    def on_database_notified(self, message: "DatabaseNotified") -> None:
        self._changed(message.token)

    def _changed(self, token: int) -> None:
        """Changes reach the screen at most once every ``CHANGES_EVERY`` seconds, however many
        commits there were (on PostgreSQL every scan's own commit notifies, a burst of scans
        dozens a second): the screen reloads what it shows once for all of them, and those
        reloads do not take the interpreter from the scans being answered meanwhile."""
        self._changed_token = token
        if self._changes_timer is None:
            self._changes_timer = self.set_timer(CHANGES_EVERY, self._deliver_changes)

    def _deliver_changes(self) -> None:
        self._changes_timer = None
        self._tell_screen(DatabaseChanged(self._changed_token))

    def _tell_screen(self, message) -> None:
        """A change reaches the current screen; while quitting there may be none left."""
        try:
            self.screen.post_message(message)
        except ScreenStackError:
            pass

    def _poll(self) -> None:
        if not self._polling:  # one read at a time, however slow the database is
            self._polling = True
            self.run_worker(self._read_token, thread=True, group="poll", exit_on_error=False)

    def _read_token(self) -> None:
        try:
            self.post_message(ChangeToken(self.db.change_token()))
        except Exception as exc:  # the database on a network share went away for a moment
            log.warning("change token: %s", exc)
        finally:
            self._polling = False

    def on_change_token(self, message: ChangeToken) -> None:
        token = message.token
        if token != self._token:
            first = self._token is None
            self._token = token
            if not first:
                self._changed(token)


class DatabaseOpened(Message):
    """The database (and the devices) opened behind the first screen; ``db`` None: it failed."""

    def __init__(self, db, devices) -> None:
        super().__init__()
        self.db = db
        self.devices = devices


class DatabaseNotified(Message):
    """PostgreSQL: a NOTIFY arrived on the listening thread."""

    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


def _short_device(spec: str) -> str:
    base = spec.partition("?")[0]
    return base.rsplit("/", 1)[-1] or base


def open_devices(settings: Settings):
    """The printer and scale of the settings; a bad spec is reported, not fatal."""
    printer = scale = None
    problems = []
    if settings.printer:
        from warehouse_tui.documents.printers import open_printer

        try:
            printer = open_printer(settings.printer)
        except ValueError as exc:
            problems.append(str(exc))
    if settings.scale:
        from warehouse_tui.scanning.scale import Scale

        try:
            scale = Scale(settings.scale)
        except ValueError as exc:
            problems.append(str(exc))
    return printer, scale, problems


def _settle_memory() -> None:
    """Once the console is up: what start-up loaded (the database layer, the screens, the
    stylesheet: some hundred thousand objects) stays for the whole shift, so Python's cycle
    collector is told to leave it be (``gc.freeze``). Its full collections then look at what
    the shift itself made, not at all of that: a full collection of the console's heap held
    the event loop, and a scan with it, for up to 150 ms."""
    gc.freeze()


def run_console(db: Database | Callable[[], Database], settings: Settings) -> int:
    """The console on ``db``, or on what the callable opens behind the first screen."""
    if callable(db):
        app = WarehouseApp(None, settings, quit_grace=QUIT_GRACE_SECONDS, open_db=db, open_devices=True,
                           settle_memory=True)
    else:
        printer, scale, problems = open_devices(settings)
        app = WarehouseApp(db, settings, printer=printer, scale=scale, quit_grace=QUIT_GRACE_SECONDS,
                           settle_memory=True)
        for p in problems:
            app.call_later(app.notify, safe(p), severity="error", timeout=10, markup=False)
    try:
        code = app.run()
    finally:
        if app.db is not None:
            app.db.dispose()
    if app.open_error is not None:
        raise app.open_error
    return int(code or 0)
