"""Spend by environment over the last months, from the Cost Explorer inventory of an evidence run, and its figure."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

import plotly.graph_objects as go
from pydantic import ValidationError

from readiness.charts import FONT, MUTED
from readiness.evidence.collectors.cost_explorer import CostExplorerInventory
from readiness.evidence.model import EvidenceRun, InventoryRecord

COLLECTOR = CostExplorerInventory.collector
UNTAGGED = "untagged"
COLOURS = ("#1f4e9c", "#1a7f37", "#b35900", "#6f42c1", "#c62828", "#0e7c86")


@dataclass(frozen=True)
class SpendPoint:
    month: dt.date
    environment: str  # the value of the environment tag, or "untagged"
    amount: Decimal
    unit: str = "USD"
    estimated: bool = False


@dataclass(frozen=True)
class SpendTrend:
    """Monthly spend per environment tag value; where it could not be read, why."""

    tag_key: str = "Environment"
    points: list[SpendPoint] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # environment of the run -> reason

    @property
    def months(self) -> list[dt.date]:
        return sorted({p.month for p in self.points})

    @property
    def environments(self) -> list[str]:
        return sorted({p.environment for p in self.points}, key=lambda e: (e == UNTAGGED, e))

    def amount(self, environment: str, month: dt.date) -> Decimal | None:
        return next((p.amount for p in self.points if p.environment == environment and p.month == month), None)


def spend_trend(run: EvidenceRun | Iterable[InventoryRecord]) -> SpendTrend:
    """The spend trend of a run: each account counted once, however many environments read it."""
    records = run.inventories if isinstance(run, EvidenceRun) else list(run)
    totals: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    units: dict[tuple[dt.date, str], tuple[str, bool]] = {}
    seen: set[tuple[str, dt.date, str]] = set()
    unavailable: dict[str, str] = {}
    tag_key = "Environment"
    for record in (r for r in records if r.collector == COLLECTOR):
        if record.status != "ok":
            unavailable[record.environment] = record.reason or "could not be read"
            continue
        try:
            inventory = CostExplorerInventory.model_validate(record.payload)
        except ValidationError:
            unavailable[record.environment] = "the stored spend could not be read"
            continue
        if inventory.unavailable:
            unavailable[record.environment] = inventory.unavailable
        tag_key = inventory.tag_key
        account = inventory.account or record.account or record.environment
        for s in inventory.spend:
            label = s.environment or UNTAGGED
            if (account, s.month, label) in seen:
                continue  # the same account read again for another environment
            seen.add((account, s.month, label))
            totals[(s.month, label)] += s.amount
            units[(s.month, label)] = (s.unit, s.estimated)
    points = [SpendPoint(month, label, amount, *units[(month, label)])
              for (month, label), amount in sorted(totals.items())]
    return SpendTrend(tag_key=tag_key, points=points, unavailable=unavailable)


def spend_trend_figure(trend: SpendTrend, *, height: int = 360) -> go.Figure:
    """Bars of monthly spend per environment; the month still being counted is drawn lighter."""
    months = trend.months
    fig = go.Figure()
    for index, environment in enumerate(trend.environments):
        amounts = [trend.amount(environment, m) for m in months]
        estimated = [any(p.estimated for p in trend.points if p.month == m and p.environment == environment)
                     for m in months]
        unit = next((p.unit for p in trend.points if p.environment == environment), "USD")
        fig.add_bar(
            name=environment, x=[f"{m:%b %Y}" for m in months],
            y=[float(a) if a is not None else None for a in amounts],
            marker=dict(color=COLOURS[index % len(COLOURS)], opacity=1.0,
                        pattern=dict(shape=["/" if e else "" for e in estimated])),
            hovertemplate=[f"{environment}, {m:%B %Y}: {_money(a, unit)}{' (so far)' if e else ''}<extra></extra>"
                           for m, a, e in zip(months, amounts, estimated)],
        )
    fig.update_layout(
        template="plotly_white", height=height, font=FONT, barmode="group", margin=dict(l=60, r=20, t=50, b=40),
        title=dict(text=f"Monthly spend by {trend.tag_key} tag", font=dict(size=15)),
        yaxis=dict(title="spend", tickformat=",.0f", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
    )
    if not trend.points:
        why = "; ".join(f"{env}: {reason}" for env, reason in sorted(trend.unavailable.items()))
        fig.add_annotation(text="No spend to show" + (f" ({why})" if why else ": Cost Explorer returned none"),
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(color=MUTED))
    return fig


def _money(amount: Decimal | None, unit: str) -> str:
    return "no data" if amount is None else f"{amount.quantize(Decimal('0.01')):,} {unit}"
