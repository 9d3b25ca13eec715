"""The audit trail as a table: who changed what, when, from what to what."""
from __future__ import annotations

import streamlit as st

from readiness.ui.evidence_queries import AuditLine


def audit_table(events: list[AuditLine], *, key: str, empty: str) -> None:
    if not events:
        st.caption(empty)
        return
    st.dataframe([{"When": e.at, "Who": e.actor, "What": e.action, "On": f"{e.entity} {e.entity_id}",
                   "Before": e.before, "After": e.after} for e in events],
                 hide_index=True, width="stretch", key=key,
                 column_config={"When": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY, HH:mm:ss")})
