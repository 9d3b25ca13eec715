"""Faults while collecting evidence: the run completes, what was not seen is unknown with its cause, never a pass."""
from __future__ import annotations

from typing import Iterable

import pytest
from fault_estate import (
    CHECKS,
    OTHER_REGION,
    PARAMETERS,
    REGION,
    Fault,
    FaultInjector,
    build_estate,
    estate_platform,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness.assessment import checklist_for
from readiness.evidence.model import EvidenceRun, InventoryRecord, Status
from readiness.evidence.registry import all_checks
from readiness.evidence.runner import run_evidence
from readiness.evidence.session import TOTAL_ATTEMPTS

# The collectors of the estate's checks, and the service each sends its requests to, as botocore names it.
SERVICE_OF = {"ssm": "ssm", "secretsmanager": "secrets-manager", "s3": "s3", "sqs": "sqs", "dynamodb": "dynamodb",
              "kms": "kms"}
RETRIED = {"throttled", "server_error", "unavailable", "timeout", "unreachable"}


@pytest.fixture(scope="module")
def estate(aws):
    """The estate in two regions; most tests read the first only (`estate_platform()`)."""
    return build_estate(regions=(REGION, OTHER_REGION))


@pytest.fixture(scope="module")
def checklist(estate):
    return checklist_for(estate)


@pytest.fixture(scope="module")
def baseline(estate, checklist) -> EvidenceRun:
    return run_evidence(estate_platform(), checklist, checks=CHECKS)


def collect(platform, checklist, *faults: Fault, checks: Iterable[str] = CHECKS) -> tuple[EvidenceRun, FaultInjector]:
    injector = FaultInjector(tuple(faults))
    return run_evidence(platform, checklist, checks=checks, hooks=injector.hooks, max_workers=4), injector


def records(run: EvidenceRun) -> dict[tuple[str, str, str], InventoryRecord]:
    return {(r.environment, r.region, r.collector): r for r in run.inventories}


def verdicts(run: EvidenceRun, checks: Iterable[str]) -> set[tuple[str, str, str, Status]]:
    wanted = set(checks)
    return {(f.check, f.environment, f.resource, f.status) for f in run.findings if f.check in wanted}


def assert_nothing_unseen_passes(run: EvidenceRun) -> None:
    """A check reading an inventory that could not be read says unknown, naming why; only what was read passes."""
    unread = {(r.environment, r.collector): r.reason for r in run.inventories if r.status != "ok"}
    needs = {check_id: spec.needs for check_id, spec in all_checks().items()}
    for finding in run.findings:
        environments = [finding.environment] + ([finding.baseline] if finding.baseline else [])
        missing = [unread[(env, name)] for env in environments for name in needs[finding.check]
                   if (env, name) in unread]
        if missing:
            assert finding.status == Status.UNKNOWN, finding
            assert all(reason in finding.message for reason in missing), (finding.message, missing)
        assert finding.status != Status.ERROR, finding


def assert_retries_bounded(injector: FaultInjector) -> None:
    assert injector.attempts, "no request was sent"
    assert max(injector.attempts.values()) <= TOTAL_ATTEMPTS


def judged(run) -> set[Status]:
    """Statuses of the findings that looked at something; the staging side of a check that judges
    every environment has nothing to look at in this estate, which only says so (not applicable)."""
    idle = [f for f in run.findings if f.status is Status.NOT_APPLICABLE]
    assert all(f.environment == "staging" for f in idle), idle
    return {f.status for f in run.findings if f.status is not Status.NOT_APPLICABLE}


def test_without_faults_every_inventory_is_read_and_every_check_passes(baseline):
    assert {r.status for r in baseline.inventories} == {"ok"}
    assert judged(baseline) == {Status.PASS}
    assert {f.check for f in baseline.findings} == set(CHECKS)


# ---- each kind of fault ---------------------------------------------------------------------------

SECRETS_REASON = {
    "throttled": "Throttled: secretsmanager:ListSecrets was still throttled after retries (ThrottlingException)",
    "denied": "AccessDenied: secretsmanager:ListSecrets",
    "server_error": "Service unavailable: secretsmanager:ListSecrets answered HTTP 500 (InternalFailure)",
    "unavailable": "Service unavailable: secretsmanager:ListSecrets answered HTTP 503 (ServiceUnavailable)",
    "expired": "Credentials rejected: ExpiredTokenException on secretsmanager:ListSecrets",
    "timeout": "Timed out: secretsmanager:ListSecrets did not answer in time",
    "unreachable": "Unreachable: could not connect to https://secretsmanager.us-east-1.amazonaws.com/ for "
                   "secretsmanager:ListSecrets",
}


@pytest.mark.parametrize("kind", SECRETS_REASON)
def test_a_failing_service_leaves_only_its_inventories_unknown_with_the_cause(kind, baseline, checklist, no_waiting):
    run, injector = collect(estate_platform(), checklist, Fault(kind, "secrets-manager"))
    for (env, region, collector), record in records(run).items():
        if collector == "secretsmanager":
            assert (record.status, record.reason) == ("unknown", SECRETS_REASON[kind])
        else:
            assert record.status == "ok", record
            assert record.payload == records(baseline)[(env, region, collector)].payload
    [secrets] = [f for f in run.findings if f.check == "environment.secrets_parity"]
    assert secrets.status == Status.UNKNOWN and SECRETS_REASON[kind] in secrets.message
    untouched = [c for c in CHECKS if c != "environment.secrets_parity"]
    assert verdicts(run, untouched) == verdicts(baseline, untouched)
    assert injector.most_attempts("secrets-manager") == (TOTAL_ATTEMPTS if kind in RETRIED else 1)
    assert_retries_bounded(injector)
    assert_nothing_unseen_passes(run)


@pytest.mark.parametrize(("fault", "reason", "attempts"), [
    (Fault("denied", "s3", "GetBucketEncryption"), "AccessDenied: s3:GetEncryptionConfiguration", 1),
    (Fault("throttled", "s3", "ListBuckets"),
     "Throttled: s3:ListAllMyBuckets was still throttled after retries (Throttling)", TOTAL_ATTEMPTS),
    (Fault("unavailable", "dynamodb", "DescribeContinuousBackups"),
     "Service unavailable: dynamodb:DescribeContinuousBackups answered HTTP 503 (ServiceUnavailable)", TOTAL_ATTEMPTS),
], ids=["s3_denied_part_way", "s3_throttled", "dynamodb_unavailable_part_way"])
def test_a_call_failing_part_way_through_a_collector_names_that_call(fault, reason, attempts, checklist, no_waiting):
    checks = ("dataflow.bucket_protection", "dataflow.dynamodb_pitr")
    run, injector = collect(estate_platform(), checklist, fault, checks=checks)
    failed = {r.collector: r.reason for r in run.inventories if r.status != "ok"}
    assert failed == {"s3" if fault.service == "s3" else "dynamodb": reason}
    assert injector.most_attempts(fault.service, fault.operation) == attempts
    assert judged(run) == {Status.UNKNOWN, Status.PASS}
    assert_nothing_unseen_passes(run)


def test_credentials_expired_before_the_session_opens_leave_every_inventory_unknown(checklist, no_waiting):
    run, _ = collect(estate_platform(), checklist, Fault("expired", "sts"))
    assert {(r.environment, r.status, r.reason) for r in run.inventories} == {
        (env, "unknown", f"could not open a session for {env}: Credentials rejected: ExpiredToken on sts:AssumeRole")
        for env in ("staging", "production")}
    assert run.findings and {f.status for f in run.findings} == {Status.UNKNOWN}
    assert_nothing_unseen_passes(run)


def test_one_region_denied_leaves_that_region_unknown_and_the_other_read(estate, checklist, no_waiting):
    checks = ("environment.ssm_parity", "environment.secrets_parity")
    run, _ = collect(estate, checklist, Fault("denied", "ssm", region=OTHER_REGION), checks=checks)
    for (env, region, collector), record in records(run).items():
        if (region, collector) == (OTHER_REGION, "ssm"):
            assert (record.status, record.reason) == ("unknown", "AccessDenied: ssm:DescribeParameters")
        else:
            assert record.status == "ok", record
    [ssm] = [f for f in run.findings if f.check == "environment.ssm_parity"]
    assert ssm.status == Status.UNKNOWN and f"AccessDenied: ssm:DescribeParameters ({OTHER_REGION})" in ssm.message
    secrets = [f for f in run.findings if f.check == "environment.secrets_parity"]
    assert len(secrets) == 4 and {f.status for f in secrets} == {Status.PASS}  # two secrets in each region
    assert_nothing_unseen_passes(run)


def test_a_throttling_storm_on_every_service_is_retried_a_bounded_number_of_times(checklist, no_waiting):
    faults = [Fault("throttled", service) for service in SERVICE_OF.values()]
    run, injector = collect(estate_platform(), checklist, *faults)
    assert {r.status for r in run.inventories} == {"unknown"}
    assert all(r.reason.startswith("Throttled: ") for r in run.inventories)
    assert {f.status for f in run.findings} == {Status.UNKNOWN}
    assert_retries_bounded(injector)
    assert run.api_calls == sum(injector.attempts.values())  # every attempt counted, retries included
    assert_nothing_unseen_passes(run)


# ---- pagination cut short ----------------------------------------------------------------------

SSM_ONLY = ("environment.ssm_parity",)


@pytest.mark.parametrize(("kind", "reason"), [
    ("server_error", "Service unavailable: ssm:DescribeParameters answered HTTP 500 (InternalFailure)"),
    ("denied", "AccessDenied: ssm:DescribeParameters"),
    ("cut_short", "Unreadable answer: ssm:DescribeParameters"),
    ("token_repeats", "AWS client error on ssm:DescribeParameters: Error during pagination: The same next token "
                      "was received twice"),
])
def test_a_later_page_failing_never_leaves_a_partial_inventory_read_as_complete(kind, reason, checklist, no_waiting):
    run, injector = collect(estate_platform(), checklist, Fault(kind, "ssm", later_pages_only=True), checks=SSM_ONLY)
    ssm = [r for r in run.inventories if r.collector == "ssm"]
    assert len(ssm) == 2 and all(r.status == "unknown" and r.payload is None for r in ssm)
    assert all(r.reason.startswith(reason) for r in ssm), [r.reason for r in ssm]
    assert {f.status for f in run.findings} == {Status.UNKNOWN}
    assert_retries_bounded(injector)
    assert_nothing_unseen_passes(run)


def test_a_later_page_throttled_a_few_times_is_retried_and_the_inventory_is_complete(checklist, baseline, no_waiting):
    fault = Fault("throttled", "ssm", later_pages_only=True, times=3)
    run, injector = collect(estate_platform(), checklist, fault, checks=SSM_ONLY)
    ssm = [r for r in run.inventories if r.collector == "ssm"]
    assert {r.status for r in ssm} == {"ok"}
    assert all(len(r.payload["parameters"]) == len(PARAMETERS) for r in ssm)
    # Two pages in each environment, and the three throttled attempts retried.
    assert sum(n for (service, _, _), n in injector.attempts.items() if service == "ssm") == 2 * 2 + 3
    assert verdicts(run, SSM_ONLY) == verdicts(baseline, SSM_ONLY)


# ---- any mix of faults ---------------------------------------------------------------------------

FAULT_PLANS = st.lists(st.builds(Fault, kind=st.sampled_from(sorted(SECRETS_REASON)),
                                 service=st.sampled_from(sorted(SERVICE_OF.values())),
                                 later_pages_only=st.booleans()),
                       min_size=1, max_size=3, unique_by=lambda fault: fault.service)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(faults=FAULT_PLANS)
def test_any_mix_of_faults_completes_and_only_what_was_read_passes(faults, baseline, checklist, no_waiting):
    run, injector = collect(estate_platform(), checklist, *faults)
    struck = {fault.service for fault in injector.injected}
    for (env, region, collector), record in records(run).items():
        if SERVICE_OF[collector] in struck:
            assert record.status == "unknown" and record.reason, record
        else:
            assert record.payload == records(baseline)[(env, region, collector)].payload, record
    assert_retries_bounded(injector)
    assert_nothing_unseen_passes(run)
