"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import engines

REPO = Path(__file__).resolve().parents[1]
# the marketplaces' real samples live beside the checkout, never inside it
MARKETPLACE_FIXTURES = REPO.parent / "shared" / "fixtures" / "marketplaces"


@pytest.fixture
def marketplace_fixtures() -> Path:
    if not MARKETPLACE_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/marketplaces is not present")
    return MARKETPLACE_FIXTURES


def pytest_report_header(config):
    return f"database engine: {engines.ENGINE}"


def pytest_sessionfinish(session, exitstatus):
    engines.drop_templates()
