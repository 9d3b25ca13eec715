"""The app's first visit on a fresh store opens on a prepared demo: simulated AWS, history and evidence."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

import readiness.demo
from readiness.demo.first_run import AUTOSTART_VAR
from readiness.demo.history import WEEKS
from readiness.demo.server import DemoUnavailable
from readiness.store import open_store, session_scope
from readiness.store import assessments as repo
from readiness.store.engine import ENV_VAR
from readiness.store.tables import AssessmentRow, EvidenceRunRow
from readiness.ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FIRST_VISIT_SECONDS = 300  # the simulation is built in this process: generous for a busy machine


def rows(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def statuses(at: AppTest) -> list[str]:
    return [block.label for block in at.status]


@dataclass
class FirstVisit:
    at: AppTest
    engine: Engine
    url: str
    statuses: list[str]
    metrics: dict[str, str]
    assessment_id: int | None


def wait_for_the_simulation_behind_the_page() -> None:
    for thread in threading.enumerate():
        if thread.name == "demo-start":
            thread.join(timeout=120)


@pytest.fixture(scope="module")
def prepared_store(tmp_path_factory):
    """A fresh store, opened once in the app with the demo's first run on, as `streamlit run app.py` does.

    Shared by the tests of this module (a first run builds the whole simulation); none of them changes it.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('first-visit') / 'readiness.db'}"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv(ENV_VAR, url)
        patch.setenv(AUTOSTART_VAR, "1")
        at = AppTest.from_file(APP, default_timeout=FIRST_VISIT_SECONDS).run()
    assert not at.exception, at.exception
    # What the first visit showed, kept before any test moves the app on.
    seen = FirstVisit(at=at, engine=open_store(url), url=url, statuses=statuses(at),
                      metrics={m.label: m.value for m in at.metric},
                      assessment_id=at.session_state[state.ASSESSMENT_ID])
    yield seen
    wait_for_the_simulation_behind_the_page()
    seen.engine.dispose()


@pytest.fixture
def first_visit(prepared_store, monkeypatch) -> "FirstVisit":
    """The first visit, with the environment of the server it ran in."""
    monkeypatch.setenv(ENV_VAR, prepared_store.url)
    monkeypatch.setenv(AUTOSTART_VAR, "1")
    return prepared_store


def test_a_fresh_store_opens_on_the_demo_with_its_history_and_evidence(first_visit):
    [label] = first_visit.statuses
    assert label.startswith("Demo ready in") and f"{2 * (WEEKS + 1)} assessments of history" in label
    with session_scope(first_visit.engine) as session:
        draft = repo.get_assessment(session, assessment_id=first_visit.assessment_id)
        platform = repo.platform_config(session, platform_id=draft.platform_id)
    assert platform.demo and (draft.environment, draft.status, draft.is_demo) == ("production", "draft", True)
    assert rows(first_visit.engine, AssessmentRow) == 2 * (WEEKS + 1)
    assert rows(first_visit.engine, EvidenceRunRow) == WEEKS + 1  # the weekly summaries and today's collection
    assert first_visit.metrics["Evidence coverage"] not in ("None yet", "—")
    assert first_visit.metrics["Overall score"] not in ("0.0", "—")  # answers carried over from last week

    at = first_visit.at
    history = at.switch_page("pages/history.py").run()
    assert not history.exception and history.get("plotly_chart")
    evidence = at.switch_page("pages/evidence.py").run()
    assert not evidence.exception
    assert not any("No evidence has been collected" in i.value for i in evidence.info)


def test_later_visits_and_restarts_do_not_prepare_the_demo_again(first_visit):
    store_engine = first_visit.engine
    assessments, runs = rows(store_engine, AssessmentRow), rows(store_engine, EvidenceRunRow)

    again = first_visit.at.run()  # a rerun of the same visit
    another = AppTest.from_file(APP, default_timeout=60).run()  # another visitor, same server
    assert statuses(again) == [] and statuses(another) == []

    st.cache_resource.clear()  # as after a restart of the server: the store has it all already
    restarted = AppTest.from_file(APP, default_timeout=60).run()
    wait_for_the_simulation_behind_the_page()

    assert not restarted.exception and statuses(restarted) == []
    assert (rows(store_engine, AssessmentRow), rows(store_engine, EvidenceRunRow)) == (assessments, runs)


def test_with_autostart_off_the_app_opens_on_the_store_as_it_is(app):
    assert statuses(app.at) == []
    assert app.at.session_state[state.ASSESSMENT_ID] is None
    assert rows(app.engine, AssessmentRow) == 0


def test_an_autostart_value_that_is_not_understood_is_shown_and_nothing_is_prepared(store_engine, launch_app,
                                                                                       monkeypatch):
    monkeypatch.setenv(AUTOSTART_VAR, "maybe")
    at = launch_app()

    assert any(f"{AUTOSTART_VAR}='maybe' is not understood" in w.value for w in at.warning)
    assert statuses(at) == [] and rows(store_engine, AssessmentRow) == 0


def test_a_simulation_that_cannot_start_is_shown_and_the_app_opens_on_the_history(store_engine, monkeypatch):
    def unavailable(platform=None, *, port=0):
        raise DemoUnavailable("MOTO_ACCOUNT_ID is set in the environment; unset it to run the demo.")

    monkeypatch.setattr(readiness.demo, "ensure_demo", unavailable)
    monkeypatch.setenv(AUTOSTART_VAR, "1")
    at = AppTest.from_file(APP, default_timeout=FIRST_VISIT_SECONDS).run()

    assert not at.exception, at.exception
    [status] = at.status
    assert status.label.startswith("The demo is partly prepared")
    assert any("unset it to run the demo" in line.value for line in status.markdown), [m.value for m in status.markdown]
    assert at.session_state[state.ASSESSMENT_ID] is not None  # this week's draft, from the history
    assert rows(store_engine, AssessmentRow) == 2 * (WEEKS + 1) and rows(store_engine, EvidenceRunRow) == WEEKS
