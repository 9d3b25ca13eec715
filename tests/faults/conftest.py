"""Fixtures of the fault tests: a simulated AWS, and retries that do not wait."""
from __future__ import annotations

import pytest
from botocore.retries.adaptive import ClientRateLimiter
from botocore.retries.standard import ExponentialBackoff
from moto import mock_aws


@pytest.fixture(scope="module")
def aws():
    """One simulated AWS per test module, with fake credentials and no endpoint that could escape it."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            yield


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries as configured, without the pauses between them: the backoff and the adaptive rate limiter."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(ClientRateLimiter, "on_sending_request", lambda self, request, **kwargs: None)
