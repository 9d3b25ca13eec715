"""One environment of the demo platform as the seeding sees it: its account, names, tags and services."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from readiness.demo.accounts import AccountClients
from readiness.platform import Environment, Platform

OWNERS = {
    "api": "client-platform",
    "portfolio-aggregation": "portfolio-engineering",
    "market-data": "market-data",
    "analytics": "analytics",
    "reporting": "reporting",
    "batch": "operations",
    "holdings-import": "operations",
    "nightly-reconciliation": "operations",
    "market-data-ingestion": "market-data",
    "platform": "platform-engineering",
}


@dataclass(frozen=True)
class Service:
    """A long-running ECS service of the platform (names without the environment prefix)."""

    name: str
    cluster: str  # platform | batch
    version: str  # the image version it runs
    port: int | None = 8080
    behind_load_balancer: bool = False
    desired: int = 2


@dataclass(frozen=True)
class Job:
    """A scheduled ECS task (names without the environment prefix)."""

    name: str
    image: str  # the repository whose image it runs


SERVICES = (
    Service("api", "platform", "1.42.0", behind_load_balancer=True, desired=3),
    Service("portfolio-aggregation", "platform", "3.8.2", desired=3),
    Service("market-data", "platform", "2.3.0"),
    Service("analytics", "platform", "0.9.4"),
    Service("reporting", "platform", "2.7.0", behind_load_balancer=True),
    Service("batch", "batch", "1.12.1", port=None),
)
JOBS = (
    Job("holdings-import", "batch"),
    Job("nightly-reconciliation", "batch"),
    Job("market-data-ingestion", "batch"),
)
REPOSITORIES = tuple(s.name for s in SERVICES)
ZONES = ("a", "b", "c")


@dataclass
class DemoEnv:
    """Where one environment lives and how its resources are named and tagged."""

    name: str
    tier: str
    account: str
    region: str
    prefix: str  # nw-staging-
    tags: dict[str, str]  # the select tags, e.g. {"Environment": "staging"}
    ssm_path: str  # /northwind/staging/
    secrets_prefix: str  # northwind/staging/
    exports: str | None  # s3://bucket/prefix/
    cidr: str
    aws: AccountClients | None = None
    # What was created, by "kind:name": the ARNs AWS made up (with random parts) for the manifest.
    arns: dict[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.tier == "production"

    def named(self, short: str) -> str:
        return f"{self.prefix}{short}"

    def labels(self, owner: str, *, tier: str = "critical", data: str = "confidential",
               without: tuple[str, ...] = ()) -> dict[str, str]:
        """The tags every resource carries: the environment's selector tags plus ownership."""
        out = {**self.tags, "Application": "northwind", "Owner": owner, "Tier": tier, "DataClassification": data}
        return {k: v for k, v in out.items() if k not in without}

    def tag_list(self, owner: str, *, key: str = "Key", value: str = "Value", **kwargs: Any) -> list[dict[str, str]]:
        return [{key: k, value: v} for k, v in self.labels(owner, **kwargs).items()]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def remember(self, kind: str, name: str, arn: str) -> str:
        self.arns[f"{kind}:{name}"] = arn
        return arn


def account_of(environment: Environment) -> str:
    match = re.match(r"^arn:aws[a-z-]*:iam::(\d{12}):role/", environment.aws.role_arn or "")
    if not match:
        raise ValueError(f"demo environment {environment.name} needs a role_arn naming its account")
    return match.group(1)


def demo_environments(platform: Platform) -> list[DemoEnv]:
    """The environments to seed, named and tagged exactly as the platform config selects them."""
    out = []
    for index, environment in enumerate(platform.environments):
        select = environment.select
        if not select.name_prefix or not select.ssm_path or not select.secrets_prefix:
            raise ValueError(f"demo environment {environment.name} needs a name_prefix, ssm_path and secrets_prefix")
        out.append(DemoEnv(
            name=environment.name, tier=environment.tier, account=account_of(environment),
            region=environment.aws.regions[0], prefix=select.name_prefix, tags=dict(select.tags),
            ssm_path=select.ssm_path, secrets_prefix=select.secrets_prefix, exports=environment.data.s3,
            cidr=f"10.{10 * (index + 1)}.0.0/16",
        ))
    return out
