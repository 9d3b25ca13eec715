"""What the Go/No-Go meeting does: move the assessment along, record the outcome, sign it off."""
from __future__ import annotations

import streamlit as st

from readiness import assessment as service
from readiness.auth import LOCAL_USER, Actor, Role
from readiness.errors import ReadinessError
from readiness.reports.report import ReportModel
from readiness.scoring import Outcome
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store.decisions import SIGN_OFF_ROLES
from readiness.store.tables import AssessmentStatus
from readiness.ui import auth as ui_auth
from readiness.ui import flash, store
from readiness.ui.context import current_actor
from readiness.ui.text import plain

ERROR_SLOT = "decision_actions"
CONFIRM_FINALISE = "decision_confirm_finalise"  # the id of the assessment whose finalisation awaits a yes
OUTCOMES = [o.value for o in Outcome]


def acting_as(name: str | None) -> Actor:
    """Who approves. Local mode has one user, so the meeting names the approver; signed in, it is the user."""
    actor = current_actor()
    if actor == LOCAL_USER and name and name.strip():
        return Actor(name=" ".join(name.split()), role=Role.APPROVER)
    return actor


def is_local_mode() -> bool:
    return current_actor() == LOCAL_USER


def needs(role: Role) -> dict:
    """Disable a control the person's role may not use, saying why (the domain refuses it anyway)."""
    hint = ui_auth.needs(role)
    return {"disabled": hint is not None, "help": hint}


def run_action(action, success: str, *args, **kwargs) -> bool:
    """Run one write in its own transaction; a refusal becomes a message, never a traceback."""
    try:
        with store.transaction() as session:
            action(session, *args, **kwargs)
    except ReadinessError as exc:
        # Shown at the top of the page, and as a toast beside the form that was used, further down.
        flash.error_later(ERROR_SLOT, str(exc))
        flash.toast_later(f"Not saved: {exc}", icon=":material/error:")
        return False
    flash.toast_later(success)
    return True


def show_errors() -> None:
    error = flash.take_error(ERROR_SLOT)
    if error:
        st.error(error, icon=":material/error:")


# ---- lifecycle -------------------------------------------------------------------------------

def _move(session, assessment_id: int, to_status: str) -> None:
    repo.move_assessment(session, assessment_id=assessment_id, to_status=to_status, actor=current_actor())


def _finalize(session, assessment_id: int) -> None:
    service.finalize(session, assessment_id=assessment_id, actor=current_actor())


def _ask_to_finalise(assessment_id: int) -> None:
    st.session_state[CONFIRM_FINALISE] = assessment_id


def _forget_finalise() -> None:
    st.session_state.pop(CONFIRM_FINALISE, None)


def _finalise_confirmed(assessment_id: int, title: str) -> None:
    _forget_finalise()
    run_action(_finalize, f"“{title}” is final: its scores are frozen.", assessment_id)


@st.dialog("Finalise this assessment?", on_dismiss=_forget_finalise)
def _confirm_finalise(assessment_id: int, title: str) -> None:
    st.markdown(f"Finalising **{plain(title)}** freezes its answers, the evidence it used, the checklist and the "
                "computed scores. Its numbers will never move again, and it cannot be reopened: later work "
                "starts a new assessment from these answers.")
    confirm, cancel = st.columns(2)
    confirmed = confirm.button("Finalise", type="primary", key="decision_finalise_confirm", icon=":material/lock:",
                               on_click=_finalise_confirmed, args=(assessment_id, title))
    cancelled = cancel.button("Cancel", key="decision_finalise_cancel", on_click=_forget_finalise)
    if confirmed or cancelled:
        st.rerun()  # a dialog reruns on its own; the whole page must run again to close it


def lifecycle_bar(report: ReportModel) -> None:
    m = report.meta
    steps = " → ".join(f"**{s}**" if s == m.status else s for s in AssessmentStatus.ALL)
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.markdown(f"Lifecycle: {steps}")
    with right, st.container(horizontal=True, horizontal_alignment="right"):
        if m.status == AssessmentStatus.DRAFT:
            st.button("Send to review", key="decision_to_review", type="primary", icon=":material/rate_review:",
                      on_click=run_action, args=(_move, f"“{m.title}” is in review.", m.id, AssessmentStatus.REVIEW),
                      **needs(Role.CONTRIBUTOR))
        elif m.status == AssessmentStatus.REVIEW:
            st.button("Back to draft", key="decision_to_draft", icon=":material/undo:",
                      on_click=run_action, args=(_move, f"“{m.title}” is a draft again.", m.id, AssessmentStatus.DRAFT),
                      **needs(Role.CONTRIBUTOR))
            st.button("Finalise…", key="decision_finalise", type="primary", icon=":material/lock:",
                      on_click=_ask_to_finalise, args=(m.id,), **needs(Role.APPROVER))
            if st.session_state.get(CONFIRM_FINALISE) == m.id:
                _confirm_finalise(m.id, m.title)
        else:
            st.caption(f"Final since {m.finalized_at:%d %b %Y} (by {plain(m.finalized_by)}): frozen."
                       if m.finalized_at else "Final: frozen.")


# ---- outcome and sign-offs -------------------------------------------------------------------

def _record(session, assessment_id: int, computed: str) -> None:
    ss = st.session_state
    outcome, rationale = ss["decision_outcome"], ss.get("decision_rationale") or ""
    decisions_repo.record_decision(session, assessment_id=assessment_id, outcome=outcome, computed_outcome=computed,
                                   rationale=rationale, actor=acting_as(ss.get("decision_recorder")))


def record_outcome_form(report: ReportModel) -> None:
    if report.meta.status == AssessmentStatus.DRAFT:
        st.caption("Send the assessment to review to record the meeting's decision.")
        return
    computed = report.outcome
    with st.form("decision_record_form"):
        st.radio("Outcome", OUTCOMES, index=OUTCOMES.index(computed), key="decision_outcome", horizontal=True,
                 help=f"The computed outcome is {computed}. Another one is allowed, with its reason in the rationale.")
        st.text_area("Rationale", key="decision_rationale", max_chars=4000,
                     placeholder="Why the meeting decided this (required, above all when it differs)")
        if is_local_mode():
            st.text_input("Recorded by", key="decision_recorder", max_chars=200, placeholder="Name of the chair")
        st.form_submit_button("Record the decision", type="primary", key="decision_record_submit",
                              icon=":material/gavel:", on_click=run_action,
                              args=(_record, "Decision recorded.", report.meta.id, computed), **needs(Role.APPROVER))


def _sign(session, decision_id: int) -> None:
    ss = st.session_state
    name = ss.get("decision_sign_name") or ""
    decisions_repo.sign_off(session, decision_id=decision_id, role=ss["decision_sign_role"], name=name,
                            approve=ss.get("decision_sign_verdict", "approves") == "approves",
                            comment=ss.get("decision_sign_comment") or "", actor=acting_as(name))


def sign_off_form(report: ReportModel) -> None:
    recorded = report.recorded
    if recorded is None:
        return
    signed = {s.role for s in recorded.sign_offs}
    roles = [r for r in SIGN_OFF_ROLES if r not in signed]
    if not roles:
        st.caption("Every role has signed off.")
        return
    with st.form("decision_sign_form", clear_on_submit=True):
        role, name = st.columns(2)
        role.selectbox("Role", roles, key="decision_sign_role", format_func=str.capitalize)
        name.text_input("Name", key="decision_sign_name", max_chars=200, placeholder="Who signs for this role")
        st.radio("Sign-off", ["approves", "objects"], key="decision_sign_verdict", horizontal=True)
        st.text_input("Comment", key="decision_sign_comment", max_chars=1000)
        st.form_submit_button("Sign off", key="decision_sign_submit", icon=":material/draw:", on_click=run_action,
                              args=(_sign, "Sign-off recorded.", recorded.id), **needs(Role.APPROVER))
