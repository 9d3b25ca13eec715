"""Fixtures shared by every test package: no real AWS, and a fresh store per test."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from readiness.store import open_store
from readiness.store.engine import ENV_VAR

LOCAL_ENDPOINT = re.compile(r"^https?://(127\.0\.0\.1|localhost)(:\d+)?(/|$)")


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, no profile and no remote endpoint: nothing a test does can reach a real
    account. A local endpoint (a moto server a fixture started) is left in place; any other is
    removed, which also lets moto's in-process mock intercept."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                 "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    if not LOCAL_ENDPOINT.match(os.environ.get("AWS_ENDPOINT_URL", "")):
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    if not os.environ.get("AWS_DEFAULT_REGION"):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture(autouse=True)
def _no_demo_autostart(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app opens on the store a test built, not on a prepared demo: the tests of the demo's first run
    (tests/demo/test_first_run.py, tests/app/test_demo_first_run.py) turn it back on."""
    monkeypatch.setenv("READINESS_DEMO_AUTOSTART", "0")


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new SQLite store for this test, also given to the app and the CLI through READINESS_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'readiness.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    return url


@pytest.fixture
def store_engine(database_url: str):
    """The test's store, migrated to the newest schema."""
    engine = open_store(database_url)
    yield engine
    engine.dispose()
