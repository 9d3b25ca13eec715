"""Scoring rules of DESIGN.md, as examples and as properties over generated inputs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.checklist.model import AREA_PREFIXES, Area, Checklist, Control
from readiness.evidence.model import Finding, Status
from readiness.scoring import (
    ActiveWaiver, Answer, AnswerValue, EvidenceState, Outcome, Thresholds, score,
)

TODAY = dt.date(2026, 11, 29)
AREAS = list(AREA_PREFIXES)


def control(cid: str, weight: int = 1, blocker: bool = False, automated: bool = False,
            checks: tuple[str, ...] = ()) -> Control:
    return Control(id=cid, title=f"title {cid}", question="Is it so?", why="Because.", guidance="Do it.",
                   links=["https://docs.aws.amazon.com/"], weight=Decimal(weight), blocker=blocker,
                   automated=automated, checks=list(checks))


def checklist_of(areas: dict[str, list[Control]], weights: dict[str, int] | None = None) -> Checklist:
    return Checklist(id="t", title="t", version="1", areas=[
        Area(id=a, title=a.title(), weight=Decimal((weights or {}).get(a, 1)), controls=cs) for a, cs in areas.items()
    ])


def finding(check: str, status: Status, env: str = "production") -> Finding:
    return Finding(check=check, area=check.split(".")[0], environment=env, resource="r", status=status, message="m")


def answers(**values: str) -> dict[str, Answer]:
    return {cid.replace("_", "-"): Answer(value=AnswerValue(v)) for cid, v in values.items()}


SIMPLE = checklist_of({
    "architecture": [control("ARC-01", 3, checks=("architecture.x",)), control("ARC-02", 1)],
    "environment": [control("ENV-01", 2, blocker=True, checks=("environment.y",))],
})


def test_area_score_weighs_answers():
    result = score(SIMPLE, answers(ARC_01="met", ARC_02="partial", ENV_01="met"), [], today=TODAY)
    assert result.areas[0].score == Decimal("87.5")  # (3*1 + 1*0.5) / 4
    assert result.areas[1].score == Decimal("100.0")
    assert result.overall == Decimal("93.8")


def test_failing_evidence_contradicts_and_caps_at_zero():
    result = score(SIMPLE, answers(ARC_01="met", ARC_02="met", ENV_01="met"),
                   [finding("architecture.x", Status.FAIL), finding("architecture.x", Status.PASS)],
                   environment="production", today=TODAY)
    arc = result.control("ARC-01")
    assert arc.evidence is EvidenceState.CONTRADICTED and arc.value == 0
    assert "cap it at 0" in arc.explanation


def test_warning_caps_at_half_and_unknown_leaves_answer_unverified():
    result = score(SIMPLE, answers(ARC_01="met", ENV_01="met"),
                   [finding("architecture.x", Status.WARN), finding("environment.y", Status.UNKNOWN)], today=TODAY)
    assert result.control("ARC-01").value == Decimal("0.5")
    env = result.control("ENV-01")
    assert env.evidence is EvidenceState.UNVERIFIED and env.value == 1


def test_findings_of_other_environments_do_not_count():
    result = score(SIMPLE, answers(ARC_01="met"), [finding("architecture.x", Status.FAIL, env="staging")],
                   environment="production", today=TODAY)
    assert result.control("ARC-01").evidence is EvidenceState.NO_EVIDENCE


def test_automated_control_ignores_the_answer():
    checklist = checklist_of({"monitoring": [control("MON-01", automated=True, checks=("monitoring.z",))]})
    verified = score(checklist, answers(MON_01="not_met"), [finding("monitoring.z", Status.PASS)], today=TODAY)
    assert verified.control("MON-01").value == 1 and verified.overall == 100
    blind = score(checklist, answers(MON_01="met"), [], today=TODAY)
    assert blind.control("MON-01").value == 0


def test_not_applicable_is_left_out():
    result = score(SIMPLE, answers(ARC_01="met", ARC_02="n/a", ENV_01="met"), [], today=TODAY)
    assert result.areas[0].score == 100
    assert not result.control("ARC-02").applicable


def test_unmet_blocker_is_no_go_with_reason_even_with_high_scores():
    big = checklist_of({"architecture": [control(f"ARC-{i:02d}", 10) for i in range(1, 10)]
                        + [control("ARC-10", 1, blocker=True)]})
    given = {f"ARC-{i:02d}": Answer(value=AnswerValue.MET) for i in range(1, 10)}
    result = score(big, given, [], today=TODAY)
    assert result.overall > 90
    assert result.decision.outcome is Outcome.NO_GO
    assert result.decision.reasons == ["Blocker ARC-10 (title ARC-10) is unanswered."]


def test_active_waiver_turns_blocker_no_go_into_conditional_go_and_expired_one_lapses():
    waiver = ActiveWaiver(control_id="ENV-01", reason="vendor fix due", owner="ana", approver="bo",
                          expires_on=TODAY + dt.timedelta(days=10))
    given = answers(ARC_01="met", ARC_02="met", ENV_01="partial")
    thresholds = Thresholds(go_score=Decimal(50), area_floor=Decimal(40))
    conditional = score(SIMPLE, given, [], waivers=[waiver], thresholds=thresholds, today=TODAY)
    assert conditional.decision.outcome is Outcome.CONDITIONAL_GO
    assert conditional.decision.waivers == ["ENV-01"]
    assert "accepted by waiver until" in conditional.decision.reasons[0]
    lapsed = score(SIMPLE, given, [], waivers=[waiver], thresholds=thresholds, today=TODAY + dt.timedelta(days=11))
    assert lapsed.decision.outcome is Outcome.NO_GO


def test_unapproved_waiver_counts_for_nothing():
    waiver = ActiveWaiver(control_id="ENV-01", reason="r", owner="ana", approver=None, expires_on=TODAY)
    result = score(SIMPLE, answers(ARC_01="met", ARC_02="met"), [], waivers=[waiver], today=TODAY)
    assert result.decision.outcome is Outcome.NO_GO


def test_area_under_floor_and_overall_under_go_score_are_reasons():
    result = score(SIMPLE, answers(ARC_01="not_met", ARC_02="met", ENV_01="met"), [],
                   thresholds=Thresholds(go_score=Decimal(90), area_floor=Decimal(60)), today=TODAY)
    assert result.decision.outcome is Outcome.NO_GO
    assert any("under the go score of 90" in r for r in result.decision.reasons)
    assert any("Architecture scores 25.0, under the area floor of 60" in r for r in result.decision.reasons)


def test_coverage_counts_checks_that_could_tell():
    result = score(SIMPLE, answers(), [finding("architecture.x", Status.PASS), finding("environment.y", Status.UNKNOWN)],
                   today=TODAY)
    assert result.coverage == Decimal("50.0")


# ---- properties ---------------------------------------------------------------------------

ANSWERS = st.sampled_from(list(AnswerValue))
STATUSES = st.sampled_from(list(Status))
ORDER = [AnswerValue.UNANSWERED, AnswerValue.NOT_MET, AnswerValue.PARTIAL, AnswerValue.MET]


@st.composite
def cases(draw):
    areas = {}
    checks = []
    for area in draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=4, unique=True)):
        controls = []
        for n in range(1, draw(st.integers(1, 4)) + 1):
            check = f"{area}.c{n}"
            checks.append(check)
            controls.append(control(f"{AREA_PREFIXES[area]}-{n:02d}", draw(st.integers(1, 5)), draw(st.booleans()),
                                    draw(st.booleans()), (check,) if draw(st.booleans()) else ()))
        areas[area] = controls
    checklist = checklist_of(areas, {a: draw(st.integers(1, 3)) for a in areas})
    given = {c.id: Answer(value=draw(ANSWERS), note="n") for c in checklist.controls() if draw(st.booleans())}
    found = [finding(draw(st.sampled_from(checks)), draw(STATUSES)) for _ in range(draw(st.integers(0, 6)))]
    return checklist, given, found


def all_scores(result):
    return [result.overall] + [a.score for a in result.areas]


@settings(max_examples=200, deadline=None)
@given(cases())
def test_scores_stay_between_0_and_100(case):
    checklist, given, found = case
    for value in all_scores(score(checklist, given, found, today=TODAY)):
        assert value is None or 0 <= value <= 100


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_improving_an_answer_never_lowers_any_score(case, data):
    checklist, given, found = case
    target = data.draw(st.sampled_from(checklist.controls()))
    current = given.get(target.id, Answer()).value
    if current is AnswerValue.NOT_APPLICABLE:
        return
    better = data.draw(st.sampled_from(ORDER[ORDER.index(current):]))
    before = score(checklist, given, found, today=TODAY)
    after = score(checklist, {**given, target.id: Answer(value=better)}, found, today=TODAY)
    for old, new in zip(all_scores(before), all_scores(after)):
        assert old is None or new >= old


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_not_applicable_controls_do_not_count(case, data):
    checklist, given, found = case
    target = data.draw(st.sampled_from([c for c in checklist.controls() if not c.automated] or [None]))
    if target is None:
        return
    with_na = score(checklist, {**given, target.id: Answer(value=AnswerValue.NOT_APPLICABLE, note="r")}, found,
                    today=TODAY)
    area_id = checklist.area_of(target.id).id
    if len(checklist.controls()) == 1:
        assert with_na.overall is None
        return
    slim = checklist_of({a.id: [c for c in a.controls if c.id != target.id] for a in checklist.areas
                         if any(c.id != target.id for c in a.controls)},
                        {a.id: int(a.weight) for a in checklist.areas})
    without = score(slim, given, found, today=TODAY)
    na_area = next(a for a in with_na.areas if a.area == area_id)
    other = next((a for a in without.areas if a.area == area_id), None)
    assert na_area.score == (other.score if other else None)
    assert with_na.overall == without.overall


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_an_unwaived_failed_blocker_always_gives_no_go(case, data):
    checklist, given, found = case
    blockers = [c for c in checklist.controls() if c.blocker and not c.automated]
    if not blockers:
        return
    target = data.draw(st.sampled_from(blockers))
    bad = data.draw(st.sampled_from([AnswerValue.NOT_MET, AnswerValue.PARTIAL, AnswerValue.UNANSWERED]))
    result = score(checklist, {**given, target.id: Answer(value=bad)}, found, today=TODAY)
    assert result.decision.outcome is Outcome.NO_GO
    assert any(target.id in reason for reason in result.decision.reasons)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_the_same_input_gives_the_same_output(case):
    checklist, given, found = case
    first = score(checklist, given, found, today=TODAY)
    second = score(checklist, dict(reversed(list(given.items()))), list(reversed(found)), today=TODAY)
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()


def test_automated_blocker_without_evidence_says_so_plainly():
    checklist = checklist_of({"monitoring": [control("MON-01", blocker=True, automated=True, checks=("monitoring.z",))]})
    result = score(checklist, {}, [], today=TODAY)
    assert result.decision.reasons[0] == (
        "Blocker MON-01 (title MON-01) has no evidence yet, and is judged on evidence alone.")
