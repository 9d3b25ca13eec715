"""The History page: scores over time as lines, decisions of final assessments, and a comparison of two."""
from __future__ import annotations

import datetime as dt

import pytest

from readiness import assessment as service
from readiness.store import session_scope
from readiness.ui import state
from scenarios import assessment, evidence_run, finalise, first_manual_blocker


@pytest.fixture
def timeline(app):
    """Two final assessments of production (NO-GO, then GO) and the draft started in the app."""
    draft = app.start_assessment("Q3 draft")
    with session_scope(app.engine) as session:
        ctx = service.context(session, assessment_id=draft)
        blocker = first_manual_blocker(ctx.checklist)
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=120)
        q1 = assessment(session, platform=ctx.platform, checklist=ctx.checklist, title="Q1", created_at=start,
                        overrides={blocker: "not_met"})
        evidence_run(session, platform_id=q1.platform_id, platform=ctx.platform, checklist=ctx.checklist)
        finalise(session, assessment_id=q1.id)
        q2 = assessment(session, platform=ctx.platform, checklist=ctx.checklist, title="Q2", copy_from=q1.id,
                        created_at=start + dt.timedelta(days=60), overrides={blocker: "met"})
        finalise(session, assessment_id=q2.id)
    app.open("history")
    return {"q1": q1.id, "q2": q2.id, "draft": draft, "blocker": blocker}


def _decisions(at):
    [frame] = [d.value for d in at.dataframe if "Recorded" in d.value.columns]
    return frame


def test_history_draws_the_scores_over_time_and_lists_each_decision(app, timeline):
    at = app.at
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the lines over time, and the moves of the comparison
    decisions = _decisions(at)
    mine = decisions[decisions["Assessment"].isin(["Q1", "Q2", "Q3 draft"])]
    assert mine["Assessment"].tolist() == ["Q3 draft", "Q2", "Q1"]  # newest first
    assert mine["Computed"].tolist()[1:] == ["GO", "NO-GO"]
    assert mine["Status"].tolist() == ["draft", "final", "final"]


def test_final_only_leaves_out_drafts_and_reviews(app, timeline):
    app.at.toggle(key="history_final_only").set_value(True).run()
    assert not app.at.exception
    assert "Q3 draft" not in _decisions(app.at)["Assessment"].tolist()


def test_comparing_two_assessments_shows_what_moved(app, timeline):
    at = app.at
    at.selectbox(key="history_after").set_value(timeline["q2"]).run()
    at.selectbox(key="history_before").set_value(timeline["q1"]).run()
    assert not at.exception
    assert app.metric("Controls better") == "1" and app.metric("Controls worse") == "0"
    decision = next(m for m in at.metric if m.label == "Decision")
    assert decision.value == "GO"
    [changes] = [d.value for d in at.dataframe if "Moved" in d.value.columns]
    assert changes["Control"].tolist() == [timeline["blocker"]] and changes["Moved"].tolist() == ["better"]


def test_history_without_assessments_says_so(app):
    at = app.open("history")
    assert at.session_state[state.ASSESSMENT_ID] is None
    assert any("No assessment of this environment yet" in i.value for i in at.info)
