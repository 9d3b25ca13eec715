"""The demo's first picture: this week's answers against the live evidence give a mixed, recognisable result."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from readiness.assessment import checklist_for
from readiness.demo.history import WEEKS, answers_in_week, waivers_in_week
from readiness.evidence.model import EvidenceRun
from readiness.platform import Platform
from readiness.scoring import Outcome, Score, score


def this_weeks_score(platform: Platform, run: EvidenceRun, environment: str) -> Score:
    checklist, env = checklist_for(platform), platform.environment(environment)
    today = dt.datetime.now(dt.UTC).date()
    return score(checklist, answers_in_week(checklist, env, WEEKS), run.findings, environment=environment,
                 waivers=waivers_in_week(env, WEEKS, today), thresholds=platform.thresholds, today=today)


def areas(result: Score) -> dict[str, Decimal]:
    return {a.area: a.score for a in result.areas}


@pytest.fixture(scope="module")
def production(platform: Platform, demo_run: EvidenceRun) -> Score:
    return this_weeks_score(platform, demo_run, "production")


def test_production_is_a_no_go_somewhere_between_sixty_and_seventy_two(production: Score) -> None:
    assert Decimal(60) <= production.overall <= Decimal(72)
    assert production.decision.outcome == Outcome.NO_GO


def test_production_is_blocked_by_configuration_drift_and_a_database_in_one_zone(production: Score) -> None:
    blocking = [r.split()[1] for r in production.decision.reasons if r.startswith("Blocker") and "waiver" not in r]
    assert blocking == ["ARC-01", "ENV-01", "ENV-02"]
    assert any(r.startswith("Blocker ENV-01") and "answered met but contradicted by evidence" in r
               for r in production.decision.reasons)
    assert production.decision.waivers == ["DPL-02"]  # accepted, and said so


def test_production_has_strong_areas_and_weak_ones(production: Score) -> None:
    by_area = areas(production)
    assert by_area["dependencies"] >= 85 and by_area["dataflow"] >= 85, by_area
    assert by_area["environment"] < 60 and by_area["monitoring"] < 60, by_area
    assert all(v >= 60 for k, v in by_area.items() if k not in ("environment", "monitoring")), by_area


def test_staging_scores_between_seventy_five_and_eighty_five(platform: Platform, demo_run: EvidenceRun) -> None:
    staging = this_weeks_score(platform, demo_run, "staging")
    assert Decimal(75) <= staging.overall <= Decimal(85)
    assert all(v >= 60 for v in areas(staging).values()), areas(staging)
