"""Drive the Streamlit app in-process with AppTest, on a fresh store per test."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from readiness.checklist import load_checklist
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.ui import state
from readiness.ui.control_card import widget_key

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = REPO_ROOT / "app.py"
CHECKLIST = load_checklist(REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml")


class Driver:
    """What a person does in the app, in words the tests can read."""

    def __init__(self, at: AppTest, engine: Engine):
        self.at = at
        self.engine = engine

    @property
    def assessment_id(self) -> int | None:
        return self.at.session_state[state.ASSESSMENT_ID]

    def start_assessment(self, title: str = "Go-live review", *, environment: str | None = None,
                         from_previous: bool = False) -> int:
        self.at.text_input(key=state.NEW_TITLE).set_value(title)
        if environment:
            self.at.selectbox(key=state.NEW_ENVIRONMENT).set_value(environment)
        self.at.checkbox(key=state.NEW_FROM_PREVIOUS).set_value(from_previous)
        self.at.button(key=state.NEW_SUBMIT).click().run()
        assert not self.at.exception
        return self.assessment_id

    def open(self, page: str) -> AppTest:
        self.at.switch_page(f"pages/{page}.py").run()
        assert not self.at.exception, self.at.exception
        return self.at

    def open_area(self, title: str) -> None:
        """On the checklist page: click the area's tab (only the open tab's controls are on the page)."""
        self.at.session_state["checklist_area_tab"] = title
        self.at.run()
        assert not self.at.exception, self.at.exception

    def answer(self, control_id: str, value: str, *, owner: str | None = None, note: str | None = None) -> None:
        """On the checklist page: open the control's area, fill in its form and press its Save button."""
        aid = self.assessment_id
        if control_id not in self.shown_controls():
            self.open_area(CHECKLIST.area_of(control_id).title)
        self.at.radio(key=widget_key("answer", aid, control_id)).set_value(value)
        if owner is not None:
            self.at.text_input(key=widget_key("owner", aid, control_id)).set_value(owner)
        if note is not None:
            self.at.text_area(key=widget_key("note", aid, control_id)).set_value(note)
        self.at.button(key=f"checklist_save_{aid}_{control_id}").click().run()
        assert not self.at.exception, self.at.exception

    def metric(self, label: str) -> str:
        return next(m.value for m in self.at.metric if m.label == label)

    def stored_answer(self, control_id: str):
        with session_scope(self.engine) as session:
            return repo.answers_for(session, assessment_id=self.assessment_id).get(control_id)

    def shown_controls(self) -> list[str]:
        """Ids of the controls whose answer form is on the page."""
        prefix = f"checklist_answer_{self.assessment_id}_"
        return [r.key.removeprefix(prefix) for r in self.at.radio if r.key and r.key.startswith(prefix)]


@pytest.fixture
def launch_app():
    """Open the app on whatever store READINESS_DATABASE_URL names."""
    def launch() -> AppTest:
        return AppTest.from_file(str(APP), default_timeout=60).run()
    return launch


@pytest.fixture
def app(store_engine: Engine, launch_app) -> Driver:
    """The app opened on a fresh store, on its landing page."""
    at = launch_app()
    assert not at.exception, at.exception
    return Driver(at, store_engine)
