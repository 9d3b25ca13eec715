"""Scores over time and comparisons: how the assessments of one platform environment moved."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, or_
from sqlmodel import Session, select

from readiness import assessment as service
from readiness.errors import InvalidInput, NotFound
from readiness.scoring import ControlScore, Score
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store.tables import AssessmentRow, AssessmentStatus, DecisionRow

Direction = Literal["better", "worse", "changed", "added", "removed"]


class AssessmentRef(BaseModel):
    """Enough of an assessment to name it on a chart or in a table."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    environment: str
    status: str
    created_at: dt.datetime
    finalized_at: dt.datetime | None = None

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL

    @property
    def label(self) -> str:
        return f"#{self.id} {self.title} ({self.status})"

    @classmethod
    def of(cls, row: AssessmentRow) -> "AssessmentRef":
        return cls(id=row.id, title=row.title, environment=row.environment, status=row.status,
                   created_at=row.created_at, finalized_at=row.finalized_at)


class ScorePoint(BaseModel):
    """One assessment on the timeline: its overall and area scores, and its decision."""

    model_config = ConfigDict(frozen=True)

    assessment: AssessmentRef
    overall: Decimal | None
    coverage: Decimal | None
    areas: dict[str, Decimal | None]  # area id -> score, in checklist order
    area_titles: dict[str, str]
    outcome: str  # computed: frozen for a final assessment, live otherwise
    recorded_outcome: str | None = None  # what the meeting recorded, when it did
    go_score: Decimal | None = None


class ControlState(BaseModel):
    model_config = ConfigDict(frozen=True)

    answer: str
    evidence: str
    value: Decimal | None
    waived: bool

    @classmethod
    def of(cls, control: ControlScore) -> "ControlState":
        return cls(answer=control.answer.label, evidence=control.evidence.label, value=control.value,
                   waived=control.waived)

    @property
    def label(self) -> str:
        worth = "n/a" if self.value is None else f"{self.value}"
        return f"{self.answer}, {self.evidence.lower()}{', waived' if self.waived else ''} ({worth})"


class ControlChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    control_id: str
    title: str
    area: str
    blocker: bool
    before: ControlState | None
    after: ControlState | None
    direction: Direction


class AreaDelta(BaseModel):
    model_config = ConfigDict(frozen=True)

    area: str
    title: str
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


class Comparison(BaseModel):
    """What moved between two assessments: the overall, each area, and each control that changed."""

    model_config = ConfigDict(frozen=True)

    before: AssessmentRef
    after: AssessmentRef
    overall_before: Decimal | None
    overall_after: Decimal | None
    outcome_before: str
    outcome_after: str
    areas: list[AreaDelta]
    controls: list[ControlChange]

    @property
    def overall_delta(self) -> Decimal | None:
        if self.overall_before is None or self.overall_after is None:
            return None
        return self.overall_after - self.overall_before

    def count(self, direction: Direction) -> int:
        return sum(1 for c in self.controls if c.direction == direction)


# ---- pure -------------------------------------------------------------------------------------

def _direction(before: ControlState, after: ControlState) -> Direction | None:
    if before == after:
        return None
    if before.value is not None and after.value is not None and before.value != after.value:
        return "better" if after.value > before.value else "worse"
    return "changed"


def compare_scores(before: Score, after: Score, *, before_ref: AssessmentRef, after_ref: AssessmentRef) -> Comparison:
    """Per-area deltas and the controls whose state changed, in checklist order of the later score."""
    before_controls = {c.control_id: c for c in before.controls()}
    after_controls = {c.control_id: c for c in after.controls()}
    changes: list[ControlChange] = []
    for cid, now in after_controls.items():
        was = before_controls.get(cid)
        if was is None:
            changes.append(ControlChange(control_id=cid, title=now.title, area=now.area, blocker=now.blocker,
                                         before=None, after=ControlState.of(now), direction="added"))
            continue
        direction = _direction(ControlState.of(was), ControlState.of(now))
        if direction is not None:
            changes.append(ControlChange(control_id=cid, title=now.title, area=now.area, blocker=now.blocker,
                                         before=ControlState.of(was), after=ControlState.of(now),
                                         direction=direction))
    for cid, was in before_controls.items():
        if cid not in after_controls:
            changes.append(ControlChange(control_id=cid, title=was.title, area=was.area, blocker=was.blocker,
                                         before=ControlState.of(was), after=None, direction="removed"))
    before_areas = {a.area: a for a in before.areas}
    areas = [AreaDelta(area=a.area, title=a.title, before=before_areas[a.area].score if a.area in before_areas
                       else None, after=a.score) for a in after.areas]
    areas += [AreaDelta(area=a.area, title=a.title, before=a.score, after=None)
              for a in before.areas if a.area not in {x.area for x in after.areas}]
    return Comparison(before=before_ref, after=after_ref, overall_before=before.overall, overall_after=after.overall,
                      outcome_before=before.decision.outcome.value, outcome_after=after.decision.outcome.value,
                      areas=areas, controls=changes)


def point_of(ref: AssessmentRef, result: Score, recorded_outcome: str | None = None) -> ScorePoint:
    return ScorePoint(assessment=ref, overall=result.overall, coverage=result.coverage,
                      areas={a.area: a.score for a in result.areas},
                      area_titles={a.area: a.title for a in result.areas},
                      outcome=result.decision.outcome.value, recorded_outcome=recorded_outcome,
                      go_score=result.thresholds.go_score)


# ---- from the store ---------------------------------------------------------------------------
# Timelines read only the columns they show: a final assessment's frozen checklist and score are tens of
# kilobytes each, and years of weekly reviews make thousands of them.

_REF_COLUMNS = (AssessmentRow.id, AssessmentRow.title, AssessmentRow.environment, AssessmentRow.status,
                AssessmentRow.created_at, AssessmentRow.finalized_at)


def _ref(row: Any) -> AssessmentRef:
    return AssessmentRef(id=row.id, title=row.title, environment=row.environment, status=row.status,
                         created_at=row.created_at, finalized_at=row.finalized_at)


def _of_environment(query: Any, platform_id: int, environment: str, status: str | None) -> Any:
    query = query.where(AssessmentRow.platform_id == platform_id, AssessmentRow.environment == environment)
    return query.where(AssessmentRow.status == status) if status else query


def assessment_refs(session: Session, *, platform_id: int, environment: str,
                    status: str | None = None) -> list[AssessmentRef]:
    """The environment's assessments, newest first, as a list names them."""
    query = _of_environment(select(*_REF_COLUMNS), platform_id, environment, status)
    return [_ref(row) for row in session.exec(query.order_by(AssessmentRow.created_at.desc(),  # type: ignore
                                                             AssessmentRow.id.desc()))]  # type: ignore


def recorded_outcomes(session: Session, *, platform_id: int, environment: str) -> dict[int, str]:
    """Per assessment of the environment, the outcome its meeting recorded last (one query for them all)."""
    rows = session.exec(
        select(DecisionRow.assessment_id, DecisionRow.outcome)
        .join(AssessmentRow, AssessmentRow.id == DecisionRow.assessment_id)  # type: ignore[arg-type]
        .where(AssessmentRow.platform_id == platform_id, AssessmentRow.environment == environment)
        .order_by(DecisionRow.recorded_at, DecisionRow.id)  # the last one of each assessment wins below
    )
    return {assessment_id: outcome for assessment_id, outcome in rows}


def recorded_outcome(session: Session, *, assessment_id: int) -> str | None:
    """The outcome the meeting recorded last for this assessment, if it recorded one."""
    recorded = decisions_repo.decisions_for(session, assessment_id=assessment_id)
    return recorded[0][0].outcome if recorded else None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _summary_point(ref: AssessmentRef, row: Any, recorded: str | None) -> ScorePoint:
    summary = row.score_summary
    return ScorePoint(assessment=ref, overall=_decimal(row.overall_score), coverage=_decimal(summary.get("coverage")),
                      areas={area: _decimal(value) for area, value in summary.get("areas", {}).items()},
                      area_titles=dict(summary.get("area_titles", {})), outcome=row.outcome or "",
                      recorded_outcome=recorded, go_score=_decimal(summary.get("go_score")))


def score_series(session: Session, *, platform_id: int, environment: str, final_only: bool = False,
                 today: dt.date | None = None) -> list[ScorePoint]:
    """Every assessment of the environment, oldest first: final ones with their frozen score.

    A final assessment's point comes from the summary stored beside its frozen score; drafts and reviews
    (and final ones stored without a summary) are scored as the pages score them.
    """
    query = _of_environment(select(*_REF_COLUMNS, AssessmentRow.overall_score, AssessmentRow.outcome,
                                   AssessmentRow.score_summary),
                            platform_id, environment, AssessmentStatus.FINAL if final_only else None)
    rows = session.exec(query.order_by(AssessmentRow.created_at, AssessmentRow.id)).all()  # type: ignore[arg-type]
    recorded = recorded_outcomes(session, platform_id=platform_id, environment=environment)
    points = []
    for row in rows:
        ref = _ref(row)
        if row.status == AssessmentStatus.FINAL and isinstance(row.score_summary, dict) and row.outcome:
            points.append(_summary_point(ref, row, recorded.get(row.id)))
        else:
            result = service.current_score(session, assessment_id=row.id, today=today)
            points.append(point_of(ref, result, recorded.get(row.id)))
    return points


def previous_final(session: Session, *, assessment_id: int) -> AssessmentRow | None:
    """The latest final assessment of the same platform and environment made before this one."""
    row = repo.get_assessment(session, assessment_id=assessment_id)
    earlier = session.exec(
        _of_environment(select(AssessmentRow.id), row.platform_id, row.environment, AssessmentStatus.FINAL)
        .where(or_(AssessmentRow.created_at < row.created_at,
                   and_(AssessmentRow.created_at == row.created_at, AssessmentRow.id < row.id)))
        .order_by(AssessmentRow.created_at.desc(), AssessmentRow.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    return repo.get_assessment(session, assessment_id=earlier) if earlier is not None else None


def compare_assessments(session: Session, *, before_id: int, after_id: int,
                        today: dt.date | None = None) -> Comparison:
    if before_id == after_id:
        raise InvalidInput("Pick two different assessments to compare.")
    before = repo.get_assessment(session, assessment_id=before_id)
    after = repo.get_assessment(session, assessment_id=after_id)
    if before.platform_id != after.platform_id:
        raise InvalidInput("Only assessments of the same platform can be compared.")
    return compare_scores(service.current_score(session, assessment_id=before_id, today=today),
                          service.current_score(session, assessment_id=after_id, today=today),
                          before_ref=AssessmentRef.of(before), after_ref=AssessmentRef.of(after))


def changes_since_previous_final(session: Session, *, assessment_id: int,
                                 today: dt.date | None = None) -> Comparison | None:
    previous = previous_final(session, assessment_id=assessment_id)
    if previous is None:
        return None
    return compare_assessments(session, before_id=previous.id, after_id=assessment_id, today=today)


def assessment_for(session: Session, *, platform_name: str, environment: str,
                   assessment_id: int | None = None) -> AssessmentRow:
    """The given assessment (checked to be of this platform), else the latest of the environment."""
    platform_row = repo.platform_by_name(session, name=platform_name)
    if platform_row is None:
        raise NotFound(f"The store has no assessments of {platform_name}: start one with `assess create`.")
    if assessment_id is not None:
        row = repo.get_assessment(session, assessment_id=assessment_id)
        if row.platform_id != platform_row.id:
            raise InvalidInput(f"Assessment {assessment_id} is not an assessment of {platform_name}.")
        return row
    row = repo.latest_assessment(session, platform_id=platform_row.id, environment=environment)
    if row is None:
        raise NotFound(f"The store has no assessment of {platform_name} for {environment}: "
                       "start one with `assess create`.")
    return row
