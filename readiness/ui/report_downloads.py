"""Download buttons for the reports of an assessment; each file is rendered only when its button is pressed."""
from __future__ import annotations

import streamlit as st

from readiness.reports.export import FORMATS, file_name
from readiness.reports.report import ReportModel
from readiness.ui import store
from readiness.ui.meeting_queries import report_file

ICONS = {"html": ":material/html:", "pdf": ":material/picture_as_pdf:", "md": ":material/article:",
         "csv": ":material/table:"}


def download_buttons(report: ReportModel, *, key_prefix: str) -> None:
    engine = store.engine()
    with st.container(horizontal=True):
        for name, fmt in FORMATS.items():
            st.download_button(fmt.label, data=report_file(engine, report.meta.id, name),
                               file_name=file_name(report, name), mime=fmt.mime, icon=ICONS[name],
                               key=f"{key_prefix}_download_{name}", on_click="ignore")
