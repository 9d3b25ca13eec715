"""Fixtures of the data-accuracy tests: fresh exports to break on purpose, and the rule settings."""
from __future__ import annotations

import pytest
from sample_exports import DEMO_PLATFORM, consistent_exports, rule_settings

from readiness.platform import load_platform


@pytest.fixture
def exports() -> dict:
    return consistent_exports()


@pytest.fixture
def settings():
    return rule_settings()


@pytest.fixture
def platform():
    return load_platform(DEMO_PLATFORM)
