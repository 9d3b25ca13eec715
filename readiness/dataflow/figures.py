"""Plotly figures of a data-accuracy run (no streamlit here, so reports can draw them too)."""
from __future__ import annotations

import plotly.graph_objects as go

from readiness.charts import FONT, MUTED
from readiness.dataflow.views import PortfolioDifference

HIGHER = "#1f4e9c"  # the target environment values the portfolio higher than the baseline
LOWER = "#c62828"


def differences_figure(differences: list[PortfolioDifference], *, height: int | None = None) -> go.Figure:
    """One bar per portfolio: its total in the target environment minus its total in the baseline."""
    fig = go.Figure()
    for currency in sorted({d.currency for d in differences}):
        mine = [d for d in differences if d.currency == currency]
        fig.add_bar(
            x=[float(d.amount) for d in mine], y=[d.portfolio for d in mine], orientation="h", name=currency,
            marker_color=[HIGHER if d.amount > 0 else LOWER for d in mine],
            text=[f"{d.amount:+,} {currency}" for d in mine], textposition="auto",
            hovertext=[f"{d.portfolio}: {d.environment} {d.amount:+,} {currency} against {d.baseline}" for d in mine],
            hoverinfo="text",
        )
    pair = next(((d.environment, d.baseline) for d in differences), ("target", "baseline"))
    fig.update_layout(
        template="plotly_white", font=FONT, height=height or max(220, 60 + 36 * len(differences)),
        margin=dict(l=10, r=10, t=40, b=40), showlegend=len({d.currency for d in differences}) > 1, bargap=0.35,
        title=dict(text=f"Portfolio totals: {pair[0]} minus {pair[1]}", font=dict(size=15)),
        xaxis=dict(title="difference", zeroline=True, zerolinecolor=MUTED, tickformat=",.2f"),
        yaxis=dict(autorange="reversed", type="category"),
    )
    if not differences:
        fig.add_annotation(text="No portfolio total differs", showarrow=False, font=dict(color=MUTED, size=14),
                           xref="paper", yref="paper", x=0.5, y=0.5)
    return fig
