"""Drift: where one environment differs from the one it should match, side by side, kind by kind."""
from __future__ import annotations

import streamlit as st

from readiness.drift import drift_between
from readiness.evidence.model import Status
from readiness.evidence_charts import drift_by_kind
from readiness.ui import context, evidence_queries
from readiness.ui.findings_view import SHOWN_STATUS

selected = context.selection()
st.title("Drift")
if selected.platform_id is None:
    st.info("Register a platform first (Settings).", icon=":material/arrow_back:")
    st.stop()

platform = evidence_queries.platform(selected.platform_id)
pairs = [tuple(pair) for pair in platform.compare]
if not pairs:
    st.info(f"{platform.name} compares no environments. Add a compare pair in Settings, baseline first "
            "(for example staging → production).", icon=":material/compare_arrows:")
    st.stop()

if st.session_state.get("drift_pair") not in pairs:
    st.session_state["drift_pair"] = pairs[0]
st.selectbox("Compare", pairs, key="drift_pair", disabled=len(pairs) == 1,
             format_func=lambda p: f"{p[1]} against {p[0]} (its baseline)",
             help="Pairs come from the platform's settings: the baseline is what the target should match.")
baseline, target = st.session_state["drift_pair"]

runs = evidence_queries.runs(selected.platform_id)
if not runs:
    st.info("No evidence has been collected yet: collect it on the Evidence page, then come back.",
            icon=":material/cloud_off:")
    st.stop()
run = evidence_queries.run(runs[0].id)
report = drift_between(run.findings, baseline, target)

st.header(report.headline())
st.caption(f"From the evidence run of {run.started_at:%d %b %Y %H:%M} UTC. Names are compared with each environment's "
           f"prefix or path removed; {baseline} is the baseline {target} should match, apart from what differs "
           "by design (sizes, account ids).")
if not report.compared:
    st.info(f"The newest run did not compare {target} with {baseline}: collect evidence again on the Evidence page.",
            icon=":material/cloud_sync:")
    st.stop()

st.plotly_chart(drift_by_kind(report), key="drift_chart", config={"displayModeBar": False})

for kind in report.kinds:
    compared = kind.differing + kind.matching
    st.subheader(kind.kind, divider="gray")
    if kind.lines:
        colour = "red" if any(line.status == Status.FAIL for line in kind.lines) else "orange"
        st.markdown(f":{colour}-badge[{len(kind.lines)} difference{'s' if len(kind.lines) != 1 else ''}] "
                    f"in {kind.differing} of {compared} resource{'s' if compared != 1 else ''}"
                    + (f" · {kind.matching} alike" if kind.matching else ""))
        st.dataframe([{"Resource": line.name, "What differs": line.aspect, f"In {baseline}": line.baseline_value,
                       f"In {target}": line.target_value, "Status": SHOWN_STATUS[line.status]}
                      for line in kind.lines],
                     hide_index=True, width="stretch", key=f"drift_table_{kind.kind}", column_config={
                         "Resource": st.column_config.TextColumn("Resource", width="medium"),
                         "What differs": st.column_config.TextColumn("What differs", width="large"),
                         f"In {baseline}": st.column_config.TextColumn(f"In {baseline}", help="The baseline"),
                         f"In {target}": st.column_config.TextColumn(f"In {target}", help="The environment judged"),
                         "Status": st.column_config.TextColumn("Status", width="small"),
                     })
    elif compared:
        st.markdown(":green-badge[Alike] " + ("the one compared resource matches." if compared == 1
                                              else f"all {compared} compared resources match."))
    else:
        st.caption("Nothing of this kind was found to compare.")
    for reason in kind.unknown:
        st.warning(f"Could not compare: {reason}", icon=":material/help:")
