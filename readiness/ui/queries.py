"""Cached reads for the pages, keyed by the store, the ids asked for and the store's data version."""
from __future__ import annotations

import functools

import streamlit as st
from sqlmodel import Session

from readiness import history
from readiness.platform import parse_platform
from readiness.store import assessments as repo
from readiness.ui import store
from readiness.ui.worksheet import AssessmentChoice, PlatformChoice, Worksheet, load_worksheet

# The data version already changes with every write; the time limit only bounds memory and picks
# up edits made to checklist files on disk.
TTL_SECONDS = 300


def _session(url: str) -> Session:
    return Session(store.opened(url)[0])


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _platforms(url: str, version: int) -> list[PlatformChoice]:
    with _session(url) as session:
        return [PlatformChoice(id=row.id, name=row.name, environments=environments, default_environment=default)
                for row in repo.list_platforms(session)
                for environments, default in [_environments_of(row.config_yaml)]]


@functools.lru_cache(maxsize=256)
def _environments_of(config_yaml: str) -> tuple[tuple[str, ...], str]:
    """A stored config's environment names and its production one. Reading a config with line-numbered
    checks costs milliseconds, and the sidebar lists every platform on each first view after a write: the
    answer depends on the text alone, so each text is read once per process."""
    platform = parse_platform(config_yaml, "stored platform")
    return tuple(env.name for env in platform.environments), platform.production().name


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
