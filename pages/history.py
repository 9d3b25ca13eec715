"""History: how the scores of an environment moved over time, and what changed between two assessments."""
from __future__ import annotations

import streamlit as st

from readiness.reports.charts import area_delta_figure, history_figure
from readiness.reports.report import fmt_score
from readiness.ui import context, meeting_queries, queries
from readiness.ui.text import plain

selected = context.selection()
if selected.platform_id is None or selected.environment is None:
    st.title("History")
    st.info("Pick a platform and an environment in the sidebar.", icon=":material/arrow_back:")
    st.stop()

platform = next(p.name for p in queries.platforms() if p.id == selected.platform_id)
st.title(f"History: {plain(platform)}, {selected.environment}")
final_only = st.toggle("Final assessments only", key="history_final_only",
                       help="Drafts and reviews show their live score; final assessments their frozen one.")
points = meeting_queries.series(selected.platform_id, selected.environment, final_only=final_only)
if not points:
    st.info("No assessment of this environment yet" + (" is final." if final_only else "."),
            icon=":material/history:")
    st.stop()

st.plotly_chart(history_figure(points, title=None), key="history_lines", config={"displayModeBar": False})
st.caption("The thick line is the overall score; large dots are final assessments in the colour of their "
           "decision, hollow ones are drafts and reviews.")

st.subheader("Decisions")
st.dataframe(
    [{"Date": p.assessment.created_at.date(), "Assessment": p.assessment.title, "Status": p.assessment.status,
      "Overall": float(p.overall) if p.overall is not None else None, "Computed": p.outcome,
      "Recorded": p.recorded_outcome or ""} for p in reversed(points)],
    hide_index=True, key="history_decisions",
    column_config={"Overall": st.column_config.ProgressColumn("Overall", min_value=0, max_value=100, format="%.1f"),
                   "Date": st.column_config.DateColumn("Date", format="YYYY-MM-DD")},
)

st.subheader("Compare two assessments")
if len(points) < 2:
    st.caption("A comparison needs two assessments.")
    st.stop()
labels = {p.assessment.id: f"{p.assessment.title} · {p.assessment.status} · {p.assessment.created_at:%d %b %Y}"
          for p in points}
ids = list(labels)
after_default = ids.index(selected.assessment_id) if selected.assessment_id in ids else len(ids) - 1
left, right = st.columns(2)
after_id = right.selectbox("Later", ids, index=after_default, format_func=labels.get, key="history_after")
before_choices = [i for i in ids if i != after_id]
finals_before = [p.assessment.id for p in points if p.assessment.is_final and p.assessment.id in before_choices
                 and ids.index(p.assessment.id) < ids.index(after_id)]
before_default = before_choices.index(finals_before[-1]) if finals_before else max(0, ids.index(after_id) - 1)
if st.session_state.get("history_before") not in before_choices:
    st.session_state.pop("history_before", None)
before_id = left.selectbox("Earlier", before_choices, index=min(before_default, len(before_choices) - 1),
                           format_func=labels.get, key="history_before")

change = meeting_queries.comparison(before_id, after_id)
overall, better, worse, decision = st.columns(4)
overall.metric("Overall", fmt_score(change.overall_after), border=True,
               delta=f"{change.overall_delta:+}" if change.overall_delta is not None else None)
better.metric("Controls better", change.count("better"), border=True)
worse.metric("Controls worse", change.count("worse"), border=True)
decision.metric("Decision", change.outcome_after, border=True,
                delta=None if change.outcome_after == change.outcome_before else f"was {change.outcome_before}",
                delta_color="off")

st.plotly_chart(area_delta_figure(change), key="history_deltas", config={"displayModeBar": False})
st.markdown("**Controls that changed state**")
if change.controls:
    st.dataframe([{"Control": c.control_id, "Title": c.title, "Blocker": c.blocker,
                   "Before": c.before.label if c.before else "—", "After": c.after.label if c.after else "—",
                   "Moved": c.direction} for c in change.controls],
                 hide_index=True, key="history_changes")
else:
    st.caption("No control changed state.")
