"""Test connection, on the Settings page: who Readiness is in an environment's account, and what it may read."""
from __future__ import annotations

import streamlit as st

from readiness.evidence.connection import ConnectionReport
from readiness.evidence.on_request import probe_stored_environment
from readiness.platform import Platform
from readiness.ui import store

RESULTS = "settings_connection_results"  # (platform id, environment) -> the last report
REQUESTED = "settings_connection_requested"  # set by the button's callback: it outlives a rerun, a return value not


def _request() -> None:
    st.session_state[REQUESTED] = True


def connection_panel(platform: Platform, platform_id: int | None) -> None:
    if platform_id is None:
        st.info("Save the platform first, then test its connection.", icon=":material/save:")
        return
    st.markdown("Opens a session as the platform's settings say (profile, then the role), asks AWS who Readiness is "
                "there, then makes one read-only call per collector and region.")
    names = [env.name for env in platform.environments]
    with st.container(horizontal=True, vertical_alignment="bottom"):
        environment = st.selectbox("Environment", names, key=f"settings_test_environment_{platform_id}", width=300,
                                   index=names.index(platform.production().name))
        st.button("Test connection", key="settings_test_connection", icon=":material/lan:", on_click=_request)
    results = st.session_state.setdefault(RESULTS, {})
    if st.session_state.pop(REQUESTED, False):
        with st.spinner(f"Connecting to {environment}…"):
            try:
                results[(platform_id, environment)] = probe_stored_environment(
                    store.engine(), platform_id=platform_id, environment=environment)
            except Exception as exc:  # the app's boundary: a message, never a traceback
                st.error(f"The connection could not be tested: {exc}", icon=":material/error:")
                return
    report = results.get((platform_id, environment))
    if report is not None:
        show(report)


def show(report: ConnectionReport) -> None:
    if not report.connected:
        st.error(f"**{report.environment}: could not connect.** {report.error}\n\nCheck the profile, the role ARN "
                 "and its trust policy (external id), as the README's 'Point Readiness at your real AWS accounts' "
                 "explains.", icon=":material/link_off:")
        return
    account, regions, reads = st.columns([2, 2, 1])
    account.metric("Account", report.account or "unknown", border=True)
    regions.metric("Regions", ", ".join(report.regions), border=True)
    allowed = len(report.collectors) - len(report.denied)
    reads.metric("Reads allowed", f"{allowed} of {len(report.collectors)}", border=True)
    st.markdown(f"Connected as `{report.arn}`")
    if report.denied:
        st.warning(f"{len(report.denied)} read(s) were refused: their evidence will be *unknown*. Attach the policy "
                   "in data/iam/readiness-readonly.json to the role.", icon=":material/lock:")
    else:
        st.success("Every collector can read: evidence collection will see the whole environment.",
                   icon=":material/check_circle:")
    st.dataframe([{"Collector": c.collector, "Region": c.region, "Can read": c.readable, "Call": c.action or "",
                   "Why not": "" if c.readable else c.reason or ""} for c in report.collectors],
                 hide_index=True, width="stretch", key=f"settings_connection_{report.environment}",
                 column_config={"Can read": st.column_config.CheckboxColumn("Can read"),
                                "Why not": st.column_config.TextColumn("Why not", width="large")})
