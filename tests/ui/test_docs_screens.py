"""docs/screens/*.svg: each screen at 80x24 from the demo warehouse, written by this test so the
pictures in the documentation never go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import make_app
from tests.ui.scenarios import SCENARIOS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screens"


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_write_screenshot(db, tmp_path, frozen, name):
    app = make_app(db, tmp_path, poll_seconds=0, operator=None if name == "login" else "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await SCENARIOS[name](pilot)
        svg = app.export_screenshot(title=f"warehouse-tui: {name}")
    DOCS.mkdir(parents=True, exist_ok=True)
    target = DOCS / f"{name}.svg"
    if not target.exists() or target.read_text(encoding="utf-8") != svg:
        target.write_text(svg, encoding="utf-8")
    assert "<svg" in svg
