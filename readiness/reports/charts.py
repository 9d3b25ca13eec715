"""Plotly figures of scores, history and comparisons, shared by the app's pages and the reports."""
from __future__ import annotations

import atexit
import html
import threading
import warnings
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio

from readiness.history import Comparison, ScorePoint
from readiness.scoring import Score

OUTCOME_COLOURS = {"GO": "#1a7f37", "CONDITIONAL GO": "#b26a00", "NO-GO": "#c62828"}
GOOD, FAIR, POOR, MUTED = "#1a7f37", "#d08700", "#c62828", "#8a8f98"
FONT = dict(family="Helvetica, Arial, sans-serif", size=14, color="#1f2328")


def _layout(fig: go.Figure, *, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white", height=height, font=FONT, margin=dict(l=10, r=30, t=50 if title else 20, b=40),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=18)) if title else None,
        showlegend=False,
    )
    return fig


def _plain(text: str) -> str:
    """Plotly reads a few HTML tags in labels; entities keep free text as text."""
    return html.escape(text, quote=False)


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def area_scores_figure(result: Score, *, title: str | None = "Score by area") -> go.Figure:
    """One bar per area, coloured against the go score and the area floor, with both drawn as lines."""
    go_score, floor = float(result.thresholds.go_score), float(result.thresholds.area_floor)
    areas = list(reversed(result.areas))  # plotly draws the first bar at the bottom
    values = [_num(a.score) or 0.0 for a in areas]
    colours = [MUTED if a.score is None else GOOD if v >= go_score else FAIR if v >= floor else POOR
               for a, v in zip(areas, values)]
    labels = ["not scored" if a.score is None else f"{a.score}" for a in areas]
    fig = go.Figure(go.Bar(
        x=values, y=[_plain(a.title) for a in areas], orientation="h", marker_color=colours, text=labels,
        textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    for x, name, dash in ((go_score, f"go score {go_score:g}", "dash"), (floor, f"area floor {floor:g}", "dot")):
        fig.add_vline(x=x, line_dash=dash, line_color="#57606a", line_width=1.5,
                      annotation_text=name, annotation_position="top", annotation_font_size=12)
    fig.update_xaxes(range=[0, 108], title_text="score (0 to 100)", dtick=20)
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=90 + 42 * len(areas), title=title)


def history_figure(points: list[ScorePoint], *, areas: bool = True,
                   title: str | None = "Scores over time") -> go.Figure:
    """The overall score as a thick line over time, the areas as thin ones; final decisions as coloured dots."""
    fig = go.Figure()
    if areas and points:
        for area, area_title in points[-1].area_titles.items():
            fig.add_trace(go.Scatter(
                x=[p.assessment.created_at for p in points], y=[_num(p.areas.get(area)) for p in points],
                name=_plain(area_title), mode="lines", line=dict(width=1.5), opacity=0.75,
                hovertemplate=f"{_plain(area_title)}: %{{y}}<extra></extra>",
            ))
    fig.add_trace(go.Scatter(
        x=[p.assessment.created_at for p in points], y=[_num(p.overall) for p in points], name="Overall",
        mode="lines+markers+text", line=dict(width=4, color="#1f2328"),
        marker=dict(size=[16 if p.assessment.is_final else 9 for p in points],
                    color=[OUTCOME_COLOURS.get(p.recorded_outcome or p.outcome, MUTED) if p.assessment.is_final
                           else "#ffffff" for p in points],
                    line=dict(width=2, color="#1f2328")),
        text=[(p.recorded_outcome or p.outcome) if p.assessment.is_final else "" for p in points],
        textposition="top center", textfont=dict(size=12),
        customdata=[[_plain(p.assessment.label)] for p in points],
        hovertemplate="%{customdata[0]}<br>overall %{y}<extra></extra>",
    ))
    if points and points[-1].go_score is not None:
        fig.add_hline(y=float(points[-1].go_score), line_dash="dash", line_color="#57606a", line_width=1,
                      annotation_text=f"go score {points[-1].go_score:g}", annotation_position="bottom right")
    fig.update_yaxes(range=[0, 105], title_text="score")
    fig.update_xaxes(title_text=None)
    _layout(fig, height=420, title=title)
    fig.update_layout(showlegend=areas, legend=dict(orientation="h", y=-0.15, font=dict(size=12)))
    return fig


def area_delta_figure(comparison: Comparison, *, title: str | None = "How each area moved") -> go.Figure:
    """One bar per area: how many points it gained (green) or lost (red) between the two assessments."""
    areas = [a for a in reversed(comparison.areas)]
    deltas = [_num(a.delta) or 0.0 for a in areas]
    labels = ["not comparable" if a.delta is None else f"{a.delta:+}" for a in areas]
    colours = [MUTED if a.delta is None else GOOD if d > 0 else POOR if d < 0 else MUTED
               for a, d in zip(areas, deltas)]
    fig = go.Figure(go.Bar(
        x=deltas, y=[_plain(a.title) for a in areas], orientation="h", marker_color=colours, text=labels,
        textposition="outside", cliponaxis=False,
        customdata=[[str(a.before if a.before is not None else "—"), str(a.after if a.after is not None else "—")]
                    for a in areas],
        hovertemplate="%{y}: %{customdata[0]} → %{customdata[1]} (%{text})<extra></extra>",
    ))
    widest = max([abs(d) for d in deltas] + [5.0])
    fig.update_xaxes(range=[-widest * 1.3, widest * 1.3], zeroline=True, zerolinewidth=2, zerolinecolor="#57606a",
                     title_text="points gained or lost")
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=90 + 42 * len(areas), title=title)


# ---- export for reports ------------------------------------------------------------------------

class ChartExportUnavailable(RuntimeError):
    """Static chart images need Chromium (through kaleido); without it reports use another form."""


_server_lock = threading.Lock()
_server_started = False


def _ensure_server() -> None:
    global _server_started
    with _server_lock:
        if _server_started:
            return
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _server_started = True


def figure_image(fig: go.Figure, *, fmt: str, width: int = 900, scale: float = 1.0) -> bytes:
    """The figure as SVG or PNG bytes, or ChartExportUnavailable saying why it cannot be drawn."""
    height = int(fig.layout.height or 450)
    try:
        _ensure_server()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plotly warns that kaleido's server ignores per-call options
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)
    except Exception as exc:  # noqa: BLE001 - any failure of the browser means: no static image
        raise ChartExportUnavailable(
            f"charts could not be drawn as images ({type(exc).__name__}: {exc}); "
            "install Chromium (apt-get install chromium) or set BROWSER_PATH") from exc
