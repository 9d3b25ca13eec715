"""The demo's first run on a store: history seeded once (also when two start together), evidence collected once."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, func, select

import readiness.demo
from readiness.bootstrap import ensure_platforms
from readiness.demo.first_run import (
    AUTOSTART_VAR,
    autostart_enabled,
    demo_states,
    ensure_history,
    has_collected_evidence,
    prepare_demo,
)
from readiness.demo.history import WEEKS
from readiness.demo.server import DemoUnavailable
from readiness.errors import InvalidInput
from readiness.store import open_store, session_scope
from readiness.store.tables import AssessmentRow, AssessmentStatus, EvidenceRunRow

# Per environment: a final review a week, and this week's draft.
HISTORY_PER_PLATFORM = 2 * (WEEKS + 1)


@pytest.fixture
def store(tmp_path):
    """A fresh file store with the platform files registered, as the app's first start leaves it."""
    engine = open_store(f"sqlite:///{tmp_path / 'readiness.db'}")
    with session_scope(engine) as session:
        ensure_platforms(session)
    [state] = demo_states(engine)
    yield engine, state.platform_id
    engine.dispose()


def count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.mark.parametrize("value, expected", [(None, True), ("", True), ("1", True), ("yes", True), (" On ", True),
                                             ("0", False), ("false", False), ("NO", False), ("off", False)])
def test_autostart_is_on_unless_the_variable_turns_it_off(value, expected) -> None:
    assert autostart_enabled({} if value is None else {AUTOSTART_VAR: value}) is expected


def test_an_autostart_value_that_is_not_understood_is_refused_naming_the_variable() -> None:
    with pytest.raises(InvalidInput, match=f"{AUTOSTART_VAR}='maybe' is not understood"):
        autostart_enabled({AUTOSTART_VAR: "maybe"})


def test_the_history_is_seeded_once_however_often_it_is_asked_for(store) -> None:
    engine, platform_id = store
    assert ensure_history(engine, platform_id=platform_id) == HISTORY_PER_PLATFORM
    assert ensure_history(engine, platform_id=platform_id) == 0
    assert count(engine, AssessmentRow, AssessmentRow.is_demo == True) == HISTORY_PER_PLATFORM  # noqa: E712
    assert count(engine, AssessmentRow, AssessmentRow.status == AssessmentStatus.FINAL) == 2 * WEEKS
    assert count(engine, EvidenceRunRow) == WEEKS
    [state] = demo_states(engine)
    assert state.has_history and not state.has_evidence  # the weekly summaries read no AWS


def test_two_first_runs_at_once_leave_one_history(tmp_path, store) -> None:
    engine, platform_id = store
    url = engine.url.render_as_string(hide_password=False)
    engines = [open_store(url), open_store(url)]  # two app processes, each with its own connections
    together = threading.Barrier(2)
    created, failures = [], []

    def first_run(own) -> None:
        together.wait()
        try:
            created.append(ensure_history(own, platform_id=platform_id))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=first_run, args=(own,)) for own in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for own in engines:
        own.dispose()
    assert failures == []
    assert sorted(created) == [0, HISTORY_PER_PLATFORM]
    assert count(engine, AssessmentRow) == HISTORY_PER_PLATFORM


def test_the_first_run_writes_the_history_and_collects_evidence_once(store, estate) -> None:
    engine, platform_id = store
    steps = []

    first = prepare_demo(engine, on_step=lambda e: steps.append((e.step, e.state)))

    [result] = first
    assert result.problems == []
    assert result.history_created == HISTORY_PER_PLATFORM
    assert result.evidence_run_id is not None
    # The history and the simulation go on side by side, so either may end first; the evidence comes after both.
    assert steps[:2] == [("history", "started"), ("simulation", "started")]
    assert sorted(steps[2:4]) == [("history", "finished"), ("simulation", "finished")]
    assert steps[4:] == [("evidence", "started"), ("evidence", "finished")]
    with Session(engine) as session:
        assert has_collected_evidence(session, platform_id=platform_id)
        newest = session.exec(select(EvidenceRunRow).order_by(EvidenceRunRow.started_at.desc())).first()
        assert newest.id == result.evidence_run_id and newest.is_demo

    steps.clear()
    [again] = prepare_demo(engine, on_step=lambda e: steps.append((e.step, e.state)))
    assert (again.history_created, again.evidence_run_id, again.problems) == (0, None, [])
    assert steps == [("history", "skipped"), ("simulation", "started"), ("simulation", "finished"),
                     ("evidence", "skipped")]
    assert count(engine, AssessmentRow) == HISTORY_PER_PLATFORM
    assert count(engine, EvidenceRunRow) == WEEKS + 1


def test_a_simulation_that_cannot_start_is_reported_and_the_history_is_still_written(store, monkeypatch) -> None:
    engine, platform_id = store

    def unavailable(platform=None, *, port=0):
        raise DemoUnavailable("MOTO_ACCOUNT_ID is set in the environment; unset it to run the demo.")

    monkeypatch.setattr(readiness.demo, "ensure_demo", unavailable)
    steps = []

    [result] = prepare_demo(engine, on_step=steps.append)

    assert result.problems == ["MOTO_ACCOUNT_ID is set in the environment; unset it to run the demo."]
    assert result.history_created == HISTORY_PER_PLATFORM and result.evidence_run_id is None
    ended = {s.step: s for s in steps if s.state != "started"}
    assert {step: s.state for step, s in ended.items()} == {"simulation": "failed", "history": "finished",
                                                            "evidence": "skipped"}
    assert "MOTO_ACCOUNT_ID" in ended["simulation"].detail
