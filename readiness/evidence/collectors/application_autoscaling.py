"""Application Auto Scaling: how the environment's ECS services scale, by policy and on a schedule."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, utc
from readiness.evidence.naming import belongs

NAMESPACE = "ecs"  # the services this platform runs; other namespaces can be added as checks need them


class ScalingPolicy(BaseModel):
    name: str
    arn: str
    type: str  # TargetTrackingScaling | StepScaling | PredictiveScaling
    metric: str | None = None  # the predefined metric type, or namespace/name of a custom one
    target_value: Decimal | None = None
    scale_out_cooldown: int | None = None
    scale_in_cooldown: int | None = None
    scale_in_disabled: bool = False
    direction: str | None = None  # step scaling: out | in, from the sign of its adjustments
    cooldown: int | None = None  # step scaling


class ScheduledAction(BaseModel):
    name: str
    arn: str
    schedule: str  # cron(...), rate(...) or at(...)
    timezone: str = "UTC"
    min_capacity: int | None = None
    max_capacity: int | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


class ScalableTarget(Resource):
    """An ECS service registered for scaling; `name` is the service's name, `arn` the scalable target's."""

    resource_id: str  # service/<cluster>/<service>
    cluster: str
    dimension: str
    min_capacity: int
    max_capacity: int
    policies: list[ScalingPolicy] = []
    scheduled_actions: list[ScheduledAction] = []


class ApplicationAutoScalingInventory(Inventory):
    collector = "application_autoscaling"
    targets: list[ScalableTarget] = []

    def for_service(self, cluster: str, service: str) -> ScalableTarget | None:
        return next((t for t in self.targets if t.resource_id == f"service/{cluster}/{service}"), None)


@collector("application_autoscaling", inventory=ApplicationAutoScalingInventory, actions=[
    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:DescribeScheduledActions",
])
def collect_scaling(ctx: CollectContext) -> ApplicationAutoScalingInventory:
    client = ctx.client("application-autoscaling")
    targets = [t for t in paged(client, "describe_scalable_targets", "ScalableTargets", ServiceNamespace=NAMESPACE)
               if _is_mine(ctx, t["ResourceId"])]
    if not targets:
        return ApplicationAutoScalingInventory()
    policies = _by_target(paged(client, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace=NAMESPACE))
    actions = _by_target(paged(client, "describe_scheduled_actions", "ScheduledActions", ServiceNamespace=NAMESPACE))
    return ApplicationAutoScalingInventory(targets=[_target(ctx, t, policies, actions) for t in targets])


def _is_mine(ctx: CollectContext, resource_id: str) -> bool:
    # Scalable targets are named by their service; with tag selection, the checks match them to the
    # environment's services (which were selected by their tags).
    parts = resource_id.split("/")
    if len(parts) != 3 or parts[0] != "service":
        return False
    return belongs(ctx.select, parts[2]) or belongs(ctx.select, parts[1]) or bool(ctx.select.tags)


def _by_target(items: Any) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in items:
        out[(item["ResourceId"], item["ScalableDimension"])].append(item)
    return out


def _target(ctx: CollectContext, t: dict, policies: dict, actions: dict) -> ScalableTarget:
    key = (t["ResourceId"], t["ScalableDimension"])
    _, cluster, service = t["ResourceId"].split("/")
    return ScalableTarget(
        name=service, arn=t.get("ScalableTargetARN") or ctx.arn("application-autoscaling", t["ResourceId"]),
        region=ctx.region, resource_id=t["ResourceId"], cluster=cluster, dimension=t["ScalableDimension"],
        min_capacity=t["MinCapacity"], max_capacity=t["MaxCapacity"],
        policies=[_policy(p) for p in policies.get(key, [])],
        scheduled_actions=[_action(a) for a in actions.get(key, [])],
    )


def _policy(p: dict) -> ScalingPolicy:
    tracking = p.get("TargetTrackingScalingPolicyConfiguration") or {}
    step = p.get("StepScalingPolicyConfiguration") or {}
    custom = tracking.get("CustomizedMetricSpecification") or {}
    metric = (tracking.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType") or (
        f"{custom.get('Namespace')}/{custom.get('MetricName')}" if custom.get("MetricName") else None)
    adjustments = [a.get("ScalingAdjustment", 0) for a in step.get("StepAdjustments", [])]
    direction = "out" if adjustments and all(a > 0 for a in adjustments) else (
        "in" if adjustments and all(a < 0 for a in adjustments) else None)
    return ScalingPolicy(
        name=p["PolicyName"], arn=p["PolicyARN"], type=p.get("PolicyType", ""), metric=metric,
        target_value=Decimal(str(tracking["TargetValue"])) if "TargetValue" in tracking else None,
        scale_out_cooldown=tracking.get("ScaleOutCooldown"), scale_in_cooldown=tracking.get("ScaleInCooldown"),
        scale_in_disabled=bool(tracking.get("DisableScaleIn")), direction=direction, cooldown=step.get("Cooldown"),
    )


def _action(a: dict) -> ScheduledAction:
    capacity = a.get("ScalableTargetAction") or {}
    return ScheduledAction(
        name=a["ScheduledActionName"], arn=a["ScheduledActionARN"], schedule=a["Schedule"],
        timezone=a.get("Timezone") or "UTC", min_capacity=capacity.get("MinCapacity"),
        max_capacity=capacity.get("MaxCapacity"), start=utc(a.get("StartTime")), end=utc(a.get("EndTime")),
    )
