"""Waivers on the Go/No-Go page: ask for one, approve or revoke it, and see which are active or lapsed."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from readiness.auth import Role
from readiness.reports.report import ReportModel, WaiverLine
from readiness.store import decisions as decisions_repo
from readiness.ui.meeting_actions import acting_as, is_local_mode, needs, run_action

GROUPS = {"Active": ("active",), "Awaiting approval": ("pending approval",),
          "Expired or revoked": ("expired", "revoked")}


def _table(lines: list[WaiverLine], key: str) -> None:
    st.dataframe([{"Id": w.id, "Control": w.control_id, "Title": w.control_title, "Reason": w.reason,
                   "Owner": w.owner, "Requested by": w.requested_by, "Approver": w.approver or "",
                   "Expires": w.expires_on, "State": w.state} for w in lines],
                 hide_index=True, key=key,
                 column_config={"Expires": st.column_config.DateColumn("Expires", format="YYYY-MM-DD")})


def _request(session, platform_id: int, environment: str) -> None:
    ss = st.session_state
    decisions_repo.request_waiver(
        session, platform_id=platform_id, environment=environment, control_id=ss["waiver_control"],
        reason=ss.get("waiver_reason") or "", owner=ss.get("waiver_owner") or "",
        expires_on=ss["waiver_expires"], actor=acting_as(ss.get("waiver_requester")))


def _approve(session, waiver_id: int) -> None:
    approver = acting_as(st.session_state.get("waiver_approver"))
    decisions_repo.approve_waiver(session, waiver_id=waiver_id, actor=approver)


def _revoke(session, waiver_id: int) -> None:
    decisions_repo.revoke_waiver(session, waiver_id=waiver_id, actor=acting_as(st.session_state.get("waiver_approver")))


def waiver_panel(report: ReportModel, waivers: list[WaiverLine]) -> None:
    """Every waiver of the environment by state, with the forms to ask for, approve and revoke one."""
    tabs = st.tabs([f"{name} ({sum(w.state in states for w in waivers)})" for name, states in GROUPS.items()])
    for tab, (name, states) in zip(tabs, GROUPS.items()):
        with tab:
            lines = [w for w in waivers if w.state in states]
            if lines:
                _table(lines, key=f"waiver_table_{states[0].split()[0]}")
            else:
                st.caption(f"No waiver is {name.lower()}.")
    ask, decide = st.columns(2, gap="large")
    with ask:
        _request_form(report)
    with decide:
        _decide_form(waivers)


def _request_form(report: ReportModel) -> None:
    today = dt.datetime.now(dt.UTC).date()
    controls = {c.control_id: c for c in report.controls}
    # Blockers that are not fully met come first: those are the risks a meeting is asked to accept.
    order = sorted(controls, key=lambda cid: (not (controls[cid].blocker and not controls[cid].fully_met), cid))
    with st.form("waiver_request_form", clear_on_submit=True):
        st.markdown("**Ask for a waiver**")
        st.selectbox("Control", order, key="waiver_control",
                     format_func=lambda cid: f"{cid} · {controls[cid].title}"
                     + (" (blocker)" if controls[cid].blocker else ""))
        st.text_area("Reason", key="waiver_reason", max_chars=4000, height=90,
                     placeholder="Why the risk is acceptable for now, and what closes it")
        owner, expires = st.columns(2)
        owner.text_input("Owner", key="waiver_owner", max_chars=200, placeholder="Who closes the gap")
        if is_local_mode():
            st.text_input("Requested by", key="waiver_requester", max_chars=200, placeholder="Your name")
        expires.date_input("Expires on", key="waiver_expires", value=today + dt.timedelta(days=30),
                           min_value=today + dt.timedelta(days=1),
                           max_value=today + dt.timedelta(days=decisions_repo.MAX_WAIVER_DAYS), format="YYYY-MM-DD")
        st.form_submit_button("Ask for approval", key="waiver_request_submit", icon=":material/add_moderator:",
                              on_click=run_action,
                              args=(_request, "Waiver requested: it needs another person's approval.",
                                    report.meta.platform_id, report.meta.environment), **needs(Role.CONTRIBUTOR))


def _decide_form(waivers: list[WaiverLine]) -> None:
    pending = [w for w in waivers if w.state == "pending approval"]
    active = [w for w in waivers if w.state == "active"]
    st.markdown("**Approve or revoke**")
    if not pending and not active:
        st.caption("No waiver awaits approval or can be revoked.")
        return
    if is_local_mode():
        st.text_input("Approver", key="waiver_approver", max_chars=200,
                      help="Nobody may approve a waiver they asked for or own.", placeholder="Name of the approver")
    labels = {w.id: f"#{w.id} {w.control_id} · {w.owner} · until {w.expires_on:%Y-%m-%d}" for w in pending + active}
    if pending:
        choice = st.selectbox("Awaiting approval", [w.id for w in pending], format_func=labels.get,
                              key="waiver_pending_choice")
        st.button("Approve", key="waiver_approve", type="primary", icon=":material/verified_user:",
                  on_click=run_action, args=(_approve, f"Waiver #{choice} approved.", choice), **needs(Role.APPROVER))
    if active:
        choice = st.selectbox("Active", [w.id for w in active], format_func=labels.get, key="waiver_active_choice")
        st.button("Revoke", key="waiver_revoke", icon=":material/remove_moderator:",
                  on_click=run_action, args=(_revoke, f"Waiver #{choice} revoked.", choice), **needs(Role.APPROVER))
