"""What people see of a data-accuracy run: a line per rule, the portfolios at fault, the differences to chart."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from readiness.evidence.model import EvidenceRun, Finding, Status
from readiness.store.evidence import latest_run, load_run

STATUS_ORDER = [Status.ERROR, Status.FAIL, Status.UNKNOWN, Status.WARN, Status.PASS, Status.NOT_APPLICABLE]


@dataclass(frozen=True)
class RuleSummary:
    """One line per check and environment: what the page and the command line show first."""

    check: str
    title: str
    environment: str
    baseline: str | None
    status: Status
    portfolios_checked: int
    portfolios_at_fault: int
    message: str

    @property
    def where(self) -> str:
        return f"{self.environment} vs {self.baseline}" if self.baseline else self.environment


@dataclass(frozen=True)
class PortfolioDifference:
    """How far the target environment's total of one portfolio is from the baseline's."""

    portfolio: str
    environment: str
    baseline: str
    currency: str
    amount: Decimal


def _titles() -> dict[str, str]:
    from readiness.dataflow.validate import data_checks

    return {spec.id: spec.title for spec in data_checks()}


def _order() -> dict[str, int]:
    from readiness.dataflow.checks import ORDER

    return {check: i for i, check in enumerate(ORDER)}


def summarise(run: EvidenceRun) -> list[RuleSummary]:
    """One line per rule and environment, in the order of the run's environments and the checklist."""
    titles = _titles()
    groups: dict[tuple[str, str, str | None], list[Finding]] = {}
    for finding in run.findings:
        groups.setdefault((finding.check, finding.environment, finding.baseline), []).append(finding)
    out = []
    for (check_id, environment, baseline), found in groups.items():
        at_fault = sum(1 for f in found if f.resource.startswith("portfolio:"))
        at_fault += sum(int(f.details.get("more_portfolios", 0)) for f in found)
        passing = sum(int(f.details.get("portfolios", 0)) for f in found if f.status == Status.PASS)
        status = min((f.status for f in found), key=STATUS_ORDER.index)
        if at_fault:
            message = f"{at_fault:,} of {at_fault + passing:,} portfolios at fault"
        elif status == Status.PASS:
            message = f"all {passing:,} portfolios pass"
        else:
            message = next(f.message for f in found if f.status == status)
        out.append(RuleSummary(check=check_id, title=titles.get(check_id, check_id), environment=environment,
                               baseline=baseline, status=status, portfolios_checked=at_fault + passing,
                               portfolios_at_fault=at_fault, message=message))
    environments = {name: i for i, name in enumerate(run.environments)}
    order = _order()
    return sorted(out, key=lambda s: (environments.get(s.environment, len(environments)), s.baseline or "",
                                      order.get(s.check, len(order))))


def portfolios_at_fault(run: EvidenceRun) -> list[Finding]:
    """The findings that name a portfolio, worst first, then by rule and portfolio."""
    order = _order()
    found = [f for f in run.findings if f.resource.startswith("portfolio:")]
    return sorted(found, key=lambda f: (STATUS_ORDER.index(f.status), order.get(f.check, len(order)),
                                        f.environment, f.resource))


def total_differences(run: EvidenceRun) -> list[PortfolioDifference]:
    """Per portfolio and currency, the target total minus the baseline's, from the comparing check."""
    out = []
    for finding in run.findings:
        for currency, amount in (finding.details.get("total_difference") or {}).items():
            out.append(PortfolioDifference(portfolio=finding.resource.removeprefix("portfolio:"),
                                           environment=finding.environment, baseline=finding.baseline or "",
                                           currency=currency, amount=Decimal(amount)))
    return sorted(out, key=lambda d: (d.currency, d.amount))


def as_of(run: EvidenceRun) -> dt.date | None:
    for record in run.inventories:
        if isinstance(record.payload, dict) and record.payload.get("as_of"):
            return dt.date.fromisoformat(record.payload["as_of"])
    return None


def latest_data_run(session: Session, *, platform_id: int) -> EvidenceRun | None:
    """The newest finished data-accuracy run of a platform, with its findings."""
    row = latest_run(session, platform_id=platform_id, kind="data")
    return load_run(session, run_id=row.id) if row is not None else None
