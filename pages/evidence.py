"""Evidence: collect it from AWS now, then see what it says, area by area and check by check."""
from __future__ import annotations

import streamlit as st

from readiness.auth import Role
from readiness.evidence.registry import all_checks
from readiness.evidence_charts import findings_by_area
from readiness.evidence_summary import group_findings
from readiness.ui import context, evidence_queries, findings_view
from readiness.ui.collect_progress import collect_with_progress, collection_requested, request_collection

selected = context.selection()
st.title("Evidence")
if selected.platform_id is None:
    st.info("Register a platform first (Settings).", icon=":material/arrow_back:")
    st.stop()

actor = context.current_actor()
platform = evidence_queries.platform(selected.platform_id)
st.caption(f"{platform.name} · read-only evidence from AWS for {', '.join(e.name for e in platform.environments)}"
           + (" · the demo reads its simulated AWS, started on first use" if platform.demo else ""))

allowed = actor.can(Role.CONTRIBUTOR)
st.button("Collect evidence now", key="evidence_collect", type="primary", icon=":material/cloud_sync:",
          disabled=not allowed, on_click=request_collection,
          help="Reads every environment of the platform, read-only, and stores the run: the scores then use it."
          if allowed else f"Collecting evidence needs the contributor role; you are a {actor.role.label}.")
if collection_requested():
    collected = collect_with_progress(selected.platform_id, actor, demo=platform.demo)
    if collected is not None:
        st.session_state["evidence_run"] = collected.id

runs = evidence_queries.runs(selected.platform_id)
if not runs:
    st.info("No evidence has been collected for this platform yet: press **Collect evidence now**.",
            icon=":material/cloud_off:")
    st.stop()

labels = {r.id: r.label for r in runs}
if st.session_state.get("evidence_run") not in labels:
    st.session_state["evidence_run"] = runs[0].id  # the newest, also after a new collection
if len(runs) > 1:
    st.selectbox("Evidence run", list(labels), format_func=labels.get, key="evidence_run",
                 help="Newest first. Draft assessments are scored on the newest run; final ones keep theirs.")
run = evidence_queries.run(st.session_state["evidence_run"])
if run.id != runs[0].id:
    st.warning("This is an older run: scores use the newest one.", icon=":material/history:")

findings_view.summary(run)
titles = evidence_queries.area_titles(selected.platform_id)
groups = group_findings(run.findings, all_checks(), titles)
if groups:
    st.plotly_chart(findings_by_area(groups), key="evidence_by_area", config={"displayModeBar": False})

st.header("Findings")
wanted = findings_view.filters(run, titles, selected.environment)
shown = [f for f in run.findings if wanted.matches(f)]
st.caption(f"Showing {len(shown)} of {len(run.findings)} findings." if wanted.active
           else f"{len(run.findings)} findings from {run.checks} checks. Open a check to see its findings.")
if shown:
    findings_view.grouped(group_findings(shown, all_checks(), titles))
else:
    st.info("No finding matches these filters.", icon=":material/filter_alt_off:")

findings_view.unread(run)
