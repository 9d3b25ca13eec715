"""Assessments in known states (GO, NO-GO, CONDITIONAL GO, a history of finals) built through the domain."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from readiness import assessment as service
from readiness.auth import LOCAL_USER, Actor, Role
from readiness.checklist import Checklist
from readiness.evidence.model import EvidenceRun, Finding
from readiness.platform import REPO_ROOT, Platform, load_platform
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import evidence as evidence_repo
from readiness.store.tables import AssessmentRow, AssessmentStatus

DEMO_FILE = REPO_ROOT / "data" / "platforms" / "demo.yaml"
ENV = "production"
CHAIR = Actor(name="Alice Chair", role=Role.APPROVER)
RISK_OFFICER = Actor(name="Bob Risk", role=Role.APPROVER)
TEAM = Actor(name="Dana Team", role=Role.CONTRIBUTOR)


def demo_platform() -> Platform:
    return load_platform(DEMO_FILE)


def evidence_run(session: Session, *, platform_id: int, platform: Platform, checklist: Checklist,
                 failing: frozenset[str] = frozenset(), environment: str = ENV,
                 at: dt.datetime | None = None) -> str:
    """One stored run with a finding for every check of the checklist: pass, or fail for the checks named."""
    at = at or dt.datetime.now(dt.UTC)
    findings = []
    for control in checklist.controls():
        for check in control.checks:
            status = "fail" if check in failing else "pass"
            findings.append(Finding(check=check, area=check.split(".")[0], controls=[control.id],
                                    environment=environment, resource=f"{environment}/{check}", status=status,
                                    message=f"{check} {status}s"))
    run = EvidenceRun(platform=platform.name, environments=[environment], started_at=at, finished_at=at,
                      checks=len(checklist.check_ids()), findings=findings)
    evidence_repo.save_evidence_run(session, platform_id=platform_id, run=run, actor=LOCAL_USER)
    return run.id


def answer(session: Session, *, assessment_id: int, answers: dict[str, str], owner: str | None = "Dana Team"
           ) -> None:
    existing = repo.answers_for(session, assessment_id=assessment_id)
    for control_id, given in answers.items():
        row = existing.get(control_id)
        repo.save_answer(session, assessment_id=assessment_id, control_id=control_id, value=given, actor=TEAM,
                         expected_version=row.version if row else 0, owner=owner,
                         note="not needed here" if given == "n/a" else "")


def answer_all(session: Session, *, assessment_id: int, checklist: Checklist, value: str = "met",
               overrides: dict[str, str] | None = None, owner: str | None = "Dana Team") -> None:
    answers = {c.id: value for c in checklist.controls()} | (overrides or {})
    answer(session, assessment_id=assessment_id, answers=answers, owner=owner)


def assessment(session: Session, *, platform: Platform, checklist: Checklist, title: str = "Go-live review",
               value: str = "met", overrides: dict[str, str] | None = None, copy_from: int | None = None,
               created_at: dt.datetime | None = None, environment: str = ENV) -> AssessmentRow:
    """A draft with every control answered `value` (or as in `copy_from`), except the overrides."""
    platform_row = repo.save_platform(session, platform=platform, actor=LOCAL_USER)
    row = repo.create_assessment(session, platform_id=platform_row.id, environment=environment, title=title,
                                 checklist_digest=checklist.digest, actor=LOCAL_USER, created_at=created_at,
                                 copy_answers_from=copy_from)
    if copy_from is None:
        answer_all(session, assessment_id=row.id, checklist=checklist, value=value, overrides=overrides)
    else:  # copying is one insert per answer; saving audits each, which a long history makes slow
        answer(session, assessment_id=row.id, answers=overrides or {})
    return row


def finalise(session: Session, *, assessment_id: int, today: dt.date | None = None) -> AssessmentRow:
    row = repo.get_assessment(session, assessment_id=assessment_id)
    if row.status == AssessmentStatus.DRAFT:
        repo.move_assessment(session, assessment_id=assessment_id, to_status=AssessmentStatus.REVIEW, actor=CHAIR)
    return service.finalize(session, assessment_id=assessment_id, actor=CHAIR, today=today)


def approved_waiver(session: Session, *, platform_id: int, control_id: str, days: int = 30,
                    today: dt.date | None = None, reason: str = "vendor fix due next sprint",
                    environment: str = ENV) -> int:
    today = today or dt.datetime.now(dt.UTC).date()
    waiver = decisions_repo.request_waiver(
        session, platform_id=platform_id, environment=environment, control_id=control_id, reason=reason,
        owner="Dana Team", expires_on=today + dt.timedelta(days=days), actor=CHAIR, today=today)
    decisions_repo.approve_waiver(session, waiver_id=waiver.id, actor=RISK_OFFICER, today=today)
    return waiver.id


def first_manual_blocker(checklist: Checklist) -> str:
    """A blocker scored from its answer, so answering it not met makes the decision NO-GO."""
    return next(c.id for c in checklist.controls() if c.blocker and not c.automated)
