"""The validation service: checks registered, findings per portfolio, runs stored, and scores fed."""
from __future__ import annotations

import pytest
from sample_exports import AS_OF, SAMPLES, read, write

from readiness import assessment
from readiness.auth import LOCAL_USER, Actor, Role
from readiness.checklist import load_checklist, pending_checks
from readiness.dataflow import checks, findings
from readiness.dataflow.readers import EnvironmentExports
from readiness.dataflow.schema import ExportError
from readiness.dataflow.validate import gather_exports, validate_and_store, validate_exports
from readiness.dataflow.views import summarise
from readiness.errors import InvalidInput, PermissionDenied
from readiness.evidence.model import Status
from readiness.evidence.registry import all_checks
from readiness.scoring import EvidenceState
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.store.evidence import latest_run, list_runs, load_run

DATA_CHECKS = set(checks.ORDER)


def test_the_six_rules_are_registered_as_data_checks_the_checklist_counts_as_implemented(platform):
    registered = {spec.id: spec for spec in all_checks().values() if spec.kind == "data"}
    assert DATA_CHECKS <= set(registered)
    assert registered["dataflow.environment_agreement"].compares
    pending = pending_checks(load_checklist(platform.checklist_path()), set(all_checks()))
    assert not DATA_CHECKS & set(pending)


def test_the_shipped_samples_show_the_mixed_picture_of_the_demo(platform):
    run = validate_exports(platform, gather_exports(platform, folder=SAMPLES))
    assert run.kind == "data" and run.environments == ["staging", "production"] and run.checks == 6
    failing = {(f.check, f.environment, f.resource) for f in run.findings if f.status == Status.FAIL}
    at_fault = {(check, env) for check, env, _ in failing}
    assert at_fault == {("dataflow.market_value_arithmetic", "production"),
                        ("dataflow.valuation_history_continuity", "staging"),
                        ("dataflow.environment_agreement", "production")}
    assert len([f for f in failing if f[0] == "dataflow.environment_agreement"]) == 2
    gap = next(f for f in run.findings if f.check == "dataflow.valuation_history_continuity"
               and f.status == Status.FAIL)
    assert gap.message.endswith("2024-11-29.")  # the half day after Thanksgiving is still a trading day
    assert {f.details["as_of"] for f in run.findings} == {AS_OF.isoformat()}
    by_check = {f.check: f.controls for f in run.findings}
    assert by_check["dataflow.market_value_arithmetic"] == ["DAT-01"]
    assert by_check["dataflow.aggregation_determinism"] == ["DAT-04", "DAT-06"]


def test_the_summary_gives_one_line_per_rule_and_environment(platform):
    run = validate_exports(platform, gather_exports(platform, folder=SAMPLES))
    lines = {(s.check, s.environment): s for s in summarise(run)}
    assert len(lines) == 11  # five rules in each environment, one comparison
    market = lines[("dataflow.market_value_arithmetic", "production")]
    assert (market.status, market.portfolios_at_fault, market.portfolios_checked) == (Status.FAIL, 1, 8)
    assert lines[("dataflow.totals_reconcile", "staging")].status == Status.PASS


def test_a_portfolio_finding_keeps_at_most_fifty_rows_and_counts_them_all(exports, settings, monkeypatch):
    positions = exports["positions"]
    today = positions.index[positions.as_of == AS_OF.isoformat()]
    positions.loc[today, "market_value"] = "0.00"
    monkeypatch.setattr(findings, "MAX_ROWS", 2)
    found = checks.market_value_arithmetic(read(exports), settings)
    portfolio = next(f for f in found if f.resource == "portfolio:P-1001")
    assert portfolio.details["rows_at_fault"] == 5 and len(portfolio.details["rows"]) == 2
    assert {"file", "row", "quantity", "price", "expected", "difference"} <= set(portfolio.details["rows"][0])


def test_beyond_the_cap_of_portfolio_findings_one_finding_lists_the_rest(exports, settings, monkeypatch):
    positions = exports["positions"]
    positions.loc[positions.as_of == AS_OF.isoformat(), "market_value"] = "0.00"
    monkeypatch.setattr(findings, "MAX_PORTFOLIO_FINDINGS", 3)
    found = checks.market_value_arithmetic(read(exports), settings)
    assert [f.resource for f in found] == ["portfolio:P-1001", "portfolio:P-1002", "portfolio:P-1003",
                                           "positions.csv"]
    assert found[-1].status == Status.FAIL and found[-1].details["portfolio_ids"] == ["P-1004"]


def test_exports_that_could_not_be_read_make_every_rule_unknown(platform, settings):
    denied = EnvironmentExports(environment="production", source="s3://nw-prod-exports/portfolio/",
                                unreadable="AccessDenied: s3:ListBucket on nw-prod-exports")
    found = checks.totals_reconcile(denied, settings)
    assert [(f.status, f.resource) for f in found] == [(Status.UNKNOWN, "s3://nw-prod-exports/portfolio/")]
    assert "AccessDenied: s3:ListBucket" in found[0].message


def test_the_as_of_date_defaults_to_the_latest_production_positions(platform, exports, tmp_path):
    write(exports, tmp_path / "production")
    run = validate_exports(platform, gather_exports(platform, ["production"], folder=tmp_path))
    assert run.inventories[0].payload["as_of"] == AS_OF.isoformat()
    assert run.environments == ["production"]
    assert not [f for f in run.findings if f.check == "dataflow.environment_agreement"]


def test_a_validated_run_is_stored_and_feeds_the_data_flow_controls(platform, store_engine):
    run = validate_and_store(store_engine, platform=platform, actor=LOCAL_USER, folder=SAMPLES)
    with session_scope(store_engine) as session:
        row = repo.platform_by_name(session, name=platform.name)
        assert latest_run(session, platform_id=row.id, kind="data").id == run.id
        assert len(load_run(session, run_id=run.id).findings) == len(run.findings)
        created = repo.create_assessment(session, platform_id=row.id, environment="production", title="Launch",
                                         checklist_digest=assessment.checklist_for(platform).digest, actor=LOCAL_USER)
        score = assessment.current_score(session, assessment_id=created.id)
    assert score.control("DAT-01").evidence == EvidenceState.CONTRADICTED
    assert score.control("DAT-02").evidence == EvidenceState.VERIFIED
    assert score.control("DAT-05").evidence == EvidenceState.CONTRADICTED


def test_a_malformed_file_stops_the_validation_and_nothing_is_stored(platform, exports, store_engine, tmp_path):
    write(exports, tmp_path / "staging")
    (tmp_path / "staging" / "totals.csv").write_text("portfolio_id,as_of,total_value,cash,base_currency\n"
                                                     "P-1001,2025-01-17,lots,0,USD\n")
    with pytest.raises(ExportError, match=r"totals.csv:2: total_value: 'lots' is not a number"):
        validate_and_store(store_engine, platform=platform, actor=LOCAL_USER, folder=tmp_path)
    with session_scope(store_engine) as session:
        row = repo.platform_by_name(session, name=platform.name)
        assert row is None or list_runs(session, platform_id=row.id) == []


def test_an_environment_without_exports_is_refused_by_name(platform, tmp_path):
    with pytest.raises(InvalidInput, match="no environment 'qa'"):
        gather_exports(platform, ["qa"], folder=tmp_path)
    no_data = platform.model_copy(update={"environments": [e.model_copy(update={"data": e.data.model_copy(
        update={"s3": None})}) for e in platform.environments]})
    with pytest.raises(InvalidInput, match="has no data.s3 location"):
        gather_exports(no_data, ["staging"])
    with pytest.raises(InvalidInput, match="No environment of"):
        gather_exports(no_data)


def test_a_missing_environment_folder_is_unknown_not_a_pass(platform, exports, tmp_path):
    write(exports, tmp_path / "production")
    run = validate_exports(platform, gather_exports(platform, folder=tmp_path))
    staging = [f for f in run.findings if f.environment == "staging"]
    assert staging and {f.status for f in staging} == {Status.UNKNOWN}
    comparison = [f for f in run.findings if f.check == "dataflow.environment_agreement"]
    assert [f.status for f in comparison] == [Status.UNKNOWN]


def test_uploaded_files_are_validated_per_environment_and_stored(platform, store_engine):
    uploads = {name: [(p.name, p.read_bytes()) for p in sorted((SAMPLES / name).glob("*.csv"))]
               for name in ("staging", "production")}
    run = validate_and_store(store_engine, platform=platform, actor=LOCAL_USER, uploads=uploads)
    assert run.environments == ["staging", "production"]
    assert {i.payload["source"] for i in run.inventories} == {"upload"}
    assert len([f for f in run.findings if f.status == Status.FAIL]) == 4


def test_uploads_with_a_path_in_the_name_or_none_at_all_are_refused(platform, store_engine):
    with pytest.raises(ExportError, match="not accepted as a file name"):
        validate_and_store(store_engine, platform=platform, actor=LOCAL_USER,
                           uploads={"production": [("../../positions.csv", b"x")]})
    with pytest.raises(InvalidInput, match="Upload at least one export file"):
        validate_and_store(store_engine, platform=platform, actor=LOCAL_USER, uploads={"production": []})


def test_a_viewer_may_not_store_a_validation(platform, store_engine):
    with pytest.raises(PermissionDenied, match="validate portfolio exports"):
        validate_and_store(store_engine, platform=platform, actor=Actor(name="Exec", role=Role.VIEWER),
                           folder=SAMPLES)


def test_a_demo_platform_never_reads_s3_outside_its_simulation(platform):
    assert platform.demo
    with pytest.raises(InvalidInput, match="is a demo"):
        gather_exports(platform, ["production"])


def test_a_check_that_breaks_is_reported_as_an_error_and_the_others_still_run(platform, monkeypatch):
    def broken(*_args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(checks.rules, "totals_reconcile", broken)
    run = validate_exports(platform, gather_exports(platform, folder=SAMPLES))
    totals = [f for f in run.findings if f.check == "dataflow.totals_reconcile"]
    assert {f.status for f in totals} == {Status.ERROR}
    assert "ZeroDivisionError: division by zero" in totals[0].message
    assert any(f.check == "dataflow.market_value_arithmetic" and f.status == Status.FAIL for f in run.findings)


def test_with_nothing_readable_every_rule_is_unknown_and_still_dated(platform):
    denied = {name: EnvironmentExports(environment=name, source=f"s3://{name}/", unreadable="AccessDenied")
              for name in ("staging", "production")}
    run = validate_exports(platform, denied)
    assert {f.status for f in run.findings} == {Status.UNKNOWN}
    assert {i.status for i in run.inventories} == {"unknown"}


def test_a_platform_that_compares_no_environments_makes_the_comparison_not_applicable(platform):
    single = platform.model_copy(update={"compare": []})
    run = validate_exports(single, gather_exports(single, folder=SAMPLES))
    comparison = [f for f in run.findings if f.check == "dataflow.environment_agreement"]
    assert [(f.status, f.environment) for f in comparison] == [(Status.NOT_APPLICABLE, "production")]
