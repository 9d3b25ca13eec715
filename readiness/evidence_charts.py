"""Plotly figures of evidence: findings by area and status, and drift between environments by kind of resource."""
from __future__ import annotations

from collections import Counter

import plotly.graph_objects as go

from readiness.charts import FONT, MUTED
from readiness.drift import DriftReport
from readiness.evidence.model import Status
from readiness.evidence_summary import AreaGroup

STATUS_COLOURS = {
    Status.FAIL: "#c62828", Status.ERROR: "#8e24aa", Status.WARN: "#ef8f00", Status.UNKNOWN: "#7e57c2",
    Status.PASS: "#1a7f37", Status.NOT_APPLICABLE: "#b0b7c3",
}
STATUS_LABELS = {Status.FAIL: "Fail", Status.ERROR: "Error", Status.WARN: "Warn", Status.UNKNOWN: "Unknown",
                 Status.PASS: "Pass", Status.NOT_APPLICABLE: "Not applicable"}
STACK_ORDER = (Status.FAIL, Status.ERROR, Status.WARN, Status.UNKNOWN, Status.PASS, Status.NOT_APPLICABLE)


def _layout(fig: go.Figure, *, height: int, title: str | None) -> go.Figure:
    fig.update_layout(
        template="plotly_white", height=height, font=FONT, barmode="stack", bargap=0.35,
        title=dict(text=title, x=0, font=dict(size=15)) if title else None,
        margin=dict(l=10, r=20, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right", traceorder="normal"),
    )
    fig.update_xaxes(gridcolor="#eceff3", zeroline=False, tickfont=dict(color=MUTED))
    return fig


def findings_by_area(groups: list[AreaGroup], *, title: str | None = None) -> go.Figure:
    """One horizontal bar per area, its findings stacked by status, worst on the left."""
    areas = [g.title for g in groups][::-1]  # plotly draws the first category at the bottom
    counts = [g.counts for g in groups][::-1]
    bars = [go.Bar(name=STATUS_LABELS[s], y=areas, x=[c.get(s.value, 0) for c in counts], orientation="h",
                   marker_color=STATUS_COLOURS[s], hovertemplate="%{y}: %{x} " + STATUS_LABELS[s].lower()
                   + "<extra></extra>")
            for s in STACK_ORDER if any(c.get(s.value) for c in counts)]
    fig = _layout(go.Figure(bars), height=90 + 34 * max(len(areas), 1), title=title)
    fig.update_xaxes(title_text="Findings")
    return fig


def drift_by_kind(report: DriftReport, *, title: str | None = None) -> go.Figure:
    """Places the target differs from the baseline, per kind of resource, stacked by how serious."""
    kinds = [k.kind for k in report.kinds]
    tallies = [Counter(line.status for line in k.lines) for k in report.kinds]
    resources = [k.differing for k in report.kinds]
    bars = [go.Bar(name=STATUS_LABELS[s], x=kinds, y=[t[s] for t in tallies], marker_color=STATUS_COLOURS[s],
                   customdata=resources,
                   hovertemplate="%{x}: %{y} difference(s) " + ("failing" if s == Status.FAIL else "to look at")
                   + " in %{customdata} resource(s)<extra></extra>")
            for s in (Status.FAIL, Status.WARN)]
    fig = _layout(go.Figure(bars), height=320, title=title)
    for kind, tally, alike in zip(kinds, tallies, (k.matching for k in report.kinds)):
        total = sum(tally.values())
        quiet = "all alike" if alike else "not compared"
        fig.add_annotation(x=kind, y=total, text=f"<b>{total}</b>" if total else quiet,
                           showarrow=False, yshift=10, font=dict(color=MUTED if not total else FONT["color"]))
    fig.update_yaxes(title_text=f"Differences ({report.target} vs {report.baseline})", rangemode="tozero",
                     gridcolor="#eceff3", tickformat="d")
    return fig
