"""The audit trail: every change is an event, and tampering with past events is detected."""
from __future__ import annotations

from sqlalchemy import text

from readiness.auth import Actor, Role
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.store.audit import events_for, verify_chain

ANA = Actor(name="ana", role=Role.CONTRIBUTOR)


def answer(engine, assessment_id, value, version):
    with session_scope(engine) as session:
        repo.save_answer(session, assessment_id=assessment_id, control_id="ENV-01", value=value, actor=ANA,
                         expected_version=version)


def test_each_change_appends_who_what_before_and_after(engine, assessment_id):
    answer(engine, assessment_id, "partial", 0)
    answer(engine, assessment_id, "met", 1)
    with session_scope(engine) as session:
        events = events_for(session, assessment_id=assessment_id)
    last = events[0]
    assert (last.actor, last.action, last.entity_id) == ("ana", "answer.save", f"{assessment_id}:ENV-01")
    assert last.before["value"] == "partial" and last.after["value"] == "met"
    assert [e.action for e in reversed(events)] == ["assessment.create", "answer.save", "answer.save"]


def test_chain_is_intact_until_an_event_is_edited(engine, assessment_id):
    answer(engine, assessment_id, "partial", 0)
    answer(engine, assessment_id, "met", 1)
    with session_scope(engine) as session:
        assert verify_chain(session).intact
        target = events_for(session, assessment_id=assessment_id)[1].id
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = :id"), {"id": target})
    with session_scope(engine) as session:
        report = verify_chain(session)
    assert not report.intact and report.first_bad_id == target
    assert "changed" in report.reason


def test_deleting_an_event_is_detected(engine, assessment_id):
    answer(engine, assessment_id, "partial", 0)
    answer(engine, assessment_id, "met", 1)
    with session_scope(engine) as session:
        middle = events_for(session, assessment_id=assessment_id)[1].id
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": middle})
    with session_scope(engine) as session:
        report = verify_chain(session)
    assert not report.intact and report.first_bad_id == middle + 1
