"""Small coloured labels shared by the pages: decisions, answers, evidence states, blockers."""
from __future__ import annotations

import streamlit as st

from readiness.scoring import AnswerValue, Decision, EvidenceState, Outcome

OUTCOME_COLOR = {Outcome.GO: "green", Outcome.CONDITIONAL_GO: "orange", Outcome.NO_GO: "red"}
OUTCOME_ICON = {Outcome.GO: ":material/check_circle:", Outcome.CONDITIONAL_GO: ":material/warning:",
                Outcome.NO_GO: ":material/block:"}
ANSWER_COLOR = {AnswerValue.MET: "green", AnswerValue.PARTIAL: "orange", AnswerValue.NOT_MET: "red",
                AnswerValue.UNANSWERED: "gray", AnswerValue.NOT_APPLICABLE: "blue"}
EVIDENCE_COLOR = {EvidenceState.VERIFIED: "green", EvidenceState.CONTRADICTED: "red",
                  EvidenceState.CAUTIONED: "orange", EvidenceState.UNVERIFIED: "violet",
                  EvidenceState.NO_EVIDENCE: "gray"}
EVIDENCE_HELP = {
    EvidenceState.VERIFIED: "Every finding of its checks passes.",
    EvidenceState.CONTRADICTED: "A check fails: the control counts for nothing until it is fixed.",
    EvidenceState.CAUTIONED: "A check warns: the control counts for at most half.",
    EvidenceState.UNVERIFIED: "Evidence could not be read (access denied, throttled, …): the answer stands unchecked.",
    EvidenceState.NO_EVIDENCE: "No evidence has been gathered for this control yet.",
}


def answer_badge(value: AnswerValue) -> None:
    st.badge(value.label, color=ANSWER_COLOR[value])


def evidence_badge(state: EvidenceState) -> None:
    st.badge(f"Evidence: {state.label.lower()}", icon=":material/fact_check:", color=EVIDENCE_COLOR[state],
             help=EVIDENCE_HELP[state])


def blocker_badge() -> None:
    st.badge("Blocker", icon=":material/block:", color="red",
             help="Unless fully met or waived, this control alone makes the decision NO-GO.")


def automated_badge() -> None:
    st.badge("Automated", icon=":material/bolt:", color="blue",
             help="Scored from evidence alone; answers are kept for the record.")


def decision_badge(outcome: Outcome | str) -> None:
    """The decision, large and in its colour."""
    outcome = Outcome(outcome)
    st.markdown(f"## :{OUTCOME_COLOR[outcome]}-background[{OUTCOME_ICON[outcome]} {outcome.value}]",
                text_alignment="right")


def decision_reasons(decision: Decision) -> None:
    """Every reason behind the decision, in the decision's colour."""
    outcome = Outcome(decision.outcome)
    box = {Outcome.GO: st.success, Outcome.CONDITIONAL_GO: st.warning, Outcome.NO_GO: st.error}[outcome]
    count = len(decision.reasons)
    lines = "\n".join(f"- {reason}" for reason in decision.reasons)
    box(f"**Why {outcome.value}** ({count} reason{'s' if count != 1 else ''})\n\n{lines}", icon=OUTCOME_ICON[outcome])
