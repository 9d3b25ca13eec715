"""The Go/No-Go page, driven as the meeting would: read the decision, move the assessment, record, sign, waive."""
from __future__ import annotations

import pytest

from readiness import assessment as service
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import session_scope
from readiness.store.tables import AssessmentStatus
from readiness.ui.text import plain
from scenarios import answer_all, evidence_run, first_manual_blocker


@pytest.fixture
def meeting(app):
    """An assessment of production with every control met except one blocker, with passing evidence."""
    aid = app.start_assessment("Go-live review")
    with session_scope(app.engine) as session:
        ctx = service.context(session, assessment_id=aid)
        blocker = first_manual_blocker(ctx.checklist)
        answer_all(session, assessment_id=aid, checklist=ctx.checklist, overrides={blocker: "not_met"})
        evidence_run(session, platform_id=ctx.assessment.platform_id, platform=ctx.platform, checklist=ctx.checklist)
    app.open("decision")
    app.blocker = blocker
    return app


def _badge(at) -> str:
    return next(m.value for m in at.markdown if 'aria-label="decision"' in m.value)


def _table(at, *columns: str):
    """The one table on the page with these columns (tables without selection carry no key)."""
    [frame] = [d.value for d in at.dataframe if list(d.value.columns) == list(columns)]
    return frame


def _click(app, key: str) -> None:
    app.at.button(key=key).click().run()
    assert not app.at.exception, app.at.exception


def _status(app) -> str:
    with session_scope(app.engine) as session:
        return repo.get_assessment(session, assessment_id=app.assessment_id).status


def test_page_shows_the_decision_its_reasons_and_the_open_blocker(meeting):
    at = meeting.at
    assert ">NO-GO<" in _badge(at) and "live: draft" in _badge(at)
    assert meeting.metric("Open blockers") == "1"
    assert meeting.metric("Overall score") != "—"
    assert any(plain(f"Blocker {meeting.blocker}") in m.value for m in at.markdown)
    blockers = _table(at, "Control", "Title", "Answer", "Evidence", "Owner", "Waiver")
    assert list(blockers["Control"]) == [meeting.blocker]
    assert any("Send the assessment to review" in c.value for c in at.caption)


def test_the_meeting_moves_to_review_records_an_outcome_and_signs_it_off(meeting):
    _click(meeting, "decision_to_review")
    assert _status(meeting) == AssessmentStatus.REVIEW
    at = meeting.at
    at.radio(key="decision_outcome").set_value("NO-GO")
    at.text_area(key="decision_rationale").set_value("ENV blocker open; revisit Thursday.")
    at.text_input(key="decision_recorder").set_value("Ana Chair")
    _click(meeting, "decision_record_submit")
    at.selectbox(key="decision_sign_role").set_value("security")
    at.text_input(key="decision_sign_name").set_value("Sam Sec")
    at.radio(key="decision_sign_verdict").set_value("objects")
    _click(meeting, "decision_sign_submit")

    with session_scope(meeting.engine) as session:
        [(decision, signs)] = decisions_repo.decisions_for(session, assessment_id=meeting.assessment_id)
    assert (decision.outcome, decision.computed_outcome, decision.recorded_by) == ("NO-GO", "NO-GO", "Ana Chair")
    assert [(s.role, s.name, s.approve) for s in signs] == [("security", "Sam Sec", False)]
    shown = _table(meeting.at, "Role", "Name", "Sign-off", "Comment")
    assert dict(zip(shown["Role"], shown["Sign-off"])) == {
        "engineering": "awaited", "security": "objects", "product": "awaited", "business owner": "awaited"}


def test_an_outcome_without_a_rationale_is_refused_with_a_message(meeting):
    _click(meeting, "decision_to_review")
    meeting.at.radio(key="decision_outcome").set_value("GO")
    _click(meeting, "decision_record_submit")

    assert any("needs a rationale" in e.value for e in meeting.at.error)
    with session_scope(meeting.engine) as session:
        assert decisions_repo.decisions_for(session, assessment_id=meeting.assessment_id) == []


def test_finalising_asks_first_then_freezes_the_assessment(meeting):
    _click(meeting, "decision_to_review")
    _click(meeting, "decision_finalise")
    assert _status(meeting) == AssessmentStatus.REVIEW  # nothing happens before the confirmation
    _click(meeting, "decision_finalise_confirm")

    assert _status(meeting) == AssessmentStatus.FINAL
    assert "frozen: final assessment" in _badge(meeting.at)
    assert not [b for b in meeting.at.button if b.key in ("decision_to_draft", "decision_finalise")]


def test_a_waiver_needs_someone_else_to_approve_and_then_makes_it_a_conditional_go(meeting):
    at = meeting.at
    at.selectbox(key="waiver_control").set_value(meeting.blocker)
    at.text_area(key="waiver_reason").set_value("Vendor fix lands next sprint")
    at.text_input(key="waiver_owner").set_value("Dana Team")
    at.text_input(key="waiver_requester").set_value("Priya Lead")
    _click(meeting, "waiver_request_submit")
    waivers = [d.value for d in meeting.at.dataframe if "State" in d.value.columns]
    assert [(w["Control"].tolist(), w["State"].tolist()) for w in waivers] == [
        ([meeting.blocker], ["pending approval"])]

    meeting.at.text_input(key="waiver_approver").set_value("priya lead")
    _click(meeting, "waiver_approve")
    assert any("cannot approve it" in e.value for e in meeting.at.error)
    assert ">NO-GO<" in _badge(meeting.at)

    meeting.at.text_input(key="waiver_approver").set_value("Bo Risk")
    _click(meeting, "waiver_approve")
    assert ">CONDITIONAL GO<" in _badge(meeting.at)
    assert meeting.metric("Active waivers") == "1" and meeting.metric("Open blockers") == "0"
    active = _table(meeting.at, "Control", "Reason", "Owner", "Expires", "Relied on")
    assert active["Relied on"].tolist() == [True]


def test_reports_can_be_downloaded_in_every_format(meeting):
    buttons = meeting.at.get("download_button")
    assert [b.proto.label for b in buttons] == ["HTML (self-contained)", "PDF (board pack)", "Markdown (wiki)",
                                               "CSV (every control)"]


def test_the_page_shows_the_assessment_audit_trail_with_before_and_after(meeting):
    trail = _table(meeting.at, "When", "Who", "What", "On", "Before", "After")
    saved = trail[trail["On"] == f"answer {meeting.assessment_id}:{meeting.blocker}"]
    assert list(saved["What"]) == ["answer.save"]
    assert '"value": "not_met"' in saved["After"].iloc[0]
    assert set(trail["What"]) >= {"assessment.create", "answer.save"}
