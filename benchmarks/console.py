"""The console's figures: scan to screen updated (Textual Pilot, in process), scans dropped in a
burst of 50 a second, start-up to the first screen beside an empty Textual app (subprocesses),
and the console's peak memory."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from figures import Figure, Timer

# A subprocess that runs an app headless and quits once its first screen is drawn. `App.run`
# is wrapped before anything else is imported, so the console's own import order is measured.
DRIVER = r"""
import resource, sys, time
from textual.app import App
_run = App.run
def run(self, *a, **k):
    async def first_screen(pilot):  # called once the first screen is up
        print("first-screen", time.time(), flush=True)
        if sys.argv[1] != "empty":  # then the home screen, over the database, for the memory
            for _ in range(1200):
                if type(pilot.app.screen).__name__ == "HomeScreen":
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.5)
        pilot.app.exit(0)
    return _run(self, headless=True, size=(80, 24), auto_pilot=first_screen)
App.run = run
if sys.argv[1] == "empty":
    App().run()
else:
    from warehouse_tui.cli import main
    main(sys.argv[1:])
print("max-rss-kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def _start(argv: list[str]) -> tuple[float, int]:
    """Milliseconds from the process's launch to its first screen drawn, and its peak memory."""
    env = dict(os.environ, WAREHOUSE_CONFIG=os.devnull)
    t = time.time()
    p = subprocess.run([sys.executable, "-c", DRIVER, *argv], capture_output=True, text=True, env=env)
    if p.returncode:
        raise SystemExit(f"start-up run failed: {p.stderr[-2000:]}")
    said = dict(line.split(" ", 1) for line in p.stdout.splitlines() if " " in line)
    return (float(said["first-screen"]) - t) * 1000, int(said["max-rss-kb"])


def startup_figures(url: str, runs: int) -> list[Figure]:
    empty, console, rss = [], [], []
    for _ in range(runs):  # interleaved, so both see the same machine
        empty.append(_start(["empty"])[0])
        ms, kb = _start(["--db", url, "--operator", "bench", "--station", "BENCH-CONSOLE"])
        console.append(ms)
        rss.append(kb / 1024)
    start = Figure.of("start-up to first screen", console, empty, "empty Textual app")
    start.target = "within 1.5x of the empty app"
    start.met = start.ratio is not None and start.ratio <= 1.5
    mem = Figure.single("console peak memory, start to home screen", max(rss), unit="MB", target="< 200 MB",
                        met=max(rss) < 200)
    return [start, mem]


def _content(widget) -> str:
    return str(getattr(widget, "content", None) or getattr(widget, "renderable", ""))


class _Watch:
    """The moment a widget's content changes, taken inside its ``update`` (the event loop is
    never kept busy looking: a loop that spins would take the interpreter from the threads
    that answer the scan, and time itself)."""

    def __init__(self, widget) -> None:
        self.widget, self.before, self.at = widget, _content(widget), 0.0
        self.changed = asyncio.Event()
        update = widget.update

        def watched(*args, **kwargs):
            result = update(*args, **kwargs)
            if not self.changed.is_set() and _content(widget) != self.before:
                self.at = time.perf_counter()
                self.changed.set()
            return result

        widget.update = watched

    async def post(self, app, text: str) -> float:
        """Milliseconds from the keys of ``text`` arriving to the content changing."""
        self.before = _content(self.widget)
        self.changed.clear()
        t = time.perf_counter()
        _post(app, text)
        await asyncio.wait_for(self.changed.wait(), 5)
        return (self.at - t) * 1000


def _post(app, text: str) -> None:
    from textual import events
    from textual.keys import _character_to_key

    t = time.monotonic()
    for ch in text:
        ev = events.Key("enter", None) if ch == "\r" else events.Key(_character_to_key(ch), ch)
        ev.time = t
        app.post_message(ev)


async def _screen_runs(url: str, work: Path, runs: int) -> tuple[list[float], int, int]:
    from sqlmodel import func, select

    from warehouse_tui.config import Settings
    from warehouse_tui.db import open_database
    from warehouse_tui.domain.models import Event
    from warehouse_tui.documents.printers import open_printer
    from warehouse_tui.ui.app import WarehouseApp
    from warehouse_tui.ui.widgets import Instruction

    db = open_database(url, migrate=False)
    settings = Settings(db=url, station="BENCH-CONSOLE", operator="bench", printer=f"dir:{work / 'labels'}")
    app = WarehouseApp(db, settings, printer=open_printer(settings.printer), blink=False, start="pick",
                       settle_memory=True)  # as the console runs
    ms: list[float] = []

    def scan_events() -> int:
        with db.session() as s:
            return s.exec(select(func.count()).select_from(Event).where(Event.type == "scan",
                                                                        Event.station == "BENCH-CONSOLE")).one()

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        for _ in range(200):  # the screen's first answer (what is in hand) is up
            if getattr(app.screen, "feedback", None) is not None:
                break
            await pilot.pause(0.05)
        n, totes = 0, 0
        watch = _Watch(app.screen.query_one(Instruction))
        run_tag = f"{int(time.time()) % 10**8:08d}"
        while len(ms) < runs:
            fb = getattr(app.screen, "feedback", None)
            expect = fb.expect if fb else "order"
            code = {"order": "%NEXT", "bin": fb and fb.bin, "item": fb and fb.sku}.get(expect)
            if code is None:  # the tote: a new one each run (an earlier run's totes still hold its orders)
                totes += 1
                code = f"TOTE-C{run_tag}-{totes:06d}"
            # a scanner's burst: the keys arrive together; timed until the instruction changed
            ms.append(await watch.post(app, code + "\r"))
            await app.scans_done()
            if not app.screen.feedback.ok:  # every scan timed is one the flow takes
                raise SystemExit(f"console benchmark scan {code!r} refused: {app.screen.feedback.message}")
            await pilot.pause(0.03)  # quiet before the next burst, as between two real scans
            n += 1
        # a burst of 50 scans a second: refused codes 20 ms apart; every one must be recorded
        before = scan_events()
        for i in range(50):
            _post(app, f"BURST-{i:03d}\r")
            await pilot.pause(0.02)
        for _ in range(100):
            await app.scans_done()
            await pilot.pause(0.05)
            if scan_events() - before >= 50:
                break
        recorded = scan_events() - before
    db.dispose()
    return ms, 50 - recorded, n


async def _floor_runs(runs: int) -> list[float]:
    """The floor: Textual alone. The same burst of keys into an Input whose Enter changes a
    Static, timed the same way until the Static shows it: no detector, no database."""
    from textual.app import App
    from textual.widgets import Input, Static

    class Floor(App):
        def compose(self):
            yield Static("waiting", id="said")
            yield Input(id="field")

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.query_one("#said", Static).update(f"read {event.value}")
            event.input.value = ""

    app = Floor()
    ms: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        watch = _Watch(app.query_one("#said", Static))
        for n in range(runs):
            ms.append(await watch.post(app, f"SCAN-{n:06d}\r"))
            await pilot.pause(0.03)
    return ms


def console_figures(url: str, work: Path, timer: Timer, quick: bool) -> list[Figure]:
    print("console: scan to screen, burst, start-up", flush=True)
    ms, dropped, _ = asyncio.run(_screen_runs(url, work, timer.runs))
    floor = asyncio.run(_floor_runs(timer.runs))
    figures = [Figure.of("scan to screen updated (console, Pilot)", ms, floor,
                         "keys into a bare Textual Input, Enter updates a Static", target_p99=16)]
    figures.append(Figure.single("scans dropped in a burst of 50 a second", dropped, unit="scans", target="0",
                                 met=dropped == 0))
    figures += startup_figures(url, 1 if quick else 20)
    return figures
