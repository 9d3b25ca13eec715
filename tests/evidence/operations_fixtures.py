"""Helpers of the operations check tests: plain inventories judged on a platform with components and a market."""
from __future__ import annotations

import datetime as dt

from evidence_fixtures import NOW, PRODUCTION, PRODUCTION_ACCOUNT, STAGING, STAGING_ACCOUNT

from readiness.assessment import checklist_for
from readiness.evidence.checking import EnvView
from readiness.evidence.collecting import Inventory
from readiness.evidence.judging import Judgement, judge
from readiness.evidence.model import Finding, Status
from readiness.evidence.registry import all_checks
from readiness.platform import Component, EvidenceSettings, Platform

REGION = "us-east-1"
PLATFORM = Platform(
    name="tests", environments=[STAGING, PRODUCTION], compare=[("staging", "production")],
    components=[Component(name="Client API", services=["api"]),
                Component(name="Aggregation", services=["aggregation"], read_heavy=True),
                Component(name="Batch", services=["worker", "nightly-export"], batch=True)],
)


def prod_arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{PRODUCTION_ACCOUNT}:{resource}"


def judge_on(check_id: str, production: list[Inventory], staging: list[Inventory] | None = None, *,
             unknown: dict[str, str] | None = None, now: dt.datetime = NOW,
             settings: EvidenceSettings | None = None) -> list[Finding]:
    """The findings of one check on production, on a platform whose components mark batch and read-heavy work."""
    platform = PLATFORM.model_copy(update={"evidence": settings}) if settings else PLATFORM
    spec = all_checks()[check_id]
    views = {"production": EnvView.build(PRODUCTION, production, account=PRODUCTION_ACCOUNT, unknown=unknown),
             "staging": EnvView.build(STAGING, staging or [], account=STAGING_ACCOUNT)}
    judgement = Judgement(spec, "production", "staging" if spec.compares else None)
    return judge(platform, checklist_for(platform), [judgement], views, now=now)


def short_name(resource: str) -> str:
    """The resource's own name: /ecs/nw-prod-api for a log group, nw-prod-api for service/cluster/nw-prod-api."""
    name = resource.rsplit(":", 1)[-1]
    return name if name.startswith("/") else name.rsplit("/", 1)[-1]


def by_resource(findings: list[Finding]) -> dict[str, Finding]:
    return {short_name(f.resource): f for f in findings}


def statuses(findings: list[Finding]) -> dict[str, Status]:
    return {key: f.status for key, f in by_resource(findings).items()}
