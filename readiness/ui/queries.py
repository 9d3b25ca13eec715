"""Cached reads for the pages, keyed by the store, the ids asked for and the store's data version."""
from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from readiness import history
from readiness.ui import store
from readiness.ui.worksheet import AssessmentChoice, PlatformChoice, Worksheet, load_worksheet, platform_choices

# The data version already changes with every write; the time limit only bounds memory and picks
# up edits made to checklist files on disk.
TTL_SECONDS = 300


def _session(url: str) -> Session:
    return Session(store.opened(url)[0])


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _platforms(url: str, version: int) -> list[PlatformChoice]:
    with _session(url) as session:
        return platform_choices(session)


@st.cache_data(ttl=TTL_SECONDS, max_entries=128, show_spinner=False)
def _assessments(url: str, version: int, platform_id: int, environment: str) -> list[AssessmentChoice]:
    # The sidebar names them only: read without their frozen checklists and scores (see readiness.history).
    with _session(url) as session:
        return [AssessmentChoice(id=r.id, title=r.title, environment=r.environment, status=r.status,
                                 created_at=r.created_at)
                for r in history.assessment_refs(session, platform_id=platform_id, environment=environment)]


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner="Scoring…")
def _worksheet(url: str, version: int, assessment_id: int) -> Worksheet:
    with _session(url) as session:
        return load_worksheet(session, assessment_id=assessment_id)


def platforms() -> list[PlatformChoice]:
    return _platforms(store.store_url(), store.data_version())


def assessments(platform_id: int, environment: str) -> list[AssessmentChoice]:
    return _assessments(store.store_url(), store.data_version(), platform_id, environment)


def worksheet(assessment_id: int) -> Worksheet:
    return _worksheet(store.store_url(), store.data_version(), assessment_id)
