"""An evidence run as people read it: its summary, its coverage, and its findings grouped by area and check."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from sqlmodel import Session

from readiness.evidence.model import SEVERITY_ORDER, Finding, Severity, Status
from readiness.evidence.registry import CheckSpec
from readiness.scoring import check_coverage, status_counts
from readiness.store import evidence as evidence_repo

HUNDRED = Decimal(100)
# Worst first: the order findings and checks are listed in.
STATUS_ORDER = {s: i for i, s in enumerate((Status.FAIL, Status.ERROR, Status.WARN, Status.UNKNOWN, Status.PASS,
                                             Status.NOT_APPLICABLE))}


@dataclass(frozen=True)
class RunChoice:
    id: str
    started_at: dt.datetime
    started_by: str

    @property
    def label(self) -> str:
        return f"{self.started_at:%d %b %Y %H:%M} UTC · by {self.started_by}"


@dataclass(frozen=True)
class UnreadInventory:
    """What a collector could not read, and why."""

    environment: str
    region: str
    collector: str
    account: str | None
    reason: str


@dataclass(frozen=True)
class RunView:
    id: str
    platform: str
    environments: list[str]
    started_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: str
    api_calls: int
    checks: int
    is_demo: bool
    findings: list[Finding]
    inventories_read: int
    unread: list[UnreadInventory] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


def run_choices(session: Session, *, platform_id: int, limit: int = 20) -> list[RunChoice]:
    """The platform's finished AWS evidence runs, newest first."""
    return [RunChoice(id=r.id, started_at=r.started_at, started_by=r.started_by)
            for r in evidence_repo.list_runs(session, platform_id=platform_id, limit=limit)
            if r.kind == "aws" and r.finished_at is not None]


def run_view(session: Session, *, run_id: str) -> RunView:
    row = evidence_repo.get_run(session, run_id=run_id)
    run = evidence_repo.load_run(session, run_id=run_id)
    unread = [UnreadInventory(i.environment, i.region, i.collector, i.account, i.reason or "no reason recorded")
              for i in run.inventories if i.status != "ok"]
    return RunView(id=run.id, platform=run.platform, environments=list(run.environments), started_at=run.started_at,
                   finished_at=run.finished_at, started_by=row.started_by, api_calls=run.api_calls, checks=run.checks,
                   is_demo=run.is_demo, findings=run.findings, inventories_read=len(run.inventories) - len(unread),
                   unread=unread)


def coverage(findings: Iterable[Finding]) -> Decimal | None:
    """Share (0-100) of the checks run, per environment, that could tell pass from fail; as the scores count it.

    A check with nothing to look at (only not-applicable findings) is left out; None when nothing is left.
    """
    judged: dict[tuple[str, str, str | None], list[Finding]] = defaultdict(list)
    for f in findings:
        judged[(f.check, f.environment, f.baseline)].append(f)
    told = [check_coverage(key[0], group) for key, group in judged.items()]
    counted = [c for c in told if set(c.statuses) != {Status.NOT_APPLICABLE.value}]
    if not counted:
        return None
    share = HUNDRED * Decimal(sum(1 for c in counted if c.told)) / Decimal(len(counted))
    return share.quantize(Decimal("0.1"))


@dataclass(frozen=True)
class FindingFilter:
    """Empty fields match everything."""

    environment: str | None = None
    statuses: frozenset[Status] = frozenset()
    severities: frozenset[Severity] = frozenset()
    area: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.environment or self.statuses or self.severities or self.area)

    def matches(self, f: Finding) -> bool:
        return ((self.environment is None or f.environment == self.environment)
                and (not self.statuses or f.status in self.statuses)
                and (not self.severities or f.severity in self.severities)
                and (self.area is None or f.area == self.area))


@dataclass(frozen=True)
class CheckGroup:
    """One check's findings, worst first, with what good looks like."""

    check: str
    title: str
    good: str
    severity: Severity
    findings: list[Finding]

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(self.findings)

    @property
    def worst(self) -> Status:
        return min((f.status for f in self.findings), key=STATUS_ORDER.__getitem__)


@dataclass(frozen=True)
class AreaGroup:
    area: str
    title: str
    checks: list[CheckGroup]

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(f for c in self.checks for f in c.findings)


def group_findings(findings: Iterable[Finding], checks: Mapping[str, CheckSpec],
                   area_titles: Mapping[str, str]) -> list[AreaGroup]:
    """Findings by area (in the checklist's order), then by check (worst first), each worst first."""
    by_area: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_area[f.area][f.check].append(f)
    order = {area: i for i, area in enumerate(area_titles)}
    groups = []
    for area in sorted(by_area, key=lambda a: (order.get(a, len(order)), a)):
        made = [_check_group(check, found, checks.get(check)) for check, found in by_area[area].items()]
        made.sort(key=lambda c: (STATUS_ORDER[c.worst], c.title))
        groups.append(AreaGroup(area=area, title=area_titles.get(area, area.replace("_", " ").capitalize()),
                                checks=made))
    return groups


def _check_group(check: str, findings: list[Finding], spec: CheckSpec | None) -> CheckGroup:
    ordered = sorted(findings, key=lambda f: (STATUS_ORDER[f.status], SEVERITY_ORDER[f.severity], f.environment,
                                               f.resource))
    if spec is None:  # a check no longer installed: its stored findings still show
        return CheckGroup(check, check, "", ordered[0].severity, ordered)
    return CheckGroup(check, spec.title, spec.good, spec.severity, ordered)
