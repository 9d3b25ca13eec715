"""Background and batch jobs: kept out of the opening session, apart from live work, never silent."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from readiness.evidence.checking import CheckContext, Verdict, verdict
from readiness.evidence.checks.deployment import judged
from readiness.evidence.checks.monitoring import batch_names
from readiness.evidence.collectors.ecs import EcsInventory
from readiness.evidence.collectors.events import EventsInventory, Target
from readiness.evidence.collectors.lambda_async import LambdaInventory
from readiness.evidence.collectors.scheduler import SchedulerInventory
from readiness.evidence.collectors.sqs import SqsInventory
from readiness.evidence.collectors.stepfunctions import StepFunctionsInventory
from readiness.evidence.market import Schedule, ScheduleNotUnderstood, local_time, opening_sessions
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check
from readiness.platform import Market

PRODUCTION = ("production",)
HORIZON = dt.timedelta(days=365)  # a year of trading days: both sides of every daylight-saving change


@dataclass(frozen=True)
class Trigger:
    """A schedule or a scheduled rule, as the batch checks see both: what fires when, and what it starts."""

    kind: str  # "schedule" | "rule"
    name: str
    arn: str
    region: str
    expression: str
    timezone: str
    flexible_minutes: int
    enabled: bool
    target: Target
    tags: dict[str, str]  # the rule's, or the schedule group's
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def schedule(self) -> Schedule:
        return Schedule.parse(self.expression, self.timezone, self.flexible_minutes)


def triggers(ctx: CheckContext) -> list[Trigger]:
    """Every schedule and every target of every scheduled rule of the environment."""
    out = [Trigger("schedule", s.name, s.arn, s.region, s.expression, s.timezone, s.flexible_minutes, s.enabled,
                   s.target, s.group_tags, s.start, s.end)
           for s in ctx.env.inventory(SchedulerInventory).schedules]
    out += [Trigger("rule", r.name, r.arn, r.region, r.schedule, "UTC", 0, r.enabled, t, r.tags)
            for r in ctx.env.inventory(EventsInventory).rules for t in r.targets]
    return out


def market_of(ctx: CheckContext) -> Market:
    return ctx.platform.market if ctx.platform else Market()


@check("batch.schedules_outside_market_open", area="batch", title="Heavy jobs avoid the market open",
       severity=Severity.HIGH, needs=("scheduler", "events"), tiers=PRODUCTION,
       good="No schedule fires inside the market's opening session on any trading day, in the exchange's time zone.")
def schedules_outside_market_open(ctx: CheckContext) -> Iterator[Verdict]:
    market = market_of(ctx)
    windows = opening_sessions(market, ctx.now.date(), (ctx.now + HORIZON).date())
    ends = (dt.datetime.combine(dt.date(2000, 1, 3), market.open_time()) + dt.timedelta(minutes=market.peak_minutes))
    session = f"opening session ({market.open}–{ends:%H:%M} {market.timezone})"
    for trigger in triggers(ctx):
        subject = f"{ctx.env.name} {trigger.kind} {trigger.name}"
        if not trigger.enabled or (trigger.end is not None and trigger.end <= ctx.now):
            why = "is disabled" if not trigger.enabled else f"ended on {trigger.end:%Y-%m-%d}"
            yield verdict(Status.NOT_APPLICABLE, trigger.arn, f"{subject} {why}", region=trigger.region)
            continue
        try:
            schedule = trigger.schedule()
        except ScheduleNotUnderstood as exc:
            yield verdict(Status.UNKNOWN, trigger.arn, f"{subject} has a schedule that could not be read: {exc}",
                          region=trigger.region)
            continue
        yield _against_the_open(trigger, schedule, [w for w in windows if _active(trigger, w.start)], subject,
                                session, market)


def _active(trigger: Trigger, moment: dt.datetime) -> bool:
    return (trigger.start is None or trigger.start <= moment) and (trigger.end is None or moment < trigger.end)


def _against_the_open(trigger: Trigger, schedule: Schedule, windows: list, subject: str, session: str,
                      market: Market) -> Verdict:
    region, shown = trigger.region, schedule.describe()
    if schedule.every is not None:
        if schedule.every < dt.timedelta(minutes=market.peak_minutes):
            return verdict(Status.FAIL, trigger.arn, f"{subject} fires {shown}, so it runs inside every {session}",
                           region=region, expression=shown)
        return verdict(Status.WARN, trigger.arn, f"{subject} fires {shown}, counted from when it was created: it "
                       f"can land in the {session}; pin it to a time with cron()", region=region, expression=shown)
    hits = [(w, t) for w in windows if (t := schedule.first_fire_within(w)) is not None]
    if not hits:
        return verdict(Status.PASS, trigger.arn, f"{subject} ({shown}) never fires inside the {session} in the next "
                       f"{len(windows)} trading days", region=region, expression=shown)
    first, last = hits[0][1], hits[-1][1]
    return verdict(Status.FAIL, trigger.arn, f"{subject} ({shown}) fires inside the {session} on {len(hits)} of "
                   f"{len(windows)} trading days in the next year, first at {local_time(first, market.timezone)}"
                   + (f", last at {local_time(last, market.timezone)}" if len(hits) > 1 else ""),
                   region=region, expression=shown, trading_days_hit=len(hits), trading_days=len(windows),
                   first_hit=first.isoformat())


@check("batch.isolated_from_live", area="batch", title="Batch work runs apart from live services",
       severity=Severity.HIGH, needs=("ecs", "lambda_async", "scheduler", "events"), tiers=PRODUCTION,
       good="Batch services and scheduled tasks run on clusters no live service uses, and batch functions have "
            "reserved concurrency.")
def isolated_from_live(ctx: CheckContext) -> Iterator[Verdict]:
    batch = batch_names(ctx)
    services = ctx.env.inventory(EcsInventory).services
    live = [s for s in services if ctx.env.common_name(s.name) not in batch]
    live_on = {}
    for s in live:
        live_on.setdefault(s.cluster_arn, []).append(ctx.env.common_name(s.name))
    live_groups = {g for s in live for g in s.target_groups}
    for s in (s for s in services if ctx.env.common_name(s.name) in batch):
        problems = []
        if s.cluster_arn in live_on:
            problems.append((Status.FAIL, f"shares cluster {s.cluster_name} with live services "
                                          f"{', '.join(sorted(live_on[s.cluster_arn]))}"))
        if set(s.target_groups) & live_groups:
            problems.append((Status.FAIL, "shares a load balancer target group with a live service"))
        yield judged(s.arn, problems, f"{ctx.env.name} batch service {ctx.env.common_name(s.name)}",
                     f"runs on cluster {s.cluster_name}, apart from live services", region=s.region)
    jobs = set()
    for trigger in triggers(ctx):
        if trigger.target.task_definition:  # an ECS task started on the cluster the target names
            cluster = trigger.target.arn.rsplit("/", 1)[-1]
            subject = f"{ctx.env.name} {trigger.kind} {trigger.name}"
            shared = live_on.get(trigger.target.arn)
            yield judged(trigger.arn, [(Status.FAIL, f"starts its task on cluster {cluster}, where live services "
                                                     f"{', '.join(sorted(shared))} run")] if shared else [],
                         subject, f"starts its task on cluster {cluster}, apart from live services",
                         region=trigger.region)
        jobs.add(trigger.target.job)
    for f in ctx.env.inventory(LambdaInventory).functions:
        if ctx.env.common_name(f.name) not in batch and f.arn not in jobs:
            continue
        subject = f"{ctx.env.name} batch function {f.name}"
        if f.reserved_concurrency is None:
            yield verdict(Status.FAIL, f.arn, f"{subject} has no reserved concurrency: a burst of it can take the "
                          "account's shared concurrency from live functions", region=f.region)
        else:
            yield verdict(Status.PASS, f.arn, f"{subject} is capped at {f.reserved_concurrency} concurrent runs of "
                          "its own", region=f.region, reserved_concurrency=f.reserved_concurrency)


@check("batch.schedule_failure_handling", area="batch", title="Scheduled triggers cannot fail silently",
       severity=Severity.HIGH, needs=("scheduler", "events"),
       good="Every schedule and scheduled rule target retries a failed start and keeps what it could not deliver "
            "in a dead-letter queue.")
def schedule_failure_handling(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: a trigger that fails silently in staging hides a broken job until it breaks in
    production.

    No dead-letter queue fails: the failure leaves no trace. A trigger that never retries but keeps its
    failures in a dead-letter queue only warns: a passing glitch costs a run, but someone can see it.
    """
    for trigger in triggers(ctx):
        target = trigger.target
        problems = []
        if target.retry_attempts == 0:
            problems.append((Status.WARN if target.dead_letter_arn else Status.FAIL,
                             "never retries a start that fails"))
        if not target.dead_letter_arn:
            problems.append((Status.FAIL, "has no dead-letter queue: a start that fails every retry leaves no trace"))
        retries = "the default retries (185 over 24 hours)" if target.retry_attempts is None else (
            f"{target.retry_attempts} retries")
        yield judged(trigger.arn, problems, f"{ctx.env.name} {trigger.kind} {trigger.name} (target "
                     f"{target.id or target.arn.rsplit(':', 1)[-1]})",
                     f"has {retries} and sends what fails to {(target.dead_letter_arn or '').rsplit(':', 1)[-1]}",
                     region=trigger.region, target=target.arn, dead_letter=target.dead_letter_arn,
                     retry_attempts=target.retry_attempts)


@check("batch.queue_redrive", area="batch", title="Queues redrive to dead-letter queues",
       severity=Severity.MEDIUM, needs=("sqs",),
       good="Every work queue moves a message that keeps failing to a dead-letter queue after a few attempts.")
def queue_redrive(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: a poison message blocks the work behind it in staging just as in production."""
    inventory = ctx.env.inventory(SqsInventory)
    dead_letters = inventory.dead_letter_arns()
    limit = ctx.settings.max_receive_count
    for queue in (q for q in inventory.queues if q.arn not in dead_letters):
        problems = []
        if not queue.dead_letter_target:
            problems.append((Status.FAIL, "has no redrive policy: a message that always fails is retried forever, "
                                          "blocking the work behind it"))
        elif queue.max_receive_count and queue.max_receive_count > limit:
            problems.append((Status.WARN, f"retries a failing message {queue.max_receive_count} times before moving "
                                          f"it aside (want at most {limit})"))
        yield judged(queue.arn, problems, f"{ctx.env.name} queue {queue.name}",
                     f"moves a message to {(queue.dead_letter_target or '').rsplit(':', 1)[-1]} after "
                     f"{queue.max_receive_count} failed attempts", region=queue.region,
                     dead_letter_target=queue.dead_letter_target, max_receive_count=queue.max_receive_count)


@check("batch.dead_letter_backlog", area="batch", title="Dead-letter backlogs are worked",
       severity=Severity.HIGH, needs=("sqs",), tiers=PRODUCTION,
       good="Every dead-letter queue is empty: what failed has been looked at and replayed.")
def dead_letter_backlog(ctx: CheckContext) -> Iterator[Verdict]:
    inventory = ctx.env.inventory(SqsInventory)
    dead_letters = inventory.dead_letter_arns()
    for queue in (q for q in inventory.queues if q.arn in dead_letters):
        subject = f"{ctx.env.name} dead-letter queue {queue.name}"
        if queue.messages:
            yield verdict(Status.FAIL, queue.arn, f"{subject} holds {queue.messages} message(s) that failed: each "
                          "is an import, trade or notification not done", region=queue.region, messages=queue.messages)
        else:
            yield verdict(Status.PASS, queue.arn, f"{subject} is empty", region=queue.region, messages=0)


@check("batch.state_machine_logging", area="batch", title="Workflow executions are traceable",
       severity=Severity.MEDIUM, needs=("stepfunctions",), tiers=PRODUCTION,
       good="Every state machine logs its executions (ERROR or ALL) to CloudWatch Logs and catches failing tasks.")
def state_machine_logging(ctx: CheckContext) -> Iterator[Verdict]:
    for machine in ctx.env.inventory(StepFunctionsInventory).state_machines:
        problems = []
        if machine.logging_level == "OFF" or not machine.log_destinations:
            problems.append((Status.FAIL, "keeps no execution log: when a run stops halfway nobody can see which "
                                          "step failed"))
        elif machine.logging_level == "FATAL":
            problems.append((Status.WARN, "logs only fatal errors (want ERROR or ALL)"))
        if machine.task_states_without_catch:
            problems.append((Status.WARN, f"has {machine.task_states_without_catch} of {machine.task_states} task "
                                          "states without a Catch"))
        yield judged(machine.arn, problems, f"{ctx.env.name} state machine {machine.name}",
                     f"logs its executions at level {machine.logging_level} and catches failing tasks",
                     region=machine.region, logging_level=machine.logging_level, tracing=machine.tracing)


PILEUP_HORIZON = dt.timedelta(days=35)  # long enough for a monthly job to fire twice


@check("batch.no_pileup", area="batch", title="Runs cannot pile up",
       severity=Severity.MEDIUM, needs=("scheduler", "events", "ecs", "stepfunctions", "lambda_async"),
       tiers=PRODUCTION,
       good="No job is started again, by its own schedule or another, before its previous run can have finished.")
def no_pileup(ctx: CheckContext) -> Iterator[Verdict]:
    jobs: dict[str, list[Trigger]] = {}
    for trigger in triggers(ctx):
        if trigger.enabled:
            jobs.setdefault(trigger.target.job, []).append(trigger)
    for job, group in jobs.items():
        found = _duration(ctx, group)
        names = [f"{t.kind} {t.name}" for t in group]
        for trigger in group:
            subject = f"{ctx.env.name} {trigger.kind} {trigger.name}" + (
                f" (with {', '.join(n for n in names if n != f'{trigger.kind} {trigger.name}')})"
                if len(group) > 1 else "")
            if isinstance(found, str):
                yield verdict(Status.UNKNOWN, trigger.arn, f"{subject}: {found}", region=trigger.region, job=job)
            else:
                status, text = _pileup(group, *found, ctx.now)
                yield verdict(status, trigger.arn, f"{subject} {text}", region=trigger.region, job=job,
                              duration_minutes=int(found[0].total_seconds() // 60), duration_from=found[1])


def _duration(ctx: CheckContext, group: list[Trigger]) -> tuple[dt.timedelta, str, bool] | str:
    """(how long the job runs, where that comes from, whether it is an expectation rather than a limit), or why not."""
    tag = ctx.settings.duration_tag
    target = group[0].target
    ecs = ctx.env.inventory(EcsInventory)
    tasks = [t for t in ecs.task_definitions + ecs.standalone_task_definitions if t.family == target.job]
    machine = next((m for m in ctx.env.inventory(StepFunctionsInventory).state_machines if m.arn == target.arn), None)
    function = next((f for f in ctx.env.inventory(LambdaInventory).functions if f.arn == target.job), None)
    tagged = [(t.tags, f"{t.kind} {t.name}") for t in group]
    tagged += [(t.tags, f"task definition {t.family}") for t in sorted(tasks, key=lambda t: -t.revision)[:1]]
    tagged += [(r.tags, f"{kind} {r.name}") for kind, r in (("state machine", machine), ("function", function)) if r]
    for tags, owner in tagged:
        if tag in tags:
            try:
                minutes = float(tags[tag])
            except ValueError:
                return f"its {tag} tag on {owner} is {tags[tag]!r}, not a number of minutes"
            if minutes > 0:
                return dt.timedelta(minutes=minutes), f"the {tag} tag on {owner}", True
    if machine and machine.timeout_seconds:
        return dt.timedelta(seconds=machine.timeout_seconds), f"the time limit of state machine {machine.name}", False
    if function:
        return dt.timedelta(seconds=function.timeout_seconds), f"the time limit of function {function.name}", False
    return (f"how long {target.job.rsplit(':', 1)[-1]} runs is not known: tag its task definition, state machine "
            f"or function (or the rule or schedule group) with {tag}=<minutes>")


def _pileup(group: list[Trigger], duration: dt.timedelta, source: str, expected: bool,
            now: dt.datetime) -> tuple[Status, str]:
    bad = Status.FAIL if expected else Status.WARN
    runs = f"runs for {'about' if expected else 'up to'} {_span(duration)} ({source})"
    try:
        schedules = [t.schedule() for t in group]
    except ScheduleNotUnderstood as exc:
        return Status.UNKNOWN, f"has a schedule that could not be read: {exc}"
    for s in schedules:
        if s.every is not None and s.every < duration:
            return bad, f"fires {s.describe()} but {runs}: runs pile up"
    if any(s.every is not None for s in schedules) and len(schedules) > 1:
        return Status.WARN, f"{runs}, and a rate() schedule of it starts counting from its creation: it can start " \
                            "while another schedule's run is still going"
    times = [t for s in schedules if s.every is None for t in s.fire_times(now, now + PILEUP_HORIZON)]
    times.sort()
    gaps = [(b - a, a, b) for a, b in zip(times, times[1:])]
    if not gaps:
        every = next((s.every for s in schedules if s.every is not None), None)
        return Status.PASS, (f"fires {_span(every)} apart and {runs}" if every else
                             f"fires at most once in the next {PILEUP_HORIZON.days} days and {runs}")
    gap, first, second = min(gaps)
    if gap < duration:
        return bad, (f"starts again at {second:%Y-%m-%d %H:%M} UTC, {_span(gap)} after the run of "
                     f"{first:%Y-%m-%d %H:%M} UTC, which {runs}: runs pile up")
    return Status.PASS, f"starts at least {_span(gap)} apart and {runs}"


def _span(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (rest, "minute"))
             if n]
    return " ".join(parts) or f"{int(span.total_seconds())} seconds"
