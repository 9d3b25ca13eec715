"""Assessments as people use them: the live score of a draft, the frozen score of a final one."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from readiness.auth import Actor
from readiness.checklist import Checklist, load_checklist
from readiness.evidence.model import Finding
from readiness.platform import Platform
from readiness.scoring import Answer, AnswerValue, Score, score
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import evidence as evidence_repo
from readiness.store.tables import AssessmentRow, AssessmentStatus


@lru_cache(maxsize=16)
def _checklist_at(path: str, mtime_ns: int) -> Checklist:
    return load_checklist(path)


def checklist_for(platform: Platform) -> Checklist:
    """The platform's checklist, read again only when its file changes."""
    path = platform.checklist_path()
    return _checklist_at(str(path), Path(path).stat().st_mtime_ns)


@dataclass(frozen=True)
class AssessmentContext:
    assessment: AssessmentRow
    platform: Platform
    checklist: Checklist

    @property
    def is_final(self) -> bool:
        return self.assessment.status == AssessmentStatus.FINAL


def context(session: Session, *, assessment_id: int) -> AssessmentContext:
    row = repo.get_assessment(session, assessment_id=assessment_id)
    platform = repo.platform_config(session, platform_id=row.platform_id)
    if row.status == AssessmentStatus.FINAL and row.frozen_checklist:
        checklist = Checklist.model_validate(row.frozen_checklist)
    else:
        checklist = checklist_for(platform)
    return AssessmentContext(row, platform, checklist)


def evidence_runs(session: Session, row: AssessmentRow) -> list[str]:
    """The runs a draft is judged on: the latest AWS run and the latest data-accuracy run."""
    runs = []
    for kind in ("aws", "data"):
        latest = evidence_repo.latest_run(session, platform_id=row.platform_id, kind=kind)
        if latest is not None:
            runs.append(latest.id)
    return runs


def findings_for(session: Session, row: AssessmentRow) -> list[Finding]:
    return evidence_repo.findings_for(session, run_ids=evidence_runs(session, row), environment=row.environment)


def answers(session: Session, *, assessment_id: int) -> dict[str, Answer]:
    return {cid: Answer(value=AnswerValue(a.value), note=a.note)
            for cid, a in repo.answers_for(session, assessment_id=assessment_id).items()}


def current_score(session: Session, *, assessment_id: int, today: dt.date | None = None) -> Score:
    """A final assessment's frozen score; otherwise the score from its answers and the latest evidence."""
    ctx = context(session, assessment_id=assessment_id)
    row = ctx.assessment
    if ctx.is_final and row.frozen_score:
        return Score.model_validate(row.frozen_score)
    waivers = decisions_repo.scoring_waivers(
        decisions_repo.waivers_for(session, platform_id=row.platform_id, environment=row.environment))
    return score(ctx.checklist, answers(session, assessment_id=assessment_id), findings_for(session, row),
                 environment=row.environment, waivers=waivers, thresholds=ctx.platform.thresholds, today=today)


def finalize(session: Session, *, assessment_id: int, actor: Actor, today: dt.date | None = None) -> AssessmentRow:
    """Freeze the answers, the evidence, the checklist and the computed score: the numbers never move again."""
    ctx = context(session, assessment_id=assessment_id)
    computed = current_score(session, assessment_id=assessment_id, today=today)
    runs = evidence_runs(session, ctx.assessment)
    return repo.move_assessment(
        session, assessment_id=assessment_id, to_status=AssessmentStatus.FINAL, actor=actor,
        frozen_checklist=ctx.checklist.model_dump(mode="json"), frozen_score=computed.model_dump(mode="json"),
        overall=str(computed.overall) if computed.overall is not None else None,
        outcome=computed.decision.outcome.value, evidence_run_id=runs[0] if runs else None,
    )


def start(session: Session, *, platform_id: int, environment: str, title: str, actor: Actor,
          from_previous: bool = False) -> tuple[AssessmentRow, AssessmentRow | None]:
    """Start an assessment on the platform's current checklist, optionally with the answers of the
    newest assessment of the same environment; returns it and the one it copied from, if any."""
    platform = repo.platform_config(session, platform_id=platform_id)
    previous = (repo.latest_assessment(session, platform_id=platform_id, environment=environment)
                if from_previous else None)
    row = repo.create_assessment(
        session, platform_id=platform_id, environment=environment, title=title,
        checklist_digest=checklist_for(platform).digest, actor=actor,
        copy_answers_from=previous.id if previous else None,
    )
    return row, previous
