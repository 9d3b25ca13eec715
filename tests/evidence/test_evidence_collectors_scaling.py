"""Collectors of scaling and spend, against the simulated AWS: scalable targets, budgets, Cost Explorer."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from moto.moto_api._internal.models import moto_api_backend

from readiness.evidence.collectors.application_autoscaling import ApplicationAutoScalingInventory
from readiness.evidence.collectors.budgets import BudgetsInventory
from readiness.evidence.collectors.cost_explorer import CostExplorerInventory

SERVICE = "service/nw-prod-platform/nw-prod-api"
DIMENSION = "ecs:service:DesiredCount"


def scaled_service(account, resource: str = SERVICE) -> None:
    _, cluster, name = resource.split("/")
    ecs = account.client("ecs")
    ecs.create_cluster(clusterName=cluster)
    task = ecs.register_task_definition(family=name, containerDefinitions=[
        {"name": "api", "image": "api:1", "memory": 512}])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=task, desiredCount=2)
    scaling = account.client("application-autoscaling")
    scaling.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=DIMENSION,
                                     MinCapacity=2, MaxCapacity=12)
    scaling.put_scaling_policy(
        PolicyName=f"{name}-cpu", ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0, "ScaleOutCooldown": 60, "ScaleInCooldown": 300,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    scaling.put_scheduled_action(ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=DIMENSION,
                                 ScheduledActionName=f"{name}-pre-market", Schedule="cron(0 9 ? * MON-FRI *)",
                                 Timezone="America/New_York", ScalableTargetAction={"MinCapacity": 6})


def test_scalable_targets_are_read_with_their_policies_and_scheduled_actions(account, environment, read):
    scaled_service(account)
    scaled_service(account, "service/nw-staging-platform/nw-staging-api")
    [target] = ApplicationAutoScalingInventory.model_validate(
        read("application_autoscaling", environment(account=account)).payload).targets
    assert (target.name, target.cluster, target.min_capacity, target.max_capacity) == (
        "nw-prod-api", "nw-prod-platform", 2, 12)
    [policy] = target.policies
    assert (policy.metric, policy.target_value, policy.scale_out_cooldown, policy.scale_in_cooldown) == (
        "ECSServiceAverageCPUUtilization", Decimal("60.0"), 60, 300)
    [action] = target.scheduled_actions
    assert (action.schedule, action.timezone, action.min_capacity) == (
        "cron(0 9 ? * MON-FRI *)", "America/New_York", 6)


def test_scalable_targets_in_an_empty_account_are_none_found(account, environment, read):
    record = read("application_autoscaling", environment(account=account))
    assert record.status == "ok" and ApplicationAutoScalingInventory.model_validate(record.payload).targets == []


def test_scalable_targets_denied_is_unknown(account, environment, read, deny):
    scaled_service(account)
    record = read("application_autoscaling", environment(account=account), hooks=(deny("DescribeScalingPolicies"),))
    assert (record.status, record.reason) == (
        "unknown", "AccessDenied: application-autoscaling:DescribeScalingPolicies")


def test_budgets_are_read_with_limits_filters_and_notifications(account, environment, read):
    account.client("budgets").create_budget(AccountId=account.id, Budget={
        "BudgetName": "nw-prod-monthly", "BudgetLimit": {"Amount": "25000", "Unit": "USD"}, "TimeUnit": "MONTHLY",
        "BudgetType": "COST", "CostFilters": {"TagKeyValue": ["user:Environment$production"]}},
        NotificationsWithSubscribers=[{"Notification": {
            "NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 100.0,
            "ThresholdType": "PERCENTAGE"},
            "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "a@example.com"}]}])
    [budget] = BudgetsInventory.model_validate(read("budgets", environment(account=account)).payload).budgets
    assert (budget.name, budget.limit, budget.unit, budget.time_unit) == (
        "nw-prod-monthly", Decimal("25000"), "USD", "MONTHLY")
    assert budget.arn == f"arn:aws:budgets::{account.id}:budget/nw-prod-monthly"
    assert budget.tag_values("Environment") == {"production"}
    assert [(n.type, n.threshold) for n in budget.notifications] == [("FORECASTED", Decimal("100.0"))]


def test_budgets_in_an_empty_account_are_none_found(account, environment, read):
    record = read("budgets", environment(account=account))
    assert record.status == "ok" and BudgetsInventory.model_validate(record.payload).budgets == []


def test_budgets_denied_is_unknown_as_the_iam_action_that_allows_them(account, environment, read, deny):
    record = read("budgets", environment(account=account), hooks=(deny("DescribeBudgets"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: budgets:ViewBudget")


def month_of(result_month: dt.date, groups: dict[str, str]) -> dict:
    start = result_month.isoformat()
    return {"TimePeriod": {"Start": start, "End": start}, "Estimated": False, "Total": {}, "Groups": [
        {"Keys": [key], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}
        for key, amount in groups.items()]}


def test_spend_is_read_by_month_and_environment_tag(account, environment, read):
    moto_api_backend.set_ce_cost_usage(account_id=account.id, result={"ResultsByTime": [
        month_of(dt.date(2026, 1, 1), {"Environment$production": "19000.10", "Environment$": "120.5"}),
        month_of(dt.date(2026, 2, 1), {"Environment$production": "21500.45"})]})
    inventory = CostExplorerInventory.model_validate(
        read("cost_explorer", environment(account=account, tags={"Environment": "production"})).payload)
    assert inventory.unavailable is None and inventory.tag_key == "Environment"
    assert [(s.month, s.environment, s.amount) for s in inventory.spend] == [
        (dt.date(2026, 1, 1), "production", Decimal("19000.10")), (dt.date(2026, 1, 1), "", Decimal("120.5")),
        (dt.date(2026, 2, 1), "production", Decimal("21500.45"))]


def test_spend_of_an_account_without_cost_data_is_none_found(account, environment, read):
    record = read("cost_explorer", environment(account=account))
    assert record.status == "ok" and CostExplorerInventory.model_validate(record.payload).spend == []


def test_spend_denied_is_kept_as_the_reason_it_is_unavailable(account, environment, read, deny):
    # Cost Explorer is often not granted where everything else is: the budget check still judges budgets.
    record = read("cost_explorer", environment(account=account), hooks=(deny("GetCostAndUsage"),))
    inventory = CostExplorerInventory.model_validate(record.payload)
    assert record.status == "ok" and inventory.unavailable == "AccessDenied: ce:GetCostAndUsage"
