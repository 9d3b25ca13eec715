"""Scaling and cost: services scale, capacity rises before the open, spend is bounded and watched."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterator

from readiness.evidence.checking import CheckContext, Verdict, verdict
from readiness.evidence.checks.deployment import judged
from readiness.evidence.checks.monitoring import batch_names
from readiness.evidence.collectors.application_autoscaling import (
    ApplicationAutoScalingInventory,
    ScalableTarget,
    ScalingPolicy,
    ScheduledAction,
)
from readiness.evidence.collectors.budgets import Budget, BudgetsInventory
from readiness.evidence.collectors.cost_explorer import CostExplorerInventory
from readiness.evidence.collectors.ecs import EcsInventory, Service, TaskDefinition
from readiness.evidence.market import Schedule, ScheduleNotUnderstood, local_time, pre_open_windows
from readiness.evidence.model import Severity, Status
from readiness.evidence.naming import belongs
from readiness.evidence.registry import check
from readiness.platform import FargatePrices, Market

PRODUCTION = ("production",)
HORIZON = dt.timedelta(days=365)
DEFAULT_COOLDOWN = 300  # Application Auto Scaling's cooldown for ECS when a policy sets none
CENTS = Decimal("0.01")


def money(amount: Decimal, currency: str = "USD") -> str:
    return f"{amount.quantize(CENTS):,} {currency}"


def number(value: Decimal) -> str:
    """80, 12.5: a decimal without trailing zeros or an exponent."""
    return format(value.normalize(), "f")


def _live_services(ctx: CheckContext) -> list[Service]:
    batch = batch_names(ctx)
    return [s for s in ctx.env.inventory(EcsInventory).services if ctx.env.common_name(s.name) not in batch]


@check("scaling.service_autoscaling", area="scaling", title="Services scale automatically",
       severity=Severity.HIGH, needs=("ecs", "application_autoscaling"), tiers=PRODUCTION,
       good="Every live production service scales with a policy between a minimum of at least two tasks and a "
            "higher maximum.")
def service_autoscaling(ctx: CheckContext) -> Iterator[Verdict]:
    """No scalable target, a floor under the minimum or a maximum no higher than it fails. A service whose task
    count only scheduled actions change warns: it follows the calendar, not its load."""
    scaling = ctx.env.inventory(ApplicationAutoScalingInventory)
    least = ctx.settings.min_service_tasks
    for service in _live_services(ctx):
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        target = scaling.for_service(service.cluster_name, service.name)
        if target is None:
            yield verdict(Status.FAIL, service.arn, f"{subject} has no scalable target: it stays at "
                          f"{service.desired_count} tasks however busy it gets", region=service.region)
            continue
        problems = []
        if target.min_capacity < least:
            problems.append((Status.FAIL, f"can scale in to {target.min_capacity} task(s) (want at least {least}, "
                                          "one per zone)"))
        if target.max_capacity <= target.min_capacity:
            problems.append((Status.FAIL, f"has its maximum equal to its minimum ({target.max_capacity}): it cannot "
                                          "scale"))
        if not target.policies and target.scheduled_actions:
            problems.append((Status.WARN, f"has no scaling policy: only its {len(target.scheduled_actions)} "
                                          "scheduled action(s) change its task count, whatever its load"))
        elif not target.policies:
            problems.append((Status.FAIL, "has no scaling policy and no scheduled action: nothing changes its task "
                                          "count"))
        yield judged(service.arn, problems, subject, f"scales between {target.min_capacity} and "
                     f"{target.max_capacity} tasks ({', '.join(p.metric or p.type for p in target.policies)})",
                     region=service.region, min_capacity=target.min_capacity, max_capacity=target.max_capacity)


@check("scaling.pre_market_capacity", area="scaling", title="Capacity raised before the open",
       severity=Severity.HIGH, needs=("ecs", "application_autoscaling"), tiers=PRODUCTION,
       good="Every client-facing production service raises its capacity on a schedule shortly before the market "
            "opens, on every trading day.")
def pre_market_capacity(ctx: CheckContext) -> Iterator[Verdict]:
    scaling = ctx.env.inventory(ApplicationAutoScalingInventory)
    market: Market = ctx.platform.market if ctx.platform else Market()
    lead = ctx.settings.pre_market_lead_minutes
    windows = pre_open_windows(market, ctx.now.date(), (ctx.now + HORIZON).date(), lead)
    read_heavy = {s for c in (ctx.platform.components if ctx.platform else []) if c.read_heavy for s in c.services}
    for service in _live_services(ctx):
        if not service.target_groups and ctx.env.common_name(service.name) not in read_heavy:
            continue  # not client-facing: the open does not reach it first
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        target = scaling.for_service(service.cluster_name, service.name)
        if target is None:
            yield verdict(Status.FAIL, service.arn, f"{subject} has no scalable target, so nothing raises its "
                          "capacity before the open", region=service.region)
            continue
        yield _raised_before_open(service, target, windows, subject, lead, market)


def _raised_before_open(service: Service, target: ScalableTarget, windows: list, subject: str, lead: int,
                        market: Market) -> Verdict:
    before = f"in the {lead} minutes before the {market.open} open ({market.timezone})"
    best: tuple[int, ScheduledAction, dt.datetime | None] | None = None
    unreadable = []
    for action in target.scheduled_actions:
        others = [a.min_capacity for a in target.scheduled_actions if a is not action and a.min_capacity is not None]
        if action.min_capacity is None or action.min_capacity <= min([target.min_capacity, *others]):
            continue  # it does not raise the floor
        try:
            schedule = Schedule.parse(action.schedule, action.timezone)
        except ScheduleNotUnderstood as exc:
            unreadable.append(str(exc))
            continue
        fired = [t for w in windows if (t := _fires_in(schedule, w)) is not None]
        if best is None or len(fired) > best[0]:
            best = (len(fired), action, fired[0] if fired else None)
    if best is None or best[0] == 0:
        if unreadable:
            return verdict(Status.UNKNOWN, service.arn, f"{subject} has a scheduled action that could not be read: "
                           + "; ".join(unreadable), region=service.region)
        return verdict(Status.FAIL, service.arn, f"{subject} has no scheduled scale-up {before}: it waits for its "
                       "load to rise while clients sign in", region=service.region)
    days, action, first = best
    text = (f"raises its minimum to {action.min_capacity} tasks with {action.name} "
            f"(first {local_time(first, market.timezone)}) {before}") if first else ""
    if days < len(windows):
        return verdict(Status.WARN, service.arn, f"{subject} {text}, but on only {days} of {len(windows)} trading "
                       "days (a schedule in UTC drifts by an hour with daylight saving)", region=service.region,
                       action=action.name, trading_days=len(windows), trading_days_raised=days)
    return verdict(Status.PASS, service.arn, f"{subject} {text}, on every trading day", region=service.region,
                   action=action.name, trading_days=len(windows))


def _fires_in(schedule: Schedule, window) -> dt.datetime | None:
    if schedule.every is not None:
        return None  # a rate has no fixed time of day: it does not anticipate the open
    return schedule.first_fire_within(window)


@check("scaling.policy_sanity", area="scaling", title="Scaling policies match real demand",
       severity=Severity.MEDIUM, needs=("application_autoscaling",),
       good="Scaling policies track a plausible target and scale out at least as fast as they scale in.")
def policy_sanity(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: policies are promoted with the code and load-tested in staging first.

    A policy that leaves no headroom, can never be met or flaps fails; one that tracks a utilisation below the
    range only warns: it wastes money, not availability.
    """
    low, high = ctx.settings.scaling_target_low_percent, ctx.settings.scaling_target_high_percent
    for target in ctx.env.inventory(ApplicationAutoScalingInventory).targets:
        out_cooldowns = [p.cooldown or DEFAULT_COOLDOWN for p in target.policies if p.direction == "out"]
        for policy in target.policies:
            problems = []
            value, metric = policy.target_value, policy.metric or ""
            if value is not None and value <= 0:
                problems.append((Status.FAIL, f"tracks a target of {number(value)}, which can never be met"))
            elif value is not None and "Utilization" in metric and not low <= value <= high:
                status = Status.FAIL if value > high else Status.WARN
                problems.append((status, f"keeps {metric} at {number(value)}%: " + (
                    "no headroom for a burst while new tasks start" if value > high else
                    "it pays for several times the capacity it uses") + f" (want {low}–{high}%)"))
            scale_in, scale_out = _cooldowns(policy, out_cooldowns)
            if scale_in is not None and scale_out is not None and scale_in < scale_out:
                problems.append((Status.FAIL, f"scales in every {scale_in} s but out only every {scale_out} s: it "
                                              "drops capacity faster than it adds it, and flaps"))
            yield judged(policy.arn, problems, f"{ctx.env.name} scaling policy {policy.name} of service "
                         f"{ctx.env.common_name(target.name)}", _policy_words(policy, scale_in, scale_out),
                         region=target.region, target_value=str(value) if value is not None else None)


def _cooldowns(policy: ScalingPolicy, out_cooldowns: list[int]) -> tuple[int | None, int | None]:
    if policy.type == "TargetTrackingScaling":
        return policy.scale_in_cooldown or DEFAULT_COOLDOWN, policy.scale_out_cooldown or DEFAULT_COOLDOWN
    if policy.type == "StepScaling" and policy.direction == "in" and out_cooldowns:
        return policy.cooldown or DEFAULT_COOLDOWN, min(out_cooldowns)
    return None, None


def _policy_words(policy: ScalingPolicy, scale_in: int | None, scale_out: int | None) -> str:
    value = policy.target_value
    unit = "%" if "Utilization" in (policy.metric or "") else ""
    tracks = f"keeps {policy.metric} at {number(value)}{unit}" if value is not None else f"is a {policy.type} policy"
    return tracks + (f", scaling out every {scale_out} s and in every {scale_in} s" if scale_in and scale_out else "")


@check("scaling.runaway_cost", area="scaling", title="Runaway scaling cannot drain budgets",
       severity=Severity.MEDIUM, needs=("application_autoscaling", "ecs"),
       good="Every scalable service has a maximum close enough to its minimum that a runaway scale-out stays "
            "affordable; the monthly cost at the maximum is shown as an estimate.")
def runaway_cost(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: a scale-out that runs away costs the same in a staging account as in production."""
    ecs = ctx.env.inventory(EcsInventory)
    services = {(s.cluster_name, s.name): s for s in ecs.services}
    prices, ratio_limit = ctx.settings.fargate_prices, ctx.settings.max_scale_ratio
    for target in ctx.env.inventory(ApplicationAutoScalingInventory).targets:
        service = services.get((target.cluster, target.name))
        if service is None:
            continue  # not one of this environment's services
        task = ecs.task_definition(service.task_definition)
        ratio = Decimal(target.max_capacity) / max(target.min_capacity, 1)
        cost = _monthly_cost(task, target.max_capacity, prices)
        estimate, details = _estimate_words(task, cost, prices)
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        if ratio > ratio_limit:
            yield verdict(Status.FAIL, service.arn, f"{subject} can scale from {target.min_capacity} to "
                          f"{target.max_capacity} tasks ({ratio:.0f}x its minimum, above {ratio_limit}x): a runaway "
                          f"scale-out would cost {estimate}", region=target.region, **details)
        else:
            yield verdict(Status.PASS, service.arn, f"{subject} is capped at {target.max_capacity} tasks "
                          f"({ratio:.0f}x its minimum); at the maximum it would cost {estimate}",
                          region=target.region, **details)


def task_size(task: TaskDefinition | None) -> tuple[Decimal, Decimal] | None:
    """(vCPU, GB) of a task, from its task-level size, else the sum of its containers'."""
    if task is None:
        return None
    cpu = Decimal(task.cpu) if task.cpu else Decimal(sum(c.cpu or 0 for c in task.containers))
    memory = Decimal(task.memory) if task.memory else Decimal(sum(c.memory or 0 for c in task.containers))
    return (cpu / 1024, memory / 1024) if cpu and memory else None


def _monthly_cost(task: TaskDefinition | None, tasks: int, prices: FargatePrices) -> Decimal | None:
    size = task_size(task)
    if size is None:
        return None
    vcpu, gb = size
    return (vcpu * prices.vcpu_hour + gb * prices.gb_hour) * prices.hours_per_month * tasks


def _estimate_words(task: TaskDefinition | None, cost: Decimal | None, prices: FargatePrices) -> tuple[str, dict]:
    size = task_size(task)
    if cost is None or size is None:
        return "an unknown amount (the task size could not be read)", {}
    vcpu, gb = size
    assumptions = (f"{vcpu.normalize()} vCPU and {gb.normalize()} GB per task, Fargate on-demand Linux/x86 prices of "
                   f"{prices.region} as of {prices.as_of} ({prices.vcpu_hour} per vCPU-hour, {prices.gb_hour} per "
                   f"GB-hour), running {prices.hours_per_month} hours a month")
    return (f"about {money(cost, prices.currency)} a month (estimate: {assumptions})",
            {"monthly_cost_at_max": str(cost.quantize(CENTS)), "currency": prices.currency,
             "assumptions": assumptions})


@check("scaling.budget_alerts", area="scaling", title="Budgets and cost alerts in place",
       severity=Severity.MEDIUM, needs=("budgets", "cost_explorer"),
       good="A cost budget covers the environment and notifies someone before it is spent.")
def budget_alerts(ctx: CheckContext) -> Iterator[Verdict]:
    spend = ctx.env.inventory(CostExplorerInventory)
    covering = [b for b in ctx.env.inventory(BudgetsInventory).budgets if b.budget_type == "COST" and _covers(ctx, b)]
    last = _last_month(ctx, spend)
    for budget in covering:
        subject = f"{ctx.env.name} budget {budget.name}"
        limit = f"{money(budget.limit, budget.unit or 'USD')} a {budget.time_unit.lower().removesuffix('ly')}" \
            if budget.limit is not None else "no set limit"
        if not budget.notifications:
            yield verdict(Status.FAIL, budget.arn, f"{subject} ({limit}) notifies nobody: overspending is found on "
                          f"the bill{last}", region=None, limit=str(budget.limit))
        else:
            alerts = ", ".join(f"{number(n.threshold)}{'%' if n.threshold_type == 'PERCENTAGE' else ''} "
                               f"{n.type.lower()}" for n in budget.notifications)
            yield verdict(Status.PASS, budget.arn, f"{subject} ({limit}) alerts at {alerts}{last}", region=None,
                          limit=str(budget.limit), notifications=len(budget.notifications))
    if not covering:
        yield verdict(Status.FAIL, f"{ctx.env.name} budgets", f"{ctx.env.name} has no cost budget: nobody is warned "
                      f"before its spend runs away{last}")


def _covers(ctx: CheckContext, budget: Budget) -> bool:
    """A budget of the environment: named for it, limited to its tags, or the whole account's (no filters)."""
    if belongs(ctx.env.select, budget.name):
        return True
    if not budget.cost_filters:
        return True
    return any(value in budget.tag_values(key) for key, value in ctx.env.select.tags.items())


def _last_month(ctx: CheckContext, spend: CostExplorerInventory) -> str:
    if spend.unavailable:
        return f" (spend unknown: {spend.unavailable})"
    tag_value = ctx.env.select.tags.get(spend.tag_key)
    mine = sorted((s for s in spend.spend if not s.estimated and (tag_value is None or s.environment == tag_value)),
                  key=lambda s: s.month)
    if not mine:
        return ""
    month = mine[-1].month
    total = sum((s.amount for s in mine if s.month == month), Decimal(0))
    return f"; {ctx.env.name}'s spend in {month:%B %Y}: {money(total, mine[-1].unit)}"
