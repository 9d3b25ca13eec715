"""What the store keeps to be read quickly: a final assessment's score summary, and stored configs read once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import insert, select, text

from readiness.auth import LOCAL_USER, Actor, Role
from readiness.scoring import Answer, AnswerValue, score
from readiness.store import make_engine, session_scope, upgrade
from readiness.store import assessments as repo
from readiness.store.tables import AssessmentRow, score_summary

CHAIR = Actor(name="Alice Chair", role=Role.APPROVER)
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def frozen(checklist, platform) -> dict:
    answers = {c.id: Answer(value=AnswerValue.MET) for c in checklist.controls()[::2]}
    return score(checklist, answers, [], environment="production", thresholds=platform.thresholds).model_dump(
        mode="json")


def test_finalising_keeps_the_summary_a_timeline_reads(engine, assessment_id, checklist, platform):
    frozen_score = frozen(checklist, platform)
    with session_scope(engine) as session:
        repo.move_assessment(session, assessment_id=assessment_id, to_status="review", actor=CHAIR)
        repo.move_assessment(session, assessment_id=assessment_id, to_status="final", actor=CHAIR,
                             frozen_checklist=checklist.model_dump(mode="json"), frozen_score=frozen_score,
                             overall=frozen_score["overall"], outcome=frozen_score["decision"]["outcome"])
    with session_scope(engine) as session:
        summary = repo.get_assessment(session, assessment_id=assessment_id).score_summary
    assert summary == score_summary(frozen_score)
    assert list(summary["areas"]) == [a.id for a in checklist.areas]
    first = frozen_score["areas"][0]
    assert (summary["areas"][first["area"]], summary["area_titles"][first["area"]]) == (first["score"], first["title"])
    assert summary["go_score"] == "80" and summary["coverage"] == frozen_score["coverage"]


def test_upgrading_gives_final_assessments_stored_before_summaries_theirs(store_url, platform, checklist):
    engine = make_engine(store_url)
    upgrade(engine, "0001")
    frozen_score = frozen(checklist, platform)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO platform (name, config_yaml, created_at, updated_at) "
                          "VALUES ('kept', :cfg, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"cfg": platform.to_yaml()})
        platform_id = conn.execute(text("SELECT id FROM platform")).scalar_one()
        table = AssessmentRow.__table__
        common = dict(platform_id=platform_id, environment="production", checklist_digest=checklist.digest,
                      is_demo=False, created_by="a", created_at=NOW)
        conn.execute(insert(table).values(title="final", status="final", frozen_score=frozen_score,
                                          overall_score=frozen_score["overall"], outcome="NO-GO", **common))
        conn.execute(insert(table).values(title="draft", status="draft", **common))
    upgrade(engine)
    with engine.connect() as conn:
        table = AssessmentRow.__table__
        summaries = {title: summary for title, summary in conn.execute(select(table.c.title, table.c.score_summary))}
    engine.dispose()
    assert summaries == {"final": score_summary(frozen_score), "draft": None}


def test_a_stored_config_is_read_once_and_each_caller_gets_its_own_copy(engine, platform):
    with session_scope(engine) as session:
        platform_id = repo.save_platform(session, platform=platform, actor=LOCAL_USER).id
    with session_scope(engine) as session:
        first = repo.platform_config(session, platform_id=platform_id)
        first.environments[0].name = "changed by its caller"
        second = repo.platform_config(session, platform_id=platform_id)
    assert second.environments[0].name == "staging" and second == platform.model_copy(update={"source": second.source})


def test_a_changed_config_is_read_anew(engine, platform):
    with session_scope(engine) as session:
        platform_id = repo.save_platform(session, platform=platform, actor=LOCAL_USER).id
        assert repo.platform_config(session, platform_id=platform_id).thresholds.go_score == 80
        changed = platform.model_copy(update={"thresholds": platform.thresholds.model_copy(
            update={"go_score": Decimal(90)})})
        repo.save_platform(session, platform=changed, actor=LOCAL_USER)
        assert repo.platform_config(session, platform_id=platform_id).thresholds.go_score == 90
