"""ECS: clusters, their services and the task definitions they run (names of settings only, never values)."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, batches, collector, paged, tag_dict
from readiness.evidence.naming import belongs

SERVICES_BATCH = 10  # DescribeServices takes at most 10
CLUSTERS_BATCH = 100
HISTORY_REVISIONS = 5  # recent revisions of each family in use: what was deployed here lately
# Settings named like a duration (MARKET_DATA_TIMEOUT_MS) are the one kind of value kept: a timeout is
# a plain number, so only a value that is one is stored; anything else is kept as "" (set, not a number).
TIMEOUT_NAME = re.compile(r"_TIMEOUT_(MS|SECONDS)$")
PLAIN_NUMBER = re.compile(r"^\d{1,9}(\.\d{1,3})?$")


class Image(BaseModel):
    """A container image reference split into its parts: registry/repository:tag or @digest."""

    uri: str
    registry: str | None = None
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def account(self) -> str | None:
        match = re.match(r"^(\d{12})\.dkr\.ecr\.", self.registry or "")
        return match.group(1) if match else None

    @property
    def ecr_region(self) -> str | None:
        match = re.match(r"^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com", self.registry or "")
        return match.group(1) if match else None


def parse_image(uri: str) -> Image:
    rest, _, digest = uri.partition("@")
    first, _, remainder = rest.partition("/")
    registry = first if remainder and ("." in first or ":" in first or first == "localhost") else None
    path = remainder if registry else rest
    tag = None
    if ":" in path.rsplit("/", 1)[-1]:
        path, tag = path.rsplit(":", 1)
    return Image(uri=uri, registry=registry, repository=path, tag=tag, digest=digest or None)


class ContainerHealthCheck(BaseModel):
    command_digest: str = ""  # the command may carry a token, so only its fingerprint is kept
    interval: int | None = None
    timeout: int | None = None
    retries: int | None = None
    start_period: int | None = None


class Container(BaseModel):
    name: str
    image: Image
    cpu: int | None = None
    memory: int | None = None
    environment_names: list[str] = []  # names only: values may hold secrets and are never kept
    secret_names: list[str] = []
    log_driver: str | None = None
    health_check: ContainerHealthCheck | None = None
    timeouts: dict[str, str] = {}  # *_TIMEOUT_MS / *_TIMEOUT_SECONDS variables: a number, or "" if not one
    log_group: str | None = None  # the CloudWatch Logs group of the awslogs driver


class TaskDefinition(BaseModel):
    arn: str
    family: str
    revision: int
    region: str
    cpu: str | None = None
    memory: str | None = None
    containers: list[Container] = []
    tags: dict[str, str] = {}  # e.g. the expected duration of a scheduled job


class Service(Resource):
    cluster_arn: str
    cluster_name: str
    task_definition: str
    desired_count: int = 0
    launch_type: str | None = None
    deployment_controller: str = "ECS"  # ECS | CODE_DEPLOY | EXTERNAL
    circuit_breaker: bool = False
    circuit_breaker_rollback: bool = False
    minimum_healthy_percent: int | None = None
    maximum_percent: int | None = None
    health_check_grace_seconds: int | None = None
    target_groups: list[str] = []
    subnets: list[str] = []  # awsvpc subnets its tasks are placed in (their zones are in the ec2_subnets inventory)


class EcsInventory(Inventory):
    collector = "ecs"
    services: list[Service] = []
    task_definitions: list[TaskDefinition] = []  # those in use, and recent revisions of their families
    # The newest revision of the environment's other families: scheduled and one-off tasks no service runs.
    standalone_task_definitions: list[TaskDefinition] = []

    def task_definition(self, arn: str) -> TaskDefinition | None:
        return next((t for t in self.task_definitions if t.arn == arn), None)


@collector("ecs", inventory=EcsInventory, actions=[
    "ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices",
    "ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitionFamilies",
])
def collect_ecs(ctx: CollectContext) -> EcsInventory:
    client = ctx.client("ecs")
    services = []
    for cluster in _clusters(client):
        cluster_is_mine = belongs(ctx.select, cluster["clusterName"], tag_dict(cluster.get("tags"), "key", "value"))
        arns = list(paged(client, "list_services", "serviceArns", cluster=cluster["clusterArn"]))

        def describe(chunk: list[str], cluster: dict = cluster) -> list[dict]:
            return client.describe_services(cluster=cluster["clusterArn"], services=chunk, include=["TAGS"])["services"]

        for described in ctx.each(describe, [list(chunk) for chunk in batches(arns, SERVICES_BATCH)]):
            for s in described:
                tags = tag_dict(s.get("tags"), "key", "value")
                if cluster_is_mine or belongs(ctx.select, s["serviceName"], tags):
                    services.append(_service(ctx, s, cluster, tags))
    return EcsInventory(services=services, task_definitions=_task_definitions(ctx, client, services),
                        standalone_task_definitions=_standalone_task_definitions(ctx, client, services))


def _clusters(client: Any) -> list[dict]:
    arns = list(paged(client, "list_clusters", "clusterArns"))
    return [c for chunk in batches(arns, CLUSTERS_BATCH)
            for c in client.describe_clusters(clusters=list(chunk), include=["TAGS"])["clusters"]]


def _service(ctx: CollectContext, s: dict, cluster: dict, tags: dict[str, str]) -> Service:
    config = s.get("deploymentConfiguration") or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    return Service(
        name=s["serviceName"], arn=s["serviceArn"], region=ctx.region, tags=tags,
        cluster_arn=cluster["clusterArn"], cluster_name=cluster["clusterName"], task_definition=s["taskDefinition"],
        desired_count=s.get("desiredCount", 0), launch_type=s.get("launchType"),
        deployment_controller=(s.get("deploymentController") or {}).get("type", "ECS"),
        circuit_breaker=bool(breaker.get("enable")), circuit_breaker_rollback=bool(breaker.get("rollback")),
        minimum_healthy_percent=config.get("minimumHealthyPercent"), maximum_percent=config.get("maximumPercent"),
        health_check_grace_seconds=s.get("healthCheckGracePeriodSeconds"),
        target_groups=[lb["targetGroupArn"] for lb in s.get("loadBalancers", []) if lb.get("targetGroupArn")],
        subnets=sorted(((s.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("subnets", [])),
    )


def _task_definitions(ctx: CollectContext, client: Any, services: list[Service]) -> list[TaskDefinition]:
    wanted = {s.task_definition for s in services}

    def recent(family: str) -> list[str]:
        answer = client.list_task_definitions(familyPrefix=family, sort="DESC", maxResults=HISTORY_REVISIONS)
        return [a for a in answer.get("taskDefinitionArns", []) if _family(a) == family]

    # Listed per family: the newest revisions of one family in one call, where a listing of the whole
    # account would page through every revision ever registered.
    for arns in ctx.each(recent, sorted({_family(arn) for arn in wanted})):
        wanted.update(arns)
    # DescribeTaskDefinition has no batch form: one call per revision.
    return ctx.each(lambda arn: _task_definition(ctx, client.describe_task_definition(taskDefinition=arn,
                                                                                     include=["TAGS"])),
                    sorted(wanted))


def _standalone_task_definitions(ctx: CollectContext, client: Any, services: list[Service]) -> list[TaskDefinition]:
    in_use = {_family(s.task_definition) for s in services}
    # Tags cost a call per family: read them only for families that may be this environment's.
    candidates = [family for family in paged(client, "list_task_definition_families", "families", status="ACTIVE")
                  if family not in in_use and (belongs(ctx.select, family) or ctx.select.tags)]

    def newest(family: str) -> TaskDefinition | None:
        # DescribeTaskDefinition has no batch form: one call per family, for its newest revision.
        answer = client.describe_task_definition(taskDefinition=family, include=["TAGS"])
        if belongs(ctx.select, family) or belongs(ctx.select, family, tag_dict(answer.get("tags"), "key", "value")):
            return _task_definition(ctx, answer)
        return None

    return [t for t in ctx.each(newest, candidates) if t is not None]


def _family(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def _task_definition(ctx: CollectContext, answer: dict) -> TaskDefinition:
    t = answer["taskDefinition"]
    return TaskDefinition(
        arn=t["taskDefinitionArn"], family=t["family"], revision=t["revision"], region=ctx.region,
        cpu=t.get("cpu"), memory=t.get("memory"), containers=[_container(c) for c in t.get("containerDefinitions", [])],
        tags=tag_dict(answer.get("tags"), "key", "value"),
    )


def _container(c: dict) -> Container:
    check = c.get("healthCheck")
    return Container(
        name=c["name"], image=parse_image(c.get("image", "")), cpu=c.get("cpu"),
        memory=c.get("memory") or c.get("memoryReservation"),
        environment_names=sorted(e["name"] for e in c.get("environment", []) if "name" in e),
        secret_names=sorted(s["name"] for s in c.get("secrets", []) if "name" in s),
        log_driver=(c.get("logConfiguration") or {}).get("logDriver"),
        log_group=((c.get("logConfiguration") or {}).get("options") or {}).get("awslogs-group"),
        timeouts=timeout_values((e.get("name", ""), e.get("value")) for e in c.get("environment", [])),
        health_check=ContainerHealthCheck(
            command_digest=hashlib.sha256(json.dumps(check.get("command", [])).encode()).hexdigest()[:16],
            interval=check.get("interval"), timeout=check.get("timeout"),
            retries=check.get("retries"), start_period=check.get("startPeriod"),
        ) if check else None,
    )


def timeout_values(variables: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """The settings named like a timeout, with their value only when it is a plain number ("" otherwise)."""
    out = {}
    for name, value in variables:
        if TIMEOUT_NAME.search(name):
            text = str(value or "").strip()
            out[name] = text if PLAIN_NUMBER.match(text) else ""
    return out
