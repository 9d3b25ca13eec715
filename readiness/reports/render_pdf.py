"""The report as a PDF for the board pack: a cover with the decision, then scores, risks and sign-offs."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from readiness.reports import charts
from readiness.reports.render_html import report_figures
from readiness.reports.report import ReportModel, fmt_score, fmt_when

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts"))
OUTCOME_RGB = {"GO": (26, 127, 55), "CONDITIONAL GO": (178, 106, 0), "NO-GO": (198, 40, 40)}
INK, MUTED, LINE, SHADE = (31, 35, 40), (87, 96, 106), (208, 215, 222), (246, 248, 250)
GOOD, FAIR, POOR, GREY = (26, 127, 55), (208, 135, 0), (198, 40, 40), (138, 143, 152)
# Core PDF fonts only know Latin-1: without a Unicode font, these stand in for the rest.
CHART_PX = 820  # drawn this wide, then fitted to the page: chart text lands near 9 pt
LATIN1_STAND_INS = {"—": "-", "–": "-", "→": "->", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "•": "-"}


class _BoardPack(FPDF):
    def __init__(self, report: ReportModel):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.family = self._fonts()
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"Readiness: {report.meta.platform}, {report.meta.environment}")
        self.set_author("Readiness")
        self.set_creator("Readiness")

    def _fonts(self) -> str:
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("DejaVu", "", str(regular))
                self.add_font("DejaVu", "B", str(bold))
                return "DejaVu"
        return "Helvetica"

    def text_of(self, value: object) -> str:
        text = "" if value is None else str(value)
        if self.family != "Helvetica":
            return text
        for char, stand_in in LATIN1_STAND_INS.items():
            text = text.replace(char, stand_in)
        return text.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(8, colour=MUTED)
        m = self.report.meta
        self.cell(0, 5, self.text_of(f"{m.platform} · {m.environment} · assessment #{m.id} ({m.status}) · "
                                     f"generated {fmt_when(self.report.generated_at)}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")

    def heading(self, text: str, keep: float = 30) -> None:
        """A section heading, on a new page when the `keep` millimetres after it would not fit."""
        if self.will_page_break(keep + 16):
            self.add_page()
        self.ln(4)
        self.font(15, bold=True)
        self.cell(0, 9, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*LINE)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)

    def paragraph(self, text: str, size: float = 10.5, colour: tuple[int, int, int] = INK) -> None:
        self.font(size, colour=colour)
        self.multi_cell(0, size * 0.5, self.text_of(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def table_of(self, headers: list[str], rows: list[list[object]], widths: tuple[float, ...],
                 size: float = 9, right: tuple[int, ...] = ()) -> None:
        self.font(size)
        self.set_draw_color(*LINE)
        self.set_line_width(0.2)
        self.set_fill_color(255, 255, 255)
        heading = FontFace(emphasis="BOLD", fill_color=SHADE, color=INK)
        # Zebra rows: the fill colour is set here so nothing drawn before (a badge, a bar) leaks into the table.
        with self.table(col_widths=widths, width=self.epw, text_align="LEFT", line_height=size * 0.5,
                        headings_style=heading, borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                        cell_fill_color=(251, 252, 253), cell_fill_mode="ROWS", padding=(1.2, 1.5)) as table:
            row = table.row()
            for h in headers:
                row.cell(self.text_of(h))
            for values in rows:
                row = table.row()
                for i, value in enumerate(values):
                    row.cell(self.text_of(value if value not in (None, "") else "—"),
                             align="RIGHT" if i in right else "LEFT")
        self.ln(3)


def _cover(pdf: _BoardPack, report: ReportModel) -> None:
    m, s = report.meta, report.score
    pdf.add_page()
    pdf.font(10, colour=MUTED)
    pdf.cell(0, 6, "PRODUCTION READINESS · BOARD PACK", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.font(26, bold=True)
    pdf.multi_cell(0, 11, pdf.text_of(m.platform), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(15, colour=MUTED)
    pdf.cell(0, 8, pdf.text_of(f"Environment: {m.environment}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    status = f"Assessment #{m.id} “{m.title}”, {m.status}"
    if m.is_final:
        status += f", finalised by {m.finalized_by} on {fmt_when(m.finalized_at)}"
    pdf.paragraph(status, size=11)
    pdf.ln(6)

    outcome = s.decision.outcome.value
    pdf.set_fill_color(*OUTCOME_RGB.get(outcome, POOR))
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, 38, style="F", round_corners=True, corner_radius=4)
    pdf.set_xy(pdf.l_margin + 10, top + 6)
    pdf.font(40, bold=True, colour=(255, 255, 255))
    pdf.cell(0, 18, outcome)
    pdf.set_xy(pdf.l_margin + 10, top + 26)
    pdf.font(11, colour=(255, 255, 255))
    pdf.cell(0, 6, "computed from the answers and the evidence")
    pdf.set_y(top + 46)

    figures = [(fmt_score(s.overall), f"overall score (go at {s.thresholds.go_score})"),
               (f"{fmt_score(s.coverage)}%", "evidence coverage"),
               (str(len(report.blockers)), "blockers not fully met"),
               (str(len(report.active_waivers)), "active waivers")]
    gap, top = 4, pdf.get_y()
    width = (pdf.epw - gap * 3) / 4
    pdf.set_draw_color(*LINE)
    for i, (value, label) in enumerate(figures):
        x = pdf.l_margin + i * (width + gap)
        pdf.rect(x, top, width, 24, round_corners=True, corner_radius=2)
        pdf.set_xy(x + 4, top + 3)
        pdf.font(20, bold=True)
        pdf.cell(width - 8, 10, pdf.text_of(value))
        pdf.set_xy(x + 4, top + 14)
        pdf.font(8.5, colour=MUTED)
        pdf.cell(width - 8, 6, pdf.text_of(label))
    pdf.set_y(top + 32)

    if report.recorded:
        r = report.recorded
        pdf.font(12, bold=True, colour=OUTCOME_RGB.get(r.outcome, INK))
        pdf.cell(0, 8, pdf.text_of(f"Recorded at the meeting: {r.outcome}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.paragraph(f"by {r.recorded_by} on {fmt_when(r.recorded_at)}. Rationale: {r.rationale}", size=10)
    pdf.font(13, bold=True)
    pdf.cell(0, 9, "Why", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for reason in s.decision.reasons:
        pdf.font(10.5)
        pdf.set_x(pdf.l_margin + 2)
        pdf.multi_cell(0, 5.4, pdf.text_of(f"•  {reason}"), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.8)


def _chart(pdf: _BoardPack, fig, *, fallback) -> None:
    """The chart as a picture; without a browser to draw it, simple bars drawn by the PDF itself."""
    try:
        png = charts.figure_image(fig, fmt="png", width=CHART_PX, scale=2)
    except charts.ChartExportUnavailable:
        fallback()
        return
    height = pdf.epw * float(fig.layout.height or 450) / CHART_PX
    if pdf.will_page_break(height):
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin, w=pdf.epw)
    pdf.ln(2)


def _bars(pdf: _BoardPack, rows: list[tuple[str, Decimal | None]], *, low: float, high: float,
          colour_of, marks: tuple[float, ...] = ()) -> None:
    label_w = 62
    bar_w = pdf.epw - label_w - 16

    def x_of(value: float) -> float:
        return pdf.l_margin + label_w + bar_w * (value - low) / (high - low)

    for label, value in rows:
        if pdf.will_page_break(8):
            pdf.add_page()
        y = pdf.get_y()
        pdf.font(9)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w, 6, pdf.text_of(label)[:40])
        if value is not None:
            start, end = x_of(max(low, 0)), x_of(float(value))
            pdf.set_fill_color(*colour_of(float(value)))
            pdf.rect(min(start, end), y + 1, max(abs(end - start), 0.3), 4, style="F")
        pdf.set_xy(pdf.l_margin + label_w + bar_w + 2, y)
        pdf.cell(14, 6, fmt_score(value), align="R")
        pdf.set_draw_color(*MUTED)
        for mark in marks:
            pdf.line(x_of(mark), y, x_of(mark), y + 6)
        pdf.set_y(y + 7)
    pdf.ln(2)


def _areas(pdf: _BoardPack, report: ReportModel, figures: dict) -> None:
    s = report.score
    pdf.add_page()
    pdf.heading("Scores by area")
    go_score, floor = float(s.thresholds.go_score), float(s.thresholds.area_floor)
    _chart(pdf, figures["areas"], fallback=lambda: _bars(
        pdf, [(a.title, a.score) for a in s.areas], low=0, high=100, marks=(go_score, floor),
        colour_of=lambda v: GOOD if v >= go_score else FAIR if v >= floor else POOR))
    pdf.table_of(["Area", "Score", "Coverage", "Met", "Partial", "Not met", "Unanswered", "N/A"],
                 [[a.title, fmt_score(a.score), f"{fmt_score(a.coverage)}%",
                   *[a.counts.get(k, 0) for k in ("met", "partial", "not_met", "unanswered", "n/a")]]
                  for a in s.areas]
                 + [["Overall", fmt_score(s.overall), f"{fmt_score(s.coverage)}%", "", "", "", "", ""]],
                 widths=(50, 13, 18, 10, 13, 14, 24, 10), right=(1, 2, 3, 4, 5, 6, 7))


def _risks(pdf: _BoardPack, report: ReportModel) -> None:
    pdf.heading("Blockers not fully met")
    if report.blockers:
        pdf.table_of(["Control", "Title", "Answer", "Evidence", "Waiver"],
                     [[b.control_id, b.title, b.answer, b.evidence, b.waiver or "none"] for b in report.blockers],
                     widths=(18, 62, 20, 24, 54))
    else:
        pdf.paragraph("Every blocker is fully met.")
    pdf.heading("Waivers (accepted risks)")
    if report.waivers:
        pdf.table_of(["Control", "Reason", "Owner", "Approver", "Expires", "State"],
                     [[w.control_id, w.reason, w.owner, w.approver or "not yet", w.expires_on.isoformat(),
                       w.state + (" (relied on)" if w.relied_on else "")] for w in report.waivers],
                     widths=(18, 64, 26, 26, 22, 22))
    else:
        pdf.paragraph("No waivers.")
    pdf.heading("Decision and sign-offs")
    if report.recorded is None:
        pdf.paragraph("The meeting has not recorded a decision yet.")
        return
    r = report.recorded
    pdf.paragraph(f"{r.outcome} (computed {r.computed_outcome}), recorded by {r.recorded_by} on "
                  f"{fmt_when(r.recorded_at)}.")
    pdf.paragraph(f"Rationale: {r.rationale}", colour=MUTED)
    if r.sign_offs:
        pdf.table_of(["Role", "Name", "Sign-off", "Comment", "When"],
                     [[so.role, so.name, "approves" if so.approve else "objects", so.comment, fmt_when(so.signed_at)]
                      for so in r.sign_offs], widths=(28, 36, 20, 62, 32))
    else:
        pdf.paragraph("No sign-offs yet.")


def _changes(pdf: _BoardPack, report: ReportModel, figures: dict) -> None:
    pdf.heading("Since the previous final assessment")
    c = report.changes
    if c is None:
        pdf.paragraph("This is the first final assessment of this environment: nothing to compare with.")
        return
    delta = f" ({c.overall_delta:+})" if c.overall_delta is not None else ""
    pdf.paragraph(f"Compared with #{c.before.id} “{c.before.title}”: overall {fmt_score(c.overall_before)} → "
                  f"{fmt_score(c.overall_after)}{delta}; decision {c.outcome_before} → {c.outcome_after}. "
                  f"{c.count('better')} control(s) better, {c.count('worse')} worse.")
    spread = max([abs(float(a.delta)) for a in c.areas if a.delta is not None] + [5.0]) * 1.2
    _chart(pdf, figures["deltas"], fallback=lambda: _bars(
        pdf, [(a.title, a.delta) for a in c.areas], low=-spread, high=spread, marks=(0.0,),
        colour_of=lambda v: GOOD if v > 0 else POOR if v < 0 else GREY))
    if c.controls:
        pdf.table_of(["Control", "Title", "Before", "After", "Moved"],
                     [[ch.control_id, ch.title, ch.before.label if ch.before else "",
                       ch.after.label if ch.after else "", ch.direction] for ch in c.controls],
                     widths=(18, 52, 44, 44, 20))


def _appendix(pdf: _BoardPack, report: ReportModel) -> None:
    pdf.add_page()
    pdf.heading("Appendix: every control")
    pdf.table_of(["Control", "Title", "Answer", "Owner", "Evidence", "Value", "Note"],
                 [[c.control_id + (" (blocker)" if c.blocker else ""), c.title, c.answer, c.owner, c.evidence,
                   fmt_score(c.value), c.note[:300]] for c in report.controls],
                 widths=(22, 50, 16, 22, 20, 12, 36), size=7.5, right=(5,))
    m = report.meta
    pdf.paragraph(f"Checklist {m.checklist_title} v{m.checklist_version}, digest {m.checklist_digest[:12]}. "
                  f"Evidence run {m.evidence_run_id or 'none'}"
                  + (f" of {fmt_when(m.evidence_run_at)}." if m.evidence_run_at else "."), size=8, colour=MUTED)


def render_pdf(report: ReportModel) -> bytes:
    pdf = _BoardPack(report)
    figures = report_figures(report)
    _cover(pdf, report)
    _areas(pdf, report, figures)
    _risks(pdf, report)
    _changes(pdf, report, figures)
    if "history" in figures:
        pdf.heading("Scores over time", keep=pdf.epw * float(figures["history"].layout.height) / CHART_PX)
        _chart(pdf, figures["history"], fallback=lambda: _bars(
            pdf, [(p.assessment.label, p.overall) for p in report.history], low=0, high=100,
            colour_of=lambda v: GREY))
    _appendix(pdf, report)
    return bytes(pdf.output())
