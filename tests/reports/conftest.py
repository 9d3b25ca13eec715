"""One assessment worth reporting on, built once for all report tests: history, waivers, a decision."""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

import pytest

from readiness import assessment as service
from readiness.reports import charts
from readiness.reports.report import ReportModel, build_report
from readiness.scoring import Score
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import open_store, session_scope
from report_samples import FORMULA_NOTE, NASTY_NOTE, NASTY_OWNER, NASTY_RATIONALE, NOW
from scenarios import (CHAIR, RISK_OFFICER, approved_waiver, assessment, demo_platform, evidence_run,
                       finalise, first_manual_blocker)


@dataclass(frozen=True)
class Reported:
    report: ReportModel
    score: Score
    blocker: str  # waived, so the decision is CONDITIONAL GO
    failing_control: str  # contradicted by a failing check
    nasty_control: str
    formula_control: str
    previous_id: int


@pytest.fixture
def chart_images():
    """Charts drawn as images go through kaleido, which needs a Chromium on the machine."""
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        pytest.skip("Chromium is not installed, so charts cannot be drawn as images here")


@pytest.fixture(scope="session")
def reported(tmp_path_factory) -> Reported:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('reports') / 'store.db'}")
    platform = demo_platform()
    checklist = service.checklist_for(platform)
    controls = checklist.controls()
    blocker = first_manual_blocker(checklist)
    failing = next(c for c in controls if not c.blocker and not c.automated and c.checks)
    nasty, formula = controls[2].id, controls[3].id
    past = NOW.date() - dt.timedelta(days=40)
    with session_scope(engine) as session:
        previous = assessment(session, platform=platform, checklist=checklist, title="Q1 review",
                              created_at=NOW - dt.timedelta(days=90), overrides={blocker: "partial"})
        evidence_run(session, platform_id=previous.platform_id, platform=platform, checklist=checklist,
                     failing=frozenset(failing.checks), at=NOW - dt.timedelta(hours=1))
        finalise(session, assessment_id=previous.id)
        row = assessment(session, platform=platform, checklist=checklist, title="Go-live <review> & sign",
                         copy_from=previous.id, overrides={blocker: "not_met"})
        _note(session, row.id, nasty, NASTY_NOTE, owner=NASTY_OWNER)
        _note(session, row.id, formula, FORMULA_NOTE)
        approved_waiver(session, platform_id=row.platform_id, control_id=blocker, reason="Vendor patch <due> soon")
        decisions_repo.request_waiver(session, platform_id=row.platform_id, environment="production",
                                      control_id=failing.id, reason="Awaiting approval", owner="Dana Team",
                                      expires_on=NOW.date() + dt.timedelta(days=5), actor=CHAIR)
        lapsed = decisions_repo.request_waiver(
            session, platform_id=row.platform_id, environment="production", control_id=controls[5].id,
            reason="Lapsed last month", owner="Dana Team", expires_on=past + dt.timedelta(days=10), actor=CHAIR,
            today=past)
        decisions_repo.approve_waiver(session, waiver_id=lapsed.id, actor=RISK_OFFICER, today=past)
        repo.move_assessment(session, assessment_id=row.id, to_status="review", actor=CHAIR)
        score = service.current_score(session, assessment_id=row.id)
        decision = decisions_repo.record_decision(session, assessment_id=row.id, outcome=score.decision.outcome,
                                                  computed_outcome=score.decision.outcome,
                                                  rationale=NASTY_RATIONALE, actor=CHAIR)
        decisions_repo.sign_off(session, decision_id=decision.id, role="engineering", name="Eli Eng", actor=CHAIR)
        decisions_repo.sign_off(session, decision_id=decision.id, role="security", name="Sam Sec", actor=CHAIR,
                                approve=False, comment="Wants the restore test first")
        report = build_report(session, assessment_id=row.id)
    engine.dispose()
    return Reported(report=report, score=score, blocker=blocker, failing_control=failing.id, nasty_control=nasty,
                    formula_control=formula, previous_id=previous.id)


def _note(session, assessment_id: int, control_id: str, note: str, owner: str = "Dana Team") -> None:
    current = repo.answers_for(session, assessment_id=assessment_id)[control_id]
    repo.save_answer(session, assessment_id=assessment_id, control_id=control_id, value=current.value, note=note,
                     owner=owner, actor=CHAIR, expected_version=current.version)
