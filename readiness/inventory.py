"""The estate behind a score: every service, database, queue, bucket and schedule of an environment, by component."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterable

import pandas as pd
from sqlmodel import Session

from readiness.evidence.model import InventoryRecord
from readiness.evidence.naming import common_name
from readiness.platform import Component, Platform
from readiness.store.evidence import inventories_for

UNASSIGNED = "Unassigned"
# What the estate view lists: (collector, field of its inventory) -> the kind of resource, in a leader's words.
# Inventories of collectors not installed, or not read in a run, are simply absent.
LISTED = {
    ("ecs", "services"): "Service",
    ("lambda_async", "functions"): "Function",
    ("rds", "databases"): "Database",
    ("dynamodb", "tables"): "Database",
    ("elasticache", "caches"): "Cache",
    ("sqs", "queues"): "Queue",
    ("s3", "buckets"): "Bucket",
    ("scheduler", "schedules"): "Schedule",
    ("events", "rules"): "Schedule",
    ("stepfunctions", "state_machines"): "Workflow",
    ("elbv2", "load_balancers"): "Load balancer",
    ("apigateway", "apis"): "API",
}
KIND_ORDER = {kind: i for i, kind in enumerate(dict.fromkeys(LISTED.values()))}
COLUMNS = ["Environment", "Component", "Kind", "Name", "Owner", "Region", "Resource"]


@dataclass(frozen=True)
class EstateRow:
    environment: str
    component: str
    kind: str
    name: str  # as AWS names it
    owner: str | None
    region: str
    resource: str  # the ARN


@dataclass(frozen=True)
class Unread:
    """An inventory the run could not read: its resources are missing from the view, and this says why."""

    environment: str
    collector: str
    region: str
    reason: str


def estate(platform: Platform, records: Iterable[InventoryRecord], *, environment: str | None = None,
           ) -> list[EstateRow]:
    """One row per resource of each environment (or of one), by component in the platform's order, then kind."""
    selects = {env.name: env.select for env in platform.environments}
    rows: dict[tuple[str, str], EstateRow] = {}
    for record in records:
        if record.status != "ok" or not isinstance(record.payload, dict) or record.environment not in selects:
            continue
        if environment and record.environment != environment:
            continue
        for (collector, field), kind in LISTED.items():
            if record.collector != collector:
                continue
            for item in record.payload.get(field) or []:
                row = _row(platform, record, kind, item, selects[record.environment])
                if row is not None:
                    rows[(row.environment, row.resource)] = row
    order = {c.name: i for i, c in enumerate(platform.components)}
    envs = {env.name: i for i, env in enumerate(platform.environments)}
    return sorted(_by_owner(list(rows.values())), key=lambda r: (
        envs[r.environment], order.get(r.component, len(order)), KIND_ORDER[r.kind], r.name))


def estate_of_run(session: Session, *, platform: Platform, run_id: str, environment: str | None = None,
                  ) -> tuple[list[EstateRow], list[Unread]]:
    """The estate a stored evidence run saw, and the inventories it could not read."""
    records = inventories_for(session, run_id=run_id)
    return estate(platform, records, environment=environment), unread(records, environment=environment)


def unread(records: Iterable[InventoryRecord], *, environment: str | None = None) -> list[Unread]:
    listed = {collector for collector, _ in LISTED}
    return [Unread(r.environment, r.collector, r.region, r.reason or "not read")
            for r in records if r.status != "ok" and r.collector in listed
            and (environment is None or r.environment == environment)]


def estate_frame(rows: Iterable[EstateRow]) -> pd.DataFrame:
    """The rows as a table with readable column names, for display and download."""
    return pd.DataFrame([[r.environment, r.component, r.kind, r.name, r.owner or "", r.region, r.resource]
                         for r in rows], columns=COLUMNS)


def component_counts(rows: Iterable[EstateRow]) -> dict[str, Counter[str]]:
    """Component -> how many resources of each kind it has, in the order the rows come."""
    out: dict[str, Counter[str]] = {}
    for row in rows:
        out.setdefault(row.component, Counter())[row.kind] += 1
    return out


def _row(platform: Platform, record: InventoryRecord, kind: str, item: Any, select) -> EstateRow | None:
    if not isinstance(item, dict) or not item.get("name") or not item.get("arn"):
        return None
    tags = {**(item.get("group_tags") or {}), **(item.get("tags") or {})}
    name = str(item["name"])
    return EstateRow(environment=record.environment,
                     component=component_of(platform.components, common_name(select, name), tags),
                     kind=kind, name=name, owner=_tag(tags, "Owner"), region=str(item.get("region") or record.region),
                     resource=str(item["arn"]))


def _by_owner(rows: list[EstateRow]) -> list[EstateRow]:
    """Unassigned resources join the one component whose services share their Owner tag, if only one does."""
    owners: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if row.kind == "Service" and row.component != UNASSIGNED and row.owner:
            owners.setdefault((row.environment, row.owner), set()).add(row.component)
    out = []
    for row in rows:
        matches = owners.get((row.environment, row.owner or ""), set())
        out.append(replace(row, component=next(iter(matches))) if row.component == UNASSIGNED and len(matches) == 1
                   else row)
    return out


def component_of(components: list[Component], name: str, tags: dict[str, str]) -> str:
    """The component a resource belongs to by its Component tag, a service's name, or a name it starts with."""
    tagged = (_tag(tags, "Component") or "").strip().lower()
    for component in components:
        if tagged and tagged in (component.name.lower(), _slug(component.name)):
            return component.name
    short = name.rsplit("/", 1)[-1].lower()
    for component in components:
        if short in (s.lower() for s in component.services):
            return component.name
    prefixes = sorted(((s.lower(), c.name) for c in components for s in c.services), key=lambda p: -len(p[0]))
    return next((owner for service, owner in prefixes if short.startswith(service + "-")), UNASSIGNED)


def _tag(tags: dict[str, str], key: str) -> str | None:
    return next((value for k, value in tags.items() if k.lower() == key.lower()), None)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
