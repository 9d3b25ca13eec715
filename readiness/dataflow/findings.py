"""Turn a rule's faults into findings a leader can read: one per portfolio at fault, one for the rest.

Faults can number millions when an export is badly broken; only the first portfolios and the
first rows of each are written out in full, and every count says how many there were in all.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable

import pandas as pd
import pyarrow as pa

from readiness.dataflow import exact
from readiness.dataflow.readers import EnvironmentExports
from readiness.dataflow.rules import FAIL, RuleResult, RuleSettings
from readiness.dataflow.schema import minor_unit_digits
from readiness.evidence.model import Finding, Status
from readiness.evidence.registry import CHECKS

AREA = "dataflow"
MAX_PORTFOLIO_FINDINGS = 1000  # beyond this, one finding lists the rest, so a run stays storable
MAX_ROWS = 50  # rows at fault kept in one finding's details
AMOUNTS = {"market_value", "expected", "difference", "total_value", "cash", "positions_value", "value", "previous",
           "net_flow", "unexplained", "baseline_market_value", "target_market_value", "baseline_total",
           "target_total", "baseline_cash", "target_cash", "baseline_value", "target_value"}
SUMMARY_COLUMNS = ("portfolio_id", "status", "problem", "unit", "difference", "currency", "date")
Records = list[dict[str, object]]


def _python(column: pd.Series) -> list:
    if isinstance(column.dtype, pd.ArrowDtype):
        return pa.array(column).to_pylist()
    return [None if v is pd.NA or (isinstance(v, float) and v != v) else v for v in column.astype(object).tolist()]


def _records(frame: pd.DataFrame, columns) -> Records:
    values = {c: _python(frame[c]) for c in columns if c in frame}
    return [dict(zip(values, row)) for row in zip(*values.values())] if values else []


def _text(value: object, column: str, currency: object) -> object:
    if isinstance(value, Decimal):
        if column in AMOUNTS and isinstance(currency, str):
            return exact.money(value, minor_unit_digits(currency))
        return exact.plain(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def differences(records: Records, problems: tuple[str, ...] | None = None) -> dict[str, str]:
    """The differences at fault summed per currency, to the minor unit, e.g. {"USD": "-812.40"}.

    With `problems`, only the rows of the first of them present count, so that one amount seen
    at several levels (a position, its portfolio's total) is not added up twice.
    """
    if problems:
        present = {r["problem"] for r in records}
        chosen = next((p for p in problems if p in present), None)
        if chosen is None:
            return {}
        records = [r for r in records if r["problem"] == chosen]
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for record in records:
        amount, currency = record.get("difference"), record.get("currency")
        if isinstance(amount, Decimal) and isinstance(currency, str):
            sums[currency] += amount
    return {c: format(v.quantize(Decimal(1).scaleb(-minor_unit_digits(c)), rounding=ROUND_HALF_EVEN), "f")
            for c, v in sorted(sums.items())}


def _plural(count: int, unit: str) -> str:
    return f"{count:,} {unit}{'' if count == 1 else 's'}"


def findings_from(check_id: str, result: RuleResult, environment: str, files: str, settings: RuleSettings,
                  baseline: str | None = None, extra: Callable[[Records], dict] | None = None,
                  amounts: tuple[str, ...] | None = None, note: Callable[[Records], str] | None = None
                  ) -> list[Finding]:
    """Findings of one rule in one environment; `extra` adds details and `note` words from a portfolio's faults."""
    spec = CHECKS[check_id]
    where = f"{environment} (against {baseline})" if baseline else environment

    def finding(resource: str, status: Status, message: str, details: dict) -> Finding:
        return Finding(check=check_id, area=AREA, environment=environment, baseline=baseline, resource=resource,
                       status=status, severity=spec.severity, message=message,
                       details={"as_of": settings.as_of.isoformat(), **details})

    if result.cannot_tell:
        return [finding(files, Status.UNKNOWN, f"Cannot check {spec.title.lower()} in {where}: {result.cannot_tell}.",
                        {"facts": result.facts})]
    faults = result.faults
    at_fault = sorted(faults["portfolio_id"].astype(str).unique()) if len(faults) else []
    listed, rest = at_fault[:MAX_PORTFOLIO_FINDINGS], at_fault[MAX_PORTFOLIO_FINDINGS:]
    found: list[Finding] = []
    if listed:
        chosen = faults[faults["portfolio_id"].astype(str).isin(listed).to_numpy()]
        summary, shown = defaultdict(list), defaultdict(list)
        for record in _records(chosen, SUMMARY_COLUMNS):
            summary[str(record["portfolio_id"])].append(record)
        detail_columns = [c for c in chosen.columns if c not in ("portfolio_id", "status", "unit")]
        first_rows = chosen.groupby("portfolio_id", sort=False, observed=True).head(MAX_ROWS)
        for portfolio, record in zip(_python(first_rows["portfolio_id"]), _records(first_rows, detail_columns)):
            currency = record.get("currency")
            shown[str(portfolio)].append({k: _text(v, k, currency) for k, v in record.items() if v is not None})
        for portfolio in listed:
            records = summary[portfolio]
            counts = Counter((r["problem"], r["unit"]) for r in records)
            off_by = differences(records, amounts)
            message = f"Portfolio {portfolio} in {where}: " + "; ".join(
                f"{problem} ({_plural(n, unit)})" for (problem, unit), n in counts.items())
            if off_by:
                message += ", off by " + ", ".join(f"{v} {c}" for c, v in off_by.items())
            message += (note(records) if note else "") + "."
            status = Status.FAIL if any(r["status"] == FAIL for r in records) else Status.WARN
            details = {"rows_at_fault": len(records), "problems": {p: n for (p, _), n in counts.items()},
                       "differences": off_by, "rows": shown[portfolio], **(extra(records) if extra else {})}
            found.append(finding(f"portfolio:{portfolio}", status, message, details))
    if rest:
        failing = faults[faults["portfolio_id"].astype(str).isin(rest).to_numpy()]["status"]
        found.append(finding(files, Status.FAIL if (failing == FAIL).any() else Status.WARN,
                             f"{len(rest):,} more portfolios in {where} are at fault "
                             f"({MAX_PORTFOLIO_FINDINGS:,} are listed one by one).",
                             {"more_portfolios": len(rest), "portfolio_ids": rest[:MAX_PORTFOLIO_FINDINGS]}))
    passing = result.portfolios - len(at_fault)
    if passing > 0:
        lead = "All" if not at_fault else "The other"
        found.append(finding(files, Status.PASS,
                             f"{lead} {_plural(passing, 'portfolio')} in {where} on {settings.as_of}: {spec.good}.",
                             {"portfolios": passing, "rows_checked": result.rows, "facts": result.facts}))
    elif not at_fault:
        found.append(finding(files, Status.NOT_APPLICABLE, f"No portfolios to check in {where} on {settings.as_of}.",
                             {"facts": result.facts}))
    return found


def unreadable(check_id: str, exports: EnvironmentExports, settings: RuleSettings,
               baseline: str | None = None) -> list[Finding]:
    """One `unknown` finding: the environment's exports could not be read, so nothing can be told."""
    spec = CHECKS[check_id]
    return [Finding(check=check_id, area=AREA, environment=exports.environment, baseline=baseline,
                    resource=exports.source, status=Status.UNKNOWN, severity=spec.severity,
                    message=f"Cannot check {spec.title.lower()} in {exports.environment}: its exports could not be "
                            f"read ({exports.unreadable}).",
                    details={"as_of": settings.as_of.isoformat()})]
