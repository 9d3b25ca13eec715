"""Scaling and cost checks of production, judged from plain inventories."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from operations_fixtures import REGION, by_resource, judge_on, prod_arn, statuses

from readiness.evidence.collectors.application_autoscaling import (
    ApplicationAutoScalingInventory,
    ScalableTarget,
    ScalingPolicy,
    ScheduledAction,
)
from readiness.evidence.collectors.budgets import Budget, BudgetsInventory, Notification
from readiness.evidence.collectors.cost_explorer import CostExplorerInventory, Spend
from readiness.evidence.collectors.ecs import EcsInventory, Service, TaskDefinition
from readiness.evidence.model import Status
from readiness.platform import EvidenceSettings, FargatePrices

CLUSTER = "nw-prod-platform"


def service(name: str, *, target_groups=("arn:tg",), cpu: str | None = "1024", memory: str | None = "2048",
            desired: int = 2) -> tuple[Service, TaskDefinition]:
    task = TaskDefinition(arn=prod_arn("ecs", f"task-definition/nw-prod-{name}:2"), family=f"nw-prod-{name}",
                          revision=2, region=REGION, cpu=cpu, memory=memory)
    svc = Service(name=f"nw-prod-{name}", arn=prod_arn("ecs", f"service/{CLUSTER}/nw-prod-{name}"), region=REGION,
                  cluster_arn=prod_arn("ecs", f"cluster/{CLUSTER}"), cluster_name=CLUSTER, task_definition=task.arn,
                  target_groups=list(target_groups), desired_count=desired)
    return svc, task


def ecs(*pairs) -> EcsInventory:
    return EcsInventory(services=[s for s, _ in pairs], task_definitions=[t for _, t in pairs])


def policy(name: str, *, target: str = "60", scale_out: int | None = 60, scale_in: int | None = 300,
           metric: str = "ECSServiceAverageCPUUtilization", **settings) -> ScalingPolicy:
    values = dict(type="TargetTrackingScaling", metric=metric, target_value=Decimal(target),
                  scale_out_cooldown=scale_out, scale_in_cooldown=scale_in) | settings
    return ScalingPolicy(name=f"nw-prod-{name}", arn=prod_arn("autoscaling", f"scalingPolicy:x:policyName/{name}"),
                         **values)


def pre_market(minimum: int, schedule: str = "cron(0 9 ? * MON-FRI *)",
               timezone: str = "America/New_York") -> ScheduledAction:
    return ScheduledAction(name="nw-prod-pre-market", arn=prod_arn("autoscaling", "scheduledAction:pre"),
                           schedule=schedule, timezone=timezone, min_capacity=minimum)


def scalable(name: str, minimum: int = 2, maximum: int = 8, *, policies=None, actions=()) -> ScalableTarget:
    return ScalableTarget(name=f"nw-prod-{name}", arn=prod_arn("application-autoscaling", f"scalable-target/{name}"),
                          region=REGION, resource_id=f"service/{CLUSTER}/nw-prod-{name}", cluster=CLUSTER,
                          dimension="ecs:service:DesiredCount", min_capacity=minimum, max_capacity=maximum,
                          policies=[policy(f"{name}-cpu")] if policies is None else list(policies),
                          scheduled_actions=list(actions))


def scaling(*targets: ScalableTarget) -> ApplicationAutoScalingInventory:
    return ApplicationAutoScalingInventory(targets=list(targets))


# ---- scaling.service_autoscaling ---------------------------------------------------------------

def test_service_autoscaling_passes_for_a_service_scaling_by_policy_from_two_tasks():
    [finding] = judge_on("scaling.service_autoscaling", [ecs(service("api")), scaling(scalable("api", 3, 24))])
    assert finding.status == Status.PASS and finding.controls == ["SCL-01"]
    assert finding.message == ("production service api scales between 3 and 24 tasks "
                               "(ECSServiceAverageCPUUtilization)")


def test_service_autoscaling_fails_unscaled_single_task_fixed_and_policyless_services():
    found = by_resource(judge_on("scaling.service_autoscaling", [
        ecs(service("api"), service("reports", desired=3), service("quotes"), service("ledger")),
        scaling(scalable("api", 1, 8), scalable("quotes", 4, 4), scalable("ledger", policies=[]))]))
    assert {k: f.status for k, f in found.items()} == {name: Status.FAIL for name in (
        "nw-prod-api", "nw-prod-reports", "nw-prod-quotes", "nw-prod-ledger")}
    assert "can scale in to 1 task(s) (want at least 2" in found["nw-prod-api"].message
    assert "has no scalable target: it stays at 3 tasks" in found["nw-prod-reports"].message
    assert "maximum equal to its minimum (4)" in found["nw-prod-quotes"].message
    assert "has no scaling policy" in found["nw-prod-ledger"].message


def test_service_autoscaling_warns_for_a_service_scaled_only_by_scheduled_actions():
    [finding] = judge_on("scaling.service_autoscaling", [
        ecs(service("reports")), scaling(scalable("reports", 2, 6, policies=[], actions=[pre_market(6)]))])
    assert finding.status == Status.WARN
    assert "only its 1 scheduled action(s) change its task count, whatever its load" in finding.message


def test_service_autoscaling_leaves_batch_services_out():
    [finding] = judge_on("scaling.service_autoscaling", [ecs(service("worker")), scaling()])
    assert finding.status == Status.NOT_APPLICABLE  # the platform marks worker as batch work


def test_service_autoscaling_is_unknown_when_scaling_could_not_be_read():
    [finding] = judge_on("scaling.service_autoscaling", [ecs(service("api"))],
                         unknown={"application_autoscaling": "AccessDenied: application-autoscaling:Describe"})
    assert finding.status == Status.UNKNOWN


# ---- scaling.pre_market_capacity ---------------------------------------------------------------

def test_pre_market_capacity_passes_for_a_raise_shortly_before_the_open_in_new_york_time():
    [finding] = judge_on("scaling.pre_market_capacity", [
        ecs(service("api")), scaling(scalable("api", 3, 24, actions=[pre_market(9)]))])
    assert finding.status == Status.PASS
    assert "raises its minimum to 9 tasks with nw-prod-pre-market (first 2026-03-02 09:00 America/New_York) in " \
           "the 30 minutes before the 09:30 open" in finding.message and "on every trading day" in finding.message


def test_pre_market_capacity_fails_without_a_raise_and_warns_when_a_utc_schedule_drifts():
    found = by_resource(judge_on("scaling.pre_market_capacity", [
        ecs(service("api"), service("aggregation", target_groups=()), service("reports")),
        scaling(scalable("api", 3, 24, actions=[pre_market(3)]),
                scalable("aggregation", 2, 8, actions=[pre_market(6, "cron(0 14 ? * MON-FRI *)", "UTC")]))]))
    assert found["nw-prod-api"].status == Status.FAIL and "no scheduled scale-up" in found["nw-prod-api"].message
    assert found["nw-prod-aggregation"].status == Status.WARN  # 14:00 UTC is 09:00 in New York in winter only
    assert "daylight saving" in found["nw-prod-aggregation"].message
    assert found["nw-prod-reports"].status == Status.FAIL and "no scalable target" in found["nw-prod-reports"].message


def test_pre_market_capacity_is_unknown_for_an_unreadable_schedule_and_skips_internal_services():
    found = statuses(judge_on("scaling.pre_market_capacity", [
        ecs(service("api"), service("indexer", target_groups=())),
        scaling(scalable("api", actions=[pre_market(6, "cron(0 9 LW * ? *)")]))]))
    assert found == {"nw-prod-api": Status.UNKNOWN}


def test_pre_market_capacity_without_client_facing_services_is_not_applicable():
    [finding] = judge_on("scaling.pre_market_capacity", [ecs(service("indexer", target_groups=())), scaling()])
    assert finding.status == Status.NOT_APPLICABLE


# ---- scaling.policy_sanity ---------------------------------------------------------------------

def test_policy_sanity_passes_a_plausible_target_that_scales_out_faster_than_in():
    [finding] = judge_on("scaling.policy_sanity", [scaling(scalable("api"))])
    assert finding.status == Status.PASS
    assert "keeps ECSServiceAverageCPUUtilization at 60%, scaling out every 60 s and in every 300 s" in finding.message


def test_policy_sanity_fails_no_headroom_and_flapping_and_warns_on_waste():
    found = by_resource(judge_on("scaling.policy_sanity", [scaling(scalable("api", policies=[
        policy("hot", target="95"), policy("idle", target="5"), policy("flappy", scale_in=30),
        policy("step-out", type="StepScaling", target_value=None, direction="out", cooldown=300),
        policy("step-in", type="StepScaling", target_value=None, direction="in", cooldown=60)]))]))
    # A target too low wastes money but keeps headroom: a warning; too high leaves none: a failure.
    assert {k: f.status for k, f in found.items()} == {
        "hot": Status.FAIL, "idle": Status.WARN, "flappy": Status.FAIL, "step-out": Status.PASS,
        "step-in": Status.FAIL}
    assert "no headroom for a burst" in found["hot"].message
    assert "pays for several times the capacity it uses" in found["idle"].message
    assert "scales in every 30 s but out only every 60 s" in found["flappy"].message


def test_policy_sanity_unknown_and_not_applicable():
    [unknown] = judge_on("scaling.policy_sanity", [], unknown={"application_autoscaling": "Throttled: x"})
    [empty] = judge_on("scaling.policy_sanity", [scaling(scalable("api", policies=[]))])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- scaling.runaway_cost ----------------------------------------------------------------------

def test_runaway_cost_passes_a_bounded_service_and_shows_its_cost_at_the_maximum():
    [finding] = judge_on("scaling.runaway_cost", [ecs(service("api")), scaling(scalable("api", 3, 24))])
    assert finding.status == Status.PASS and finding.resource.endswith("service/nw-prod-platform/nw-prod-api")
    # 24 tasks x (1 vCPU x 0.04048 + 2 GB x 0.004445) x 730 hours
    assert finding.details["monthly_cost_at_max"] == "864.96"
    assert "about 864.96 USD a month (estimate: 1 vCPU and 2 GB per task, Fargate on-demand Linux/x86 prices of " \
           "us-east-1 as of 2025-01-01" in finding.message


def test_runaway_cost_fails_a_maximum_far_above_the_minimum_with_the_prices_of_the_config():
    prices = FargatePrices(region="eu-west-1", as_of=dt.date(2025, 6, 1), vcpu_hour=Decimal("0.04456"),
                           gb_hour=Decimal("0.004865"))
    [finding] = judge_on("scaling.runaway_cost", [ecs(service("analytics")), scaling(scalable("analytics", 2, 200))],
                         settings=EvidenceSettings(fargate_prices=prices))
    assert finding.status == Status.FAIL
    assert "can scale from 2 to 200 tasks (100x its minimum, above 10x)" in finding.message
    # 200 tasks x (1 vCPU x 0.04456 + 2 GB x 0.004865) x 730 hours
    assert finding.details["monthly_cost_at_max"] == "7926.34" and "eu-west-1 as of 2025-06-01" in finding.message


def test_runaway_cost_still_judges_the_ratio_when_the_task_size_is_unknown():
    [finding] = judge_on("scaling.runaway_cost", [ecs(service("analytics", cpu=None, memory=None)),
                                                  scaling(scalable("analytics", 1, 50))])
    assert finding.status == Status.FAIL and "an unknown amount (the task size could not be read)" in finding.message


def test_runaway_cost_unknown_and_not_applicable():
    [unknown] = judge_on("scaling.runaway_cost", [scaling()], unknown={"ecs": "AccessDenied: ecs:ListClusters"})
    [empty] = judge_on("scaling.runaway_cost", [ecs(service("api")), scaling()])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- scaling.budget_alerts ---------------------------------------------------------------------

def budget(name: str, *notifications: Notification, filters: dict | None = None) -> Budget:
    return Budget(name=name, arn=f"arn:aws:budgets::222222222222:budget/{name}", region=REGION,
                  limit=Decimal("25000"), unit="USD", cost_filters=filters or {}, notifications=list(notifications))


ACTUAL_80 = Notification(type="ACTUAL", comparison="GREATER_THAN", threshold=Decimal("80.0"))
SPEND = CostExplorerInventory(account="222222222222", spend=[
    Spend(month=dt.date(2026, 1, 1), environment="", amount=Decimal("19000.10")),
    Spend(month=dt.date(2026, 2, 1), environment="", amount=Decimal("21500.456")),
    Spend(month=dt.date(2026, 3, 1), environment="", amount=Decimal("900"), estimated=True)])


def test_budget_alerts_pass_for_a_budget_that_notifies_and_show_last_months_spend():
    [finding] = judge_on("scaling.budget_alerts", [BudgetsInventory(budgets=[budget("nw-prod-monthly", ACTUAL_80)]),
                                                   SPEND])
    assert finding.status == Status.PASS
    assert finding.message == ("production budget nw-prod-monthly (25,000.00 USD a month) alerts at 80% actual; "
                               "production's spend in February 2026: 21,500.46 USD")


def test_budget_alerts_fail_a_silent_budget_and_ignore_other_environments_budgets():
    found = by_resource(judge_on("scaling.budget_alerts", [BudgetsInventory(budgets=[
        budget("nw-prod-analytics"),
        budget("staging-only", ACTUAL_80, filters={"TagKeyValue": ["user:Environment$staging"]})]),
        CostExplorerInventory(unavailable="AccessDenied: ce:GetCostAndUsage")]))
    assert set(found) == {"nw-prod-analytics"} and found["nw-prod-analytics"].status == Status.FAIL
    assert "notifies nobody" in found["nw-prod-analytics"].message
    assert "spend unknown: AccessDenied: ce:GetCostAndUsage" in found["nw-prod-analytics"].message


def test_budget_alerts_fail_when_no_budget_covers_production():
    [finding] = judge_on("scaling.budget_alerts", [BudgetsInventory(), CostExplorerInventory()])
    assert finding.status == Status.FAIL and finding.resource == "production budgets"
    assert "production has no cost budget" in finding.message


def test_budget_alerts_are_unknown_when_budgets_could_not_be_read():
    [finding] = judge_on("scaling.budget_alerts", [CostExplorerInventory()],
                         unknown={"budgets": "AccessDenied: budgets:ViewBudget"})
    assert finding.status == Status.UNKNOWN and "budgets:ViewBudget" in finding.message
