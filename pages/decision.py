"""Go/No-Go: the meeting's page, readable on a projector: decision, reasons, risks, and the record of it."""
from __future__ import annotations

import streamlit as st

from readiness.ui import context, decision_widgets, evidence_queries, meeting_actions, meeting_queries
from readiness.ui.audit_view import audit_table
from readiness.ui.report_downloads import download_buttons
from readiness.ui.text import plain
from readiness.ui.waiver_panel import waiver_panel

selected = context.selection()
if selected.assessment_id is None:
    st.title("Go / No-Go")
    st.info("Pick an assessment in the sidebar, or start one there.", icon=":material/arrow_back:")
    st.stop()

report = meeting_queries.report(selected.assessment_id)
m = report.meta

decision_widgets.projector_style()
with st.container(key=decision_widgets.MEETING_CONTAINER):
    st.title(f"Go / No-Go: {plain(m.platform)}, {m.environment}")
    st.caption(f"{plain(m.title)} · {m.status} · checklist {plain(m.checklist_title)} v{plain(m.checklist_version)}")
    meeting_actions.show_errors()
    decision_widgets.decision_badge(report)
    decision_widgets.key_figures(report)
    decision_widgets.reasons(report)
    blockers, waivers = st.columns(2, gap="large")
    with blockers:
        decision_widgets.blockers_table(report)
    with waivers:
        decision_widgets.active_waivers_table(report)
    decision_widgets.since_last_final(report)

st.divider()
meeting_actions.lifecycle_bar(report)
record, sign = st.columns(2, gap="large")
with record:
    decision_widgets.recorded_decision(report)
    meeting_actions.record_outcome_form(report)
with sign:
    st.subheader("Sign off")
    if report.recorded is None:
        st.caption("Roles sign off once the decision is recorded.")
    meeting_actions.sign_off_form(report)

st.subheader("Waivers (accepted risks)")
waiver_panel(report, meeting_queries.waivers(m.id))

st.subheader("Reports")
st.caption("The same content as this page, for the board pack, the wiki and spreadsheets.")
download_buttons(report, key_prefix="decision")

with st.expander("Audit trail of this assessment"):
    audit_table(evidence_queries.assessment_audit(m.id), key="decision_audit",
                empty="Nothing recorded for this assessment yet.")
