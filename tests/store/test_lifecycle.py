"""Lifecycle rules held by the store: final is immutable and reproducible, waivers lapse, nobody approves their own."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlmodel import select

from readiness import assessment as service
from readiness.auth import LOCAL_USER, Actor, Role
from readiness.errors import AssessmentLocked, InvalidInput, InvalidTransition, PermissionDenied, SelfApproval
from readiness.scoring import Outcome
from readiness.store import assessments as repo
from readiness.store import audit
from readiness.store import decisions as decisions_repo
from readiness.store import session_scope
from readiness.store.tables import AnswerRow, AssessmentRow, AssessmentStatus
from scenarios import CHAIR, RISK_OFFICER, answer_all, approved_waiver, evidence_run, finalise, first_manual_blocker

TODAY = dt.date(2025, 3, 3)


@pytest.fixture
def reviewed(engine, platform, checklist, assessment_id):
    """The launch assessment, every control met and evidence passing, in review."""
    with session_scope(engine) as session:
        answer_all(session, assessment_id=assessment_id, checklist=checklist)
        evidence_run(session, platform_id=repo.get_assessment(session, assessment_id=assessment_id).platform_id,
                     platform=platform, checklist=checklist)
        repo.move_assessment(session, assessment_id=assessment_id, to_status=AssessmentStatus.REVIEW, actor=CHAIR)
    return assessment_id


def test_assessment_moves_draft_to_review_to_final_recording_who_and_when(engine, reviewed):
    with session_scope(engine) as session:
        row = finalise(session, assessment_id=reviewed)
    assert row.status == AssessmentStatus.FINAL
    assert row.reviewed_by == CHAIR.name and row.finalized_by == CHAIR.name
    assert row.finalized_at.tzinfo is not None
    assert row.overall_score == "100.0" and row.outcome == "GO"
    assert row.evidence_run_id is not None
    with session_scope(engine) as session:
        actions = [e.action for e in audit.events_for(session, assessment_id=reviewed)]
    assert {"assessment.review", "assessment.final"} <= set(actions)


def test_draft_cannot_skip_review_and_final_cannot_move(engine, assessment_id):
    with session_scope(engine) as session:
        with pytest.raises(InvalidTransition):
            repo.move_assessment(session, assessment_id=assessment_id, to_status=AssessmentStatus.FINAL, actor=CHAIR)
    with session_scope(engine) as session:
        finalise(session, assessment_id=assessment_id)
    for status in (AssessmentStatus.DRAFT, AssessmentStatus.REVIEW):
        with session_scope(engine) as session, pytest.raises(AssessmentLocked):
            repo.move_assessment(session, assessment_id=assessment_id, to_status=status, actor=CHAIR)


def test_only_an_approver_may_finalise(engine, assessment_id):
    contributor = Actor(name="Dana Team", role=Role.CONTRIBUTOR)
    with session_scope(engine) as session:
        repo.move_assessment(session, assessment_id=assessment_id, to_status=AssessmentStatus.REVIEW, actor=contributor)
    with session_scope(engine) as session, pytest.raises(PermissionDenied):
        service.finalize(session, assessment_id=assessment_id, actor=contributor)


def test_final_assessment_refuses_new_answers(engine, checklist, reviewed):
    with session_scope(engine) as session:
        finalise(session, assessment_id=reviewed)
    control = checklist.controls()[1].id
    with session_scope(engine) as session:
        version = repo.answers_for(session, assessment_id=reviewed)[control].version
    with session_scope(engine) as session, pytest.raises(AssessmentLocked):
        repo.save_answer(session, assessment_id=reviewed, control_id=control, value="not_met", actor=CHAIR,
                         expected_version=version)


def test_final_rows_cannot_be_changed_or_deleted_even_behind_the_repository(engine, checklist, reviewed):
    with session_scope(engine) as session:
        finalise(session, assessment_id=reviewed)
    tampering = [
        lambda s: setattr(s.get(AssessmentRow, reviewed), "overall_score", "12.0"),
        lambda s: s.delete(s.get(AssessmentRow, reviewed)),
        lambda s: setattr(s.exec(select(AnswerRow).where(AnswerRow.assessment_id == reviewed)).first(),
                          "value", "not_met"),
        lambda s: s.delete(s.exec(select(AnswerRow).where(AnswerRow.assessment_id == reviewed)).first()),
        lambda s: s.add(AnswerRow(assessment_id=reviewed, control_id="XXX-99", value="met", updated_by="x")),
    ]
    for tamper in tampering:
        with pytest.raises(AssessmentLocked), session_scope(engine) as session:
            tamper(session)
            session.flush()
    with session_scope(engine) as session:
        row = repo.get_assessment(session, assessment_id=reviewed)
        assert row.overall_score == "100.0"
        assert len(repo.answers_for(session, assessment_id=reviewed)) == len(checklist.controls())


def test_final_scores_do_not_move_when_the_checklist_file_or_the_evidence_change(engine, platform, tmp_path):
    # The platform reads its own copy of the checklist, which the test then edits.
    copy = tmp_path / "checklist.yaml"
    shutil.copy(platform.checklist_path(), copy)
    own = platform.model_copy(update={"checklist": str(copy)})
    checklist = service.checklist_for(own)
    blocker = first_manual_blocker(checklist)
    with session_scope(engine) as session:
        platform_row = repo.save_platform(session, platform=own, actor=LOCAL_USER)
        evidence_run(session, platform_id=platform_row.id, platform=own, checklist=checklist)
        ids = []
        for title in ("frozen", "live"):
            row = repo.create_assessment(session, platform_id=platform_row.id, environment="production",
                                         title=title, checklist_digest=checklist.digest, actor=CHAIR,
                                         copy_answers_from=ids[0] if ids else None)
            if not ids:
                answer_all(session, assessment_id=row.id, checklist=checklist, overrides={blocker: "partial"})
            ids.append(row.id)
        finalise(session, assessment_id=ids[0])
    with session_scope(engine) as session:
        frozen_before = service.current_score(session, assessment_id=ids[0])
        live_before = service.current_score(session, assessment_id=ids[1])
    assert frozen_before == live_before

    # The blocker becomes an ordinary control and a check now fails: a live score moves, a final one does not.
    text = copy.read_text()
    start = text.index(f"id: {blocker}")
    copy.write_text(text[:start] + text[start:].replace("blocker: true", "blocker: false", 1))
    with session_scope(engine) as session:
        evidence_run(session, platform_id=repo.get_assessment(session, assessment_id=ids[0]).platform_id,
                     platform=own, checklist=checklist, failing=frozenset({checklist.controls()[0].checks[0]}),
                     at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
        frozen_after = service.current_score(session, assessment_id=ids[0])
        live_after = service.current_score(session, assessment_id=ids[1])
        frozen_context = service.context(session, assessment_id=ids[0])
    assert frozen_after == frozen_before
    assert frozen_after.decision.outcome is Outcome.NO_GO
    assert live_after != live_before
    assert not live_after.control(blocker).blocker
    assert frozen_context.checklist.control(blocker).blocker
    assert frozen_context.assessment.checklist_digest == checklist.digest != service.checklist_for(own).digest


def test_new_assessment_starts_from_the_previous_answers_and_can_change_them(engine, checklist, reviewed):
    with session_scope(engine) as session:
        previous = finalise(session, assessment_id=reviewed)
        row, source = service.start(session, platform_id=previous.platform_id, environment="production",
                                    title="Next quarter", actor=CHAIR, from_previous=True)
    assert source.id == reviewed and row.previous_id == reviewed
    control = checklist.controls()[1].id
    with session_scope(engine) as session:
        copied = repo.answers_for(session, assessment_id=row.id)
        assert {c: a.value for c, a in copied.items()} == {
            c: a.value for c, a in repo.answers_for(session, assessment_id=reviewed).items()}
        repo.save_answer(session, assessment_id=row.id, control_id=control, value="partial", actor=CHAIR,
                         expected_version=copied[control].version)


# ---- waivers ---------------------------------------------------------------------------------

def _request(session, platform_id: int, control_id: str, *, by: Actor = CHAIR, owner: str = "Dana Team",
             days: int = 10) -> int:
    return decisions_repo.request_waiver(
        session, platform_id=platform_id, environment="production", control_id=control_id, reason="fix in flight",
        owner=owner, expires_on=TODAY + dt.timedelta(days=days), actor=by, today=TODAY).id


def test_a_waiver_cannot_be_approved_by_who_asked_for_it_or_owns_it(engine, assessment_id):
    with session_scope(engine) as session:
        platform_id = repo.get_assessment(session, assessment_id=assessment_id).platform_id
        waiver_id = _request(session, platform_id, "ENV-01", owner="Carol Owner")
    owner = Actor(name="carol  OWNER", role=Role.APPROVER)  # the same person, typed differently
    for who in (CHAIR, Actor(name="alice chair", role=Role.ADMIN), owner):
        with session_scope(engine) as session, pytest.raises(SelfApproval):
            decisions_repo.approve_waiver(session, waiver_id=waiver_id, actor=who, today=TODAY)
    with session_scope(engine) as session:
        approved = decisions_repo.approve_waiver(session, waiver_id=waiver_id, actor=RISK_OFFICER, today=TODAY)
        assert approved.approver == RISK_OFFICER.name
        assert decisions_repo.waiver_state(approved, TODAY) == "active"
        actions = [e.action for e in audit.events_for(session, platform_id=platform_id)]
    assert actions[:2] == ["waiver.approve", "waiver.request"]


def test_an_active_waiver_turns_a_failed_blocker_into_conditional_go_until_it_expires(engine, checklist, reviewed):
    blocker = first_manual_blocker(checklist)
    with session_scope(engine) as session:
        repo.move_assessment(session, assessment_id=reviewed, to_status=AssessmentStatus.DRAFT, actor=CHAIR)
        version = repo.answers_for(session, assessment_id=reviewed)[blocker].version
        repo.save_answer(session, assessment_id=reviewed, control_id=blocker, value="not_met", actor=CHAIR,
                         expected_version=version)
        platform_id = repo.get_assessment(session, assessment_id=reviewed).platform_id
        assert service.current_score(session, assessment_id=reviewed, today=TODAY).decision.outcome is Outcome.NO_GO
        approved_waiver(session, platform_id=platform_id, control_id=blocker, days=10, today=TODAY)
    with session_scope(engine) as session:
        on_day = service.current_score(session, assessment_id=reviewed, today=TODAY + dt.timedelta(days=10))
        after = service.current_score(session, assessment_id=reviewed, today=TODAY + dt.timedelta(days=11))
        waiver = decisions_repo.waivers_for(session, platform_id=platform_id, environment="production")[0]
    assert on_day.decision.outcome is Outcome.CONDITIONAL_GO and on_day.decision.waivers == [blocker]
    assert after.decision.outcome is Outcome.NO_GO
    assert decisions_repo.waiver_state(waiver, TODAY + dt.timedelta(days=10)) == "active"
    assert decisions_repo.waiver_state(waiver, TODAY + dt.timedelta(days=11)) == "expired"


def test_expired_or_revoked_waivers_cannot_be_approved(engine, assessment_id):
    with session_scope(engine) as session:
        platform_id = repo.get_assessment(session, assessment_id=assessment_id).platform_id
        lapsing, revoked = _request(session, platform_id, "ENV-01", days=2), _request(session, platform_id, "ENV-02")
        decisions_repo.revoke_waiver(session, waiver_id=revoked, actor=RISK_OFFICER)
    later = TODAY + dt.timedelta(days=3)
    with session_scope(engine) as session:
        rows = {w.id: w for w in decisions_repo.waivers_for(session, platform_id=platform_id, environment="production")}
        assert decisions_repo.waiver_state(rows[lapsing], later) == "expired"
        assert decisions_repo.waiver_state(rows[revoked], TODAY) == "revoked"
    for waiver_id, today in ((lapsing, later), (revoked, TODAY)):
        with session_scope(engine) as session, pytest.raises(InvalidInput):
            decisions_repo.approve_waiver(session, waiver_id=waiver_id, actor=RISK_OFFICER, today=today)


def test_a_waiver_request_needs_a_known_shape_of_control_a_reason_and_a_future_expiry(engine, assessment_id):
    with session_scope(engine) as session:
        platform_id = repo.get_assessment(session, assessment_id=assessment_id).platform_id
    bad = [dict(control_id="not a control"), dict(reason="  "), dict(owner=""),
           dict(expires_on=TODAY), dict(expires_on=TODAY + dt.timedelta(days=400)), dict(owner="x" * 201)]
    for change in bad:
        given = dict(platform_id=platform_id, environment="production", control_id="ENV-01", reason="r",
                     owner="Dana", expires_on=TODAY + dt.timedelta(days=5), actor=CHAIR, today=TODAY) | change
        with session_scope(engine) as session, pytest.raises(InvalidInput):
            decisions_repo.request_waiver(session, **given)


# ---- decisions and sign-offs -----------------------------------------------------------------

def test_decision_and_sign_offs_are_stored_with_the_audit_trail(engine, reviewed):
    with session_scope(engine) as session:
        with pytest.raises(InvalidInput):
            decisions_repo.record_decision(session, assessment_id=reviewed, outcome="NO-GO", computed_outcome="GO",
                                           rationale="  ", actor=CHAIR)
    with session_scope(engine) as session:
        decision = decisions_repo.record_decision(session, assessment_id=reviewed, outcome="NO-GO",
                                                  computed_outcome="GO", rationale="Market freeze week.", actor=CHAIR)
        for role, name in (("engineering", "Eli Eng"), ("Security", "Sam Sec")):
            decisions_repo.sign_off(session, decision_id=decision.id, role=role, name=name, actor=CHAIR)
    with session_scope(engine) as session, pytest.raises(InvalidInput):
        decisions_repo.sign_off(session, decision_id=decision.id, role="security", name="Someone Else", actor=CHAIR)
    with session_scope(engine) as session:
        [(stored, signs)] = decisions_repo.decisions_for(session, assessment_id=reviewed)
        actions = [e.action for e in audit.events_for(session, assessment_id=reviewed)]
        chain = audit.verify_chain(session)
    assert (stored.outcome, stored.computed_outcome, stored.rationale) == ("NO-GO", "GO", "Market freeze week.")
    assert [(s.role, s.name) for s in signs] == [("engineering", "Eli Eng"), ("security", "Sam Sec")]
    assert actions[:3] == ["decision.sign_off", "decision.sign_off", "decision.record"]
    assert chain.intact


def test_a_draft_cannot_record_a_decision(engine, assessment_id):
    with session_scope(engine) as session, pytest.raises(InvalidInput):
        decisions_repo.record_decision(session, assessment_id=assessment_id, outcome="GO", computed_outcome="GO",
                                       rationale="ok", actor=CHAIR)
