"""Collecting and storing evidence as the app does it: who may, and what is stored."""
from __future__ import annotations

import io

import pytest
from evidence_fixtures import make_environment, new_account

from readiness.auth import Actor, Role
from readiness.commands.collect import ProgressLines
from readiness.errors import PermissionDenied
from readiness.evidence.runner import ProgressEvent
from readiness.evidence.service import collect_and_store
from readiness.platform import Platform
from readiness.store.assessments import platform_by_name, save_platform
from readiness.store.engine import session_scope
from readiness.store.evidence import latest_run, load_run

ADMIN = Actor(name="ada", role=Role.ADMIN)
CONTRIBUTOR = Actor(name="carl", role=Role.CONTRIBUTOR)
VIEWER = Actor(name="vera", role=Role.VIEWER)
SSM_ONLY = ["environment.ssm_parity"]


@pytest.fixture
def platform(aws) -> Platform:
    environments = []
    for name in ("staging", "production"):
        account = new_account()
        account.client("ssm").put_parameter(Name=f"/northwind/{name}/db/url", Value="x", Type="String")
        environments.append(make_environment(name, account=account, ssm_path=f"/northwind/{name}/"))
    return Platform(name="Northwind", environments=environments, compare=[("staging", "production")])


def test_a_contributor_collects_and_stores_a_run_for_a_known_platform(platform, store_engine):
    with session_scope(store_engine) as session:
        save_platform(session, platform=platform, actor=ADMIN)
    run = collect_and_store(store_engine, platform, CONTRIBUTOR, checks=SSM_ONLY)
    with session_scope(store_engine) as session:
        row = platform_by_name(session, name="Northwind")
        stored = load_run(session, run_id=latest_run(session, platform_id=row.id).id)
    assert stored.id == run.id and stored.findings == run.findings and stored.api_calls == run.api_calls
    assert [f.status.value for f in stored.findings] == ["pass"]


def test_a_contributor_cannot_add_a_platform_by_collecting_for_it(platform, store_engine):
    with pytest.raises(PermissionDenied, match="add the platform Northwind"):
        collect_and_store(store_engine, platform, CONTRIBUTOR, checks=SSM_ONLY)


def test_a_viewer_cannot_collect(platform, store_engine):
    with pytest.raises(PermissionDenied, match="run evidence collection"):
        collect_and_store(store_engine, platform, VIEWER, checks=SSM_ONLY)


def test_an_administrators_run_adds_the_platform_it_collected_for(platform, store_engine):
    run = collect_and_store(store_engine, platform, ADMIN, checks=SSM_ONLY)
    with session_scope(store_engine) as session:
        row = platform_by_name(session, name="Northwind")
        assert latest_run(session, platform_id=row.id).id == run.id


def test_progress_lines_tell_a_terminal_what_each_collector_did():
    stream = io.StringIO()
    lines = ProgressLines(stream)
    lines(ProgressEvent("collect", "started", "production", "ssm", "us-east-1", total=2))
    lines(ProgressEvent("collect", "finished", "production", "ssm", "us-east-1", done=1, total=2, api_calls=3))
    lines(ProgressEvent("collect", "unknown", "production", "s3", "us-east-1", done=2, total=2,
                        reason="AccessDenied: s3:ListAllMyBuckets"))
    assert stream.getvalue().splitlines() == [
        "  [1/2] production ssm us-east-1: 3 calls",
        "  [2/2] production s3 us-east-1: unknown: AccessDenied: s3:ListAllMyBuckets",
    ]
