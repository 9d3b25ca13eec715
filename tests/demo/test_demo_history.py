"""The demo's history: twelve weekly final reviews per environment, gently improving, the same everywhere."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import Session

from readiness.assessment import checklist_for
from readiness.auth import SYSTEM
from readiness.demo import demo_platform
from readiness.demo.history import APPEARED, THIS_WEEK, WAIVERS, WEEKS, seed_history
from readiness.demo.manifest import GAPS
from readiness.store import assessments as repo
from readiness.store import decisions, open_store, session_scope
from readiness.store.audit import verify_chain
from readiness.store.evidence import findings_for, get_run
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


def overall_scores(session: Session, platform_id: int, environment: str) -> list[Decimal]:
    return [Decimal(r.overall_score) for r in finals(session, platform_id, environment)]


@pytest.mark.parametrize("environment, first, last", [("production", (40, 50), (60, 72)),
                                                     ("staging", (55, 65), (75, 85))])
def test_scores_start_low_and_end_near_this_weeks(history, environment, first, last) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        scores = overall_scores(session, platform_id, environment)
    assert first[0] <= scores[0] <= first[1] and last[0] <= scores[-1] <= last[1], scores


def test_production_stays_no_go_while_staging_reached_a_conditional_go_on_a_waiver(history) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        production = finals(session, platform_id, "production")
        staging = finals(session, platform_id, "staging")
    assert {r.outcome for r in production} == {"NO-GO"}
    conditional = [r for r in staging if r.outcome == "CONDITIONAL GO"]
    assert conditional and all(r.frozen_score["decision"]["waivers"] == ["ARC-01"] for r in conditional)
    assert staging[-1].outcome == "NO-GO"  # it regressed since


def test_the_waivers_in_force_are_approved_and_expire_after_today(history) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        waivers = {(w.environment, w.control_id): w for env in ("staging", "production")
                   for w in decisions.waivers_for(session, platform_id=platform_id, environment=env)}
    assert set(waivers) == {("staging", "ARC-01"), ("production", "DPL-02")}
    assert all(w.approver == "Dana Whitfield" and w.expires_on > TODAY for w in waivers.values())


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_this_weeks_draft_looks_like_a_team_half_way(history, environment) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        draft = repo.latest_assessment(session, platform_id=platform_id, environment=environment)
        answers = repo.answers_for(session, assessment_id=draft.id).values()
    values = [a.value for a in answers]
    unanswered = len(checklist_for(demo_platform()).controls()) - len(values)
    assert values.count("met") > len(values) / 2 and values.count("partial") >= 3
    assert 2 <= values.count("not_met") <= 5 and 2 <= unanswered <= 5
    assert all(a.owner for a in answers)
    noted = [a for a in answers if a.note]
    assert len(answers) / 10 < len(noted) < len(answers) / 2


def test_the_last_weekly_run_reports_the_estates_open_gaps_and_nothing_else(history) -> None:
    engine, platform_id = history
    with Session(engine) as session:
        last = finals(session, platform_id, "production")[-1]
        findings = findings_for(session, run_ids=[last.evidence_run_id])
    reported = {(f.check, f.environment, f.status.value, f.message) for f in findings if f.status.value != "pass"}
    assert reported == {(g.check, g.environment, g.status.value, g.what) for g in GAPS}


def test_the_history_names_only_gaps_and_controls_that_exist() -> None:
    controls = {c.id for c in checklist_for(demo_platform()).controls()}
    assert set(APPEARED) <= {g.id for g in GAPS}
    assert {c for answers in THIS_WEEK.values() for c in answers} | {w.control_id for w in WAIVERS} <= controls
