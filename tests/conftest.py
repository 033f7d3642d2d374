"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import engines

REPO = Path(__file__).resolve().parents[1]
# the marketplaces' real samples live beside the checkout (or beside the folder of worktrees),
# never inside it
MARKETPLACE_FIXTURES = next((p / "shared" / "fixtures" / "marketplaces" for p in (REPO.parent, REPO.parent.parent)
                             if (p / "shared" / "fixtures" / "marketplaces").is_dir()),
                            REPO.parent / "shared" / "fixtures" / "marketplaces")


@pytest.fixture
def marketplace_fixtures() -> Path:
    if not MARKETPLACE_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/marketplaces is not present")
    return MARKETPLACE_FIXTURES


def pytest_report_header(config):
    return f"database engine: {engines.ENGINE}"


def pytest_sessionfinish(session, exitstatus):
    engines.drop_templates()
