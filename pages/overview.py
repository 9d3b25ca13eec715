"""Overview: for leadership, is the environment ready, and if not, what stands in the way."""
from __future__ import annotations

import streamlit as st

from readiness.charts import area_radar
from readiness.ui import badges, context, queries
from readiness.ui.text import plain
from readiness.ui.worksheet import area_lines, needs_answer, open_blockers

selected = context.selection()
if selected.assessment_id is None:
    st.title("Overview")
    st.info("Pick an assessment in the sidebar, or start one there.", icon=":material/arrow_back:")
    st.stop()

sheet = queries.worksheet(selected.assessment_id)
score = sheet.score
blockers = open_blockers(score)
unanswered = [c for c in score.controls() if needs_answer(c)]

title, verdict = st.columns([4, 1], vertical_alignment="center")
title.title(f"{plain(sheet.platform)}: {sheet.assessment.environment}")
with verdict:
    badges.decision_badge(score.decision.outcome)
st.caption(f"{plain(sheet.assessment.title)} · {sheet.assessment.status} · started {sheet.assessment.created_at:%d %b %Y}"
           + (" · final: these numbers are frozen" if sheet.is_final else " · live: moves with every answer"))

overall, blocking, missing, coverage = st.columns(4)
overall.metric("Overall score", "—" if score.overall is None else f"{score.overall}", border=True,
               help=f"Out of 100. GO needs at least {score.thresholds.go_score:g} overall and every area at or "
                    f"above {score.thresholds.area_floor:g}.")
blocking.metric("Blockers not met", len(blockers), border=True,
                help="Blocker controls neither fully met nor waived: each one alone means NO-GO.")
missing.metric("Unanswered controls", len(unanswered), border=True,
               help="Controls nobody has answered yet; they count as not met.")
if sheet.evidence_runs:
    coverage.metric("Evidence coverage", "—" if score.coverage is None else f"{score.coverage:g}%", border=True,
                    help="Share of the evidence checks that could tell pass from fail.")
else:
    coverage.metric("Evidence coverage", "None yet", border=True,
                    help="No evidence run yet: collect evidence from AWS to check the answers.")

reasons, chart = st.columns([5, 6], gap="large")
with reasons:
    badges.decision_reasons(score.decision)
with chart:
    st.plotly_chart(area_radar(score), key="overview_radar", config={"displayModeBar": False})

st.subheader("By area")
st.dataframe(
    [{"Area": line.title, "Score": float(line.score) if line.score is not None else None, "Standing": line.standing,
      "Evidence coverage": float(line.coverage) if line.coverage is not None and sheet.evidence_runs else None,
      "Blockers open": line.blockers_open, "Unanswered": line.unanswered, "Controls": line.controls}
     for line in area_lines(score)],
    hide_index=True, key="overview_areas", placeholder="—",
    column_config={
        "Score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.1f",
                                                 help=f"Area floor {score.thresholds.area_floor:g}"),
        "Evidence coverage": st.column_config.NumberColumn("Evidence coverage", format="%.0f%%"),
    },
)
