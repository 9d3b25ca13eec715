"""Application architecture: zones survived, hot reads kept off the primary, every resource owned."""
from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Iterator

from readiness.evidence.checking import CheckContext, EnvView, Verdict, verdict
from readiness.evidence.collecting import Resource
from readiness.evidence.collectors.ec2_subnets import SubnetInventory
from readiness.evidence.collectors.ecs import EcsInventory, Service
from readiness.evidence.collectors.elasticache import ElastiCacheInventory
from readiness.evidence.collectors.elbv2 import LoadBalancerInventory
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.tagging import TaggingInventory
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check
from readiness.platform import Component

PRODUCTION = ("production",)
OWNER_TAG = "Owner"
# Setting names that say a service reads through a cache or from a replica (names only are known).
CACHE_SETTING = re.compile(r"CACHE|REDIS|MEMCACHE|VALKEY|DAX", re.IGNORECASE)
REPLICA_SETTING = re.compile(r"READER|REPLICA|READ_ONLY|READONLY", re.IGNORECASE)


def zones_of(names: list[str]) -> str:
    return ", ".join(sorted(names)) or "no zone"


@check("architecture.multi_az_databases", area="architecture", title="Databases survive a zone failure",
       severity=Severity.CRITICAL, needs=("rds",), tiers=PRODUCTION,
       good="Every production database runs in more than one Availability Zone and fails over on its own.")
def multi_az_databases(ctx: CheckContext) -> Iterator[Verdict]:
    for db in ctx.env.inventory(RdsInventory).databases:
        subject = f"{ctx.env.name} database {ctx.env.common_name(db.name)}"
        if db.replica_of:
            yield verdict(Status.NOT_APPLICABLE, db.arn, f"{subject} is a read replica of {db.replica_of}: "
                          "its source is judged", region=db.region)
        elif db.multi_az:
            yield verdict(Status.PASS, db.arn, f"{subject} runs in several zones (Multi-AZ) and fails over on its "
                          "own", region=db.region, zones=db.availability_zones)
        elif db.kind == "cluster" and db.read_replicas:
            yield verdict(Status.FAIL, db.arn, f"{subject} has readers ({', '.join(db.read_replicas)}) but none in "
                          "another zone to fail over to; want one reader in a second zone", region=db.region)
        else:
            yield verdict(Status.FAIL, db.arn, f"{subject} runs in a single zone ({zones_of(db.availability_zones)}): "
                          "a zone outage takes it down; want Multi-AZ", region=db.region,
                          zones=db.availability_zones)


@check("architecture.load_balancer_zones", area="architecture", title="Load balancers span several zones",
       severity=Severity.HIGH, needs=("elbv2",),
       good="Every load balancer routes traffic through at least two Availability Zones.")
def load_balancer_zones(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: a load balancer costs the same in one zone as in several, so no environment has a
    reason to run in one, and a staging balancer in one zone never rehearses the zone failover production needs."""
    wanted = ctx.settings.min_zones
    for lb in ctx.env.inventory(LoadBalancerInventory).load_balancers:
        subject = f"{ctx.env.name} load balancer {ctx.env.common_name(lb.name)}"
        zones = lb.availability_zones
        if len(zones) >= wanted:
            yield verdict(Status.PASS, lb.arn, f"{subject} routes through {len(zones)} zones ({zones_of(zones)})",
                          region=lb.region, zones=zones)
        else:
            yield verdict(Status.FAIL, lb.arn, f"{subject} routes through {len(zones)} zone(s) ({zones_of(zones)}): "
                          f"a zone outage cuts it off; want at least {wanted}", region=lb.region, zones=zones)


@check("architecture.service_zone_spread", area="architecture", title="Service tasks spread across zones",
       severity=Severity.HIGH, needs=("ecs", "ec2_subnets"), tiers=PRODUCTION,
       good="Every production service runs its tasks in several Availability Zones, no more than half in any one.")
def service_zone_spread(ctx: CheckContext) -> Iterator[Verdict]:
    subnets = ctx.env.inventory(SubnetInventory)
    for service in ctx.env.inventory(EcsInventory).services:
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        zones = {subnet: subnets.zone_of(subnet) for subnet in service.subnets}
        if service.desired_count == 0:
            yield verdict(Status.NOT_APPLICABLE, service.arn, f"{subject} runs no tasks", region=service.region)
        elif not zones:
            yield verdict(Status.UNKNOWN, service.arn, f"{subject} does not use awsvpc networking: the zones of "
                          "its tasks cannot be told from its subnets", region=service.region)
        elif None in zones.values():
            missing = sorted(s for s, zone in zones.items() if zone is None)
            yield verdict(Status.UNKNOWN, service.arn, f"{subject} is placed in subnet(s) {', '.join(missing)}, "
                          "which were not found", region=service.region)
        else:
            yield _spread(ctx, service, subject, sorted(set(zones.values())))


def _spread(ctx: CheckContext, service: Service, subject: str, zones: list[str]) -> Verdict:
    """Fargate and the spread placement strategy balance tasks evenly over the zones of the service's subnets."""
    tasks, wanted, limit = service.desired_count, ctx.settings.min_zones, ctx.settings.max_zone_share
    busiest = math.ceil(tasks / len(zones))
    share = Decimal(busiest) / Decimal(tasks)
    details = {"zones": zones, "desired_count": tasks, "busiest_zone_share": str(share.quantize(Decimal("0.01")))}
    if len(zones) < wanted:
        return verdict(Status.FAIL, service.arn, f"{subject} can place its {tasks} task(s) only in "
                       f"{zones_of(zones)}: a zone outage stops it; want subnets in at least {wanted} zones",
                       region=service.region, **details)
    if tasks < wanted:
        return verdict(Status.FAIL, service.arn, f"{subject} runs {tasks} task: all of it in one zone; want at "
                       f"least {wanted} tasks", region=service.region, **details)
    if share > limit:
        return verdict(Status.WARN, service.arn, f"{subject} runs {tasks} tasks over {len(zones)} zones: {busiest} "
                       f"({share:.0%}) in one zone; want at most {limit:.0%}", region=service.region, **details)
    return verdict(Status.PASS, service.arn, f"{subject} spreads its {tasks} tasks over {len(zones)} zones "
                   f"({zones_of(zones)}), at most {busiest} in any one", region=service.region, **details)


@check("architecture.read_path_caching", area="architecture", title="Read-heavy paths served from caches",
       severity=Severity.MEDIUM, needs=("ecs", "rds", "elasticache"),
       good="Every service the platform marks read-heavy reads through a cache, a read replica or a reader endpoint.")
def read_path_caching(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: where staging reads the primary, the cache path production relies on is first
    exercised in production, and staging's load tests measure a different system."""
    ecs = ctx.env.inventory(EcsInventory)
    caches = ctx.env.inventory(ElastiCacheInventory).caches
    replicas = [db for db in ctx.env.inventory(RdsInventory).databases if db.replica_of or db.read_replicas]
    by_name = {ctx.env.common_name(s.name): s for s in ecs.services}
    components = ctx.platform.components if ctx.platform else []
    for component in (c for c in components if c.read_heavy):
        for name in component.services:
            service = by_name.get(name)
            if service is None:
                yield verdict(Status.WARN, name, f"the platform config marks {name} ({component.name}) read-heavy, "
                              f"but {ctx.env.name} runs no service {name}")
                continue
            settings = _setting_names(ecs, service)
            serving = [c.name for c in caches if _serves(ctx.env, c, service, component, settings, CACHE_SETTING)]
            serving += [_replica_label(db) for db in replicas
                        if _serves(ctx.env, db, service, component, settings, REPLICA_SETTING)]
            subject = f"{ctx.env.name} service {name} ({component.name}, read-heavy)"
            if serving:
                yield verdict(Status.PASS, service.arn, f"{subject} reads through {', '.join(serving)}",
                              region=service.region, read_path=serving)
            else:
                yield verdict(Status.FAIL, service.arn, f"{subject} has no cache, read replica or reader endpoint "
                              "tied to it (by name, Owner or Component tag, or a CACHE, REDIS or READER setting): "
                              "every read reaches the primary database", region=service.region)


def _setting_names(ecs: EcsInventory, service: Service) -> list[str]:
    task = ecs.task_definition(service.task_definition)
    return [n for c in (task.containers if task else []) for n in c.environment_names + c.secret_names]


def _serves(view: EnvView, resource: Resource, service: Service, component: Component, settings: list[str],
            setting: re.Pattern[str]) -> bool:
    """Whether a cache or replica is tied to the service: by name, by its Component or Owner tag, or by a setting."""
    name = view.common_name(resource.name).lower()
    service_name = view.common_name(service.name).lower()
    component_tag = resource.tags.get("Component", "").lower()
    owner = resource.tags.get("Owner")
    return (service_name in name or _slug(component.name) in name
            or component_tag in (component.name.lower(), _slug(component.name), service_name)
            or bool(owner) and owner == service.tags.get("Owner")
            or any(setting.search(n) for n in settings))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _replica_label(db: Database) -> str:
    if db.replica_of:
        return f"read replica {db.name}"
    return f"reader endpoint of {db.name}" if db.kind == "cluster" else f"read replicas of {db.name}"


@check("architecture.ownership_tags", area="architecture", title="Every resource has a named owner",
       severity=Severity.MEDIUM, needs=("tagging",),
       good="Every resource carries the ownership tags the platform requires.")
def ownership_tags(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: an unowned resource is nobody's to fix or pay for in any account.

    A resource without an Owner fails; one with an Owner that lacks another required tag (its tier or data
    classification) only warns: someone can still be asked.
    """
    required = ctx.settings.required_tags
    for resource in ctx.env.inventory(TaggingInventory).resources:
        subject = f"{ctx.env.name} {resource.type} {resource.name}"
        missing = [tag for tag in required if not resource.tags.get(tag, "").strip()]
        if missing:
            owned = OWNER_TAG in required and OWNER_TAG not in missing
            yield verdict(Status.WARN if owned else Status.FAIL, resource.arn,
                          f"{subject} has no {', '.join(missing)} tag (every resource needs {', '.join(required)})"
                          + (f"; its owner is {resource.tags[OWNER_TAG]}" if owned else ""),
                          region=resource.region, missing=missing)
        else:
            yield verdict(Status.PASS, resource.arn, f"{subject} carries " + ", ".join(
                f"{tag}={resource.tags[tag]}" for tag in required), region=resource.region)
