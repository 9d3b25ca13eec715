"""The demo's history: twelve weekly final reviews per environment, gently improving, the same everywhere."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import Session

from readiness.auth import SYSTEM
from readiness.demo import demo_platform
from readiness.demo.history import WEEKS, seed_history
from readiness.store import assessments as repo
from readiness.store import open_store, session_scope
from readiness.store.audit import verify_chain
from readiness.store.evidence import get_run
from readiness.store.tables import AssessmentStatus

TODAY = dt.date(2026, 3, 11)  # a Wednesday


def seeded_store(url: str, weeks: int = WEEKS):
    engine = open_store(url)
    with session_scope(engine) as session:
        platform_id = repo.save_platform(session, platform=demo_platform(), actor=SYSTEM).id
    with session_scope(engine) as session:
        seed_history(session, platform_id=platform_id, weeks=weeks, today=TODAY)
    return engine, platform_id


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    engine, platform_id = seeded_store(f"sqlite:///{tmp_path_factory.mktemp('history') / 'readiness.db'}")
    yield engine, platform_id
    engine.dispose()


def finals(session: Session, platform_id: int, environment: str):
    rows = repo.list_assessments(session, platform_id=platform_id, environment=environment,
                                 status=AssessmentStatus.FINAL)
    return sorted(rows, key=lambda r: r.created_at)


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_each_environment_has_twelve_weekly_final_reviews_marked_as_demo(history, environment) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        rows = finals(session, platform_id, environment)
        assert len(rows) == WEEKS
        assert all(r.is_demo and r.frozen_score and r.outcome and r.evidence_run_id for r in rows)
        assert [b.created_at - a.created_at for a, b in zip(rows, rows[1:])] == [dt.timedelta(weeks=1)] * (WEEKS - 1)
        assert all(r.created_at < r.finalized_at < r.created_at + dt.timedelta(weeks=1) for r in rows)
        assert rows[-1].finalized_at.date() < TODAY
        assert all(get_run(session, run_id=r.evidence_run_id).is_demo for r in rows)


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_scores_improve_gently_over_the_weeks(history, environment) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        scores = [Decimal(r.overall_score) for r in finals(session, platform_id, environment)]
    assert scores[-1] > scores[0]
    assert all(later >= earlier - 5 for earlier, later in zip(scores, scores[1:])), scores


def test_this_weeks_drafts_start_from_last_weeks_answers(history) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        for environment in ("staging", "production"):
            draft = repo.latest_assessment(session, platform_id=platform_id, environment=environment)
            assert draft.status == AssessmentStatus.DRAFT and draft.is_demo
            last = finals(session, platform_id, environment)[-1]
            assert draft.previous_id == last.id
            mine = {c: a.value for c, a in repo.answers_for(session, assessment_id=draft.id).items()}
            theirs = {c: a.value for c, a in repo.answers_for(session, assessment_id=last.id).items()}
            assert mine == theirs and len(mine) > 50


def test_history_is_written_through_the_audited_repository(history) -> None:
    engine, _ = history
    with Session(engine) as session:
        report = verify_chain(session)
    assert report.intact and report.events > 200


def test_history_is_not_seeded_twice(history) -> None:
    engine, platform_id = history
    with session_scope(engine) as session:
        before = len(repo.list_assessments(session, platform_id=platform_id))
        assert seed_history(session, platform_id=platform_id, today=TODAY) == []
        assert len(repo.list_assessments(session, platform_id=platform_id)) == before


def test_history_is_the_same_on_every_machine(history, tmp_path) -> None:
    engine, platform_id = history
    other, other_id = seeded_store(f"sqlite:///{tmp_path / 'other.db'}", weeks=4)  # its weeks 1-4 are ours too
    try:
        with Session(engine) as mine, Session(other) as theirs:
            for environment in ("staging", "production"):
                ours = [(r.overall_score, r.outcome) for r in finals(mine, platform_id, environment)][:4]
                assert ours == [(r.overall_score, r.outcome) for r in finals(theirs, other_id, environment)]
    finally:
        other.dispose()
