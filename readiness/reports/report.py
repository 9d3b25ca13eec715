"""The one report model of an assessment, built from the store; every format renders this."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from readiness import assessment as service
from readiness import history
from readiness.checklist import Checklist
from readiness.scoring import ControlScore, Score
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import evidence as evidence_repo
from readiness.store.tables import AssessmentStatus, WaiverRow


class AssessmentMeta(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    platform_id: int
    platform: str
    environment: str
    status: str
    created_by: str
    created_at: dt.datetime
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    finalized_by: str | None = None
    finalized_at: dt.datetime | None = None
    checklist_title: str
    checklist_version: str
    checklist_digest: str
    evidence_run_id: str | None = None
    evidence_run_at: dt.datetime | None = None

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL


class WaiverLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    control_id: str
    control_title: str
    reason: str
    owner: str
    requested_by: str
    approver: str | None
    expires_on: dt.date
    state: str  # active | expired | pending approval | revoked
    relied_on: bool  # the decision is CONDITIONAL on it


class ControlLine(BaseModel):
    """One control as the report lists it: the answer with its owner and note, evidence, waiver."""

    model_config = ConfigDict(frozen=True)

    control_id: str
    area: str
    area_title: str
    title: str
    blocker: bool
    automated: bool
    weight: Decimal
    answer: str
    owner: str | None
    due_on: dt.date | None
    note: str
    evidence: str
    finding_counts: dict[str, int]
    value: Decimal | None
    waived: bool
    waiver: str  # e.g. "active until 2025-03-31 (owner Dana)", or ""
    explanation: str

    @property
    def fully_met(self) -> bool:
        return self.value is not None and self.value >= 1


class SignOffLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    name: str
    approve: bool
    comment: str
    signed_at: dt.datetime


class RecordedDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    outcome: str
    computed_outcome: str
    rationale: str
    recorded_by: str
    recorded_at: dt.datetime
    sign_offs: list[SignOffLine]


class ReportModel(BaseModel):
    """Everything a reader of any format sees, computed once."""

    model_config = ConfigDict(frozen=True)

    generated_at: dt.datetime
    meta: AssessmentMeta
    score: Score
    controls: list[ControlLine]
    waivers: list[WaiverLine]
    decisions: list[RecordedDecision]  # latest first
    changes: history.Comparison | None  # since the previous final assessment
    # Final assessments of the environment up to this one, oldest first, then this one if it is not final.
    history: list[history.ScorePoint]

    @property
    def outcome(self) -> str:
        """The computed outcome: what the answers and the evidence say."""
        return self.score.decision.outcome.value

    @property
    def recorded(self) -> RecordedDecision | None:
        return self.decisions[0] if self.decisions else None

    @property
    def blockers(self) -> list[ControlLine]:
        """Blocker controls that are not fully met (waived or not)."""
        return [c for c in self.controls if c.blocker and c.value is not None and not c.fully_met]

    @property
    def open_blockers(self) -> list[ControlLine]:
        """Blockers that keep the decision at NO-GO: not fully met and not waived."""
        return [c for c in self.blockers if not c.waived]

    @property
    def active_waivers(self) -> list[WaiverLine]:
        return [w for w in self.waivers if w.state == "active"]


def _waiver_text(row: WaiverRow | None, state: str) -> str:
    if row is None:
        return ""
    if state == "active":
        return f"active until {row.expires_on.isoformat()} (owner {row.owner}, approved by {row.approver})"
    if state == "expired":
        return f"expired on {row.expires_on.isoformat()}"
    return state


def waiver_lines(rows: list[WaiverRow], checklist: Checklist, *, relied_on: set[str],
                 today: dt.date) -> list[WaiverLine]:
    titles = {c.id: c.title for c in checklist.controls()}
    lines = []
    for w in rows:
        state = decisions_repo.waiver_state(w, today)
        lines.append(WaiverLine(id=w.id, control_id=w.control_id, control_title=titles.get(w.control_id, ""),
                                reason=w.reason, owner=w.owner, requested_by=w.requested_by, approver=w.approver,
                                expires_on=w.expires_on, state=state,
                                relied_on=w.control_id in relied_on and state == "active"))
    return lines


def environment_waivers(session: Session, *, platform_id: int, environment: str, checklist: Checklist,
                        relied_on: set[str], today: dt.date) -> list[WaiverLine]:
    """Every waiver of the environment, whatever its state, newest expiry first."""
    rows = decisions_repo.waivers_for(session, platform_id=platform_id, environment=environment)
    return waiver_lines(rows, checklist, relied_on=relied_on, today=today)


def _control_lines(result: Score, area_titles: dict[str, str], answers: dict, waivers: dict[str, tuple[WaiverRow, str]]
                   ) -> list[ControlLine]:
    lines = []
    for c in result.controls():
        answer = answers.get(c.control_id)
        waiver, state = waivers.get(c.control_id, (None, ""))
        lines.append(ControlLine(
            control_id=c.control_id, area=c.area, area_title=area_titles.get(c.area, c.area), title=c.title,
            blocker=c.blocker, automated=c.automated, weight=c.weight, answer=c.answer.label,
            owner=answer.owner if answer else None, due_on=answer.due_on if answer else None,
            note=answer.note if answer else "", evidence=c.evidence.label, finding_counts=c.finding_counts,
            value=c.value, waived=c.waived, waiver=_waiver_text(waiver, state) if waiver else "",
            explanation=c.explanation,
        ))
    return lines


def _pick_waivers(rows: list[WaiverRow], today: dt.date) -> dict[str, tuple[WaiverRow, str]]:
    """Per control, the waiver that tells most: an active one first, then pending, expired, revoked."""
    rank = {"active": 0, "pending approval": 1, "expired": 2, "revoked": 3}
    best: dict[str, tuple[WaiverRow, str]] = {}
    for row in rows:
        state = decisions_repo.waiver_state(row, today)
        current = best.get(row.control_id)
        if current is None or rank[state] < rank[current[1]]:
            best[row.control_id] = (row, state)
    return best


def build_report(session: Session, *, assessment_id: int, today: dt.date | None = None,
                 now: dt.datetime | None = None) -> ReportModel:
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    ctx = service.context(session, assessment_id=assessment_id)
    row = ctx.assessment
    result = service.current_score(session, assessment_id=assessment_id, today=today)
    run_id = row.evidence_run_id if ctx.is_final else next(iter(service.evidence_runs(session, row)), None)
    run = evidence_repo.get_run(session, run_id=run_id) if run_id else None
    meta = AssessmentMeta(
        id=row.id, title=row.title, platform_id=row.platform_id, platform=ctx.platform.name,
        environment=row.environment, status=row.status,
        created_by=row.created_by, created_at=row.created_at, reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at, finalized_by=row.finalized_by, finalized_at=row.finalized_at,
        checklist_title=ctx.checklist.title, checklist_version=ctx.checklist.version,
        checklist_digest=ctx.checklist.digest or row.checklist_digest,
        evidence_run_id=run.id if run else None, evidence_run_at=run.finished_at if run else None,
    )
    waiver_rows = decisions_repo.waivers_for(session, platform_id=row.platform_id, environment=row.environment)
    if ctx.is_final and row.finalized_at is not None:
        # A final report lists the waivers its frozen decision could see, in the state they are in today.
        waiver_rows = [w for w in waiver_rows if w.requested_at <= row.finalized_at]
    waivers = waiver_lines(waiver_rows, ctx.checklist, relied_on=set(result.decision.waivers), today=today)
    decisions = [
        RecordedDecision(id=d.id, outcome=d.outcome, computed_outcome=d.computed_outcome, rationale=d.rationale,
                         recorded_by=d.recorded_by, recorded_at=d.recorded_at,
                         sign_offs=[SignOffLine(role=s.role, name=s.name, approve=s.approve, comment=s.comment,
                                                signed_at=s.signed_at) for s in signs])
        for d, signs in decisions_repo.decisions_for(session, assessment_id=assessment_id)
    ]
    area_titles = {a.area: a.title for a in result.areas}
    answers = repo.answers_for(session, assessment_id=assessment_id)
    series = history.score_series(session, platform_id=row.platform_id, environment=row.environment,
                                  final_only=True, today=today)
    series = [p for p in series if (p.assessment.created_at, p.assessment.id) <= (row.created_at, row.id)]
    if not ctx.is_final:
        series.append(history.point_of(history.AssessmentRef.of(row), result))
    return ReportModel(
        generated_at=now, meta=meta, score=result,
        controls=_control_lines(result, area_titles, answers, _pick_waivers(waiver_rows, today)),
        waivers=waivers, decisions=decisions,
        changes=history.changes_since_previous_final(session, assessment_id=assessment_id, today=today),
        history=series,
    )


def fmt_score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}"


def fmt_when(value: dt.datetime | None) -> str:
    return "—" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def control_state(line: ControlLine | ControlScore) -> str:
    """One phrase for the state of a control: met, partial, not met, n/a."""
    if line.value is None:
        return "n/a"
    if line.value >= 1:
        return "met"
    return "partial" if line.value > 0 else "not met"
