"""The report as CSV: every control with its answer, evidence state and waiver, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io

from readiness.reports.report import ReportModel, control_state

COLUMNS = ["assessment_id", "environment", "control_id", "area", "title", "blocker", "automated", "weight",
           "answer", "owner", "due_on", "note", "evidence", "findings", "value", "state", "waived", "waiver",
           "explanation"]
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_csv(report: ReportModel) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in report.controls:
        findings = ", ".join(f"{status} {count}" for status, count in c.finding_counts.items())
        writer.writerow(neutralise(cell) for cell in [
            report.meta.id, report.meta.environment, c.control_id, c.area_title, c.title,
            "yes" if c.blocker else "no", "yes" if c.automated else "no", c.weight, c.answer, c.owner or "",
            c.due_on.isoformat() if c.due_on else "", c.note, c.evidence, findings,
            "" if c.value is None else c.value, control_state(c), "yes" if c.waived else "no", c.waiver,
            c.explanation,
        ])
    return out.getvalue()
