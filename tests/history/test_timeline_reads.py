"""Timelines read only what they show: the same points as the frozen scores, with a fixed number of queries."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, update

from readiness import assessment as service
from readiness import history
from readiness.scoring import Score
from readiness.store import session_scope
from readiness.store.tables import AssessmentRow
from scenarios import assessment, demo_platform, evidence_run, finalise

START = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def platform():
    return demo_platform()


@pytest.fixture(scope="module")
def checklist(platform):
    return service.checklist_for(platform)


def weekly_finals(engine, platform, checklist, weeks: int) -> int:
    """`weeks` final assessments, one control better each week, then this week's draft; the platform's id."""
    controls = [c.id for c in checklist.controls()]
    with session_scope(engine) as session:
        first = assessment(session, platform=platform, checklist=checklist, title="week 1", created_at=START,
                           overrides={cid: "not_met" for cid in controls[:weeks]})
        evidence_run(session, platform_id=first.platform_id, platform=platform, checklist=checklist)
        finalise(session, assessment_id=first.id)
        previous = first
        for week in range(2, weeks + 1):
            row = assessment(session, platform=platform, checklist=checklist, title=f"week {week}",
                             copy_from=previous.id, created_at=START + dt.timedelta(weeks=week - 1),
                             overrides={controls[week - 2]: "met"})
            previous = finalise(session, assessment_id=row.id)
        assessment(session, platform=platform, checklist=checklist, title="this week", copy_from=previous.id,
                   created_at=START + dt.timedelta(weeks=weeks))
        return first.platform_id


def statements_of(engine, read) -> tuple[int, object]:
    seen = []
    listener = lambda *_: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with session_scope(engine) as session:
            result = read(session)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen), result


def test_a_final_assessments_point_equals_the_one_its_frozen_score_gives(store_engine, platform, checklist):
    platform_id = weekly_finals(store_engine, platform, checklist, weeks=3)
    with session_scope(store_engine) as session:
        points = history.score_series(session, platform_id=platform_id, environment="production")
        rows = {r.id: r for r in session.query(AssessmentRow).filter(AssessmentRow.platform_id == platform_id)}
        expected = [history.point_of(p.assessment, Score.model_validate(rows[p.assessment.id].frozen_score))
                    for p in points if p.assessment.is_final]
    assert [p.assessment.title for p in points] == ["week 1", "week 2", "week 3", "this week"]
    assert [p for p in points if p.assessment.is_final] == expected
    assert points[0].overall < points[2].overall and len(points[2].areas) == len(checklist.areas)


def test_a_final_assessment_stored_without_its_summary_is_read_from_its_frozen_score(store_engine, platform,
                                                                                     checklist):
    platform_id = weekly_finals(store_engine, platform, checklist, weeks=2)
    with session_scope(store_engine) as session:
        before = history.score_series(session, platform_id=platform_id, environment="production")
    with store_engine.begin() as conn:  # as a store imported from before summaries were kept
        conn.execute(update(AssessmentRow.__table__).values(score_summary=None))
    with session_scope(store_engine) as session:
        after = history.score_series(session, platform_id=platform_id, environment="production")
    assert after == before


def test_a_longer_history_takes_no_more_queries(store_engine, platform, checklist):
    short = weekly_finals(store_engine, platform, checklist, weeks=2)
    long = weekly_finals(store_engine, platform.model_copy(update={"name": "Longer"}), checklist, weeks=6)

    def reads(platform_id: int):
        def read(session):
            points = history.score_series(session, platform_id=platform_id, environment="production")
            refs = history.assessment_refs(session, platform_id=platform_id, environment="production")
            latest = refs[0].id
            return points, refs, history.changes_since_previous_final(session, assessment_id=latest)
        return read

    few, (points, refs, _) = statements_of(store_engine, reads(short))
    many, (more_points, more_refs, change) = statements_of(store_engine, reads(long))
    assert (len(points), len(more_points), len(more_refs)) == (3, 7, 7)
    assert change is not None and change.before.title == "week 6"
    assert many == few
