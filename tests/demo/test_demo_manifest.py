"""Every known gap of the demo is reported by its check on its resource; what is done right is not faulted."""
from __future__ import annotations

import pytest

from readiness.demo import DemoEstate
from readiness.demo.manifest import DONE_RIGHT, GAPS, PLANNED_DONE_RIGHT, PLANNED_GAPS, DoneRight, Gap
from readiness.evidence.model import EvidenceRun, Finding, Status
from readiness.evidence.registry import all_checks

ALL_GAPS = (*GAPS, *PLANNED_GAPS)
ALL_RIGHT = (*DONE_RIGHT, *PLANNED_DONE_RIGHT)


def findings_on(run: EvidenceRun, check: str, environment: str, resource: str) -> list[Finding]:
    return [f for f in run.findings if f.check == check and f.environment == environment and f.resource == resource]


def resolved_gap(estate: DemoEstate, gap_id: str) -> Gap:
    return next(g for g in estate.gaps if g.id == gap_id)


def require_registered(check: str) -> None:
    if check not in all_checks():
        pytest.skip(f"{check} is not registered yet: its entries are checked once it is")


@pytest.mark.parametrize("gap_id", [g.id for g in ALL_GAPS])
def test_known_gap_is_reported_on_its_resource(gap_id: str, estate: DemoEstate, demo_run: EvidenceRun) -> None:
    gap = resolved_gap(estate, gap_id)
    require_registered(gap.check)
    found = findings_on(demo_run, gap.check, gap.environment, gap.resource)
    assert found, (f"{gap.check} said nothing about {gap.resource} in {gap.environment}; it said: "
                   f"{[(f.resource, f.status.value) for f in demo_run.findings if f.check == gap.check]}")
    caught = [f for f in found if gap.caught_by(f.status) and (gap.mentions or "") in f.message]
    assert caught, f"{gap.id} ({gap.what}) was not reported: {[(f.status.value, f.message) for f in found]}"


@pytest.mark.parametrize("index", range(len(ALL_RIGHT)),
                         ids=[f"{d.check}:{d.resource.rsplit(':', 1)[-1]}" for d in ALL_RIGHT])
def test_thing_done_right_is_judged_and_not_faulted(index: int, estate: DemoEstate, demo_run: EvidenceRun) -> None:
    right: DoneRight = estate.done_right[index]
    require_registered(right.check)
    found = findings_on(demo_run, right.check, right.environment, right.resource)
    assert found, f"{right.check} said nothing about {right.resource}, which it should judge ({right.what})"
    assert all(f.status == Status.PASS for f in found), [(f.status.value, f.message) for f in found]


def test_manifest_ids_are_unique_and_name_real_checks_of_the_checklist(platform) -> None:
    from readiness.assessment import checklist_for

    ids = [g.id for g in ALL_GAPS]
    assert len(ids) == len(set(ids))
    named = checklist_for(platform).check_ids()
    assert {g.check for g in ALL_GAPS} | {d.check for d in ALL_RIGHT} <= named


def test_no_resource_is_both_a_gap_and_done_right_for_the_same_check(estate: DemoEstate) -> None:
    gaps = {(g.check, g.environment, g.resource) for g in estate.gaps}
    assert not [d for d in estate.done_right if (d.check, d.environment, d.resource) in gaps]


def test_first_run_shows_a_mixed_picture(demo_run: EvidenceRun) -> None:
    statuses = {f.status for f in demo_run.findings}
    assert {Status.PASS, Status.FAIL} <= statuses
    assert not [f for f in demo_run.findings if f.status in (Status.UNKNOWN, Status.ERROR)], \
        [(f.check, f.message) for f in demo_run.findings if f.status in (Status.UNKNOWN, Status.ERROR)]


def test_every_check_of_the_demo_catches_at_least_one_gap(platform) -> None:
    from readiness.assessment import checklist_for

    registry = all_checks()
    run_on_aws = {c for c in checklist_for(platform).check_ids() if c in registry and registry[c].kind == "aws"}
    assert run_on_aws - {g.check for g in ALL_GAPS} == set()


@pytest.mark.parametrize("gap_id", [g.id for g in ALL_GAPS if g.status == Status.WARN])
def test_a_gap_meant_as_a_warning_is_reported_as_one(gap_id: str, estate: DemoEstate, demo_run: EvidenceRun) -> None:
    # The demo's picture counts on these being partial problems: a failure would contradict the control outright.
    gap = resolved_gap(estate, gap_id)
    found = findings_on(demo_run, gap.check, gap.environment, gap.resource)
    assert found and {f.status for f in found} == {Status.WARN}, [(f.status.value, f.message) for f in found]
