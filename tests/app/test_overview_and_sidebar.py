"""The sidebar context and the leadership overview, driven as a person would."""
from __future__ import annotations

from readiness import assessment as service
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.ui import state


def test_fresh_store_offers_the_demo_platform_in_production(app):
    at = app.at

    platform = at.selectbox(key=state.SIDEBAR_PLATFORM)
    assert platform.options == ["Northwind Wealth (demo)"]
    assert at.selectbox(key=state.SIDEBAR_ENVIRONMENT).value == "production"
    assert at.selectbox(key=state.SIDEBAR_ASSESSMENT).value is None
    assert any("Local mode: single user, no sign-in" in m.value for m in at.sidebar.markdown)
    assert any("start one there" in i.value for i in at.info)


def test_starting_an_assessment_selects_it_and_stores_it(app):
    aid = app.start_assessment("Q3 go-live", environment="staging")

    picked = app.at.selectbox(key=state.SIDEBAR_ASSESSMENT)
    assert picked.value == aid
    assert picked.options[0].startswith("Q3 go-live · draft · ")
    assert app.at.selectbox(key=state.SIDEBAR_ENVIRONMENT).value == "staging"
    with session_scope(app.engine) as session:
        row = repo.get_assessment(session, assessment_id=aid)
        assert (row.title, row.environment, row.created_by) == ("Q3 go-live", "staging", "local user")


def test_an_assessment_without_a_title_is_refused_with_a_reason(app):
    app.start_assessment("   ")

    assert app.assessment_id is None
    assert any("needs a title" in e.value for e in app.at.sidebar.error)


def test_a_new_assessment_can_start_from_the_previous_answers(app):
    first = app.start_assessment("First look")
    app.open("checklist")
    app.answer("ENV-01", "met", owner="Priya")

    second = app.start_assessment("Second look", from_previous=True)

    assert second != first
    copied = app.stored_answer("ENV-01")  # read from the assessment now selected: the second
    assert (copied.value, copied.owner) == ("met", "Priya")


def test_answering_a_control_moves_the_overview_score(app):
    aid = app.start_assessment()
    at = app.open("overview")
    before = app.metric("Overall score")
    blockers_before = int(app.metric("Blockers not met"))
    assert before == "0.0"

    app.open("checklist")
    app.answer("ENV-01", "met")  # a blocker of a heavy area
    app.open("overview")

    with session_scope(app.engine) as session:
        expected = service.current_score(session, assessment_id=aid)
    assert app.metric("Overall score") == str(expected.overall) != before
    assert int(app.metric("Blockers not met")) == blockers_before - 1
    assert app.metric("Unanswered controls") == "58"


def test_overview_lists_every_reason_of_the_decision(app):
    aid = app.start_assessment()
    at = app.open("overview")

    with session_scope(app.engine) as session:
        decision = service.current_score(session, assessment_id=aid).decision
    assert decision.outcome.value == "NO-GO"
    assert any(":red-background[" in m.value and "NO-GO" in m.value for m in at.markdown)
    reasons = at.error[0].value
    assert reasons.startswith(f"**Why NO-GO** ({len(decision.reasons)} reasons)")
    for reason in decision.reasons:
        assert f"- {reason}" in reasons
    assert len(at.get("plotly_chart")) == 1


def test_a_store_that_cannot_be_opened_is_explained_without_its_password(launch_app, monkeypatch):
    monkeypatch.setenv("READINESS_DATABASE_URL", "postgresql+psycopg://readiness:s3cret@127.0.0.1:1/readiness")

    at = launch_app()

    assert not at.exception
    message = at.error[0].value
    assert "cannot be opened" in message and "127.0.0.1:1/readiness" in message
    assert "s3cret" not in message
