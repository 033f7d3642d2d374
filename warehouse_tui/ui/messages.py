"""Messages of the console: what happened (a scan arrived, a device changed, the database moved).

Thread workers (serial readers, queries) post these; they never touch widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class ScanReceived(Message):
    """One complete scan: from the keyboard wedge, a serial scanner, or typed into a scan field."""

    source: str  # "keyboard", "typed", or the serial device name
    data: str


class WedgeTick(Message):
    """The wedge detector's deadline passed: judge the silence (after the keys already queued)."""


@dataclass
class ScannerState(Message):
    """A scanner (or the printer) connected or disconnected, and why."""

    source: str
    state: str  # connected | disconnected
    reason: str = ""


@dataclass
class ChangeToken(Message):
    """The database's change token, read in a thread (the app compares it with the last)."""

    token: int


@dataclass
class DatabaseChanged(Message):
    """Some process committed a change (the change token moved)."""

    token: int


@dataclass
class QueueLoaded(Message):
    """A page of a step's queue, read in a thread."""

    step: str
    offset: int
    rows: list[Any]
    total: int
    late: int


@dataclass
class OrderLoaded(Message):
    """The order in hand at a flow screen: its lines (or parcels), read in a thread."""

    order_id: int | None
    view: Any


@dataclass
class SearchResults(Message):
    query: str
    rows: list[Any]


@dataclass
class DetailLoaded(Message):
    order_id: int
    detail: dict | None


@dataclass
class HomeLoaded(Message):
    data: Any


@dataclass
class ActionDone(Message):
    """An operator action from the lookup screen (note, reprint, hold, release) finished."""

    order_id: int
    ok: bool
    message: str
