"""Cached reads of the Go/No-Go and History pages, keyed by the store's data version and the day."""
from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from readiness import assessment as service
from readiness import history
from readiness.reports.export import FORMATS
from readiness.reports.report import ReportModel, WaiverLine, build_report, environment_waivers
from readiness.store import session_scope
from readiness.ui import store

TTL_SECONDS = 300


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _session(url: str) -> Session:
    return Session(store.opened(url)[0])


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner="Preparing the meeting view…")
def _report(url: str, version: int, assessment_id: int, today: dt.date) -> ReportModel:
    with _session(url) as session:
        return build_report(session, assessment_id=assessment_id, today=today)


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner=False)
def _waivers(url: str, version: int, assessment_id: int, today: dt.date) -> list[WaiverLine]:
    with _session(url) as session:
        ctx = service.context(session, assessment_id=assessment_id)
        relied_on = set(service.current_score(session, assessment_id=assessment_id, today=today).decision.waivers)
        return environment_waivers(session, platform_id=ctx.assessment.platform_id,
                                   environment=ctx.assessment.environment, checklist=ctx.checklist,
                                   relied_on=relied_on, today=today)


@st.cache_data(ttl=TTL_SECONDS, max_entries=32, show_spinner="Scoring the history…")
def _series(url: str, version: int, platform_id: int, environment: str, final_only: bool,
            today: dt.date) -> list[history.ScorePoint]:
    with _session(url) as session:
        return history.score_series(session, platform_id=platform_id, environment=environment,
                                    final_only=final_only, today=today)


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner="Comparing…")
def _comparison(url: str, version: int, before_id: int, after_id: int, today: dt.date) -> history.Comparison:
    with _session(url) as session:
        return history.compare_assessments(session, before_id=before_id, after_id=after_id, today=today)


def report(assessment_id: int) -> ReportModel:
    return _report(store.store_url(), store.data_version(), assessment_id, _today())


def waivers(assessment_id: int) -> list[WaiverLine]:
    """Every waiver of the assessment's environment, in today's state."""
    return _waivers(store.store_url(), store.data_version(), assessment_id, _today())


def series(platform_id: int, environment: str, *, final_only: bool) -> list[history.ScorePoint]:
    return _series(store.store_url(), store.data_version(), platform_id, environment, final_only, _today())


def comparison(before_id: int, after_id: int) -> history.Comparison:
    return _comparison(store.store_url(), store.data_version(), before_id, after_id, _today())


def report_file(engine: Engine, assessment_id: int, fmt: str):
    """A no-argument function that renders the report when the download button is pressed.

    It runs outside the page's script thread, so it takes the engine rather than reading Streamlit's caches.
    """
    def render() -> bytes:
        with session_scope(engine) as session:
            model = build_report(session, assessment_id=assessment_id)
        return FORMATS[fmt].render(model)

    return render
