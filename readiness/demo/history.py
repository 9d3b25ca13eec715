"""Twelve weeks of past readiness reviews of the demo platform, so the trend charts mean something at once.

Each week has a (simulated) evidence run and one final assessment per environment, answered by the
platform's owners and finalised by their head of engineering. The runs agree with the estate: the gaps
of the manifest fail (from the week they appeared), what it does right passes, and the rest was fixed
along the way. This week's drafts start from last week's answers: a team half-way, mostly met or
partial, a few not met and a handful not answered yet. Everything is marked as demo data, is the same on
every machine, and is written through the same repository functions as real work.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlmodel import Session, select

from readiness.assessment import checklist_for
from readiness.auth import Actor, Role
from readiness.checklist import Checklist
from readiness.demo.manifest import DONE_RIGHT, GAPS, resolve
from readiness.evidence.model import EvidenceRun, Finding, Status
from readiness.evidence.registry import CheckSpec, all_checks
from readiness.platform import Environment, Platform
from readiness.scoring import ActiveWaiver, Answer, AnswerValue, score
from readiness.store import assessments as repo
from readiness.store import decisions
from readiness.store.evidence import save_evidence_run
from readiness.store.tables import AssessmentRow, AssessmentStatus

WEEKS = 12
NEVER = 10 ** 6  # a week that never comes
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
V = AnswerValue
# This week's answers that are not simply "met", with the note their owner left. Some "met" answers are
# contradicted by the evidence: that is what the evidence is for.
THIS_WEEK: dict[str, dict[str, tuple[AnswerValue, str]]] = {
    "production": {
        "ARC-03": (V.PARTIAL, "Market data runs in two zones; a subnet in the third is being added."),
        "ARC-06": (V.PARTIAL, "Ingestion moves to the batch cluster with the next release."),
        "ARC-07": (V.PARTIAL, "Owner tags everywhere; data classification tags still going on."),
        "ENV-01": (V.MET, "Parameters compared with staging at the last release."),
        "ENV-02": (V.PARTIAL, "Brokerage credential rotation waits on the vendor."),
        "ENV-03": (V.PARTIAL, "Health checks being aligned with staging."),
        "ENV-05": (V.UNANSWERED, ""),
        "ENV-06": (V.PARTIAL, "Market data and brokerage confirmed live; compliance endpoint awaiting sign-off."),
        "DEP-08": (V.PARTIAL, "Contract tests run for market data; brokerage and compliance to follow."),
        "DAT-08": (V.MET, "Buckets reviewed in January."),
        "MON-02": (V.NOT_MET, "Reporting still logs plain text: structured logging is in the backlog."),
        "MON-04": (V.PARTIAL, "Most alarms wait for 3 of 5 minutes; the API error alarm is next."),
        "MON-05": (V.UNANSWERED, ""),
        "MON-06": (V.UNANSWERED, ""),
        "MON-07": (V.PARTIAL, "Every service has an error metric; reporting's alarm is pending."),
        "BAT-01": (V.MET, "Schedules checked against the exchange calendar."),
        "BAT-05": (V.NOT_MET, "Nobody owns the dead-letter queues yet."),
        "BAT-06": (V.PARTIAL, "Month-end logging raised to ERROR in the next change window."),
        "DPL-04": (V.NOT_MET, "Batch releases still go straight to production; an approval stage is planned."),
        "DPL-05": (V.PARTIAL, "Rollback on failure done; rollback on the error alarm next."),
        "SCL-01": (V.PARTIAL, "Reporting scales on a schedule; a load-based policy is planned."),
    },
    "staging": {
        "ARC-02": (V.PARTIAL, "The feed load balancer gets a second subnet with the network change."),
        "ARC-05": (V.UNANSWERED, ""),
        "DEP-01": (V.MET, "Credentials come from Secrets Manager."),
        "DEP-08": (V.PARTIAL, "Contract tests run for market data; brokerage and compliance to follow."),
        "BAT-01": (V.NOT_APPLICABLE, "Staging has no market-open traffic to keep clear of."),
        "BAT-04": (V.NOT_MET, "The report request queue has no dead-letter queue yet."),
        "BAT-08": (V.PARTIAL, "Imports are safe to rerun; reconciliation is being made idempotent."),
        "SCL-02": (V.NOT_APPLICABLE, "Staging has no market open to prepare for."),
        "SCL-04": (V.NOT_MET, "Load-test ceilings to be put back after the campaign."),
        "SCL-05": (V.UNANSWERED, ""),
    },
}
MET_NOTES = ("Confirmed in the weekly review.", "Runbook updated and rehearsed with on-call.",
             "Evidence attached in the platform wiki.", "Checked against the bar in the guidance.")
NOTED_SHARE = 0.1  # of the answers that became met, those whose owner left a note
# Gaps that appeared during the twelve weeks, and the week they did: the rest were there from the start.
# Staging's came with a load-test campaign from week 9 and a database migration in week 10.
APPEARED = {
    "scl-staging-runaway-max": 9, "scl-staging-idle-target": 9, "scl-staging-budget-silent": 9,
    "dep-staging-idle-timeout": 9, "deploy-staging-half-capacity": 10, "mon-staging-analytics-cpu-only": 10,
    "dat-staging-reporting-db-backups": 10, "dat-staging-reporting-db-stale-recovery-point": 10,
    "dat-prices-no-pitr": 10, "dep-staging-token-in-plain-variable": 11,
    "mon-db-cpu-alarm-stuck": 12, "bat-dead-letters-waiting": 11,
}


@dataclass(frozen=True)
class DemoWaiver:
    """An accepted risk of the history: in force from a week of it until some days after today."""

    environment: str
    control_id: str
    reason: str
    owner: Actor
    from_week: int
    days_after_today: int


WAIVERS = (
    DemoWaiver("staging", "ARC-01", "Staging databases run in one zone by design; the Multi-AZ failover is "
               "rehearsed each quarter on a copy of production.", OWNERS["dataflow"], 3, 90),
    DemoWaiver("production", "DPL-02", "The batch worker deploys its stable tag until its pipeline pins image "
               "digests (planned for the next release); the tag cannot move in production's registry.",
               OWNERS["deployment"], 6, 35),
)


@dataclass(frozen=True)
class Plan:
    """How a control's answer changed: unanswered, then not met, partial and met from those weeks; `final` is this
    week's answer (n/a from the week it was answered)."""

    final: AnswerValue
    answered: int
    partial: int
    met: int

    def value(self, week: int) -> AnswerValue:
        if week < self.answered:
            return V.UNANSWERED
        if self.final is V.NOT_APPLICABLE:
            return V.NOT_APPLICABLE
        if week >= self.met:
            return V.MET
        return V.PARTIAL if week >= self.partial else V.NOT_MET


def answer_plans(checklist: Checklist, environment: Environment) -> dict[str, Plan]:
    """Deterministic per environment: each control reaches this week's answer over the weeks, many of them well
    under way when the reviews started; production started a little behind staging."""
    rng = random.Random(f"northwind-history/{environment.name}")
    behind = 0.1 if environment.tier == "production" else -0.1
    finals = THIS_WEEK.get(environment.name, {})
    plans = {}
    for control in checklist.controls():
        final = finals.get(control.id, (V.MET, ""))[0]
        roll, answered = rng.random(), 1 if rng.random() < 0.9 else rng.randint(2, 4)
        later = rng.randint(2, 6 if control.blocker else WEEKS)  # when it moved on, if it had to: blockers first
        if final is V.UNANSWERED:
            plans[control.id] = Plan(final, NEVER, NEVER, NEVER)
        elif final in (V.NOT_APPLICABLE, V.NOT_MET):
            plans[control.id] = Plan(final, answered, NEVER, NEVER)
        elif final is V.PARTIAL:
            plans[control.id] = Plan(final, answered, answered if roll < 0.7 - behind else later, NEVER)
        elif roll < 0.6 - behind:  # in place when the reviews started
            plans[control.id] = Plan(final, answered, answered, answered)
        elif roll < 0.9 - behind:  # half done then, finished during the twelve weeks
            plans[control.id] = Plan(final, answered, answered, max(answered, later))
        else:  # not started then
            plans[control.id] = Plan(final, answered, max(answered, later - rng.randint(1, 4)), max(answered, later))
    return plans


def answers_in_week(checklist: Checklist, environment: Environment, week: int) -> dict[str, Answer]:
    """The answers of that week's review (this week's draft: week WEEKS), without their notes."""
    return {cid: Answer(value=plan.value(week)) for cid, plan in answer_plans(checklist, environment).items()
            if plan.value(week) is not V.UNANSWERED}


def waivers_in_week(environment: Environment, week: int, today: dt.date) -> list[ActiveWaiver]:
    return [ActiveWaiver(control_id=w.control_id, reason=w.reason, owner=w.owner.name, approver=CHAIR.name,
                         expires_on=today + dt.timedelta(days=w.days_after_today))
            for w in WAIVERS if w.environment == environment.name and week >= w.from_week]


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
    """Seed `weeks` weekly final assessments per environment (and this week's drafts and the waivers in force);
    nothing if any demo assessment of the platform exists already. Returns the assessments created, oldest first."""
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
                                     previous.get(env.name), run, waivers_in_week(env, week, today))
            previous[env.name] = row
            created.append(row)
    _seed_waivers(session, platform_id, platform, today)
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


def _seed_waivers(session: Session, platform_id: int, platform: Platform, today: dt.date) -> None:
    names = {env.name for env in platform.environments}
    for waiver in (w for w in WAIVERS if w.environment in names):
        row = decisions.request_waiver(
            session, platform_id=platform_id, environment=waiver.environment, control_id=waiver.control_id,
            reason=waiver.reason, owner=waiver.owner.name, actor=waiver.owner, today=today,
            expires_on=today + dt.timedelta(days=waiver.days_after_today))
        decisions.approve_waiver(session, waiver_id=row.id, actor=CHAIR, today=today)


def _weekly_assessment(session: Session, platform_id: int, platform: Platform, checklist: Checklist,
                       env: Environment, plans: dict[str, Plan], week: int, start: dt.datetime,
                       previous: AssessmentRow | None, run: EvidenceRun,
                       waivers: list[ActiveWaiver]) -> AssessmentRow:
    row = repo.create_assessment(
        session, platform_id=platform_id, environment=env.name,
        title=f"Weekly readiness review, {env.name}, week of {start:%d %b %Y}", checklist_digest=checklist.digest,
        actor=CHAIR, copy_answers_from=previous.id if previous else None, is_demo=True, created_at=start,
    )
    existing = repo.answers_for(session, assessment_id=row.id)
    finals = THIS_WEEK.get(env.name, {})
    rng = random.Random(f"northwind-notes/{env.name}/{week}")
    answers: dict[str, Answer] = {}
    for area in checklist.areas:
        for control in area.controls:
            plan = plans[control.id]
            value = plan.value(week)
            current = existing.get(control.id)
            if value is not V.UNANSWERED and (current is None or current.value != value.value):
                note = _note(value, plan, finals.get(control.id, (V.MET, ""))[1], rng)
                due = None if value in (V.MET, V.NOT_APPLICABLE) else (
                    start + dt.timedelta(weeks=rng.randint(2, 6))).date()
                current = repo.save_answer(session, assessment_id=row.id, control_id=control.id, value=value,
                                           actor=OWNERS[area.id], expected_version=current.version if current else 0,
                                           note=note, owner=OWNERS[area.id].name, due_on=due)
            if current is not None:
                answers[control.id] = Answer(value=AnswerValue(current.value), note=current.note)
    computed = score(checklist, answers, [f for f in run.findings if f.environment == env.name],
                     environment=env.name, waivers=waivers, thresholds=platform.thresholds,
                     today=start.date() + dt.timedelta(days=3))
    reviewed, finalised = start + dt.timedelta(days=3, hours=5), start + dt.timedelta(days=3, hours=6)
    repo.move_assessment(session, assessment_id=row.id, to_status=AssessmentStatus.REVIEW, actor=CHAIR, at=reviewed)
    return repo.move_assessment(
        session, assessment_id=row.id, to_status=AssessmentStatus.FINAL, actor=CHAIR, at=finalised,
        frozen_checklist=checklist.model_dump(mode="json"), frozen_score=computed.model_dump(mode="json"),
        overall=str(computed.overall) if computed.overall is not None else None,
        outcome=computed.decision.outcome.value, evidence_run_id=run.id,
    )


def _note(value: AnswerValue, plan: Plan, final_note: str, rng: random.Random) -> str:
    """The note left with a new answer: the owner's own words once it reaches this week's answer, else sometimes a
    word on progress."""
    if value is plan.final and final_note:
        return final_note
    if value is V.MET:
        return rng.choice(MET_NOTES) if rng.random() < NOTED_SHARE else ""
    return ""


def weekly_run(platform: Platform, checklist: Checklist, registry: dict[str, CheckSpec], week: int,
               started: dt.datetime) -> EvidenceRun:
    """A simulated evidence run of that week: the manifest's gaps fail from the week they appeared, what is done
    right passes, and the checks with nothing open today were fixed in some earlier week."""
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
            fixed_in = rng.choice((1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 8))  # drawn for every check: stable schedules
            if (spec.compares and env.name not in baseline) or not spec.applies_to(env.tier):
                continue
            common = dict(check=check, area=spec.area, controls=controls_of[check], environment=env.name,
                          baseline=baseline.get(env.name) if spec.compares else None, region=env.aws.regions[0],
                          severity=spec.severity)
            findings += [Finding(**common, **verdict) for verdict in _weekly_verdicts(env, spec, week, fixed_in)]
    return EvidenceRun(platform=platform.name, environments=[e.name for e in platform.environments],
                       started_at=started, finished_at=started + dt.timedelta(minutes=3), api_calls=140 + 3 * week,
                       checks=len(checks), findings=findings, is_demo=True)


def _weekly_verdicts(env: Environment, spec: CheckSpec, week: int, fixed_in: int) -> list[dict]:
    """What the check said that week, on the estate's own resources where the manifest names them."""
    open_gaps = [g for g in GAPS if g.check == spec.id and g.environment == env.name
                 and week >= APPEARED.get(g.id, 1)]
    right = [d for d in DONE_RIGHT if d.check == spec.id and d.environment == env.name]
    estate = f"{env.select.name_prefix or env.name + '-'}estate"
    passing = [{"resource": _named(d.resource), "status": Status.PASS, "message": d.what} for d in right]
    if open_gaps:
        return [{"resource": _named(g.resource), "status": g.status, "message": g.what} for g in open_gaps] + passing
    if week <= 2 and fixed_in >= 6:  # the read-only role lacked some permissions in the first weeks
        return [{"resource": estate, "status": Status.UNKNOWN,
                 "message": f"{spec.title}: could not be read in {env.name} (demo history, week {week})."}]
    if week < fixed_in:
        return [{"resource": estate, "status": Status.FAIL,
                 "message": f"{spec.title}: not met in {env.name} (demo history, week {week}; fixed since)."}]
    return passing or [{"resource": estate, "status": Status.PASS,
                        "message": f"{spec.title}: met in {env.name} (demo history, week {week})."}]


def _named(resource: str) -> str:
    """A manifest resource as the live runs name it: the seeded ARN while the simulation runs in this process, else
    the resource's kind and name."""
    from readiness.demo import current_demo

    estate = current_demo()
    return resolve(resource, estate.resources if estate else {}, strict=False)
