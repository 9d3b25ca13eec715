"""Fixtures of the demo tests: the simulated estate, seeded once per session, and one evidence run over it."""
from __future__ import annotations

import pytest

from readiness.assessment import checklist_for
from readiness.demo import DemoEstate, demo_platform, ensure_demo
from readiness.evidence.model import EvidenceRun
from readiness.evidence.runner import run_evidence
from readiness.evidence.session import resolve_platform_for_run
from readiness.platform import Platform

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}


def fake_credentials(patch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        patch.delenv(name, raising=False)
    for name, value in FAKE_CREDENTIALS.items():
        patch.setenv(name, value)


@pytest.fixture(scope="session")
def platform() -> Platform:
    return demo_platform()


@pytest.fixture(scope="session")
def estate(platform: Platform) -> DemoEstate:
    with pytest.MonkeyPatch.context() as patch:
        fake_credentials(patch)
        return ensure_demo(platform)


@pytest.fixture(scope="session")
def demo_run(platform: Platform, estate: DemoEstate) -> EvidenceRun:
    """The real collectors and checks, run once against the seeded estate."""
    with pytest.MonkeyPatch.context() as patch:
        fake_credentials(patch)
        ensure_demo(platform)  # seeded again if something reset the simulation since
        return run_evidence(resolve_platform_for_run(platform, estate.endpoint_url), checklist_for(platform))
