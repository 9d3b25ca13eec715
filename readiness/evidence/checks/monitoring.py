"""Logging and monitoring: logs kept and readable, alarms that cover, notify and mean something."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Iterator

from readiness.evidence.checking import CheckContext, Verdict, verdict
from readiness.evidence.checks.deployment import judged
from readiness.evidence.collectors.cloudwatch import Alarm, CloudWatchInventory, Metric
from readiness.evidence.collectors.ecs import EcsInventory, Service
from readiness.evidence.collectors.elbv2 import LoadBalancerInventory
from readiness.evidence.collectors.log_samples import LogSamplesInventory
from readiness.evidence.collectors.logs import LogGroup, LogsInventory
from readiness.evidence.collectors.rds import RdsInventory
from readiness.evidence.collectors.sqs import SqsInventory
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check

PRODUCTION = ("production",)
# What an alarm on a service must watch: its failures or its slowness (freshness counts as slowness).
ERRORS_OR_LATENCY = re.compile(r"error|fault|fail|5xx|exception|latency|response.?time|duration|timeout|stale|"
                               r"fresh|unhealthy|dead|dlq", re.IGNORECASE)
ERROR_FILTER = re.compile(r"error|exception|fatal|fail|critical|5\d\d", re.IGNORECASE)


def service_log_groups(ecs: EcsInventory, service: Service) -> list[str] | None:
    """The log groups the service's containers write to; None when its task definition could not be read."""
    task = ecs.task_definition(service.task_definition)
    if task is None:
        return None
    return sorted({c.log_group for c in task.containers if c.log_group})


def percent(share: Decimal) -> str:
    return f"{share:.0%}"


@check("monitoring.log_retention", area="monitoring", title="Log retention set on every production log group",
       severity=Severity.MEDIUM, needs=("logs",), compares=True, tiers=PRODUCTION,
       good="Every production log group keeps its logs for a set time, long enough to investigate, and is encrypted "
            "at least as staging's is.")
def log_retention(ctx: CheckContext) -> Iterator[Verdict]:
    """Logs kept forever fail (the cost grows without limit); a retention that is set but shorter than the
    minimum only warns: the logs are bounded, just not for long enough."""
    mine, theirs = ctx.env.inventory(LogsInventory).log_groups, ctx.compared.inventory(LogsInventory).log_groups
    minimum = ctx.settings.log_retention_days
    for pair in ctx.pairs(mine, theirs):
        group = pair.target
        if group is None:
            continue  # staging's own log groups are not production's business
        problems = []
        if group.retention_days is None:
            problems.append((Status.FAIL, f"keeps its logs forever: the cost grows without limit (set a retention "
                                          f"of at least {minimum} days)"))
        elif group.retention_days < minimum:
            problems.append((Status.WARN, f"keeps logs for only {group.retention_days} days (want at least "
                                          f"{minimum}, to investigate a disputed trade)"))
        if not group.kms_key_id and pair.baseline is not None and pair.baseline.kms_key_id:
            problems.append((Status.FAIL, f"is not encrypted with a KMS key, while its {ctx.compared.name} "
                                          "counterpart is"))
        yield judged(group.arn, problems, f"{ctx.env.name} log group {group.name}",
                     f"keeps logs for {group.retention_days} days" + (" and is encrypted with a KMS key"
                                                                        if group.kms_key_id else ""),
                     region=group.region, retention_days=group.retention_days, encrypted=bool(group.kms_key_id))


@check("monitoring.structured_logs", area="monitoring", title="Structured logs carry correlation ids",
       severity=Severity.MEDIUM, needs=("log_samples", "ecs"), tiers=PRODUCTION,
       good="Recent events of every production service's log group are JSON and carry a correlation or "
            "transaction id.")
def structured_logs(ctx: CheckContext) -> Iterator[Verdict]:
    ecs = ctx.env.inventory(EcsInventory)
    samples = {s.name: s for s in ctx.env.inventory(LogSamplesInventory).samples}
    wanted = ctx.settings.structured_log_share
    for service in ecs.services:
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        groups = service_log_groups(ecs, service)
        if not groups:
            yield verdict(Status.UNKNOWN, service.arn, f"{subject} writes to no CloudWatch log group that could be "
                          "sampled (its task definition names none)", region=service.region)
            continue
        for name in groups:
            sample = samples.get(name)
            if sample is None or sample.events == 0:
                why = "has no recent events to sample" if sample else f"was not found in {ctx.env.name}"
                yield verdict(Status.UNKNOWN, sample.arn if sample else name,
                              f"{subject}'s log group {name} {why}", region=service.region)
                continue
            json_share = Decimal(sample.json_events) / sample.events
            id_share = Decimal(sample.correlated_events) / sample.events
            shares = f"{percent(json_share)} of {sample.events} recent events are JSON, {percent(id_share)} carry " \
                     "a correlation id"
            if json_share < wanted:
                status, text = Status.FAIL, f"writes plain text: {shares} (want at least {percent(wanted)} JSON)"
            elif id_share < wanted:
                status, text = Status.WARN, f"writes JSON without a correlation or transaction id: {shares}"
            else:
                status, text = Status.PASS, f"writes JSON with {', '.join(sample.correlation_fields)}: {shares}"
            yield verdict(status, sample.arn, f"{subject} (log group {name}) {text}", region=sample.region,
                          events=sample.events, json_share=str(json_share), correlation_share=str(id_share),
                          fields=sample.fields, correlation_fields=sample.correlation_fields)


@check("monitoring.alarm_coverage", area="monitoring", title="Critical alarms reach on-call",
       severity=Severity.HIGH, needs=("cloudwatch", "ecs", "elbv2", "rds", "sqs"),
       good="Every service and target group has an alarm on errors or latency, every database and dead-letter "
            "queue an alarm of its own, and every alarm notifies someone.")
def alarm_coverage(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: alarms ship with the code, and staging is where a missing or silent alarm is found
    before production needs it.

    Nothing watching a resource fails; a service watched, but only on something other than its errors or
    latency (its CPU, say), warns: someone is told, just not about what clients feel.
    """
    alarms = [a for a in ctx.env.inventory(CloudWatchInventory).alarms if a.kind == "metric"]
    balancers = ctx.env.inventory(LoadBalancerInventory).load_balancers
    owner = {g.arn: lb for lb in balancers for g in lb.target_groups}
    for service in ctx.env.inventory(EcsInventory).services:
        name = ctx.env.common_name(service.name)
        values = {service.name} | {_dimension(g) for g in service.target_groups} | {
            _dimension(owner[g].arn) for g in service.target_groups if g in owner}
        watching = [a for a in alarms if _watches(a, values) or ctx.env.common_name(a.name).startswith(name + "-")]
        yield _covered(ctx, service.arn, service.region, f"service {name}", watching, errors_only=True)
    for lb in balancers:
        for group in lb.target_groups:
            watching = [a for a in alarms if _watches(a, {_dimension(group.arn), _dimension(lb.arn)})]
            yield _covered(ctx, group.arn, lb.region, f"target group {group.name}", watching, errors_only=True)
    for db in ctx.env.inventory(RdsInventory).databases:
        yield _covered(ctx, db.arn, db.region, f"database {db.name}", [a for a in alarms if _watches(a, {db.name})])
    queues = ctx.env.inventory(SqsInventory)
    dead_letters = queues.dead_letter_arns()
    for queue in (q for q in queues.queues if q.arn in dead_letters):
        yield _covered(ctx, queue.arn, queue.region, f"dead-letter queue {queue.name}",
                       [a for a in alarms if _watches(a, {queue.name})])
    yield from (_notifies(ctx, alarm) for alarm in ctx.env.inventory(CloudWatchInventory).alarms)


def _notifies(ctx: CheckContext, alarm: Alarm) -> Verdict:
    subject = f"{ctx.env.name} alarm {alarm.name}"
    if alarm.notifies:
        return verdict(Status.PASS, alarm.arn, f"{subject} notifies {', '.join(alarm.alarm_actions)}",
                       region=alarm.region)
    why = "its actions are disabled" if alarm.alarm_actions else "it has no alarm action"
    return verdict(Status.FAIL, alarm.arn, f"{subject} notifies nobody when it fires: {why}", region=alarm.region)


def _dimension(arn: str) -> str:
    """How CloudWatch names a load balancer or target group: app/name/id, targetgroup/name/id."""
    return arn.split(":loadbalancer/", 1)[-1] if ":loadbalancer/" in arn else arn.rsplit(":", 1)[-1]


def _watches(alarm: Alarm, values: set[str]) -> bool:
    return any(v in values for m in alarm.metrics for v in m.dimensions.values())


def _on_errors_or_latency(alarm: Alarm) -> bool:
    return bool(ERRORS_OR_LATENCY.search(alarm.name)) or any(ERRORS_OR_LATENCY.search(m.name) for m in alarm.metrics)


def _covered(ctx: CheckContext, resource: str, region: str, what: str, watching: list[Alarm], *,
             errors_only: bool = False) -> Verdict:
    subject = f"{ctx.env.name} {what}"
    relevant = [a for a in watching if _on_errors_or_latency(a)] if errors_only else watching
    if not watching:
        return verdict(Status.FAIL, resource, f"{subject} has no alarm: a failure there is found by clients first",
                       region=region)
    if not relevant:
        shown = ", ".join(sorted({m.name for a in watching for m in a.metrics}))
        return verdict(Status.WARN, resource, f"{subject} is watched only on {shown}, not on errors or latency",
                       region=region, alarms=[a.name for a in watching])
    return verdict(Status.PASS, resource, f"{subject} is watched by {', '.join(a.name for a in relevant)}",
                   region=region, alarms=[a.name for a in relevant])


@check("monitoring.alarm_patterns", area="monitoring", title="Alerts target sustained patterns",
       severity=Severity.MEDIUM, needs=("cloudwatch",),
       good="Paging alarms look at patterns (M of N data points, anomaly bands, metric math, composite alarms), "
            "not at a single data point.")
def alarm_patterns(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: alarm definitions are promoted with the code, so a noisy one in staging is a noisy
    one in production next."""
    alarms = ctx.env.inventory(CloudWatchInventory).alarms
    any_pattern = any(_pattern(a) for a in alarms)
    for alarm in alarms:
        subject = f"{ctx.env.name} alarm {alarm.name}"
        pattern = _pattern(alarm)
        if pattern:
            yield verdict(Status.PASS, alarm.arn, f"{subject} fires on {pattern}", region=alarm.region)
        elif not any_pattern:
            yield verdict(Status.FAIL, alarm.arn, f"{subject} fires on a single data point, like every alarm of "
                          f"{ctx.env.name}: isolated errors page people, who learn to ignore them", region=alarm.region)
        elif alarm.notifies:
            yield verdict(Status.FAIL, alarm.arn, f"{subject} pages on a single data point: one noisy period wakes "
                          "someone (want M of N data points, an anomaly band or a composite alarm)",
                          region=alarm.region)
        else:
            yield verdict(Status.WARN, alarm.arn, f"{subject} fires on a single data point", region=alarm.region)


def _pattern(alarm: Alarm) -> str | None:
    """What the alarm looks at beyond one data point, in words; None when it fires on one."""
    if alarm.kind == "composite":
        return "a rule over other alarms"
    if alarm.anomaly_band:
        return "an anomaly detection band"
    points = alarm.datapoints_to_alarm or alarm.evaluation_periods or 1
    if points > 1:
        return f"{points} of {alarm.evaluation_periods or points} data points"
    if alarm.metric_math:
        return "metric math over several metrics"
    return None


@check("monitoring.alarm_stuck", area="monitoring", title="Alarms are live, not stuck",
       severity=Severity.MEDIUM, needs=("cloudwatch",), tiers=PRODUCTION,
       good="No production alarm has sat in ALARM or INSUFFICIENT_DATA for longer than the set number of hours.")
def alarm_stuck(ctx: CheckContext) -> Iterator[Verdict]:
    limit = dt.timedelta(hours=ctx.settings.alarm_stuck_hours)
    for alarm in ctx.env.inventory(CloudWatchInventory).alarms:
        subject = f"{ctx.env.name} alarm {alarm.name}"
        if alarm.state == "OK":
            yield verdict(Status.PASS, alarm.arn, f"{subject} is OK", region=alarm.region, state=alarm.state)
        elif alarm.state_since is None:
            yield verdict(Status.UNKNOWN, alarm.arn, f"{subject} is in {alarm.state}, since an unknown time",
                          region=alarm.region, state=alarm.state)
        elif ctx.now - alarm.state_since > limit:
            hours = int((ctx.now - alarm.state_since).total_seconds() // 3600)
            meaning = "it cannot signal a new problem" if alarm.state == "ALARM" else "its metric may have vanished"
            yield verdict(Status.FAIL, alarm.arn, f"{subject} has been in {alarm.state} for {hours} hours (since "
                          f"{alarm.state_since:%Y-%m-%d %H:%M} UTC, more than {ctx.settings.alarm_stuck_hours}): "
                          f"{meaning}", region=alarm.region, state=alarm.state, hours=hours)
        else:
            yield verdict(Status.PASS, alarm.arn, f"{subject} is in {alarm.state} since "
                          f"{alarm.state_since:%Y-%m-%d %H:%M} UTC, within {ctx.settings.alarm_stuck_hours} hours",
                          region=alarm.region, state=alarm.state)


@check("monitoring.error_metric_filters", area="monitoring", title="Application errors become metrics",
       severity=Severity.MEDIUM, needs=("logs", "ecs", "cloudwatch"), tiers=PRODUCTION,
       good="Each production service's log group has a metric filter for errors, and an alarm watches that metric.")
def error_metric_filters(ctx: CheckContext) -> Iterator[Verdict]:
    ecs = ctx.env.inventory(EcsInventory)
    groups = {g.name: g for g in ctx.env.inventory(LogsInventory).log_groups}
    alarmed = {f"{m.namespace}/{m.name}" for a in ctx.env.inventory(CloudWatchInventory).alarms for m in a.metrics}
    for service in ecs.services:
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        names = service_log_groups(ecs, service)
        if not names:
            yield verdict(Status.UNKNOWN, service.arn, f"{subject} writes to no CloudWatch log group (its task "
                          "definition names none), so its errors cannot become metrics there", region=service.region)
            continue
        for name in names:
            group = groups.get(name)
            if group is None:
                yield verdict(Status.UNKNOWN, name, f"{subject}'s log group {name} was not found in {ctx.env.name}",
                              region=service.region)
                continue
            yield _error_metrics(group, f"{subject} (log group {name})", alarmed)


def _error_metrics(group: LogGroup, subject: str, alarmed: set[str]) -> Verdict:
    errors = [f for f in group.filters if ERROR_FILTER.search(f.pattern) or any(ERROR_FILTER.search(m)
                                                                                  for m in f.metrics)]
    metrics = sorted({m for f in errors for m in f.metrics})
    if not errors:
        return verdict(Status.FAIL, group.arn, f"{subject} has no metric filter for errors: failures exist only as "
                       "log lines nobody graphs or alarms on", region=group.region)
    watched = [m for m in metrics if m in alarmed]
    if not watched:
        return verdict(Status.WARN, group.arn, f"{subject} turns errors into {', '.join(metrics)}, but no alarm "
                       "watches it", region=group.region, metrics=metrics)
    return verdict(Status.PASS, group.arn, f"{subject} turns errors into {', '.join(watched)}, watched by an alarm",
                   region=group.region, metrics=metrics)


LIVE_NAMESPACES = {"AWS/ApplicationELB", "AWS/ELB", "AWS/NetworkELB", "AWS/ApiGateway", "AWS/CloudFront",
                   "AWS/AppSync", "CloudWatchSynthetics"}
BATCH_NAMESPACES = {"AWS/SQS", "AWS/States", "AWS/Batch", "AWS/Events", "AWS/Scheduler", "AWS/Glue"}
LIVE_WORDS = re.compile(r"live|traffic|client|customer|api|web|frontend|request|latency|5xx", re.IGNORECASE)
BATCH_WORDS = re.compile(r"batch|job|worker|ingest|etl|queue|schedul|reconcil|import|background|backlog|dead|dlq",
                         re.IGNORECASE)


@check("monitoring.dashboards_separated", area="monitoring", title="Dashboards separate live and batch",
       severity=Severity.LOW, needs=("cloudwatch",), tiers=PRODUCTION,
       good="At least one dashboard shows live traffic and another background jobs, each on its own.")
def dashboards_separated(ctx: CheckContext) -> Iterator[Verdict]:
    dashboards = ctx.env.inventory(CloudWatchInventory).dashboards
    batch = batch_names(ctx)
    kinds = {d.arn: _shows(ctx, d.metrics, batch) for d in dashboards}
    alone = {kind for shown in kinds.values() if len(shown) == 1 for kind in shown}
    for d in dashboards:
        shown, named = kinds[d.arn], _named(ctx.env.common_name(d.name))
        subject = f"{ctx.env.name} dashboard {d.name}"
        other = ({"live", "batch"} - {named}).pop() if named else None
        if named and other in shown:
            yield verdict(Status.FAIL, d.arn, f"{subject} is named for {_words(named)} but also shows "
                          f"{_words(other)}: one blurs the other", region=d.region, shows=sorted(shown))
        elif len(shown) == 2 and alone != {"live", "batch"}:
            yield verdict(Status.FAIL, d.arn, f"{subject} shows live traffic and background jobs together, and no "
                          "dashboard shows either on its own", region=d.region, shows=sorted(shown))
        elif shown:
            yield verdict(Status.PASS, d.arn, f"{subject} shows " + " and ".join(_words(k) for k in sorted(shown)) +
                          (" (an overview: each also has a dashboard of its own)" if len(shown) == 2 else ""),
                          region=d.region, shows=sorted(shown))
        else:
            yield verdict(Status.NOT_APPLICABLE, d.arn, f"{subject} shows neither live traffic nor background jobs",
                          region=d.region)
    for kind in ("live", "batch"):
        if kind not in alone:
            yield verdict(Status.FAIL, f"{ctx.env.name} dashboards", f"{ctx.env.name} has no dashboard for "
                          f"{_words(kind)} on its own: on-call cannot tell at a glance whether clients are affected")


def batch_names(ctx: CheckContext) -> set[str]:
    """The services the platform config marks as batch work, by name without the environment's prefix."""
    return {s for c in (ctx.platform.components if ctx.platform else []) if c.batch for s in c.services}


def _named(name: str) -> str | None:
    live, batch = bool(LIVE_WORDS.search(name)), bool(BATCH_WORDS.search(name))
    return "live" if live and not batch else "batch" if batch and not live else None


def _words(kind: str | None) -> str:
    return {"live": "live traffic", "batch": "background jobs"}.get(kind or "", "")


def _shows(ctx: CheckContext, metrics: list[Metric], batch: set[str]) -> set[str]:
    shown = set()
    for m in metrics:
        names = {ctx.env.common_name(v) for v in m.dimensions.values()}
        if m.namespace in BATCH_NAMESPACES or names & batch or BATCH_WORDS.search(m.name):
            shown.add("batch")
        elif m.namespace in LIVE_NAMESPACES or LIVE_WORDS.search(m.name) or (
                "ServiceName" in m.dimensions and m.namespace.startswith(("AWS/ECS", "ECS/"))):
            shown.add("live")
    return shown
