"""Checklist: a team answers the controls area by area, saving each one as it goes."""
from __future__ import annotations

import streamlit as st

from readiness.scoring import AnswerValue, EvidenceState
from readiness.ui import context, queries
from readiness.ui.control_card import control_card
from readiness.ui.text import plain
from readiness.ui.worksheet import ANY_OWNER, UNASSIGNED, ControlFilter, answered_share, shown_controls

selected = context.selection()
if selected.assessment_id is None:
    st.title("Checklist")
    st.info("Pick an assessment in the sidebar, or start one there.", icon=":material/arrow_back:")
    st.stop()

sheet = queries.worksheet(selected.assessment_id)

st.title("Checklist")
st.caption(f"{plain(sheet.platform)} · {sheet.assessment.environment} · {plain(sheet.assessment.title)} "
           f"({sheet.assessment.status})")
if sheet.is_final:
    when = f" on {sheet.finalized_at:%d %b %Y}" if sheet.finalized_at else ""
    st.info(f"This assessment is final (by {plain(sheet.finalized_by or 'an approver')}{when}): its answers are read-only. "
            "Start a new assessment in the sidebar to change them.", icon=":material/lock:")

areas = {a.id: a.title for a in sheet.checklist.areas}
owners = [ANY_OWNER, UNASSIGNED, *sheet.owners()]
col_area, col_answer, col_evidence, col_owner = st.columns(4)
area = col_area.selectbox("Area", [None, *areas], format_func=lambda a: "All areas" if a is None else areas[a],
                          key="checklist_area_filter")
answers = col_answer.multiselect("Answer", list(AnswerValue), format_func=lambda v: AnswerValue(v).label,
                                 key="checklist_answer_filter", placeholder="Any answer")
evidence = col_evidence.multiselect("Evidence", list(EvidenceState), format_func=lambda v: EvidenceState(v).label,
                                    key="checklist_evidence_filter", placeholder="Any evidence")
if st.session_state.get("checklist_owner_filter") not in owners:
    st.session_state.pop("checklist_owner_filter", None)
owner = col_owner.selectbox("Owner", owners, format_func=lambda o: "Anyone" if o == ANY_OWNER else o,
                            key="checklist_owner_filter")
wanted = ControlFilter(area=area, answers=frozenset(answers), evidence=frozenset(evidence), owner=owner)

shown = shown_controls(sheet, wanted)
total_shown = sum(len(controls) for _, controls in shown)
st.caption(f"Showing {total_shown} of {len(sheet.checklist.controls())} controls."
           if wanted.active else f"{len(sheet.checklist.controls())} controls in {len(areas)} areas.")
if not shown:
    st.info("No control matches these filters.", icon=":material/filter_alt_off:")
    st.stop()

# Only the open tab runs (on_change="rerun"): one area's forms at a time keeps the page light.
tabs = st.tabs([a.title for a, _ in shown], key="checklist_area_tab", on_change="rerun")
for tab, (area_score, controls) in zip(tabs, shown):
    if not tab.open:
        continue
    with tab:
        answered, to_answer = answered_share(area_score)
        score_text = "not scored" if area_score.score is None else f"{area_score.score}"
        st.progress(answered / to_answer if to_answer else 1.0,
                    text=f"**{area_score.title}**: score {score_text} · {answered} of {to_answer} answered")
        for control in controls:
            control_card(control, sheet.score.control(control.id), sheet.answers.get(control.id),
                         assessment_id=sheet.assessment.id, read_only=sheet.is_final)
