"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis

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


# property-based tests (hostile input): a few dozen examples each keeps the suite fast;
# HYPOTHESIS_PROFILE=thorough tries many more
hypothesis.register_profile("suite", max_examples=40, deadline=None,
                            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
hypothesis.register_profile("thorough", parent=hypothesis.get_profile("suite"), max_examples=1000)
hypothesis.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
