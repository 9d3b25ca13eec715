"""The checklist page: answering controls, conflicting edits, final assessments, filters."""
from __future__ import annotations

import datetime as dt

from readiness import assessment as service
from readiness.auth import LOCAL_USER, Actor, Role
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.scoring import AnswerValue, EvidenceState
from readiness.store.tables import AssessmentStatus
from readiness.ui.control_card import widget_key

DANA = Actor(name="Dana Whitfield", role=Role.CONTRIBUTOR)


def test_saving_an_answer_stores_it_with_owner_and_note(app):
    app.start_assessment()
    at = app.open("checklist")
    aid = app.assessment_id
    app.open_area("Environment consistency")
    at.date_input(key=widget_key("due", aid, "ENV-01")).set_value(dt.date(2030, 3, 31))
    app.answer("ENV-01", "partial", owner="Priya", note="Two keys still differ")

    stored = app.stored_answer("ENV-01")
    assert (stored.value, stored.owner, stored.note, stored.due_on) == (
        "partial", "Priya", "Two keys still differ", dt.date(2030, 3, 31))
    assert "ENV-01 saved: partial." in [t.value for t in at.toast]


def test_saving_the_same_control_twice_needs_no_reload(app):
    app.start_assessment()
    app.open("checklist")
    app.answer("ENV-01", "partial")
    app.answer("ENV-01", "met")

    assert not app.at.error
    stored = app.stored_answer("ENV-01")
    assert (stored.value, stored.version) == ("met", 2)


def test_stale_edit_names_who_changed_it_and_keeps_their_answer(app):
    app.start_assessment()
    at = app.open("checklist")
    aid = app.assessment_id
    app.open_area("Environment consistency")
    with session_scope(app.engine) as session:  # another person answers while the page is open
        repo.save_answer(session, assessment_id=aid, control_id="ENV-01", value="not_met",
                         actor=DANA, expected_version=0, note="Staging lacks two keys")

    app.answer("ENV-01", "met")

    errors = [e.value for e in at.error]
    assert any("Not saved" in e and "Dana Whitfield" in e for e in errors), errors
    stored = app.stored_answer("ENV-01")
    assert (stored.value, stored.updated_by, stored.version) == ("not_met", "Dana Whitfield", 1)
    # The form now shows their answer, so a second save is a deliberate choice over it.
    assert at.radio(key=widget_key("answer", aid, "ENV-01")).value == "not_met"
    assert at.text_area(key=widget_key("note", aid, "ENV-01")).value == "Staging lacks two keys"


def test_a_change_made_elsewhere_shows_up_in_an_untouched_form(app):
    app.start_assessment()
    at = app.open("checklist")
    aid = app.assessment_id
    app.open_area("External dependencies")
    assert at.radio(key=widget_key("answer", aid, "DEP-02")).value == "unanswered"
    with session_scope(app.engine) as session:
        repo.save_answer(session, assessment_id=aid, control_id="DEP-02", value="met", actor=DANA,
                         expected_version=0)

    at.run()

    assert at.radio(key=widget_key("answer", aid, "DEP-02")).value == "met"


def test_not_applicable_without_a_reason_is_refused_and_nothing_saved(app):
    app.start_assessment()
    app.open("checklist")

    app.answer("SCL-03", "n/a")

    assert any("needs a reason" in e.value for e in app.at.error)
    assert app.stored_answer("SCL-03") is None


def test_final_assessment_is_read_only(app):
    aid = app.start_assessment()
    app.open("checklist")
    app.answer("ENV-01", "met", note="All keys match")
    with session_scope(app.engine) as session:
        repo.move_assessment(session, assessment_id=aid, to_status=AssessmentStatus.REVIEW, actor=LOCAL_USER)
        service.finalize(session, assessment_id=aid, actor=LOCAL_USER)

    at = app.open("checklist")

    assert any("final" in i.value and "read-only" in i.value for i in at.info)
    assert app.shown_controls() == []
    assert not [b for b in at.button if (b.key or "").startswith("checklist_save_")]
    assert any("All keys match" in m.value for m in at.markdown)


def test_filters_narrow_the_controls_shown(app):
    app.start_assessment()
    at = app.open("checklist")
    assert len(at.tabs) == 8 and app.shown_controls() == [f"ARC-0{i}" for i in range(1, 9)]  # the open tab

    at.selectbox(key="checklist_area_filter").set_value("batch").run()
    assert app.shown_controls() == [f"BAT-0{i}" for i in range(1, 9)]
    assert [t.label for t in at.tabs] == ["Background jobs and batch workflows"]

    app.answer("BAT-02", "met", owner="Ops team")
    at.multiselect(key="checklist_answer_filter").set_value([AnswerValue.MET]).run()
    assert app.shown_controls() == ["BAT-02"]

    at.selectbox(key="checklist_area_filter").set_value(None)
    at.multiselect(key="checklist_answer_filter").set_value([]).run()
    at.selectbox(key="checklist_owner_filter").set_value("Ops team").run()
    assert app.shown_controls() == ["BAT-02"]

    at.selectbox(key="checklist_owner_filter").set_value("")
    at.multiselect(key="checklist_evidence_filter").set_value([EvidenceState.VERIFIED]).run()
    assert app.shown_controls() == []
    assert any("No control matches" in i.value for i in at.info)
