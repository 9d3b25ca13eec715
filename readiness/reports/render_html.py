"""The report as one self-contained HTML file: inline CSS, charts embedded, readable offline."""
from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from readiness.reports import charts
from readiness.reports.report import ReportModel, fmt_score, fmt_when

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"], default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def outcome_class(outcome: str) -> str:
    return {"GO": "go", "CONDITIONAL GO": "cond", "NO-GO": "nogo"}.get(outcome, "nogo")


def _pill(outcome: str) -> str:
    return {"GO": "good", "CONDITIONAL GO": "warn"}.get(outcome, "bad")


def _evidence_pill(label: str) -> str:
    return {"Verified": "good", "Contradicted": "bad", "Warned": "warn", "Unverified": "warn"}.get(label, "")


def _waiver_pill(state: str) -> str:
    return {"active": "good", "expired": "bad", "pending approval": "warn"}.get(state, "")


def _move_pill(direction: str) -> str:
    return {"better": "good", "worse": "bad"}.get(direction, "")


def _signed(value: Decimal) -> str:
    return f"{value:+}"


def report_figures(report: ReportModel) -> dict[str, go.Figure]:
    """The charts every rich format shows, in reading order."""
    figures = {"areas": charts.area_scores_figure(report.score, title=None)}
    if report.changes is not None:
        figures["deltas"] = charts.area_delta_figure(report.changes, title=None)
    if len(report.history) >= 2:
        figures["history"] = charts.history_figure(report.history, title=None)
    return figures


def _embed(figures: dict[str, go.Figure], alts: dict[str, str]) -> tuple[dict[str, Markup], str]:
    """Charts as SVG images (crisp, small, no script); without a browser to draw them, plotly's own script inline."""
    try:
        out = {}
        for name, fig in figures.items():
            svg = charts.figure_image(fig, fmt="svg", width=1000)
            data = base64.b64encode(svg).decode("ascii")
            out[name] = Markup('<img src="data:image/svg+xml;base64,{}" alt="{}">').format(data, alts[name])
        return out, ""
    except charts.ChartExportUnavailable as exc:
        out, first = {}, True
        for name, fig in figures.items():
            fig = go.Figure(fig).update_layout(width=None, autosize=True)
            out[name] = Markup(pio.to_html(fig, full_html=False, include_plotlyjs=first,
                                           config={"displayModeBar": False, "responsive": True}))
            first = False
        return out, f"Charts are interactive: {exc}."


def render_html(report: ReportModel) -> str:
    figures = report_figures(report)
    alts = {"areas": "Bar chart of the score of each area against the go score and the area floor",
            "deltas": "Bar chart of how many points each area gained or lost since the previous final assessment",
            "history": "Line chart of the overall and area scores of each assessment over time"}
    embedded, note = _embed(figures, alts)
    embedded = {name: embedded.get(name, Markup("")) for name in alts}
    template = _env.get_template("report.html.j2")
    return template.render(
        r=report, m=report.meta, s=report.score, c=report.changes, charts=embedded, charts_note=note,
        when=fmt_when, num=fmt_score, signed=_signed, pill=_pill, outcome_class=outcome_class,
        evidence_pill=_evidence_pill, waiver_pill=_waiver_pill, move_pill=_move_pill,
    )
