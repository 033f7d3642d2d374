"""Every screen at a handheld's 40x16 and a bench's 80x24, from the demo warehouse at a frozen time."""

from __future__ import annotations

import pytest

from tests.ui.conftest import make_app
from tests.ui.scenarios import SCENARIOS
from warehouse_tui.ui import flow


@pytest.fixture(autouse=True)
def _steady(monkeypatch, frozen):
    monkeypatch.setattr(flow, "REFUSED_SECONDS", 120.0)  # the red refusal stays for the picture


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=["40x16", "80x24"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_screen(snap_compare, db, tmp_path, name, size):
    app = make_app(db, tmp_path, poll_seconds=0, operator=None if name == "login" else "alice")
    assert snap_compare(app, terminal_size=size, run_before=SCENARIOS[name])
