"""Scores over time and comparisons between assessments, from the store."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from readiness import assessment as service
from readiness import history
from readiness.errors import InvalidInput, NotFound
from readiness.reports.charts import area_delta_figure, history_figure
from readiness.store import decisions as decisions_repo
from readiness.store import session_scope
from scenarios import CHAIR, assessment, demo_platform, evidence_run, finalise, first_manual_blocker

START = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def platform():
    return demo_platform()


@pytest.fixture(scope="module")
def checklist(platform):
    return service.checklist_for(platform)


@pytest.fixture
def timeline(store_engine, platform, checklist):
    """Q1 final (a blocker partial, scaling not met), Q2 final (all met), then a draft (one more control partial)."""
    blocker = first_manual_blocker(checklist)
    scaling = [c.id for c in checklist.areas[-1].controls]
    with session_scope(store_engine) as session:
        q1 = assessment(session, platform=platform, checklist=checklist, title="Q1", created_at=START,
                        overrides={blocker: "partial", **{cid: "not_met" for cid in scaling}})
        evidence_run(session, platform_id=q1.platform_id, platform=platform, checklist=checklist)
        finalise(session, assessment_id=q1.id)
        q2 = assessment(session, platform=platform, checklist=checklist, title="Q2", copy_from=q1.id,
                        created_at=START + dt.timedelta(days=90),
                        overrides={blocker: "met", **{cid: "met" for cid in scaling}})
        finalise(session, assessment_id=q2.id)
        decision = decisions_repo.record_decision(session, assessment_id=q2.id, outcome="GO", computed_outcome="GO",
                                                  rationale="All clear.", actor=CHAIR)
        draft = assessment(session, platform=platform, checklist=checklist, title="Q3 draft", copy_from=q2.id,
                           created_at=START + dt.timedelta(days=180), overrides={scaling[0]: "partial"})
    assert decision.id
    return {"q1": q1.id, "q2": q2.id, "draft": draft.id, "blocker": blocker, "scaling": scaling,
            "platform_id": q1.platform_id}


def test_series_lists_every_assessment_oldest_first_with_each_decision(store_engine, timeline):
    with session_scope(store_engine) as session:
        points = history.score_series(session, platform_id=timeline["platform_id"], environment="production")
    assert [p.assessment.title for p in points] == ["Q1", "Q2", "Q3 draft"]
    assert [p.outcome for p in points] == ["NO-GO", "GO", "GO"]
    assert [p.recorded_outcome for p in points] == [None, "GO", None]
    assert [p.assessment.is_final for p in points] == [True, True, False]
    assert points[1].overall == Decimal("100.0")
    assert points[0].areas["scaling"] == Decimal("0.0") and points[2].areas["scaling"] < Decimal(100)
    assert list(points[0].areas) == [a.id for a in service.checklist_for(demo_platform()).areas]


def test_final_points_keep_their_frozen_score_when_new_evidence_arrives(store_engine, timeline, platform, checklist):
    def series():
        with session_scope(store_engine) as session:
            return history.score_series(session, platform_id=timeline["platform_id"], environment="production")

    before = series()
    with session_scope(store_engine) as session:
        evidence_run(session, platform_id=timeline["platform_id"], platform=platform, checklist=checklist,
                     failing=frozenset(checklist.check_ids()), at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    after = series()
    assert after[:2] == before[:2]
    assert after[2].overall < before[2].overall and after[2].outcome == "NO-GO"


def test_comparison_names_the_controls_that_changed_and_how_much_each_area_moved(store_engine, timeline):
    with session_scope(store_engine) as session:
        change = history.compare_assessments(session, before_id=timeline["q1"], after_id=timeline["q2"])
    moved = {c.control_id: c.direction for c in change.controls}
    assert moved == {timeline["blocker"]: "better", **{cid: "better" for cid in timeline["scaling"]}}
    deltas = {a.area: a.delta for a in change.areas}
    assert deltas["scaling"] == Decimal("100.0")
    assert deltas["environment"] > 0
    assert all(delta == 0 for area, delta in deltas.items() if area not in ("scaling", "environment"))
    assert change.overall_delta == change.overall_after - change.overall_before > 0
    assert (change.outcome_before, change.outcome_after) == ("NO-GO", "GO")
    blocker = next(c for c in change.controls if c.control_id == timeline["blocker"])
    assert (blocker.before.answer, blocker.after.answer) == ("Partial", "Met")


def test_comparison_going_backwards_shows_controls_worse(store_engine, timeline):
    with session_scope(store_engine) as session:
        change = history.compare_assessments(session, before_id=timeline["q2"], after_id=timeline["draft"])
    assert [(c.control_id, c.direction) for c in change.controls] == [(timeline["scaling"][0], "worse")]
    assert change.count("worse") == 1 and change.count("better") == 0


def test_changes_since_previous_final_compare_with_the_latest_final_before(store_engine, timeline):
    with session_scope(store_engine) as session:
        assert history.changes_since_previous_final(session, assessment_id=timeline["q1"]) is None
        assert history.previous_final(session, assessment_id=timeline["q2"]).id == timeline["q1"]
        since = history.changes_since_previous_final(session, assessment_id=timeline["draft"])
    assert since.before.id == timeline["q2"] and since.after.id == timeline["draft"]


def test_comparing_an_assessment_with_itself_or_another_platform_is_refused(store_engine, timeline):
    with session_scope(store_engine) as session:
        with pytest.raises(InvalidInput):
            history.compare_assessments(session, before_id=timeline["q1"], after_id=timeline["q1"])
        with pytest.raises(NotFound):
            history.compare_assessments(session, before_id=timeline["q1"], after_id=9999)


def test_assessment_for_finds_the_latest_of_an_environment_or_the_one_asked(store_engine, timeline, platform):
    with session_scope(store_engine) as session:
        assert history.assessment_for(session, platform_name=platform.name, environment="production").id == \
            timeline["draft"]
        assert history.assessment_for(session, platform_name=platform.name, environment="production",
                                      assessment_id=timeline["q1"]).id == timeline["q1"]
        with pytest.raises(NotFound, match="no assessment of .* for staging"):
            history.assessment_for(session, platform_name=platform.name, environment="staging")
        with pytest.raises(NotFound, match="no assessments of Elsewhere"):
            history.assessment_for(session, platform_name="Elsewhere", environment="production")


def test_charts_draw_the_overall_line_and_the_area_moves(store_engine, timeline):
    with session_scope(store_engine) as session:
        points = history.score_series(session, platform_id=timeline["platform_id"], environment="production")
        change = history.compare_assessments(session, before_id=timeline["q1"], after_id=timeline["q2"])
    lines = history_figure(points)
    overall = next(t for t in lines.data if t.name == "Overall")
    assert list(overall.y) == [float(p.overall) for p in points]
    assert list(overall.text) == ["NO-GO", "GO", ""]  # final assessments are labelled with their decision
    assert len(lines.data) == 1 + len(points[0].areas)
    bars = area_delta_figure(change).data[0]
    by_area = dict(zip(bars.y, bars.x))
    assert by_area["Traffic scaling and cost"] == 100.0
