"""The data-accuracy rules as registered checks (kind "data"), each turning a rule's result into findings.

A check takes one environment's exports (or a baseline and a target) and the rule settings, and
returns one finding per portfolio at fault (resource `portfolio:<id>`, the rows at fault in its
details), one passing finding for the portfolios that agree (resource: the files), or one
`unknown` finding saying why the rule could not tell.
"""
from __future__ import annotations

from readiness.dataflow import comparison, rules
from readiness.dataflow.findings import AREA, Records, differences, findings_from, unreadable
from readiness.dataflow.readers import EnvironmentExports
from readiness.dataflow.rules import RuleSettings
from readiness.evidence.model import Finding, Severity
from readiness.evidence.registry import check

NEEDS = ("data_exports",)


# ---- the checks, in the order of the checklist's data-flow controls ---------------------------------

ORDER = ("dataflow.market_value_arithmetic", "dataflow.totals_reconcile", "dataflow.positions_roll_forward",
         "dataflow.valuation_history_continuity", "dataflow.aggregation_determinism",
         "dataflow.environment_agreement")


@check("dataflow.market_value_arithmetic", area=AREA, title="Market values equal quantity × price × FX",
       severity=Severity.CRITICAL, needs=NEEDS, kind="data",
       good="every market value equals quantity × price × FX within the tolerance, at the official price of the day")
def market_value_arithmetic(exports: EnvironmentExports, settings: RuleSettings) -> list[Finding]:
    if exports.unreadable:
        return unreadable("dataflow.market_value_arithmetic", exports, settings)
    result = rules.market_value_arithmetic(exports.table("positions"), exports.table("fx"), exports.table("prices"),
                                           settings)
    return findings_from("dataflow.market_value_arithmetic", result, exports.environment,
                         exports.file_names("positions"), settings)


@check("dataflow.totals_reconcile", area=AREA, title="Portfolio totals equal positions plus cash",
       severity=Severity.CRITICAL, needs=NEEDS, kind="data",
       good="every portfolio total equals its positions' market values plus cash within the tolerance")
def totals_reconcile(exports: EnvironmentExports, settings: RuleSettings) -> list[Finding]:
    if exports.unreadable:
        return unreadable("dataflow.totals_reconcile", exports, settings)
    result = rules.totals_reconcile(exports.table("positions"), exports.table("totals"), settings)
    return findings_from("dataflow.totals_reconcile", result, exports.environment, exports.file_names("totals"),
                         settings)


@check("dataflow.positions_roll_forward", area=AREA, title="Positions roll forward with the transactions",
       severity=Severity.HIGH, needs=NEEDS, kind="data",
       good="every position equals the previous day's position plus the day's transactions")
def positions_roll_forward(exports: EnvironmentExports, settings: RuleSettings) -> list[Finding]:
    if exports.unreadable:
        return unreadable("dataflow.positions_roll_forward", exports, settings)
    result = rules.positions_roll_forward(exports.table("positions"), exports.table("transactions"), settings)
    return findings_from("dataflow.positions_roll_forward", result, exports.environment,
                         exports.file_names("transactions"), settings)


@check("dataflow.valuation_history_continuity", area=AREA, title="Valuation history without gaps or jumps",
       severity=Severity.HIGH, needs=NEEDS, kind="data",
       good="one valuation on every trading day of the exchange calendar, and no unexplained jump")
def valuation_history_continuity(exports: EnvironmentExports, settings: RuleSettings) -> list[Finding]:
    if exports.unreadable:
        return unreadable("dataflow.valuation_history_continuity", exports, settings)
    held = set()
    for kind in ("positions", "totals"):
        today = rules.on_date(exports.table(kind), settings.as_of)
        held |= set(today["portfolio_id"].unique().tolist()) if len(today) else set()
    result = rules.valuation_history_continuity(exports.table("valuations"), held, settings)

    def days(records: Records) -> str:
        missing = sorted(str(r["date"]) for r in records if r["problem"] == "no valuation on a trading day")
        if not missing:
            return ""
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3:,} more" if len(missing) > 3 else "")
        return f": {shown}"

    return findings_from("dataflow.valuation_history_continuity", result, exports.environment,
                         exports.file_names("valuations"), settings, note=days)


@check("dataflow.aggregation_determinism", area=AREA, title="Aggregation gives the same totals in any row order",
       severity=Severity.HIGH, needs=NEEDS, kind="data",
       good="aggregating the same rows in reverse order gives identical totals and the same digest")
def aggregation_determinism(exports: EnvironmentExports, settings: RuleSettings) -> list[Finding]:
    if exports.unreadable:
        return unreadable("dataflow.aggregation_determinism", exports, settings)
    result = rules.aggregation_determinism(exports.table("positions"), exports.table("totals"), settings)
    return findings_from("dataflow.aggregation_determinism", result, exports.environment,
                         exports.file_names("positions"), settings,
                         extra=lambda _records: {"digest": result.facts.get("digest"),
                                             "digest_reversed": result.facts.get("digest_reversed")})


@check("dataflow.environment_agreement", area=AREA, title="Staging and production agree",
       severity=Severity.HIGH, needs=NEEDS, kind="data", compares=True,
       good="positions, totals and valuation history agree with the baseline within the tolerance")
def environment_agreement(baseline: EnvironmentExports, target: EnvironmentExports,
                          settings: RuleSettings) -> list[Finding]:
    check_id = "dataflow.environment_agreement"
    for side in (baseline, target):
        if side.unreadable:
            return unreadable(check_id, side if side is target else
                              EnvironmentExports(environment=target.environment, source=side.source,
                                                 unreadable=f"{side.environment}: {side.unreadable}"),
                              settings, baseline=baseline.environment)
    result = comparison.environment_agreement(baseline.tables, target.tables, settings,
                                              names=(baseline.environment, target.environment))

    def totals(records: Records) -> dict:
        total = differences(records, ("portfolio total differs",))
        return {"total_difference": total} if total else {}

    return findings_from(check_id, result, target.environment, target.file_names("positions"), settings,
                         baseline=baseline.environment, extra=totals,
                         amounts=("portfolio total differs", "position differs"))
