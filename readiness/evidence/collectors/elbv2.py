"""Elastic Load Balancing v2: load balancers with their listeners, attributes, target groups and WAF."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, batches, collector, paged, tag_dict
from readiness.evidence.naming import belongs

TAGS_BATCH = 20  # DescribeTags takes at most 20 ARNs


class Listener(BaseModel):
    port: int
    protocol: str
    ssl_policy: str | None = None
    redirects_to_https: bool = False
    default_actions: list[str] = []


class HealthCheck(BaseModel):
    enabled: bool = True
    protocol: str | None = None
    path: str | None = None
    interval_seconds: int | None = None
    timeout_seconds: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None
    matcher: str | None = None


class TargetGroup(BaseModel):
    name: str
    arn: str
    protocol: str | None = None
    port: int | None = None
    health_check: HealthCheck


class LoadBalancer(Resource):
    type: str  # application | network | gateway
    scheme: str | None = None
    availability_zones: list[str] = []
    listeners: list[Listener] = []
    target_groups: list[TargetGroup] = []
    idle_timeout_seconds: int | None = None  # application load balancers only
    deletion_protection: bool = False
    access_logs: bool = False
    web_acl_arn: str | None = None  # regional WAF association (application load balancers)
    dns_name: str | None = None  # what API Gateway integrations and clients call it by


class LoadBalancerInventory(Inventory):
    collector = "elbv2"
    load_balancers: list[LoadBalancer] = []


@collector("elbv2", inventory=LoadBalancerInventory, actions=[
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeTargetGroups", "wafv2:GetWebACLForResource",
])
def collect_load_balancers(ctx: CollectContext) -> LoadBalancerInventory:
    client = ctx.client("elbv2")
    found = list(paged(client, "describe_load_balancers", "LoadBalancers"))
    tags: dict[str, dict[str, str]] = {}
    chunks = [list(chunk) for chunk in batches([lb["LoadBalancerArn"] for lb in found], TAGS_BATCH)]
    for described in ctx.each(lambda chunk: client.describe_tags(ResourceArns=chunk)["TagDescriptions"], chunks):
        for item in described:
            tags[item["ResourceArn"]] = tag_dict(item.get("Tags"))
    mine = [lb for lb in found if belongs(ctx.select, lb["LoadBalancerName"], tags.get(lb["LoadBalancerArn"]))]
    groups = _target_groups(client) if mine else {}
    return LoadBalancerInventory(load_balancers=ctx.each(lambda lb: _load_balancer(ctx, client, lb, tags, groups),
                                                         mine))


def _load_balancer(ctx: CollectContext, client: Any, lb: dict, tags: dict, groups: dict) -> LoadBalancer:
    arn = lb["LoadBalancerArn"]
    attributes = {a["Key"]: a.get("Value", "") for a in
                  client.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    idle = attributes.get("idle_timeout.timeout_seconds")
    is_alb = lb.get("Type", "application") == "application"
    return LoadBalancer(
        name=lb["LoadBalancerName"], arn=arn, region=ctx.region, tags=tags.get(arn, {}),
        type=lb.get("Type", "application"), scheme=lb.get("Scheme"), dns_name=lb.get("DNSName"),
        availability_zones=sorted(z["ZoneName"] for z in lb.get("AvailabilityZones", [])),
        listeners=[_listener(item) for item in paged(client, "describe_listeners", "Listeners", LoadBalancerArn=arn)],
        target_groups=[group for group_arns, group in groups.values() if arn in group_arns],
        idle_timeout_seconds=int(idle) if idle else (60 if is_alb else None),
        deletion_protection=attributes.get("deletion_protection.enabled") == "true",
        access_logs=attributes.get("access_logs.s3.enabled") == "true",
        web_acl_arn=_web_acl(ctx, arn) if is_alb else None,
    )


def _listener(item: dict) -> Listener:
    actions = item.get("DefaultActions", [])
    redirects = any(a.get("Type") == "redirect" and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
                    for a in actions)
    secure = item.get("Protocol") in ("HTTPS", "TLS")
    return Listener(port=item["Port"], protocol=item["Protocol"], ssl_policy=item.get("SslPolicy") if secure else None,
                    redirects_to_https=redirects, default_actions=[a.get("Type", "") for a in actions])


def _target_groups(client: Any) -> dict[str, tuple[list[str], TargetGroup]]:
    out = {}
    for g in paged(client, "describe_target_groups", "TargetGroups"):
        check = HealthCheck(
            enabled=g.get("HealthCheckEnabled", True), protocol=g.get("HealthCheckProtocol"),
            path=g.get("HealthCheckPath"), interval_seconds=g.get("HealthCheckIntervalSeconds"),
            timeout_seconds=g.get("HealthCheckTimeoutSeconds"), healthy_threshold=g.get("HealthyThresholdCount"),
            unhealthy_threshold=g.get("UnhealthyThresholdCount"),
            matcher=(g.get("Matcher") or {}).get("HttpCode") or (g.get("Matcher") or {}).get("GrpcCode"),
        )
        out[g["TargetGroupArn"]] = (g.get("LoadBalancerArns", []), TargetGroup(
            name=g["TargetGroupName"], arn=g["TargetGroupArn"], protocol=g.get("Protocol"), port=g.get("Port"),
            health_check=check))
    return out


def _web_acl(ctx: CollectContext, arn: str) -> str | None:
    # One call per load balancer: ListResourcesForWebACL would be fewer, but the simulated AWS lacks it.
    answer = ctx.client("wafv2").get_web_acl_for_resource(ResourceArn=arn)
    return (answer.get("WebACL") or {}).get("ARN")
