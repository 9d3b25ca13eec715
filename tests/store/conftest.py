"""Every storage test runs against SQLite and against a real PostgreSQL server."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from readiness.auth import LOCAL_USER
from readiness.checklist import load_checklist
from readiness.platform import REPO_ROOT, load_platform
from readiness.store import make_engine, session_scope, upgrade
from readiness.store import assessments as repo

PG_ENV = "READINESS_TEST_POSTGRES_URL"


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set: CI must start PostgreSQL (.ci/start-postgres)")
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} (see .ci/start-postgres)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = postgres_url()
    engine = make_engine(url)
    with engine.begin() as conn:  # a clean database for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def engine(store_url):
    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def platform():
    return load_platform(REPO_ROOT / "data" / "platforms" / "demo.yaml")


@pytest.fixture
def checklist():
    return load_checklist(REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml")


@pytest.fixture
def assessment_id(engine, platform, checklist):
    with session_scope(engine) as session:
        row = repo.save_platform(session, platform=platform, actor=LOCAL_USER)
        created = repo.create_assessment(session, platform_id=row.id, environment="production", title="Launch",
                                         checklist_digest=checklist.digest, actor=LOCAL_USER)
        return created.id
