"""Deterministic, explained scoring: answers and evidence in, area scores and a decision out.

Pure functions only. The rules (see README, "How scoring works"):
- answers are worth met 1, partial 0.5, not met 0, unanswered 0; n/a controls are left out;
- evidence caps an answer: any failing finding caps it at 0 (contradicted), a warning at 0.5;
  unknown or errored evidence leaves the answer but marks it unverified; all passing: verified;
- automated controls take their value from the evidence alone;
- an area is 100 × Σ(weight × value) / Σ(weight) over its applicable controls; the overall score
  weighs the areas by their weights;
- NO-GO when a blocker is not fully met without an active waiver, the overall is under the go
  score, or an area is under the floor; CONDITIONAL GO when only waivers keep it from NO-GO.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from readiness.checklist.model import Checklist, Control
from readiness.evidence.model import Finding, Status

ONE = Decimal(1)
HALF = Decimal("0.5")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
SCORE_STEP = Decimal("0.1")


class AnswerValue(StrEnum):
    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not_met"
    UNANSWERED = "unanswered"
    NOT_APPLICABLE = "n/a"

    @property
    def label(self) -> str:
        return {"met": "Met", "partial": "Partial", "not_met": "Not met",
                "unanswered": "Unanswered", "n/a": "N/A"}[self.value]


ANSWER_POINTS: dict[AnswerValue, Decimal] = {
    AnswerValue.MET: ONE,
    AnswerValue.PARTIAL: HALF,
    AnswerValue.NOT_MET: ZERO,
    AnswerValue.UNANSWERED: ZERO,
}


class EvidenceState(StrEnum):
    VERIFIED = "verified"
    CONTRADICTED = "contradicted"
    CAUTIONED = "cautioned"  # a warning caps the answer at partial
    UNVERIFIED = "unverified"
    NO_EVIDENCE = "no_evidence"

    @property
    def label(self) -> str:
        return {"verified": "Verified", "contradicted": "Contradicted", "cautioned": "Warned",
                "unverified": "Unverified", "no_evidence": "No evidence"}[self.value]


class Outcome(StrEnum):
    GO = "GO"
    CONDITIONAL_GO = "CONDITIONAL GO"
    NO_GO = "NO-GO"


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: AnswerValue = AnswerValue.UNANSWERED
    note: str = ""


class ActiveWaiver(BaseModel):
    """The part of a waiver the decision needs."""

    model_config = ConfigDict(frozen=True)

    control_id: str
    reason: str
    owner: str
    approver: str | None
    expires_on: dt.date

    def active_on(self, day: dt.date) -> bool:
        return self.approver is not None and day <= self.expires_on


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    go_score: Decimal = Field(default=Decimal(80), ge=0, le=100)
    area_floor: Decimal = Field(default=Decimal(60), ge=0, le=100)


class CheckCoverage(BaseModel):
    model_config = ConfigDict(frozen=True)

    check: str
    told: bool  # the check could tell pass from fail
    statuses: dict[str, int] = Field(default_factory=dict)


class ControlScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    control_id: str
    area: str
    title: str
    weight: Decimal
    blocker: bool
    automated: bool
    answer: AnswerValue
    evidence: EvidenceState
    value: Decimal | None  # None when not applicable
    applicable: bool
    waived: bool
    explanation: str
    finding_counts: dict[str, int] = Field(default_factory=dict)
    checks: list[CheckCoverage] = Field(default_factory=list)

    @property
    def fully_met(self) -> bool:
        return self.value is not None and self.value >= ONE


class AreaScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    area: str
    title: str
    weight: Decimal
    score: Decimal | None  # None when no control of the area applies
    coverage: Decimal | None
    controls: list[ControlScore]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for c in self.controls:
            out[c.answer.value] += 1
        return dict(out)


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    reasons: list[str]
    waivers: list[str] = Field(default_factory=list)  # control ids whose waiver the outcome relies on


class Score(BaseModel):
    model_config = ConfigDict(frozen=True)

    overall: Decimal | None
    coverage: Decimal | None
    areas: list[AreaScore]
    decision: Decision
    thresholds: Thresholds

    def control(self, control_id: str) -> ControlScore:
        for area in self.areas:
            for control in area.controls:
                if control.control_id == control_id:
                    return control
        raise KeyError(control_id)

    def controls(self) -> list[ControlScore]:
        return [c for a in self.areas for c in a.controls]


def _round(value: Decimal) -> Decimal:
    return value.quantize(SCORE_STEP, rounding=ROUND_HALF_UP)


def status_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings counted by status, in the fixed order of Status so the output never depends on input order."""
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.status.value] += 1
    return {s.value: counts[s.value] for s in Status if counts.get(s.value)}


def check_coverage(check: str, findings: Iterable[Finding]) -> CheckCoverage:
    statuses = status_counts(findings)
    decisive = statuses.get("pass", 0) + statuses.get("fail", 0) + statuses.get("warn", 0)
    blind = statuses.get("unknown", 0) + statuses.get("error", 0)
    return CheckCoverage(check=check, told=decisive > 0 and blind == 0, statuses=statuses)


def evidence_state(findings: Iterable[Finding]) -> EvidenceState:
    statuses = {f.status for f in findings}
    if Status.FAIL in statuses:
        return EvidenceState.CONTRADICTED
    if Status.WARN in statuses:
        return EvidenceState.CAUTIONED
    if statuses & {Status.UNKNOWN, Status.ERROR}:
        return EvidenceState.UNVERIFIED
    if Status.PASS in statuses:
        return EvidenceState.VERIFIED
    return EvidenceState.NO_EVIDENCE


_EVIDENCE_CAP = {
    EvidenceState.CONTRADICTED: ZERO,
    EvidenceState.CAUTIONED: HALF,
}
_AUTOMATED_VALUE = {
    EvidenceState.VERIFIED: ONE,
    EvidenceState.CAUTIONED: HALF,
    EvidenceState.CONTRADICTED: ZERO,
    EvidenceState.UNVERIFIED: ZERO,
    EvidenceState.NO_EVIDENCE: ZERO,
}


def score_control(
    control: Control,
    area: str,
    answer: Answer | None,
    findings: list[Finding],
    waived: bool = False,
) -> ControlScore:
    value_answer = answer.value if answer else AnswerValue.UNANSWERED
    mine = [f for f in findings if f.check in control.checks]
    state = evidence_state(mine)
    counts = status_counts(mine)
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in mine:
        by_check[f.check].append(f)
    checks = [check_coverage(check, by_check.get(check, [])) for check in control.checks]
    common = dict(
        control_id=control.id, area=area, title=control.title, weight=control.weight,
        blocker=control.blocker, automated=control.automated, answer=value_answer,
        evidence=state, waived=waived, finding_counts=counts, checks=checks,
    )
    if value_answer is AnswerValue.NOT_APPLICABLE and not control.automated:
        return ControlScore(**common, value=None, applicable=False,
                            explanation="Not applicable: left out of the score.")
    if control.automated:
        value = _AUTOMATED_VALUE[state]
        explanation = f"Automated: {state.label.lower()} by evidence, worth {value}."
    else:
        base = ANSWER_POINTS[value_answer]
        cap = _EVIDENCE_CAP.get(state)
        value = min(base, cap) if cap is not None else base
        explanation = f"Answered {value_answer.label.lower()} ({base})"
        if cap is not None and cap < base:
            worst = "failing" if state is EvidenceState.CONTRADICTED else "warning"
            explanation += f"; {counts.get('fail' if worst == 'failing' else 'warn', 0)} {worst} finding(s) cap it at {cap}"
        elif state is EvidenceState.UNVERIFIED:
            explanation += "; evidence could not be read, so the answer stands unverified"
        elif state is EvidenceState.VERIFIED:
            explanation += "; evidence confirms it"
        explanation += "."
    return ControlScore(**common, value=value, applicable=True, explanation=explanation)


def score(
    checklist: Checklist,
    answers: Mapping[str, Answer],
    findings: Iterable[Finding],
    *,
    environment: str | None = None,
    waivers: Iterable[ActiveWaiver] = (),
    thresholds: Thresholds | None = None,
    today: dt.date | None = None,
) -> Score:
    """Score a checklist: the only entry point pages and the CLI need."""
    thresholds = thresholds or Thresholds()
    today = today or dt.datetime.now(dt.UTC).date()
    relevant = [f for f in findings if environment is None or f.environment == environment]
    active = {w.control_id: w for w in waivers if w.active_on(today)}
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in relevant:
        by_check[f.check].append(f)

    areas: list[AreaScore] = []
    for area in checklist.areas:
        controls = []
        for control in area.controls:
            control_findings = [f for check in control.checks for f in by_check.get(check, [])]
            controls.append(score_control(control, area.id, answers.get(control.id), control_findings,
                                          waived=control.id in active))
        applicable = [c for c in controls if c.applicable]
        total_weight = sum((c.weight for c in applicable), ZERO)
        area_score = (
            _round(HUNDRED * sum((c.weight * c.value for c in applicable), ZERO) / total_weight)
            if total_weight > 0 else None
        )
        areas.append(AreaScore(area=area.id, title=area.title, weight=area.weight, score=area_score,
                               coverage=_coverage([ch for c in applicable for ch in c.checks]),
                               controls=controls))

    scored = [a for a in areas if a.score is not None]
    weight = sum((a.weight for a in scored), ZERO)
    overall = _round(sum((a.weight * a.score for a in scored), ZERO) / weight) if weight > 0 else None
    coverage = _coverage([ch for a in areas for c in a.controls if c.applicable for ch in c.checks])
    decision = decide(areas, overall, thresholds, active)
    return Score(overall=overall, coverage=coverage, areas=areas, decision=decision, thresholds=thresholds)


def _coverage(checks: list[CheckCoverage]) -> Decimal | None:
    """Share of checks that could tell pass from fail; checks with nothing to look at are left out."""
    counted = [c for c in checks if set(c.statuses) != {"not_applicable"}]
    if not counted:
        return None
    return _round(HUNDRED * Decimal(sum(1 for c in counted if c.told)) / Decimal(len(counted)))


def decide(
    areas: list[AreaScore],
    overall: Decimal | None,
    thresholds: Thresholds,
    active_waivers: Mapping[str, ActiveWaiver],
) -> Decision:
    blocking: list[str] = []
    waived: list[str] = []
    reasons_waived: list[str] = []
    for area in areas:
        for c in area.controls:
            if not c.blocker or not c.applicable or c.fully_met:
                continue
            why = _blocker_gap(c)
            if c.control_id in active_waivers:
                w = active_waivers[c.control_id]
                waived.append(c.control_id)
                reasons_waived.append(
                    f"Blocker {c.control_id} ({c.title}) {why}, accepted by waiver until "
                    f"{w.expires_on.isoformat()} (owner {w.owner}, approved by {w.approver})."
                )
            else:
                blocking.append(f"Blocker {c.control_id} ({c.title}) {why}.")
    reasons = list(blocking)
    if overall is None:
        reasons.append("Nothing is scored yet: no control applies.")
    elif overall < thresholds.go_score:
        reasons.append(f"Overall score {overall} is under the go score of {thresholds.go_score}.")
    for area in areas:
        if area.score is not None and area.score < thresholds.area_floor:
            reasons.append(f"{area.title} scores {area.score}, under the area floor of {thresholds.area_floor}.")
    if reasons:
        return Decision(outcome=Outcome.NO_GO, reasons=reasons + reasons_waived, waivers=waived)
    if waived:
        return Decision(outcome=Outcome.CONDITIONAL_GO, reasons=reasons_waived, waivers=waived)
    return Decision(
        outcome=Outcome.GO,
        reasons=[f"Every blocker is met, the overall score {overall} reaches {thresholds.go_score}, "
                 f"and every area is at or above {thresholds.area_floor}."],
    )


def _blocker_gap(c: ControlScore) -> str:
    if c.automated:
        return {
            EvidenceState.CONTRADICTED: "is contradicted by evidence",
            EvidenceState.CAUTIONED: "is only partly confirmed by evidence",
            EvidenceState.UNVERIFIED: "could not be verified: its evidence could not be read",
        }.get(c.evidence, "has no evidence yet, and is judged on evidence alone")
    if c.evidence is EvidenceState.CONTRADICTED:
        return f"is answered {c.answer.label.lower()} but contradicted by evidence"
    if c.answer is AnswerValue.UNANSWERED:
        return "is unanswered"
    return f"is {c.answer.label.lower()}" + (
        " and evidence warns" if c.evidence is EvidenceState.CAUTIONED else ""
    )
