"""Every screen at a handheld's 40x16 and a bench's 80x24, from the demo warehouse at a frozen time."""

from __future__ import annotations

import pytest

from tests.ui.conftest import make_app
from tests.ui.scenarios import SCENARIOS


@pytest.fixture(autouse=True)
def _steady(frozen):
    pass  # a refusal stays on screen until the next scan: nothing else to hold still


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=["40x16", "80x24"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_screen(snap_compare, db, tmp_path, name, size):
    app = make_app(db, tmp_path, poll_seconds=0, operator=None if name == "login" else "alice")
    assert snap_compare(app, terminal_size=size, run_before=SCENARIOS[name])
