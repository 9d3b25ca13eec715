"""Staging against production for one as-of date: which portfolios, positions and totals differ, by how much."""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping

import numpy as np
import pandas as pd

from readiness.dataflow import exact
from readiness.dataflow.readers import FILE, ROW
from readiness.dataflow.rules import (
    RuleResult, RuleSettings, allowance, cannot_tell, faults_where, on_date, stacked,
)

Tables = Mapping[str, "pd.DataFrame | None"]


def _side_by_side(baseline: pd.DataFrame, target: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """One row per key in either environment; a missing side's numbers are 0 and flagged."""
    columns = [*keys, *values, "base_currency", FILE, ROW]
    left = baseline[columns].drop_duplicates(keys, keep="last")
    right = target[columns].drop_duplicates(keys, keep="last")
    both = left.merge(right, on=keys, how="outer", suffixes=("_baseline", "_target"), indicator=True)
    both["only"] = both["_merge"].astype(str).map({"left_only": "baseline", "right_only": "target", "both": ""})
    for value in values:
        for side in ("baseline", "target"):
            both[f"{value}_{side}"] = exact.tidy(both[f"{value}_{side}"]).fillna(Decimal(0))
    both["currency"] = both["base_currency_target"].fillna(both["base_currency_baseline"])
    both[FILE] = both[f"{FILE}_target"].astype(object).where(both[f"{FILE}_target"].notna(),
                                                             both[f"{FILE}_baseline"].astype(object))
    both[ROW] = both[f"{ROW}_target"].fillna(both[f"{ROW}_baseline"])
    return both.reset_index(drop=True)


def environment_agreement(baseline: Tables, target: Tables, settings: RuleSettings,
                          names: tuple[str, str] = ("staging", "production")) -> RuleResult:
    """Compare the target environment's exports with the baseline's, value by value."""
    day = settings.as_of
    b_positions, t_positions = on_date(baseline.get("positions"), day), on_date(target.get("positions"), day)
    if not len(b_positions) or not len(t_positions):
        side = names[0] if not len(b_positions) else names[1]
        return cannot_tell(f"{side} has no positions for {day} to compare")
    tolerance = Decimal(settings.tolerance_minor_units)
    parts = []
    portfolios = set(b_positions["portfolio_id"].unique().tolist()) | set(t_positions["portfolio_id"].unique().tolist())

    held = _side_by_side(b_positions, t_positions, ["portfolio_id", "instrument_id"],
                         ["quantity", "price", "market_value"])
    value_gap = exact.subtract(held["market_value_target"], held["market_value_baseline"])
    differs = (exact.differs(held["quantity_target"], held["quantity_baseline"])
               | exact.differs(held["price_target"], held["price_baseline"])
               | exact.exceeds(value_gap, allowance(held["currency"], tolerance)))
    figures = dict(instrument_id=held["instrument_id"],
                   **{f"{side}_{v}": held[f"{v}_{side}"] for v in ("quantity", "price", "market_value")
                      for side in ("baseline", "target")},
                   difference=value_gap, currency=held["currency"])
    for only, problem in (("baseline", f"position is in {names[0]} but not in {names[1]}"),
                          ("target", f"position is in {names[1]} but not in {names[0]}")):
        parts.append(faults_where(held, (held["only"] == only).to_numpy(), problem, "position", **figures))
    parts.append(faults_where(held, differs & (held["only"] == "").to_numpy(), "position differs", "position",
                              **figures))

    b_totals, t_totals = on_date(baseline.get("totals"), day), on_date(target.get("totals"), day)
    if len(b_totals) and len(t_totals):
        totals = _side_by_side(b_totals, t_totals, ["portfolio_id"], ["total_value", "cash"])
        portfolios |= set(totals["portfolio_id"].unique().tolist())
        total_gap = exact.subtract(totals["total_value_target"], totals["total_value_baseline"])
        limit = allowance(totals["currency"], tolerance)
        off = (exact.exceeds(total_gap, limit)
               | exact.exceeds(exact.subtract(totals["cash_target"], totals["cash_baseline"]), limit))
        parts.append(faults_where(totals, off | (totals["only"] != "").to_numpy(), "portfolio total differs", "total",
                             baseline_total=totals["total_value_baseline"], target_total=totals["total_value_target"],
                             baseline_cash=totals["cash_baseline"], target_cash=totals["cash_target"],
                             difference=total_gap, currency=totals["currency"]))

    parts.append(_history_differences(baseline.get("valuations"), target.get("valuations"), settings))
    return RuleResult(portfolios=len(portfolios), rows=len(b_positions) + len(t_positions), faults=stacked(parts))


def _history_differences(baseline: pd.DataFrame | None, target: pd.DataFrame | None,
                         settings: RuleSettings) -> pd.DataFrame:
    """Days both environments valued a portfolio, at values further apart than the tolerance."""
    if baseline is None or target is None:
        return pd.DataFrame()
    keys = ["portfolio_id", "as_of"]
    columns = [*keys, "value", "base_currency", FILE, ROW]
    b = baseline[(baseline["as_of"] <= settings.as_of).to_numpy(dtype=bool, na_value=False)][columns]
    t = target[(target["as_of"] <= settings.as_of).to_numpy(dtype=bool, na_value=False)][columns]
    both = (b.drop_duplicates(keys, keep="last")
            .merge(t.drop_duplicates(keys, keep="last"), on=keys, suffixes=("_baseline", "_target"))
            .reset_index(drop=True))
    if not len(both):
        return pd.DataFrame()
    gap = exact.subtract(both["value_target"], both["value_baseline"])
    off = exact.exceeds(gap, allowance(both["base_currency_target"], Decimal(settings.tolerance_minor_units)))
    both[FILE], both[ROW] = both[f"{FILE}_target"], both[f"{ROW}_target"]
    return faults_where(both, off & np.ones(len(both), dtype=bool), "valuation history differs", "day",
                   date=both["as_of"], baseline_value=both["value_baseline"], target_value=both["value_target"],
                   difference=gap, currency=both["base_currency_target"])
