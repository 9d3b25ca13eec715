"""Plotly figures of a score for the app's pages (no streamlit here, so reports can use them too)."""
from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from readiness.scoring import Score

INK = "#1f2328"
MUTED = "#8a8f98"
PRIMARY = "#1f4e9c"
FLOOR = "#c62828"
GO_LINE = "#1a7f37"
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=13, color=INK)


def _num(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def _wrap(title: str, width: int = 14) -> str:
    """Break long area titles over lines so the radar's labels stay inside the figure."""
    lines, line = [], ""
    for word in title.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def area_radar(score: Score, *, height: int = 520) -> go.Figure:
    """The area scores on a radar, with the area floor and the go score drawn as rings to compare against."""
    titles = [_wrap(a.title) for a in score.areas]
    values = [_num(a.score) for a in score.areas]
    hover = [f"{a.title}: {a.score if a.score is not None else 'not scored'}" for a in score.areas]
    closed = titles + titles[:1]  # repeat the first point so each line closes its loop

    def ring(value: Decimal, name: str, colour: str, dash: str) -> go.Scatterpolar:
        return go.Scatterpolar(r=[float(value)] * len(closed), theta=closed, mode="lines", name=name,
                               line=dict(color=colour, dash=dash, width=1.5), hoverinfo="name")

    fig = go.Figure([
        ring(score.thresholds.area_floor, f"Area floor ({score.thresholds.area_floor:g})", FLOOR, "dot"),
        ring(score.thresholds.go_score, f"Go score ({score.thresholds.go_score:g})", GO_LINE, "dash"),
        go.Scatterpolar(
            r=values + values[:1], theta=closed, mode="lines+markers", name="Area score", fill="toself",
            fillcolor="rgba(31, 78, 156, 0.18)", line=dict(color=PRIMARY, width=2.5), marker=dict(size=7),
            text=hover + hover[:1], hoverinfo="text",
        ),
    ])
    fig.update_layout(
        template="plotly_white", height=height, font=FONT, margin=dict(l=90, r=90, t=50, b=40),
        polar=dict(radialaxis=dict(range=[0, 100], tickvals=[20, 40, 60, 80, 100], tickfont=dict(size=10, color=MUTED),
                                   angle=67.5, tickangle=67.5),
                   angularaxis=dict(direction="clockwise", rotation=90)),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0.5, xanchor="center"),
    )
    return fig
