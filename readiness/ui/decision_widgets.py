"""What the Go/No-Go page shows, sized to be read on a projector: the decision, its reasons and risks."""
from __future__ import annotations

import html

import streamlit as st

from readiness.reports.charts import OUTCOME_COLOURS, area_delta_figure
from readiness.reports.report import ReportModel, fmt_score, fmt_when
from readiness.store.decisions import SIGN_OFF_ROLES
from readiness.ui.text import plain, quote

MEETING_ROLES = SIGN_OFF_ROLES[:4]  # engineering, security, product, business owner
MEETING_CONTAINER = "decision_meeting"

# Streamlit names a keyed container's element `st-key-<key>`: larger type inside it only.
_PROJECTOR_CSS = f"""<style>
.st-key-{MEETING_CONTAINER} [data-testid="stMarkdownContainer"] p,
.st-key-{MEETING_CONTAINER} [data-testid="stMarkdownContainer"] li {{ font-size: 1.3rem !important; line-height: 1.5; }}
.st-key-{MEETING_CONTAINER} [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {{
  font-size: 3.2rem !important; line-height: 1.2; }}
.st-key-{MEETING_CONTAINER} h3 {{ font-size: 1.9rem; }}
</style>"""


def projector_style() -> None:
    st.markdown(_PROJECTOR_CSS, unsafe_allow_html=True)


def decision_badge(report: ReportModel) -> None:
    """The computed decision in its colour, as large as the page allows, and what the meeting recorded."""
    outcome = report.outcome
    status = "frozen: final assessment" if report.meta.is_final else f"live: {report.meta.status}"
    st.markdown(
        f'<div role="status" aria-label="decision" style="background:{OUTCOME_COLOURS[outcome]};color:#fff;'
        f'border-radius:16px;padding:20px 32px;margin-bottom:8px">'
        f'<div style="font-size:4.5rem;font-weight:800;line-height:1.05">{html.escape(outcome)}</div>'
        f'<div style="font-size:1.25rem;opacity:.92">computed from the answers and the evidence · '
        f'{html.escape(status)}</div></div>', unsafe_allow_html=True)
    recorded = report.recorded
    if recorded is not None:
        differs = ("" if recorded.outcome == recorded.computed_outcome
                   else f" over the computed {recorded.computed_outcome}")
        st.markdown(f"**Recorded by the meeting: {recorded.outcome}**{differs}, by {plain(recorded.recorded_by)} "
                    f"on {fmt_when(recorded.recorded_at)}.")


def key_figures(report: ReportModel) -> None:
    s = report.score
    overall, coverage, blockers, waivers = st.columns(4)
    overall.metric("Overall score", fmt_score(s.overall), border=True,
                   help=f"GO needs {s.thresholds.go_score:g} overall and every area at {s.thresholds.area_floor:g}.")
    coverage.metric("Evidence coverage", f"{fmt_score(s.coverage)}%", border=True,
                    help="Share of the evidence checks that could tell pass from fail.")
    blockers.metric("Open blockers", len(report.open_blockers), border=True,
                    help="Blockers neither fully met nor waived: each one alone means NO-GO.")
    waivers.metric("Active waivers", len(report.active_waivers), border=True,
                   help="Accepted risks, approved and not expired.")


def reasons(report: ReportModel) -> None:
    st.subheader("Why")
    st.markdown("\n".join(f"- {plain(reason)}" for reason in report.score.decision.reasons))


def blockers_table(report: ReportModel) -> None:
    st.subheader("Blockers")
    if not report.blockers:
        st.success("Every blocker is fully met.", icon=":material/check_circle:")
        return
    st.dataframe([{"Control": b.control_id, "Title": b.title, "Answer": b.answer, "Evidence": b.evidence,
                   "Owner": b.owner or "", "Waiver": b.waiver or "none"} for b in report.blockers],
                 hide_index=True, key="decision_blockers")


def active_waivers_table(report: ReportModel) -> None:
    st.subheader("Active waivers")
    if not report.active_waivers:
        st.caption("No active waiver.")
        return
    st.dataframe([{"Control": w.control_id, "Reason": w.reason, "Owner": w.owner, "Expires": w.expires_on,
                   "Relied on": w.relied_on} for w in report.active_waivers],
                 hide_index=True, key="decision_active_waivers",
                 column_config={"Reason": st.column_config.TextColumn("Reason", width="medium"),
                                "Relied on": st.column_config.CheckboxColumn(
                     "Relied on", help="The decision is a CONDITIONAL GO thanks to this waiver.")})


def since_last_final(report: ReportModel) -> None:
    st.subheader("Since the last final assessment")
    change = report.changes
    if change is None:
        st.caption("This is the first final assessment of this environment: nothing to compare with.")
        return
    delta = f" ({change.overall_delta:+})" if change.overall_delta is not None else ""
    st.markdown(f"Against **{plain(change.before.title)}**: overall {fmt_score(change.overall_before)} → "
                f"**{fmt_score(change.overall_after)}**{delta}; decision {change.outcome_before} → "
                f"{change.outcome_after}. {change.count('better')} control(s) better, "
                f"{change.count('worse')} worse.")
    st.plotly_chart(area_delta_figure(change, title=None), key="decision_deltas", config={"displayModeBar": False})
    if change.controls:
        st.dataframe([{"Control": c.control_id, "Title": c.title, "Before": c.before.label if c.before else "",
                       "After": c.after.label if c.after else "", "Moved": c.direction} for c in change.controls],
                     hide_index=True, key="decision_changes")
    else:
        st.caption("No control changed state.")


def recorded_decision(report: ReportModel) -> None:
    st.subheader("Recorded decision")
    recorded = report.recorded
    if recorded is None:
        st.caption("The meeting has not recorded a decision yet.")
        return
    st.markdown(f"**{recorded.outcome}** (computed {recorded.computed_outcome}), recorded by "
                f"{plain(recorded.recorded_by)} on {fmt_when(recorded.recorded_at)}.")
    st.markdown(quote(recorded.rationale))
    signed = {s.role: s for s in recorded.sign_offs}
    roles = list(MEETING_ROLES) + [r for r in signed if r not in MEETING_ROLES]
    st.dataframe([{"Role": role, "Name": signed[role].name if role in signed else "",
                   "Sign-off": ("approves" if signed[role].approve else "objects") if role in signed else "awaited",
                   "Comment": signed[role].comment if role in signed else ""} for role in roles],
                 hide_index=True, key="decision_sign_offs")

