"""The Evidence page: collect from (simulated) AWS with progress, then findings by area and check, filtered."""
from __future__ import annotations

import datetime as dt

import pytest
from moto import mock_aws
from parity_estate import register, seed_drift, small_platform

from readiness.auth import LOCAL_USER, Actor, Role
from readiness.evidence.model import EvidenceRun, Finding, InventoryRecord, Severity, Status
from readiness.evidence.registry import all_checks
from readiness.evidence_summary import coverage, group_findings
from readiness.store import session_scope
from readiness.store.evidence import list_runs, save_evidence_run
from readiness.ui import context, state

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def page(store_engine, launch_app, tmp_path):
    platform = small_platform(tmp_path)
    platform_id = register(store_engine, platform)
    with mock_aws():
        seed_drift()
        at = launch_app()
        at.switch_page("pages/evidence.py").run()
        assert not at.exception, at.exception
        yield at, platform_id


def finding(status: Status, *, check: str = "environment.ssm_parity", environment: str = "production",
            resource: str = "r", severity: Severity = Severity.HIGH, area: str = "environment") -> Finding:
    return Finding(check=check, area=area, environment=environment, resource=resource, status=status,
                   severity=severity, message=f"{resource} is {status.value}",
                   baseline="staging" if check.startswith("environment.") else None)


def test_before_any_run_the_page_says_to_collect(page):
    at, _ = page
    assert any("No evidence has been collected" in i.value for i in at.info)
    assert not at.button(key="evidence_collect").disabled


def test_collecting_stores_a_run_and_shows_findings_by_check_with_what_good_looks_like(page, store_engine):
    at, platform_id = page
    at.button(key="evidence_collect").click().run(timeout=120)
    assert not at.exception, at.exception

    with session_scope(store_engine) as session:
        assert len(list_runs(session, platform_id=platform_id)) == 1
    titles = [e.label for e in at.expander]
    assert any("Parameter Store keys match across environments" in t for t in titles)
    assert any("Secrets present and current in every environment" in t for t in titles)
    assert any("What good looks like." in m.value and "Every parameter exists in both environments" in m.value
               for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Evidence coverage"] == "100%"
    assert metrics["Failing findings"] == "3"  # a type changed, one parameter missing each way
    assert metrics["Inventories unread"] == "0"
    shown = [df.value for df in at.dataframe if "Message" in df.value.columns]
    messages = [m for df in shown for m in df["Message"]]
    assert "staging parameter rebalance/threshold has no counterpart in production" in messages
    assert any(m.startswith("production parameter broker/account differs from staging: type is String")
               for m in messages)


def test_collected_evidence_moves_the_overview_and_contradicts_the_checklist_answer(page):
    at, _ = page
    at.text_input(key=state.NEW_TITLE).set_value("Go-live review")
    at.button(key=state.NEW_SUBMIT).click().run()
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Evidence coverage"] == "None yet"

    at.switch_page("pages/evidence.py").run()
    at.button(key="evidence_collect").click().run(timeout=120)
    at.switch_page("pages/overview.py").run()
    assert float({m.label: m.value for m in at.metric}["Evidence coverage"].removesuffix("%")) == 100
    at.switch_page("pages/checklist.py").run()
    assert not at.exception, at.exception
    assert any("Evidence: contradicted" in m.value for m in at.markdown)  # a parameter differs: ENV-01 fails


def test_the_status_filter_narrows_the_findings(page):
    at, _ = page
    at.button(key="evidence_collect").click().run(timeout=120)
    at.multiselect(key="evidence_status_filter").set_value([Status.FAIL]).run()
    assert not at.exception, at.exception

    assert any(c.value.startswith("Showing 3 of ") for c in at.caption)
    statuses = {s for df in at.dataframe if "Status" in df.value.columns and "Message" in df.value.columns
                for s in df.value["Status"]}
    assert statuses == {"✖ fail"}


def test_what_could_not_be_read_is_listed_with_the_reason(store_engine, launch_app, tmp_path):
    platform_id = register(store_engine, small_platform(tmp_path))
    run = EvidenceRun(platform="Tidewater Wealth", environments=["staging", "production"], started_at=T0,
                      finished_at=T0 + dt.timedelta(seconds=4), api_calls=12, checks=2,
                      inventories=[InventoryRecord(environment="production", region="us-east-1", collector="ssm",
                                                   account="222222222222", status="unknown",
                                                   reason="AccessDenied: ssm:DescribeParameters")],
                      findings=[finding(Status.UNKNOWN), finding(Status.PASS, check="environment.secrets_parity")])
    with session_scope(store_engine) as session:
        save_evidence_run(session, platform_id=platform_id, run=run, actor=LOCAL_USER)
    at = launch_app()
    at.switch_page("pages/evidence.py").run()
    assert not at.exception, at.exception

    unread = next(df.value for df in at.dataframe if "Why" in df.value.columns)
    assert list(unread["Why"]) == ["AccessDenied: ssm:DescribeParameters"]
    assert list(unread["Collector"]) == ["ssm"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Evidence coverage"] == "50%"
    assert metrics["Could not tell"] == "1"


def test_a_viewer_cannot_collect_and_is_told_why(page, monkeypatch):
    at, _ = page
    monkeypatch.setattr(context, "current_actor", lambda: Actor(name="Dana", role=Role.VIEWER))
    at.run()

    button = at.button(key="evidence_collect")
    assert button.disabled
    assert "needs the contributor role" in button.help


def test_coverage_counts_each_check_per_environment_and_leaves_out_nothing_to_look_at():
    findings = [finding(Status.PASS), finding(Status.FAIL, resource="s"),  # told
                finding(Status.PASS, environment="staging", check="monitoring.alarms", area="monitoring"),
                finding(Status.UNKNOWN, environment="staging", check="monitoring.alarms", area="monitoring"),
                finding(Status.NOT_APPLICABLE, check="batch.schedules", area="batch")]

    assert coverage(findings) == 50  # two counted, one could tell; not-applicable left out
    assert coverage([finding(Status.NOT_APPLICABLE)]) is None


def test_findings_group_by_area_in_checklist_order_with_the_worst_check_first():
    findings = [finding(Status.PASS, check="monitoring.alarms", area="monitoring"),
                finding(Status.PASS, check="environment.secrets_parity"),
                finding(Status.WARN, check="environment.ssm_parity", resource="b"),
                finding(Status.FAIL, check="environment.ssm_parity", resource="a")]

    groups = group_findings(findings, all_checks(), {"environment": "Environment consistency",
                                                     "monitoring": "Logging and monitoring"})

    assert [g.title for g in groups] == ["Environment consistency", "Logging and monitoring"]
    first = groups[0].checks[0]
    assert (first.check, first.worst, [f.resource for f in first.findings]) == (
        "environment.ssm_parity", Status.FAIL, ["a", "b"])
    assert first.good == all_checks()["environment.ssm_parity"].good
