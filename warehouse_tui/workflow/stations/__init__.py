"""Station sessions, one per flow; ``open_session`` picks one by mode."""

from __future__ import annotations

from warehouse_tui.workflow.stations.base import Feedback, Refused, StationSession
from warehouse_tui.workflow.stations.label import LabelSession
from warehouse_tui.workflow.stations.pack import PackSession
from warehouse_tui.workflow.stations.pick import PickSession
from warehouse_tui.workflow.stations.returns import ReturnsSession

SESSIONS: dict[str, type[StationSession]] = {
    "pick": PickSession,
    "pack": PackSession,
    "label": LabelSession,
    "returns": ReturnsSession,
}
MODES = tuple(SESSIONS)


def open_session(mode: str, db, settings, **kwargs) -> StationSession:
    try:
        cls = SESSIONS[mode]
    except KeyError:
        raise ValueError(f"unknown mode {mode!r}: pick, pack, label or returns") from None
    db.checkpoint_in_background()  # no scan waits for SQLite to copy its log into the file
    return cls(db, settings, **kwargs)


__all__ = ["Feedback", "Refused", "StationSession", "open_session", "MODES", "SESSIONS"]
