"""Cached reads of the Evidence, Drift and Settings pages, keyed by the store's data version."""
from __future__ import annotations

import json

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from sqlmodel import Session

from readiness.assessment import checklist_for
from readiness.evidence_summary import RunChoice, RunView, run_choices, run_view
from readiness.platform import Platform
from readiness.store import assessments as repo
from readiness.store.audit import events_for
from readiness.ui import store

TTL_SECONDS = 300


@dataclass(frozen=True)
class PlatformLine:
    id: int
    name: str
    environments: tuple[str, ...]
    demo: bool
    updated_at: dt.datetime


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str = ""
    after: str = ""


def _session(url: str) -> Session:
    return Session(store.opened(url)[0])


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _runs(url: str, version: int, platform_id: int) -> list[RunChoice]:
    with _session(url) as session:
        return run_choices(session, platform_id=platform_id)


@st.cache_data(ttl=TTL_SECONDS, max_entries=16, show_spinner="Reading the evidence…")
def _run(url: str, version: int, run_id: str) -> RunView:
    with _session(url) as session:
        return run_view(session, run_id=run_id)


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _platform(url: str, version: int, platform_id: int) -> Platform:
    with _session(url) as session:
        return repo.platform_config(session, platform_id=platform_id)


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _platform_lines(url: str, version: int) -> list[PlatformLine]:
    with _session(url) as session:
        lines = []
        for row in repo.list_platforms(session):
            platform = repo.platform_config(session, platform_id=row.id)
            lines.append(PlatformLine(row.id, row.name, tuple(e.name for e in platform.environments), platform.demo,
                                      row.updated_at))
        return lines


def _change(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)[:500]


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _audit(url: str, version: int, platform_id: int | None, assessment_id: int | None = None) -> list[AuditLine]:
    with _session(url) as session:
        return [AuditLine(e.at, e.actor, e.action, e.entity, e.entity_id, _change(e.before), _change(e.after))
                for e in events_for(session, platform_id=platform_id, assessment_id=assessment_id, limit=200)]


def runs(platform_id: int) -> list[RunChoice]:
    """The platform's AWS evidence runs, newest first."""
    return _runs(store.store_url(), store.data_version(), platform_id)


def run(run_id: str) -> RunView:
    return _run(store.store_url(), store.data_version(), run_id)


def platform(platform_id: int) -> Platform:
    return _platform(store.store_url(), store.data_version(), platform_id)


def area_titles(platform_id: int) -> dict[str, str]:
    """Area id -> title, in the order of the platform's checklist."""
    return {a.id: a.title for a in checklist_for(platform(platform_id)).areas}


def platform_lines() -> list[PlatformLine]:
    return _platform_lines(store.store_url(), store.data_version())


def audit(platform_id: int) -> list[AuditLine]:
    """The platform's audit trail, newest first."""
    return _audit(store.store_url(), store.data_version(), platform_id)


def assessment_audit(assessment_id: int) -> list[AuditLine]:
    """One assessment's audit trail (answers, lifecycle, decision, sign-offs), newest first."""
    return _audit(store.store_url(), store.data_version(), None, assessment_id)
