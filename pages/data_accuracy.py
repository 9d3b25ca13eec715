"""Data accuracy: validate each environment's portfolio exports and see which portfolios are off, and by how much."""
from __future__ import annotations

import streamlit as st

from readiness.auth import Role
from readiness.dataflow import views
from readiness.dataflow.figures import differences_figure
from readiness.dataflow.schema import KINDS, ExportError
from readiness.dataflow.validate import validate_and_store
from readiness.errors import ReadinessError
from readiness.evidence.model import EvidenceRun
from readiness.store import assessments as platforms
from readiness.ui import auth, context, flash, store
from readiness.ui.text import plain
from readiness.yamlsource import ConfigError

REQUESTED = "data_run_requested"
STATUS_LABEL = {"pass": "Pass", "fail": "Fail", "warn": "Warn", "unknown": "Unknown", "error": "Error",
                "not_applicable": "n/a"}


@st.cache_data(ttl=300, max_entries=16, show_spinner=False)
def latest(url: str, version: int, platform_id: int) -> EvidenceRun | None:
    with store.transaction() as session:
        return views.latest_data_run(session, platform_id=platform_id)


selected = context.selection()
if selected.platform_id is None:
    st.title("Data accuracy")
    st.info("Pick a platform in the sidebar.", icon=":material/arrow_back:")
    st.stop()
try:
    with store.transaction() as session:
        platform = platforms.platform_config(session, platform_id=selected.platform_id)
except (ConfigError, ReadinessError) as exc:
    st.error(f"The platform's settings cannot be read: {plain(exc)}")
    st.stop()

st.title(f"Data accuracy: {platform.name}")
st.caption("Market values, totals, the roll-forward of positions, the valuation history, repeatable aggregation, "
           "and staging against production, all in exact decimals. The results are the evidence of the data-flow "
           "controls (DAT-01 to DAT-06) of this platform's assessments.")

names = [e.name for e in platform.environments]
with st.container(border=True):
    source = st.segmented_control("Exports", ["s3", "upload"], default="s3", key="data_source",
                                  format_func={"s3": "From each environment's S3 location",
                                               "upload": "Upload files"}.get)
    chosen = st.multiselect("Environments", names, default=names, key="data_environments")
    uploads: dict[str, list[tuple[str, bytes]]] | None = None
    if source == "upload":
        st.caption(f"Name each file after its export: {', '.join(f'{k}.csv' for k in KINDS)} (or .parquet).")
        uploads = {}
        for column, name in zip(st.columns(max(len(chosen), 1)), chosen):
            files = column.file_uploader(f"{name} exports", type=["csv", "parquet"], accept_multiple_files=True,
                                         key=f"data_upload_{name}")
            uploads[name] = [(f.name, f.getvalue()) for f in files or []]
    else:
        for env in platform.environments:
            if env.name in chosen:
                st.caption(f"{env.name}: {env.data.s3 or 'no data.s3 location in the platform config'}")
    latest_date = st.toggle("Latest as-of date in the exports", value=True, key="data_latest")
    as_of = None if latest_date else st.date_input("As-of date", key="data_as_of", format="YYYY-MM-DD")
    hint = auth.needs(Role.CONTRIBUTOR)
    # The click is remembered, not read from the button: a run that starts over must not lose it.
    st.button("Validate", type="primary", key="data_run", disabled=hint is not None or not chosen, help=hint,
              icon=":material/fact_check:", on_click=st.session_state.__setitem__, args=(REQUESTED, True))

if st.session_state.pop(REQUESTED, False):
    with st.status("Validating the exports…", expanded=True) as status:
        bar = st.progress(0.0)
        try:
            run = validate_and_store(store.engine(), platform=platform, actor=context.current_actor(), as_of=as_of,
                                     environments=chosen, uploads=uploads,
                                     progress=lambda done, step: bar.progress(min(done, 1.0), text=step))
        except ExportError as exc:
            status.update(label="The exports cannot be validated as given; nothing was stored.", state="error")
            st.markdown("\n".join(f"- {plain(problem)}" for problem in exc.problems))
        except (ConfigError, ReadinessError) as exc:
            status.update(label="The validation did not run.", state="error")
            st.error(plain(exc))
        else:
            status.update(label=f"Validated {', '.join(run.environments)} on {views.as_of(run)}: run stored.",
                          state="complete", expanded=False)
            flash.toast_later(f"Data accuracy run {run.id[:12]} stored.")
            st.rerun()

run = latest(store.store_url(), store.data_version(), selected.platform_id)
if run is None:
    st.info("No data-accuracy run yet for this platform: validate its exports above.", icon=":material/dataset:")
    st.stop()

summary = views.summarise(run)
at_fault = views.portfolios_at_fault(run)
st.subheader(f"Run of {run.started_at:%d %b %Y %H:%M} UTC, as of {views.as_of(run)}")
dated, failing, portfolios, sources = st.columns(4)
dated.metric("As of", str(views.as_of(run)), border=True)
failing.metric("Rules failing", sum(s.status.value == "fail" for s in summary), border=True,
               help="Rule and environment pairs with at least one failing finding.")
portfolios.metric("Portfolios at fault", len({f.resource for f in at_fault}), border=True,
                  help="Distinct portfolios named by a failing or warning finding, in any environment.")
sources.metric("Environments", len(run.environments), border=True, help=", ".join(run.environments))

st.markdown("**By rule**")
st.dataframe([{"Status": STATUS_LABEL[s.status.value], "Environment": s.where, "Rule": s.title, "Result": s.message,
               "At fault": s.portfolios_at_fault, "Checked": s.portfolios_checked} for s in summary],
             hide_index=True, key="data_summary", height="content")

differences = views.total_differences(run)
if differences:
    st.plotly_chart(differences_figure(differences), key="data_differences", config={"displayModeBar": False})

st.markdown("**Portfolios at fault**")
if not at_fault:
    st.success("Every portfolio passes every rule that could be checked.", icon=":material/check_circle:")
    st.stop()
st.dataframe([{"Status": STATUS_LABEL[f.status.value], "Portfolio": f.resource.removeprefix("portfolio:"),
               "Environment": f"{f.environment} vs {f.baseline}" if f.baseline else f.environment,
               "Rule": f.check.removeprefix("dataflow."), "What is wrong": f.message,
               "Rows": f.details.get("rows_at_fault")} for f in at_fault],
             hide_index=True, key="data_portfolios",
             column_config={"What is wrong": st.column_config.TextColumn(width="large")})

labels = {i: f"{f.resource.removeprefix('portfolio:')} · {f.environment} · {f.check.removeprefix('dataflow.')}"
          for i, f in enumerate(at_fault)}
picked = st.selectbox("Rows at fault of", list(labels), format_func=labels.get, key="data_detail")
finding = at_fault[picked]
st.caption(plain(finding.message))
st.dataframe(finding.details.get("rows", []), hide_index=True, key="data_rows")
if finding.details.get("rows_at_fault", 0) > len(finding.details.get("rows", [])):
    st.caption(f"The first {len(finding.details['rows'])} of {finding.details['rows_at_fault']:,} rows at fault.")
