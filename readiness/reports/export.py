"""The report formats by name, each rendered to the bytes of a file, for the app and the command line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from readiness.reports.report import ReportModel


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    mime: str
    suffix: str
    render: Callable[[ReportModel], bytes]


def _html(report: ReportModel) -> bytes:
    from readiness.reports.render_html import render_html

    return render_html(report).encode("utf-8")


def _pdf(report: ReportModel) -> bytes:
    from readiness.reports.render_pdf import render_pdf

    return render_pdf(report)


def _markdown(report: ReportModel) -> bytes:
    from readiness.reports.render_md import render_markdown

    return render_markdown(report).encode("utf-8")


def _csv(report: ReportModel) -> bytes:
    from readiness.reports.render_csv import render_csv

    return render_csv(report).encode("utf-8-sig")  # the byte-order mark makes spreadsheets read UTF-8


# Renderers are imported when used: plotly and fpdf are only loaded for the formats that need them.
FORMATS: dict[str, Format] = {
    "html": Format("html", "HTML (self-contained)", "text/html", ".html", _html),
    "pdf": Format("pdf", "PDF (board pack)", "application/pdf", ".pdf", _pdf),
    "md": Format("md", "Markdown (wiki)", "text/markdown", ".md", _markdown),
    "csv": Format("csv", "CSV (every control)", "text/csv", ".csv", _csv),
}


def file_name(report: ReportModel, fmt: str) -> str:
    """A file name that says what the report is: platform, environment, assessment, date."""
    m = report.meta
    stem = "-".join(part for part in (m.platform, m.environment, f"assessment-{m.id}",
                                      report.generated_at.date().isoformat()))
    safe = "".join(ch.lower() if ch.isalnum() else "-" for ch in stem)
    while "--" in safe:
        safe = safe.replace("--", "-")
    return safe.strip("-") + FORMATS[fmt].suffix
