"""A store with years of history for the dashboard benchmark: many platforms, weekly evidence and final assessments.

Rows are what the app itself writes (a final assessment freezes its checklist and score; each week has an
evidence run with its findings, a recorded decision with sign-offs), inserted in bulk so that three years
of twenty platforms take a minute or two rather than the hours the audited one-by-one writes would.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from readiness.assessment import checklist_for
from readiness.auth import SYSTEM
from readiness.checklist import Checklist
from readiness.demo.history import weekly_run
from readiness.evidence.registry import all_checks
from readiness.platform import Platform, load_platform
from readiness.scoring import Answer, AnswerValue, score
from readiness.store import session_scope
from readiness.store.audit import append_event
from readiness.store.tables import (AnswerRow, AssessmentRow, DecisionRow, EvidenceRunRow, FindingRow, PlatformRow,
                                    SignOffRow, WaiverRow, score_summary)

CHAIR = "Dana Whitfield"
OWNERS = ("Priya Natarajan", "Marcus Hale", "Ines Okafor", "Tom Brennan")
SIGNERS = (("engineering", "Dana Whitfield"), ("risk", "Samir Haddad"))
NOTES = ("Confirmed in the weekly review.", "In progress: done for the client-facing services, batch to follow.",
         "Not started: in the platform backlog.")


@dataclass(frozen=True)
class HistorySize:
    platforms: int = 20
    weeks: int = 156  # three years of weekly reviews


def platforms(count: int, template: Platform) -> list[Platform]:
    out = []
    for i in range(count):
        data = template.model_dump(mode="json", exclude={"source"})
        data.update(name=f"Platform {i + 1:02d}", demo=False)
        for env in data["environments"]:
            env["aws"]["endpoint_url"] = None
        out.append(Platform.model_validate(data))
    return out


def fill(engine: Engine, size: HistorySize, template: Platform, *, today: dt.date,
         finals: bool = True) -> dict[str, int]:
    """Write the history (without `finals`, only its evidence and this week's drafts); returns rows per table."""
    written: dict[str, int] = {}
    ids = _Ids()
    registry = all_checks()
    checklist = checklist_for(template)
    monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time(9), tzinfo=dt.UTC)
    starts = [monday - dt.timedelta(weeks=k) for k in range(size.weeks, 0, -1)]
    for platform in platforms(size.platforms, template):
        with session_scope(engine) as session:
            row = PlatformRow(name=platform.name, config_yaml=platform.to_yaml(), created_at=monday, updated_at=monday)
            session.add(row)
            session.flush()
            # One audited write per platform, as registering it would leave: the pages key their caches on it.
            append_event(session, actor=SYSTEM, action="platform.create", entity="platform", entity_id=row.id,
                         after={"name": platform.name}, platform_id=row.id)
            platform_id = row.id
        rows = _platform_history(platform, platform_id, checklist, registry, starts, monday, ids, finals)
        with engine.begin() as conn:
            for table, values in rows.items():
                by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
                for value in values:  # one bulk insert per set of columns given (drafts have fewer)
                    by_columns.setdefault(tuple(value), []).append(value)
                for group in by_columns.values():
                    conn.execute(insert(table.__table__), group)
                written[table.__tablename__] = written.get(table.__tablename__, 0) + len(values)
    return written


def _platform_history(platform: Platform, platform_id: int, checklist: Checklist, registry: dict,
                      starts: list[dt.datetime], monday: dt.datetime, ids: "_Ids",
                      finals: bool) -> dict[type, list[dict[str, Any]]]:
    rows: dict[type, list[dict[str, Any]]] = {t: [] for t in (EvidenceRunRow, FindingRow, AssessmentRow, AnswerRow,
                                                               DecisionRow, SignOffRow, WaiverRow)}
    rng = random.Random(platform.name)
    plans = {env.name: _plans(checklist, rng, len(starts)) for env in platform.environments}
    frozen_checklist = checklist.model_dump(mode="json")
    for week, start in enumerate(starts, start=1):
        run = weekly_run(platform, checklist, registry, min(week, 12), start + dt.timedelta(days=2, hours=-3))
        rows[EvidenceRunRow].append(dict(
            id=run.id, platform_id=platform_id, kind="aws", environments=run.environments, started_at=run.started_at,
            finished_at=run.finished_at, api_calls=run.api_calls, checks=run.checks, started_by="scheduled collection",
            is_demo=False))
        rows[FindingRow] += [dict(
            run_id=run.id, check=f.check, area=f.area, controls=list(f.controls), environment=f.environment,
            baseline=f.baseline, account=f.account, region=f.region, resource=f.resource, status=f.status.value,
            severity=f.severity.value, message=f.message, details=f.details) for f in run.findings]
        for env in platform.environments if finals else ():
            answers = {cid: plan(week) for cid, plan in plans[env.name].items()}
            finalised = start + dt.timedelta(days=3, hours=6)
            result = score(checklist, {c: Answer(value=v) for c, v in answers.items()}, run.findings,
                           environment=env.name, thresholds=platform.thresholds, today=finalised.date())
            assessment_id = ids.next("assessment")
            frozen = result.model_dump(mode="json")
            rows[AssessmentRow].append(dict(
                id=assessment_id, platform_id=platform_id, environment=env.name, status="final",
                title=f"Weekly readiness review, {env.name}, week of {start:%d %b %Y}",
                checklist_digest=checklist.digest, evidence_run_id=run.id, is_demo=False, created_by=CHAIR,
                created_at=start, reviewed_by=CHAIR, reviewed_at=finalised - dt.timedelta(hours=1),
                finalized_by=CHAIR, finalized_at=finalised, frozen_checklist=frozen_checklist,
                frozen_score=frozen, overall_score=str(result.overall), outcome=result.decision.outcome.value,
                score_summary=score_summary(frozen)))
            rows[AnswerRow] += _answers(assessment_id, answers, rng, start)
            decision_id = ids.next("decision")
            rows[DecisionRow].append(dict(
                id=decision_id, assessment_id=assessment_id, outcome=result.decision.outcome.value,
                computed_outcome=result.decision.outcome.value, rationale="As computed.", recorded_by=CHAIR,
                recorded_at=finalised))
            rows[SignOffRow] += [dict(decision_id=decision_id, role=role, name=name, approve=True, comment="",
                                      signed_at=finalised) for role, name in SIGNERS]
    for env in platform.environments:
        # This week's review, still a draft: what the pages open on.
        draft_id = ids.next("assessment")
        rows[AssessmentRow].append(dict(
            id=draft_id, platform_id=platform_id, environment=env.name, status="draft",
            title=f"Weekly readiness review, {env.name}, week of {monday:%d %b %Y}",
            checklist_digest=checklist.digest, is_demo=False, created_by=CHAIR, created_at=monday))
        rows[AnswerRow] += _answers(draft_id, {c: p(len(starts)) for c, p in plans[env.name].items()}, rng, monday)
        rows[WaiverRow] += [dict(
            platform_id=platform_id, environment=env.name, control_id=control.id,
            reason="Accepted until the fix ships.",
            owner=OWNERS[0], requested_by=OWNERS[0], requested_at=monday - dt.timedelta(weeks=k + 1),
            approver=CHAIR, approved_at=monday - dt.timedelta(weeks=k + 1),
            expires_on=(monday + dt.timedelta(weeks=4 - 2 * k)).date()) for k, control in
            enumerate(checklist.controls()[:3])]
    return rows


class _Ids:
    """Ids handed out ahead of the bulk insert, so children can point at their parents."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def next(self, kind: str) -> int:
        self._next[kind] = self._next.get(kind, 0) + 1
        return self._next[kind]


def _plans(checklist: Checklist, rng: random.Random, weeks: int) -> dict[str, Any]:
    """Per control, the week it is first answered, partly met and met (some never are)."""
    plans = {}
    for control in checklist.controls():
        answered = rng.randint(1, max(1, weeks // 10))
        partial = rng.randint(answered, weeks + 1)
        met = rng.randint(partial, weeks + 40)

        def plan(week: int, answered: int = answered, partial: int = partial, met: int = met) -> AnswerValue:
            if week >= met:
                return AnswerValue.MET
            if week >= partial:
                return AnswerValue.PARTIAL
            return AnswerValue.NOT_MET if week >= answered else AnswerValue.UNANSWERED
        plans[control.id] = plan
    return plans


def _answers(assessment_id: int, answers: dict[str, AnswerValue], rng: random.Random,
             at: dt.datetime) -> list[dict[str, Any]]:
    order = [AnswerValue.MET, AnswerValue.PARTIAL, AnswerValue.NOT_MET]
    return [dict(assessment_id=assessment_id, control_id=cid, value=value.value,
                 note=NOTES[order.index(value)], owner=rng.choice(OWNERS),
                 due_on=None if value is AnswerValue.MET else (at + dt.timedelta(weeks=3)).date(),
                 updated_by=rng.choice(OWNERS), updated_at=at, version=1)
            for cid, value in answers.items() if value is not AnswerValue.UNANSWERED]


def template_platform() -> Platform:
    from readiness.demo import DEMO_PLATFORM_FILE

    return load_platform(DEMO_PLATFORM_FILE)
