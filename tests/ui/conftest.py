"""Fixtures for the console's tests: a demo warehouse seeded once at a frozen time, copied
into each test's own SQLite file, and helpers that type like a scanner or like a person."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual import events

from tests import engines
from warehouse_tui.config import Settings
from warehouse_tui.db import open_database
from warehouse_tui.demo import demo_settings, seed_demo
from warehouse_tui.documents.printers import open_printer
from warehouse_tui.ui.app import WarehouseApp

FIXED_NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
DEMO_ORDERS = 60


class FrozenDatetime(datetime):
    """datetime whose now() is FIXED_NOW: demo seeding and the ledger's timestamps stand still."""

    @classmethod
    def now(cls, tz=None):
        return FIXED_NOW if tz is None else FIXED_NOW.astimezone(tz)


def _freeze(mp: pytest.MonkeyPatch) -> None:
    import warehouse_tui.demo as demo
    import warehouse_tui.domain.models as models

    mp.setattr(demo, "datetime", FrozenDatetime)
    mp.setattr(models, "datetime", FrozenDatetime)


@pytest.fixture
def frozen(monkeypatch):
    _freeze(monkeypatch)
    return FIXED_NOW


def _seed(ref) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _freeze(mp)
        db = open_database(ref)
        seed_demo(db, orders=DEMO_ORDERS)
        db.dispose()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory):
    """The demo warehouse, seeded once per run: a file, or a PostgreSQL template database."""
    return engines.template("demo", tmp_path_factory, _seed)


def copy_db(src, dst: Path):
    """A test's own copy of the demo (a file beside the test, or a PostgreSQL database)."""
    return engines.clone(src, dst.parent, dst.name)


@pytest.fixture
def db(tmp_path, demo_db_file):
    ref = copy_db(demo_db_file, tmp_path / "warehouse.db")
    database = open_database(ref)
    yield database
    database.dispose()
    engines.drop(ref)


def make_settings(db, tmp_path: Path, **kw) -> Settings:
    settings = Settings(db=db.url, station=kw.pop("station", "PACK-1"), operator=kw.pop("operator", "alice"),
                        printer=f"dir:{tmp_path / 'printed'}", scanners=kw.pop("scanners", ["keyboard"]))
    demo_settings(settings)
    for k, v in kw.items():
        setattr(settings, k, v)
    return settings


def make_app(db, tmp_path: Path, *, start: str = "home", poll_seconds: float = 0.2, **kw) -> WarehouseApp:
    settings = make_settings(db, tmp_path, **kw)
    return WarehouseApp(db, settings, printer=open_printer(settings.printer), now=lambda: FIXED_NOW,
                        tz=timezone.utc, blink=False, poll_seconds=poll_seconds, start=start)


@pytest.fixture
def app_factory(db, tmp_path):
    def factory(**kw) -> WarehouseApp:
        return make_app(db, tmp_path, **kw)

    return factory


# -- typing ----------------------------------------------------------------------------------

KEY_NAMES = {"\x1d": "ctrl+right_square_bracket", "\r": "enter", "\n": "enter"}


class Keyboard:
    """Posts key events to the app the way the terminal driver does, with timestamps we choose.

    A scanner's keys come a few milliseconds apart; a person's 150 ms. The clock only moves
    forward, and a new burst starts well after the last key (the detector wants quiet first).
    """

    def __init__(self, app: WarehouseApp) -> None:
        self.app = app
        self.t = time.monotonic()

    def _key(self, ch: str, t: float) -> None:
        from textual.keys import _character_to_key

        key = KEY_NAMES.get(ch) or _character_to_key(ch)
        ev = events.Key(key, None if ch in "\r\n" else ch)
        ev.time = t
        self.app.post_message(ev)

    def press(self, key: str, t: float | None = None) -> None:
        self.t = max(time.monotonic(), self.t + 0.2) if t is None else t
        ev = events.Key(key, None)
        ev.time = self.t
        self.app.post_message(ev)

    def scan(self, code: str, *, gap: float = 0.004, suffix: str = "\r") -> None:
        t = max(time.monotonic(), self.t + 0.3)
        for ch in code + suffix:
            self._key(ch, t)
            t += gap
        self.t = t

    async def type(self, pilot, text: str, *, gap: float = 0.15) -> None:
        """A person typing: real pauses, so the detector's timer releases each key."""
        for ch in text:
            self.t = max(time.monotonic(), self.t + gap)
            self._key(ch, self.t)
            await pilot.pause(gap)


async def settle(pilot, rounds: int = 3) -> None:
    """Let every scan be answered and every query worker finish."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause(0.05)
        await app.scans_done()
        busy = [w for w in app.workers if w.is_running and w.group not in ("scan-consumer", "scanners")]
        for w in busy:
            try:
                await w.wait()
            except Exception:  # a worker replaced by a newer one (exclusive) is cancelled
                pass
    await pilot.pause()


def screen_text(app) -> str:
    import io

    from rich.console import Console

    w, h = app.size
    console = Console(width=w, height=h, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()
