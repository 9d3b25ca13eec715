"""The Evidence page's parts: the run's summary, the filters, findings by area and check, what could not be read."""
from __future__ import annotations

import streamlit as st

from readiness.evidence.model import Finding, Severity, Status
from readiness.evidence_charts import STATUS_LABELS
from readiness.evidence_summary import STATUS_ORDER, AreaGroup, CheckGroup, FindingFilter, RunView, coverage
from readiness.scoring import status_counts

BADGE_COLOUR = {Status.FAIL: "red", Status.ERROR: "violet", Status.WARN: "orange", Status.UNKNOWN: "violet",
                Status.PASS: "green", Status.NOT_APPLICABLE: "gray"}
SHOWN_STATUS = {Status.FAIL: "✖ fail", Status.ERROR: "✖ error", Status.WARN: "▲ warn",
                Status.UNKNOWN: "? unknown", Status.PASS: "✔ pass", Status.NOT_APPLICABLE: "– n/a"}
SEVERITY_COLOUR = {Severity.CRITICAL: "red", Severity.HIGH: "red", Severity.MEDIUM: "orange", Severity.LOW: "blue",
                   Severity.INFO: "gray"}
ALL = "All"


def status_badge(status: Status, text: str | None = None) -> str:
    """A status as an inline badge for markdown and labels."""
    return f":{BADGE_COLOUR[status]}-badge[{text or STATUS_LABELS[status]}]"


def worst_first(counts: dict[str, int]) -> list[tuple[Status, int]]:
    return sorted(((Status(s), n) for s, n in counts.items()), key=lambda item: STATUS_ORDER[item[0]])


def counts_text(counts: dict[str, int]) -> str:
    return " ".join(status_badge(s, f"{n} {STATUS_LABELS[s].lower()}") for s, n in worst_first(counts))


def summary(run: RunView) -> None:
    """Coverage and counts, then when the run was and what it cost."""
    share = coverage(run.findings)
    counts = status_counts(run.findings)
    told, failing, blind, unread = st.columns(4)
    told.metric("Evidence coverage", "—" if share is None else f"{share:.1f}".removesuffix(".0") + "%", border=True,
                help="Share of the checks run that could tell pass from fail (per environment). "
                     "The rest could not read what they needed.")
    failing.metric("Failing findings", counts.get("fail", 0) + counts.get("error", 0), border=True,
                   help="Findings that contradict an answer: each caps its control at 0.")
    blind.metric("Could not tell", counts.get("unknown", 0), border=True,
                 help="Findings whose evidence could not be read: their controls stay unverified.")
    unread.metric("Inventories unread", len(run.unread), border=True,
                  help="Service reads that were denied, throttled or timed out (listed at the bottom).")
    seconds = f" in {run.seconds:.1f} s" if run.seconds is not None else ""
    st.caption(f"Run of {run.started_at:%d %b %Y %H:%M} UTC by {run.started_by}{seconds} · {run.checks} checks · "
               f"{run.api_calls} API calls · {run.inventories_read} inventories read · "
               f"environments: {', '.join(run.environments)}"
               + (" · from the demo's simulated AWS" if run.is_demo else ""))
    st.markdown(counts_text(counts))


def filters(run: RunView, area_titles: dict[str, str], default_environment: str | None) -> FindingFilter:
    areas = [a for a in area_titles if any(f.area == a for f in run.findings)]
    envs = [ALL, *run.environments]
    env_col, status_col, severity_col, area_col = st.columns(4)
    if st.session_state.get("evidence_environment_filter") not in envs:
        st.session_state["evidence_environment_filter"] = (default_environment if default_environment in envs
                                                           else ALL)
    environment = env_col.selectbox("Environment", envs, key="evidence_environment_filter",
                                    format_func=lambda e: "All environments" if e == ALL else e)
    statuses = status_col.multiselect("Status", list(Status), format_func=lambda s: STATUS_LABELS[Status(s)],
                                      key="evidence_status_filter", placeholder="Any status")
    severities = severity_col.multiselect("Severity", list(Severity), format_func=lambda s: Severity(s).capitalize(),
                                          key="evidence_severity_filter", placeholder="Any severity")
    area = area_col.selectbox("Area", [ALL, *areas], key="evidence_area_filter",
                              format_func=lambda a: "All areas" if a == ALL else area_titles[a])
    return FindingFilter(environment=None if environment == ALL else environment, statuses=frozenset(statuses),
                         severities=frozenset(severities), area=None if area == ALL else area)


def grouped(groups: list[AreaGroup]) -> None:
    for area in groups:
        st.subheader(area.title, divider="gray")
        st.markdown(counts_text(area.counts))
        for check in area.checks:
            _check(check)


def _check(check: CheckGroup) -> None:
    tally = " · ".join(f"{n} {STATUS_LABELS[s].lower()}" for s, n in worst_first(check.counts))
    label = (f"{status_badge(check.worst)} **{check.title}** · {tally} "
             f":{SEVERITY_COLOUR[check.severity]}-badge[{check.severity.value} severity]")
    with st.expander(label, expanded=False, key=f"evidence_check_{check.check}"):
        if check.good:
            st.markdown(f":material/verified: **What good looks like.** {check.good}")
        st.caption(f"Check `{check.check}` · {len(check.findings)} finding{'s' if len(check.findings) != 1 else ''}, "
                   "one per resource")
        table(check.findings, key=f"evidence_table_{check.check}")


def table(findings: list[Finding], *, key: str) -> None:
    compares = any(f.baseline for f in findings)
    rows = [{"Status": SHOWN_STATUS[f.status], "Message": f.message, "Resource": f.resource,
             "Environment": f.environment, **({"Compared with": f.baseline or ""} if compares else {})}
            for f in findings]
    st.dataframe(rows, hide_index=True, key=key, width="stretch", column_config={
        "Status": st.column_config.TextColumn("Status", width="small"),
        "Message": st.column_config.TextColumn("Message", width="large"),
        "Resource": st.column_config.TextColumn("Resource", width="medium",
                                                help="The ARN where AWS has one, else the resource's name"),
    })


def unread(run: RunView) -> None:
    st.subheader("What could not be read", divider="gray")
    if not run.unread:
        st.success("Every inventory was read.", icon=":material/check_circle:")
        return
    st.caption("The checks that need these inventories say *unknown*: fix the access (see Settings → Test "
               "connection) and collect again.")
    st.dataframe([{"Environment": u.environment, "Region": u.region, "Collector": u.collector,
                   "Account": u.account or "", "Why": u.reason} for u in run.unread],
                 hide_index=True, key="evidence_unread", width="stretch",
                 column_config={"Why": st.column_config.TextColumn("Why", width="large")})
