"""Answers: optimistic concurrency, validation, and the storage-level lock of final assessments."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from readiness import assessment as service
from readiness.auth import Actor, Role
from readiness.errors import AssessmentLocked, InvalidInput, PermissionDenied, StaleEdit
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.store.audit import verify_chain
from readiness.store.tables import AnswerRow, AssessmentRow

ANA = Actor(name="ana", role=Role.CONTRIBUTOR)
BO = Actor(name="bo", role=Role.CONTRIBUTOR)
CHAIR = Actor(name="chair", role=Role.APPROVER)


def save(engine, assessment_id, actor, value, version, control="ENV-01", **extra):
    with session_scope(engine) as session:
        return repo.save_answer(session, assessment_id=assessment_id, control_id=control, value=value,
                                actor=actor, expected_version=version, **extra)


def test_second_of_two_concurrent_edits_is_refused_naming_who_changed_it(engine, assessment_id):
    save(engine, assessment_id, ANA, "partial", 0)
    # Both read version 1; Ana saves first.
    save(engine, assessment_id, ANA, "met", 1, note="rotation automated")
    with pytest.raises(StaleEdit) as refused:
        save(engine, assessment_id, BO, "not_met", 1)
    assert refused.value.changed_by == "ana"
    assert "changed by ana" in str(refused.value)
    with session_scope(engine) as session:
        kept = repo.answers_for(session, assessment_id=assessment_id)["ENV-01"]
    assert (kept.value, kept.note, kept.version) == ("met", "rotation automated", 2)


def test_two_open_sessions_racing_lose_nothing(engine, assessment_id):
    save(engine, assessment_id, ANA, "partial", 0)
    first, second = Session(engine), Session(engine)
    try:
        repo.save_answer(first, assessment_id=assessment_id, control_id="ENV-01", value="met", actor=ANA,
                         expected_version=1)
        first.commit()
        with pytest.raises(StaleEdit):
            repo.save_answer(second, assessment_id=assessment_id, control_id="ENV-01", value="not_met", actor=BO,
                             expected_version=1)
        second.rollback()
    finally:
        first.close()
        second.close()
    with session_scope(engine) as session:
        assert repo.answers_for(session, assessment_id=assessment_id)["ENV-01"].value == "met"


def test_concurrent_writers_in_threads_each_win_once(engine, assessment_id):
    save(engine, assessment_id, ANA, "partial", 0)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def writer(n: int) -> None:
        barrier.wait()
        try:
            save(engine, assessment_id, Actor(name=f"writer{n}", role=Role.CONTRIBUTOR), "met", 1, note=f"n{n}")
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("refused")
        except Exception as exc:  # a database lock timeout would be a defect: record it
            outcomes.append(f"crashed: {exc}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["saved"]
    with session_scope(engine) as session:
        row = repo.answers_for(session, assessment_id=assessment_id)["ENV-01"]
        assert row.version == 2
        assert verify_chain(session).intact


def test_first_answer_created_twice_is_refused_the_second_time(engine, assessment_id):
    save(engine, assessment_id, ANA, "met", 0)
    with pytest.raises(StaleEdit, match="changed by ana"):
        save(engine, assessment_id, BO, "not_met", 0)


def test_not_applicable_needs_a_reason_and_notes_are_bounded(engine, assessment_id):
    with pytest.raises(InvalidInput, match="needs a reason"):
        save(engine, assessment_id, ANA, "n/a", 0)
    with pytest.raises(InvalidInput, match="limited to 10,000"):
        save(engine, assessment_id, ANA, "met", 0, note="x" * 10_001)


def test_viewers_cannot_answer(engine, assessment_id):
    with pytest.raises(PermissionDenied, match="viewer"):
        save(engine, assessment_id, Actor(name="exec", role=Role.VIEWER), "met", 0)


def test_final_assessment_refuses_new_answers(engine, assessment_id):
    save(engine, assessment_id, ANA, "met", 0)
    with session_scope(engine) as session:
        repo.move_assessment(session, assessment_id=assessment_id, to_status="review", actor=ANA)
        service.finalize(session, assessment_id=assessment_id, actor=CHAIR)
    with pytest.raises(AssessmentLocked):
        save(engine, assessment_id, ANA, "not_met", 1)
    with pytest.raises(AssessmentLocked):
        save(engine, assessment_id, ANA, "met", 0, control="ARC-02")


def test_storage_layer_refuses_direct_edits_of_a_final_assessment(engine, assessment_id):
    save(engine, assessment_id, ANA, "met", 0)
    with session_scope(engine) as session:
        repo.move_assessment(session, assessment_id=assessment_id, to_status="review", actor=ANA)
        service.finalize(session, assessment_id=assessment_id, actor=CHAIR)
    # Around the repository functions, straight at the ORM: still refused.
    with pytest.raises(AssessmentLocked):
        with session_scope(engine) as session:
            row = session.exec(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id)).one()
            row.value = "not_met"
            session.add(row)
    with pytest.raises(AssessmentLocked):
        with session_scope(engine) as session:
            session.add(AnswerRow(assessment_id=assessment_id, control_id="ARC-03", value="met", updated_by="x"))
    with pytest.raises(AssessmentLocked):
        with session_scope(engine) as session:
            a = session.get(AssessmentRow, assessment_id)
            a.title = "rewritten"
            session.add(a)
    with session_scope(engine) as session:
        assert session.get(AssessmentRow, assessment_id).title == "Launch"
        assert repo.answers_for(session, assessment_id=assessment_id)["ENV-01"].value == "met"


def test_new_assessment_can_start_from_previous_answers(engine, assessment_id, checklist):
    save(engine, assessment_id, ANA, "partial", 0, owner="platform team")
    with session_scope(engine) as session:
        previous = repo.get_assessment(session, assessment_id=assessment_id)
        nxt = repo.create_assessment(session, platform_id=previous.platform_id, environment="production",
                                     title="Next", checklist_digest=checklist.digest, actor=ANA,
                                     copy_answers_from=assessment_id)
        copied = repo.answers_for(session, assessment_id=nxt.id)["ENV-01"]
    assert (copied.value, copied.owner, copied.version) == ("partial", "platform team", 1)
