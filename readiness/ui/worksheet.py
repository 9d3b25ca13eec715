"""Plain read models of what the pages show (picklable for caching), and the filters over them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from readiness import assessment as service
from readiness.checklist import Checklist, Control
from readiness.scoring import AnswerValue, AreaScore, ControlScore, EvidenceState, Score
from readiness.store import assessments as repo
from readiness.store.tables import AssessmentStatus

ANY_OWNER = ""  # the owner filter's "anyone"
UNASSIGNED = "\u2014 unassigned \u2014"


@dataclass(frozen=True)
class PlatformChoice:
    id: int
    name: str
    environments: tuple[str, ...]
    default_environment: str


@dataclass(frozen=True)
class AssessmentChoice:
    id: int
    title: str
    environment: str
    status: str
    created_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.title} · {self.status} · {self.created_at:%d %b %Y}"


@dataclass(frozen=True)
class AnswerView:
    value: AnswerValue
    note: str
    owner: str | None
    due_on: dt.date | None
    version: int
    updated_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class Worksheet:
    """One assessment as a page shows it: what it is, its checklist, its answers and its score."""

    assessment: AssessmentChoice
    platform: str
    finalized_by: str | None
    finalized_at: dt.datetime | None
    checklist: Checklist
    score: Score
    evidence_runs: int  # the evidence runs the score is judged on
    answers: dict[str, AnswerView] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return self.assessment.status == AssessmentStatus.FINAL

    def owners(self) -> list[str]:
        return sorted({a.owner for a in self.answers.values() if a.owner}, key=str.casefold)


def platform_choices(session: Session) -> list[PlatformChoice]:
    out = []
    for row in repo.list_platforms(session):
        platform = repo.platform_config(session, platform_id=row.id)
        out.append(PlatformChoice(id=row.id, name=row.name,
                                  environments=tuple(e.name for e in platform.environments),
                                  default_environment=platform.production().name))
    return out


def assessment_choices(session: Session, *, platform_id: int, environment: str) -> list[AssessmentChoice]:
    """Newest first."""
    return [AssessmentChoice(id=r.id, title=r.title, environment=r.environment, status=r.status,
                             created_at=r.created_at)
            for r in repo.list_assessments(session, platform_id=platform_id, environment=environment)]


def load_worksheet(session: Session, *, assessment_id: int) -> Worksheet:
    ctx = service.context(session, assessment_id=assessment_id)
    row = ctx.assessment
    runs = ([row.evidence_run_id] if row.evidence_run_id else []) if ctx.is_final else service.evidence_runs(session, row)
    answers = {cid: AnswerView(value=AnswerValue(a.value), note=a.note, owner=a.owner, due_on=a.due_on,
                               version=a.version, updated_by=a.updated_by, updated_at=a.updated_at)
               for cid, a in repo.answers_for(session, assessment_id=assessment_id).items()}
    return Worksheet(
        assessment=AssessmentChoice(id=row.id, title=row.title, environment=row.environment, status=row.status,
                                    created_at=row.created_at),
        platform=ctx.platform.name, finalized_by=row.finalized_by, finalized_at=row.finalized_at,
        checklist=ctx.checklist, score=service.current_score(session, assessment_id=assessment_id),
        evidence_runs=len(runs), answers=answers,
    )


# ---- filters ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ControlFilter:
    """Empty fields match everything."""

    area: str | None = None
    answers: frozenset[AnswerValue] = frozenset()
    evidence: frozenset[EvidenceState] = frozenset()
    owner: str = ANY_OWNER

    @property
    def active(self) -> bool:
        return bool(self.area or self.answers or self.evidence or self.owner != ANY_OWNER)

    def matches(self, control: ControlScore, answer: AnswerView | None) -> bool:
        if self.area and control.area != self.area:
            return False
        if self.answers and control.answer not in self.answers:
            return False
        if self.evidence and control.evidence not in self.evidence:
            return False
        owner = answer.owner if answer else None
        if self.owner == UNASSIGNED:
            return owner is None
        return self.owner == ANY_OWNER or owner == self.owner


def shown_controls(sheet: Worksheet, wanted: ControlFilter) -> list[tuple[AreaScore, list[Control]]]:
    """The areas with at least one control the filter keeps, each with those controls in checklist order."""
    out = []
    for area, area_score in zip(sheet.checklist.areas, sheet.score.areas):
        kept = [c for c in area.controls
                if wanted.matches(sheet.score.control(c.id), sheet.answers.get(c.id))]
        if kept:
            out.append((area_score, kept))
    return out


# ---- summaries for leadership ----------------------------------------------------------------

def needs_answer(control: ControlScore) -> bool:
    """Automated controls are scored from evidence alone: nobody has to answer them."""
    return not control.automated and control.answer is AnswerValue.UNANSWERED


def open_blockers(score: Score) -> list[ControlScore]:
    """Blockers that keep the decision from GO: applicable, not fully met and not waived."""
    return [c for c in score.controls() if c.blocker and c.applicable and not c.fully_met and not c.waived]


def answered_share(area: AreaScore) -> tuple[int, int]:
    """(answered, to answer) among the controls of the area that people answer."""
    manual = [c for c in area.controls if not c.automated]
    return sum(1 for c in manual if c.answer is not AnswerValue.UNANSWERED), len(manual)


@dataclass(frozen=True)
class AreaLine:
    area: str
    title: str
    score: Decimal | None
    coverage: Decimal | None
    blockers_open: int
    unanswered: int
    controls: int
    standing: str  # against the thresholds: below the floor, under the go score, or at it


def standing(value: Decimal | None, score: Score) -> str:
    if value is None:
        return "not scored"
    if value < score.thresholds.area_floor:
        return "below the floor"
    if value < score.thresholds.go_score:
        return "under the go score"
    return "at the go score"


def area_lines(score: Score) -> list[AreaLine]:
    blockers = {c.control_id for c in open_blockers(score)}
    return [AreaLine(area=a.area, title=a.title, score=a.score, coverage=a.coverage,
                     blockers_open=sum(1 for c in a.controls if c.control_id in blockers),
                     unanswered=sum(1 for c in a.controls if needs_answer(c)), controls=len(a.controls),
                     standing=standing(a.score, score))
            for a in score.areas]
