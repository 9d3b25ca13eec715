"""The demo's first run on a store: its simulated AWS started, twelve weeks of history, and evidence collected once.

`prepare_demo()` is what the app runs on its first visit, so the README's one command opens on a demo
with trends and real findings. Every step looks before it acts, so running it again (a restart, a
second app instance) adds nothing; two first runs at once end with one history.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Literal, Mapping

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from readiness.auth import Actor, Role
from readiness.demo.history import has_demo_history, seed_history
from readiness.errors import InvalidInput, ReadinessError
from readiness.evidence.runner import Progress
from readiness.platform import REPO_ROOT, Platform
from readiness.store import assessments as repo
from readiness.store.engine import ENV_VAR, database_url, make_engine, session_scope
from readiness.store.tables import EvidenceRunRow, InventoryRow, PlatformRow

AUTOSTART_VAR = "READINESS_DEMO_AUTOSTART"
_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}
# Who collects the demo's first evidence: a contributor, so the run leaves the stored platform settings alone.
FIRST_RUN_ACTOR = Actor(name="readiness (demo start)", role=Role.CONTRIBUTOR)
POLL_SECONDS = 0.1

StepName = Literal["simulation", "history", "evidence"]
StepState = Literal["started", "finished", "skipped", "failed"]


@dataclass(frozen=True)
class StepEvent:
    """One step of the first run changing state, for a progress display: reported on the caller's thread."""

    platform: str
    step: StepName
    state: StepState
    detail: str = ""


@dataclass(frozen=True)
class DemoState:
    """What a stored demo platform already has."""

    platform_id: int
    platform: str
    config: Platform
    has_history: bool
    has_evidence: bool

    @property
    def complete(self) -> bool:
        return self.has_history and self.has_evidence


@dataclass
class FirstRun:
    """What the first run did for one demo platform, and how long each step took."""

    platform_id: int
    platform: str
    history_created: int = 0  # assessments added; 0 when the history was there already
    evidence_run_id: str | None = None  # the run collected now; None when evidence was there already
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def autostart_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the app prepares the demo on its first visit: on unless READINESS_DEMO_AUTOSTART says off."""
    value = (os.environ if environ is None else environ).get(AUTOSTART_VAR, "").strip().lower()
    if not value or value in _ON:
        return True
    if value in _OFF:
        return False
    raise InvalidInput(f"{AUTOSTART_VAR}={value!r} is not understood: use 1 to prepare the demo on the first "
                       "visit (the default) or 0 not to.")


def demo_states(engine: Engine) -> list[DemoState]:
    """Every stored platform marked demo: true, with what it already has."""
    with session_scope(engine) as session:
        states = []
        for row in repo.list_platforms(session):
            config = repo.platform_config(session, platform_id=row.id)
            if config.demo:
                states.append(DemoState(row.id, row.name, config, has_demo_history(session, platform_id=row.id),
                                        has_collected_evidence(session, platform_id=row.id)))
        return states


def has_collected_evidence(session: Session, *, platform_id: int) -> bool:
    """Whether an evidence run of the platform read AWS (the simulation, for a demo): it stored inventories.

    The weekly runs of the demo history are summaries without inventories, so they do not count.
    """
    found = session.exec(
        select(InventoryRow.id).join(EvidenceRunRow, InventoryRow.run_id == EvidenceRunRow.id)
        .where(EvidenceRunRow.platform_id == platform_id, EvidenceRunRow.kind == "aws").limit(1)
    ).first()
    return found is not None


def ensure_history(engine: Engine, *, platform_id: int, today: dt.date | None = None) -> int:
    """Seed the demo history of the platform unless it has one; the number of assessments created (0 if there).

    One transaction. Safe when two first runs meet: the second waits for the first, then finds its history.
    """
    with session_scope(engine) as session:
        _hold_platform(session, platform_id)
        if has_demo_history(session, platform_id=platform_id):
            return 0
        return len(seed_history(session, platform_id=platform_id, today=today))


def _hold_platform(session: Session, platform_id: int) -> None:
    # A write that changes nothing, before anything is read: it takes the platform's row lock
    # (PostgreSQL) or the database's write lock (SQLite) for the rest of the transaction, so a
    # concurrent first run waits here and then sees the history this one commits.
    session.connection().execute(
        update(PlatformRow).where(PlatformRow.id == platform_id).values(updated_at=PlatformRow.updated_at))


def prepare_demo(
    engine: Engine,
    *,
    on_step: Callable[[StepEvent], None] | None = None,
    collect_progress: Progress | None = None,
    today: dt.date | None = None,
    actor: Actor = FIRST_RUN_ACTOR,
) -> list[FirstRun]:
    """For every demo platform of the store: start its simulated AWS, seed its history if missing, and collect
    evidence if none was ever collected. Progress is reported on the caller's thread.

    A missing history is written by a process of its own while the simulation starts: both keep a core
    busy, and one Python process runs on one core at a time. Problems are reported per platform
    (`FirstRun.problems`), never raised: a failed step leaves the rest usable.
    """
    report = on_step or (lambda event: None)
    return [_prepare_one(engine, state, report, collect_progress, today, actor) for state in demo_states(engine)]


def _prepare_one(engine: Engine, state: DemoState, report: Callable[[StepEvent], None],
                 collect_progress: Progress | None, today: dt.date | None, actor: Actor) -> FirstRun:
    name = state.platform
    result = FirstRun(platform_id=state.platform_id, platform=name)
    history = None
    if state.has_history:
        report(StepEvent(name, "history", "skipped", "The demo history is there already"))
    else:
        report(StepEvent(name, "history", "started", "Writing twelve weeks of past reviews (demo data)"))
        history = _HistoryWriting(engine, state.platform_id, today)
    report(StepEvent(name, "simulation", "started", "Starting the simulated AWS on 127.0.0.1 and building the "
                     "estate in it"))
    simulation = _SimulationStart(state.config)
    simulation.start()
    # Each of the two is reported as it ends. The evidence waits for both: its run is stored in the
    # same database, which the history's one transaction holds until it is written.
    while simulation.is_alive():
        simulation.join(timeout=POLL_SECONDS)
        if history is not None and not history.reported and history.done():
            history.finish(result, report)
    _report_simulation(simulation, result, report)
    if history is not None and not history.reported:
        history.finish(result, report)  # waits for its process, or writes it here
    if simulation.problem:
        if not state.has_evidence:
            report(StepEvent(name, "evidence", "skipped", "No evidence without the simulated AWS."))
    elif state.has_evidence:
        report(StepEvent(name, "evidence", "skipped", "Evidence was collected before"))
    else:
        _collect(engine, result, report, collect_progress, actor)
    return result


def _report_simulation(simulation: "_SimulationStart", result: FirstRun, report: Callable[[StepEvent], None]) -> None:
    result.seconds["simulation"] = simulation.seconds
    if simulation.problem:
        result.problems.append(simulation.problem)
        report(StepEvent(result.platform, "simulation", "failed", simulation.problem))
    else:
        report(StepEvent(result.platform, "simulation", "finished", f"Simulated AWS running at "
                         f"{simulation.endpoint_url} (estate built in {simulation.seconds:.1f} s)"))


class _HistoryWriting:
    """The history being written by a process of its own; in the caller's process when that cannot be."""

    def __init__(self, engine: Engine, platform_id: int, today: dt.date | None) -> None:
        self.engine, self.platform_id, self.today = engine, platform_id, today
        self.started = time.perf_counter()
        self.reported = False
        self.process: subprocess.Popen[str] | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return  # a store in this process's memory: no other process can reach it
        # A fresh interpreter rather than multiprocessing: a web app's script can stand in for
        # __main__, and multiprocessing would run it again in the child. The URL goes through the
        # environment, where a password in it is not shown to everyone listing processes.
        environ = {**os.environ, ENV_VAR: url.render_as_string(hide_password=False)}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(platform_id), today.isoformat() if today else ""],
                cwd=REPO_ROOT, env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
        except OSError:
            self.process = None  # no process to spare: written here once the simulation has started

    def done(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def _written(self) -> int:
        if self.process is None:
            return ensure_history(self.engine, platform_id=self.platform_id, today=self.today)
        out, err = self.process.communicate()
        if self.process.returncode == 0:
            return int(out.strip().splitlines()[-1])
        said = (err.strip().splitlines() or [f"it stopped with exit code {self.process.returncode}"])[-1]
        raise ReadinessError(f"the process writing it failed: {said}")

    def finish(self, result: FirstRun, report: Callable[[StepEvent], None]) -> None:
        self.reported = True
        try:
            result.history_created = self._written()
        except Exception as exc:  # noqa: BLE001 - reported; the rest of the first run goes on
            problem = f"The demo history could not be written: {exc if isinstance(exc, ReadinessError) else repr(exc)}"
            result.problems.append(problem)
            report(StepEvent(result.platform, "history", "failed", problem))
            return
        finally:
            result.seconds["history"] = time.perf_counter() - self.started
        if result.history_created:
            report(StepEvent(result.platform, "history", "finished", f"{result.history_created} past and current "
                             f"assessments written, marked as demo data ({result.seconds['history']:.1f} s)"))
        else:
            report(StepEvent(result.platform, "history", "skipped", "The demo history is there already"))


class _SimulationStart(threading.Thread):
    """Starts (or finds) the simulated AWS on its own thread, while the caller's thread reports progress."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(name="demo-simulation", daemon=True)
        self.platform = platform
        self.endpoint_url: str | None = None
        self.problem: str | None = None
        self.seconds = 0.0

    def run(self) -> None:
        from readiness.demo import ensure_demo

        started = time.perf_counter()
        try:
            self.endpoint_url = ensure_demo(self.platform).endpoint_url
        except ReadinessError as exc:  # DemoUnavailable says why, in words
            self.problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - the first run reports; the app stays usable
            self.problem = f"The simulated AWS of the demo did not start: {type(exc).__name__}: {exc}"
        self.seconds = time.perf_counter() - started


def _collect(engine: Engine, result: FirstRun, report: Callable[[StepEvent], None], progress: Progress | None,
             actor: Actor) -> None:
    from readiness.evidence.on_request import collect_now

    report(StepEvent(result.platform, "evidence", "started", "Collecting evidence from the simulated AWS (read-only)"))
    started = time.perf_counter()
    try:
        run = collect_now(engine, platform_id=result.platform_id, actor=actor, progress=progress)
    except Exception as exc:  # noqa: BLE001 - reported; the history is still there to look at
        problem = (str(exc) if isinstance(exc, ReadinessError)
                   else f"Evidence was not collected: {type(exc).__name__}: {exc}")
        result.problems.append(problem)
        report(StepEvent(result.platform, "evidence", "failed", problem))
        return
    finally:
        result.seconds["evidence"] = time.perf_counter() - started
    result.evidence_run_id = run.id
    report(StepEvent(result.platform, "evidence", "finished", f"{len(run.findings)} findings from {run.checks} checks, "
                     f"{run.api_calls} API calls ({result.seconds['evidence']:.1f} s)"))


def _write_history_here(argv: list[str]) -> int:
    """The history's own process: `python -m readiness.demo.first_run PLATFORM_ID [TODAY]`, on the store
    named by READINESS_DATABASE_URL; prints the number of assessments created."""
    platform_id, today = int(argv[0]), dt.date.fromisoformat(argv[1]) if len(argv) > 1 and argv[1] else None
    engine = make_engine(database_url())
    try:
        print(ensure_history(engine, platform_id=platform_id, today=today))
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(_write_history_here(sys.argv[1:]))
