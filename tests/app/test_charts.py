"""The overview's radar: eight areas, closed loops, and the floor drawn where the thresholds say."""
from __future__ import annotations

from readiness.charts import area_radar
from readiness.checklist import load_checklist
from readiness.platform import REPO_ROOT
from readiness.scoring import Answer, AnswerValue, Thresholds, score


def _score():
    checklist = load_checklist(REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml")
    answers = {c.id: Answer(value=AnswerValue.MET) for c in checklist.areas[1].controls}
    return score(checklist, answers, [], thresholds=Thresholds(go_score=85, area_floor=55))


def test_radar_has_one_point_per_area_with_its_score():
    result = _score()
    areas = next(t for t in area_radar(result).data if t.name == "Area score")

    assert list(areas.r[:-1]) == [float(a.score) for a in result.areas]
    assert len(areas.r) == len(result.areas) + 1 and areas.r[0] == areas.r[-1]  # the loop closes
    assert areas.r[1] == 100.0  # environment: every control met


def test_radar_draws_the_area_floor_and_go_score_from_the_thresholds():
    rings = {t.name: set(t.r) for t in area_radar(_score()).data if t.name != "Area score"}

    assert rings == {"Area floor (55)": {55.0}, "Go score (85)": {85.0}}
