"""Twelve weeks of past readiness reviews of the demo platform, so the trend charts mean something at once.

Each week has a (simulated) evidence run and one final assessment per environment, answered by the
platform's owners and finalised by their head of engineering. Everything is marked as demo data, is
the same on every machine, and is written through the same repository functions as real work.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlmodel import Session, select

from readiness.assessment import checklist_for
from readiness.auth import Actor, Role
from readiness.checklist import Checklist
from readiness.demo.manifest import GAPS, PLANNED_GAPS
from readiness.evidence.model import EvidenceRun, Finding, Status
from readiness.evidence.registry import CheckSpec, all_checks
from readiness.platform import Environment, Platform
from readiness.scoring import Answer, AnswerValue, score
from readiness.store import assessments as repo
from readiness.store.evidence import save_evidence_run
from readiness.store.tables import AssessmentRow, AssessmentStatus

WEEKS = 12
OWNERS = {  # who answers each area's controls
    "architecture": Actor(name="Priya Natarajan", role=Role.CONTRIBUTOR),
    "environment": Actor(name="Priya Natarajan", role=Role.CONTRIBUTOR),
    "deployment": Actor(name="Priya Natarajan", role=Role.CONTRIBUTOR),
    "dependencies": Actor(name="Marcus Hale", role=Role.CONTRIBUTOR),
    "scaling": Actor(name="Marcus Hale", role=Role.CONTRIBUTOR),
    "dataflow": Actor(name="Ines Okafor", role=Role.CONTRIBUTOR),
    "monitoring": Actor(name="Tom Brennan", role=Role.CONTRIBUTOR),
    "batch": Actor(name="Tom Brennan", role=Role.CONTRIBUTOR),
}
CHAIR = Actor(name="Dana Whitfield", role=Role.APPROVER)  # head of engineering: runs the weekly review
COLLECTOR = Actor(name="readiness (scheduled collection)", role=Role.CONTRIBUTOR)
NOTES = {
    AnswerValue.MET: ("Confirmed in the weekly review.", "Runbook updated and rehearsed with on-call.",
                      "Evidence attached in the platform wiki.", "Checked against the bar in the guidance."),
    AnswerValue.PARTIAL: ("In progress: done for the client-facing services, batch still to follow.",
                          "Designed and reviewed; rollout planned for the next sprint.",
                          "Done in staging; production change scheduled."),
    AnswerValue.NOT_MET: ("Not started: in the platform backlog.", "Blocked on the vendor contract.",
                          "Needs a design decision from the architecture forum."),
}
# Checks whose gaps are still open today report them throughout; the rest get fixed over the weeks.
STILL_FAILING = {(g.environment, g.check): g.status for g in (*GAPS, *PLANNED_GAPS)}


@dataclass(frozen=True)
class Plan:
    """When a control's answer improved: unanswered, then not met, partial and met from those weeks."""

    answered: int
    partial: int
    met: int  # WEEKS + 1: never met in the history

    def value(self, week: int) -> AnswerValue:
        if week >= self.met:
            return AnswerValue.MET
        if week >= self.partial:
            return AnswerValue.PARTIAL
        if week >= self.answered:
            return AnswerValue.NOT_MET
        return AnswerValue.UNANSWERED


def answer_plans(checklist: Checklist, environment: Environment) -> dict[str, Plan]:
    """Deterministic per environment: production starts later and ends a little behind staging."""
    rng = random.Random(f"northwind-history/{environment.name}")
    lag = 1 if environment.tier == "production" else 0
    plans = {}
    for control in checklist.controls():
        roll = rng.random()
        answered = 0 if roll < 0.85 else rng.randint(1, 3)
        if roll < 0.3:  # already in place when the reviews started
            plans[control.id] = Plan(answered, answered, answered)
        elif roll < 0.8:  # fixed during the twelve weeks
            met = min(WEEKS + 1, rng.randint(3, WEEKS) + lag)
            plans[control.id] = Plan(answered, max(answered, met - rng.randint(1, 4)), met)
        elif roll < 0.93:  # half done
            plans[control.id] = Plan(answered, max(answered, rng.randint(2, 9) + lag), WEEKS + 1)
        else:  # not started
            plans[control.id] = Plan(answered, WEEKS + 1, WEEKS + 1)
    return plans


def _monday(day: dt.date) -> dt.datetime:
    """09:00 UTC on the Monday of `day`'s week: when the weekly review opens."""
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time(9), tzinfo=dt.UTC)


def week_starts(weeks: int, today: dt.date) -> list[dt.datetime]:
    """The Mondays of the `weeks` weeks before this one, oldest first."""
    return [_monday(today) - dt.timedelta(weeks=k) for k in range(weeks, 0, -1)]


def has_demo_history(session: Session, *, platform_id: int) -> bool:
    found = session.exec(select(AssessmentRow.id).where(AssessmentRow.platform_id == platform_id,
                                                        AssessmentRow.is_demo == True)).first()  # noqa: E712
    return found is not None


def seed_history(session: Session, *, platform_id: int, weeks: int = WEEKS, today: dt.date | None = None,
                 open_drafts: bool = True) -> list[AssessmentRow]:
    """Seed `weeks` weekly final assessments per environment (and this week's drafts); nothing if any demo
    assessment of the platform exists already. Returns the assessments created, oldest first."""
    if has_demo_history(session, platform_id=platform_id):
        return []
    today = today or dt.datetime.now(dt.UTC).date()
    platform = repo.platform_config(session, platform_id=platform_id)
    checklist = checklist_for(platform)
    registry = all_checks()
    plans = {env.name: answer_plans(checklist, env) for env in platform.environments}
    previous: dict[str, AssessmentRow] = {}
    created: list[AssessmentRow] = []
    for week, start in enumerate(week_starts(weeks, today), start=1):
        run = weekly_run(platform, checklist, registry, week, start + dt.timedelta(days=2, hours=-3))
        save_evidence_run(session, platform_id=platform_id, run=run, actor=COLLECTOR)
        for env in platform.environments:
            row = _weekly_assessment(session, platform_id, platform, checklist, env, plans[env.name], week, start,
                                     previous.get(env.name), run)
            previous[env.name] = row
            created.append(row)
    if open_drafts:
        this_week = _monday(today)
        for env in platform.environments:
            created.append(repo.create_assessment(
                session, platform_id=platform_id, environment=env.name, checklist_digest=checklist.digest,
                title=f"Weekly readiness review, {env.name}, week of {this_week:%d %b %Y}", actor=CHAIR,
                copy_answers_from=previous[env.name].id if env.name in previous else None, is_demo=True,
                created_at=min(this_week, dt.datetime.now(dt.UTC)),
            ))
    return created


def _weekly_assessment(session: Session, platform_id: int, platform: Platform, checklist: Checklist,
                       env: Environment, plans: dict[str, Plan], week: int, start: dt.datetime,
                       previous: AssessmentRow | None, run: EvidenceRun) -> AssessmentRow:
    row = repo.create_assessment(
        session, platform_id=platform_id, environment=env.name, title=f"Weekly readiness review, {env.name}, week of {start:%d %b %Y}",
        checklist_digest=checklist.digest, actor=CHAIR, copy_answers_from=previous.id if previous else None,
        is_demo=True, created_at=start,
    )
    existing = repo.answers_for(session, assessment_id=row.id)
    rng = random.Random(f"northwind-notes/{env.name}/{week}")
    answers: dict[str, Answer] = {}
    for area in checklist.areas:
        for control in area.controls:
            value = plans[control.id].value(week)
            current = existing.get(control.id)
            if value is not AnswerValue.UNANSWERED and (current is None or current.value != value.value):
                note = rng.choice(NOTES[value])
                due = None if value is AnswerValue.MET else (start + dt.timedelta(weeks=rng.randint(2, 6))).date()
                current = repo.save_answer(session, assessment_id=row.id, control_id=control.id, value=value,
                                           actor=OWNERS[area.id], expected_version=current.version if current else 0,
                                           note=note, owner=OWNERS[area.id].name, due_on=due)
            if current is not None:
                answers[control.id] = Answer(value=AnswerValue(current.value), note=current.note)
    computed = score(checklist, answers, run.findings, environment=env.name, thresholds=platform.thresholds,
                     today=start.date() + dt.timedelta(days=3))
    reviewed, finalised = start + dt.timedelta(days=3, hours=5), start + dt.timedelta(days=3, hours=6)
    repo.move_assessment(session, assessment_id=row.id, to_status=AssessmentStatus.REVIEW, actor=CHAIR, at=reviewed)
    return repo.move_assessment(
        session, assessment_id=row.id, to_status=AssessmentStatus.FINAL, actor=CHAIR, at=finalised,
        frozen_checklist=checklist.model_dump(mode="json"), frozen_score=computed.model_dump(mode="json"),
        overall=str(computed.overall) if computed.overall is not None else None,
        outcome=computed.decision.outcome.value, evidence_run_id=run.id,
    )


def weekly_run(platform: Platform, checklist: Checklist, registry: dict[str, CheckSpec], week: int,
               started: dt.datetime) -> EvidenceRun:
    """A simulated evidence run of that week: checks fixed over the weeks pass, open gaps still fail."""
    controls_of: dict[str, list[str]] = {}
    for control in checklist.controls():
        for check in control.checks:
            controls_of.setdefault(check, []).append(control.id)
    # Only checks that exist: the history then agrees with what a run can find today.
    checks = sorted(c for c in controls_of if c in registry and registry[c].kind == "aws")
    baseline = {target: base for base, target in platform.compare}
    findings = []
    for env in platform.environments:
        rng = random.Random(f"northwind-evidence/{env.name}")
        for check in checks:
            spec = registry[check]
            fixed_in = rng.choice((1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9))  # drawn for every check: stable schedules
            if (spec.compares and env.name not in baseline) or not spec.applies_to(env.tier):
                continue
            status = _weekly_status(env, check, week, fixed_in)
            findings.append(Finding(
                check=check, area=spec.area, controls=controls_of[check], environment=env.name,
                baseline=baseline.get(env.name) if spec.compares else None, region=env.aws.regions[0],
                resource=f"{env.select.name_prefix or env.name + '-'}estate", status=status, severity=spec.severity,
                message=f"{spec.title}: {_said(status)} in {env.name} (demo history, week {week}).",
            ))
    return EvidenceRun(platform=platform.name, environments=[e.name for e in platform.environments],
                       started_at=started, finished_at=started + dt.timedelta(minutes=3), api_calls=140 + 3 * week,
                       checks=len(checks), findings=findings, is_demo=True)


def _weekly_status(env: Environment, check: str, week: int, fixed_in: int) -> Status:
    if (env.name, check) in STILL_FAILING:
        return STILL_FAILING[(env.name, check)]
    if week <= 2 and fixed_in >= 9:
        return Status.UNKNOWN  # the read-only role lacked some permissions in the first weeks
    return Status.PASS if week >= fixed_in else Status.FAIL


def _said(status: Status) -> str:
    return {Status.PASS: "met", Status.FAIL: "not met", Status.WARN: "partly met",
            Status.UNKNOWN: "could not be read"}.get(status, status.value)
