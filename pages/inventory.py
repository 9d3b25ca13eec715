"""Estate: every service, database, queue, bucket and schedule of an environment, by component, as the evidence saw it."""
from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from readiness.inventory import UNASSIGNED, EstateRow, Unread, component_counts, estate_frame, estate_of_run
from readiness.ui import context, evidence_queries, store

KIND_LABELS = {"Service": "Services", "Database": "Databases", "Queue": "Queues", "Bucket": "Buckets",
               "Schedule": "Schedules"}


@st.cache_data(ttl=evidence_queries.TTL_SECONDS, max_entries=16, show_spinner="Reading the estate…")
def _estate(url: str, version: int, platform_id: int, run_id: str, environment: str,
            ) -> tuple[list[EstateRow], list[Unread]]:
    with Session(store.opened(url)[0]) as session:
        return estate_of_run(session, platform=evidence_queries.platform(platform_id), run_id=run_id,
                             environment=environment)


selected = context.selection()
if selected.platform_id is None or selected.environment is None:
    st.title("Estate")
    st.info("Pick a platform and an environment in the sidebar.", icon=":material/arrow_back:")
    st.stop()

platform = evidence_queries.platform(selected.platform_id)
st.title(f"Estate: {platform.name}, {selected.environment}")
runs = evidence_queries.runs(selected.platform_id)
if not runs:
    st.info("No evidence has been collected for this platform yet: collect it on the Evidence page, and the "
            "resources it reads are listed here.", icon=":material/cloud_off:")
    st.stop()

labels = {r.id: r.label for r in runs}
if st.session_state.get("estate_run") not in labels:
    st.session_state["estate_run"] = runs[0].id
if len(runs) > 1:
    st.selectbox("Evidence run", list(labels), format_func=labels.get, key="estate_run",
                 help="Newest first: the estate as each run found it.")
run_id = st.session_state["estate_run"]
rows, unread = _estate(store.store_url(), store.data_version(), selected.platform_id, run_id, selected.environment)

for problem in unread:
    st.warning(f"{problem.collector} could not be read in {problem.region}: {problem.reason}. Its resources are "
               "missing below.", icon=":material/visibility_off:")
if not rows:
    st.info(f"The evidence run of {labels[run_id]} found no service, database, queue, bucket or schedule in "
            f"{selected.environment}.", icon=":material/inventory_2:")
    st.stop()

counted = component_counts(rows)
totals = {kind: sum(c.get(kind, 0) for c in counted.values()) for kind in KIND_LABELS}
for column, (kind, label) in zip(st.columns(len(KIND_LABELS)), KIND_LABELS.items()):
    column.metric(label, totals[kind], border=True)
st.caption(f"{len(rows)} resources in {len(counted)} group(s), from the evidence run of {labels[run_id]}. "
           "Resources belong to a component by their Component tag, by the names of its services or by sharing "
           f"their Owner tag; the rest are under {UNASSIGNED}.")

kinds = sorted({r.kind for r in rows})
wanted = st.multiselect("Show", kinds, default=kinds, key="estate_kinds", placeholder="Every kind of resource")
frame = estate_frame(r for r in rows if r.kind in (wanted or kinds))
for index, (component, counts) in enumerate(counted.items()):
    part = frame[frame["Component"] == component].drop(columns=["Environment", "Component"])
    if part.empty:
        continue
    summary = ", ".join(f"{n} {kind if kind.isupper() else kind.lower()}{'s' if n > 1 else ''}"
                        for kind, n in counts.items())
    with st.expander(f"**{component}** · {summary}", expanded=component != UNASSIGNED, icon=":material/hub:"):
        st.dataframe(part, hide_index=True, width="stretch", key=f"estate_table_{index}",
                     column_config={"Resource": st.column_config.TextColumn("Resource", width="large")})

st.download_button("Download as CSV", frame.to_csv(index=False).encode("utf-8"),
                   file_name=f"estate-{selected.environment}.csv", mime="text/csv", key="estate_download",
                   icon=":material/download:")
