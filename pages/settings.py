"""Settings: the platforms, how Readiness reaches each environment, a connection test, and their audit trail."""
from __future__ import annotations

import streamlit as st

from readiness.auth import Role
from readiness.platform_editing import file_name, template
from readiness.ui import context, evidence_queries
from readiness.ui.audit_view import audit_table
from readiness.ui.connection_view import connection_panel
from readiness.ui.platform_form import PENDING_PLATFORM, environments_form, stale_warning, yaml_form

NEW = 0  # the choice of a new platform in the list

selected = context.selection()
actor = context.current_actor()
st.title("Settings")
st.caption("Platforms and how Readiness reaches their AWS accounts, read-only. "
           "Step by step for real accounts: 'Point Readiness at your real AWS accounts' in the README.")

lines = evidence_queries.platform_lines()
if lines:
    st.dataframe([{"Platform": p.name, "Environments": ", ".join(p.environments), "Demo": p.demo,
                   "Last changed": p.updated_at} for p in lines],
                 hide_index=True, width="stretch", key="settings_platforms",
                 column_config={"Demo": st.column_config.CheckboxColumn("Demo", help="Reads a simulated AWS"),
                                "Last changed": st.column_config.DatetimeColumn("Last changed (UTC)",
                                                                                format="D MMM YYYY, HH:mm")})

names = {p.id: p.name for p in lines}
choices = [*names, NEW]
if PENDING_PLATFORM in st.session_state:
    st.session_state["settings_platform"] = st.session_state.pop(PENDING_PLATFORM)
if st.session_state.get("settings_platform") not in choices:
    st.session_state["settings_platform"] = selected.platform_id if selected.platform_id in names else choices[0]

is_admin = actor.can(Role.ADMIN)
with st.container(horizontal=True, vertical_alignment="bottom"):
    platform_id = st.selectbox("Platform", choices, key="settings_platform", width=420,
                               format_func=lambda i: names.get(i, "➕ New platform…"))
    platform = evidence_queries.platform(platform_id) if platform_id != NEW else template()
    st.download_button("Download YAML", data=platform.to_yaml(), file_name=file_name(platform),
                       mime="application/yaml", key="settings_download", icon=":material/download:",
                       on_click="ignore", help="The platform file, to keep under version control or to run "
                                               "`python -m readiness collect --platform FILE` in a pipeline.")
platform_id = platform_id or None

if not is_admin:
    st.info(f"Only administrators change platform settings; you are a {actor.role.label}. You can still read "
            "them, test connections and download the YAML.", icon=":material/admin_panel_settings:")
if platform.demo:
    st.caption("This is the demo: its environments are read from a simulated AWS on 127.0.0.1, whatever the "
               "profile and roles say.")

stale_warning()
environments_tab, yaml_tab, test_tab, audit_tab = st.tabs(
    ["Environments", "YAML", "Test connection", "Audit trail"], key="settings_tab")
with environments_tab:
    st.caption("One row per environment: how Readiness reaches its account (a named profile, or the default "
               "credentials, then the role it assumes) and which resources belong to it (tags and/or a name "
               "prefix; the parameter path and secrets prefix narrow those two services). Add a row at the bottom.")
    environments_form(platform, platform_id, disabled=not is_admin)
with yaml_tab:
    yaml_form(platform, platform_id, disabled=not is_admin)
with test_tab:
    connection_panel(platform, platform_id)
with audit_tab:
    audit_table(evidence_queries.audit(platform_id) if platform_id else [], key="settings_audit",
                empty="Nothing recorded for this platform yet.")
