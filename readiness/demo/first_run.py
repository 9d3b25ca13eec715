"""The demo's first run on a store: its simulated AWS started, twelve weeks of history, and evidence collected once.

`prepare_demo()` is what the app runs on its first visit, so the README's one command opens on a demo
with trends and real findings. Every step looks before it acts, so running it again (a restart, a
second app instance) adds nothing; two first runs at once end with one history.
"""
from __future__ import annotations

import datetime as dt
import os
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
from readiness.store import assessments as repo
from readiness.store.engine import session_scope
from readiness.store.tables import EvidenceRunRow, InventoryRow, PlatformRow

AUTOSTART_VAR = "READINESS_DEMO_AUTOSTART"
_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}
# Who collects the demo's first evidence: a contributor, so the run leaves the stored platform settings alone.
FIRST_RUN_ACTOR = Actor(name="readiness (demo start)", role=Role.CONTRIBUTOR)

StepName = Literal["simulation", "history", "evidence"]
StepState = Literal["started", "finished", "skipped", "failed"]


@dataclass(frozen=True)
class StepEvent:
    """One step of the first run changing state, for a progress display: reported on the caller's thread."""

    platform: str
    step: StepName
    state: StepState
    detail: str = ""


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


def demo_platform_ids(session: Session) -> list[tuple[int, str]]:
    """The stored platforms marked demo: true, as (id, name)."""
    return [(row.id, row.name) for row in repo.list_platforms(session)
            if repo.platform_config(session, platform_id=row.id).demo]


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


def has_collected_evidence(session: Session, *, platform_id: int) -> bool:
    """Whether an evidence run of the platform read AWS (the simulation, for a demo): it stored inventories.

    The weekly runs of the demo history are summaries without inventories, so they do not count.
    """
    found = session.exec(
        select(InventoryRow.id).join(EvidenceRunRow, InventoryRow.run_id == EvidenceRunRow.id)
        .where(EvidenceRunRow.platform_id == platform_id, EvidenceRunRow.kind == "aws").limit(1)
    ).first()
    return found is not None


def prepare_demo(
    engine: Engine,
    *,
    on_step: Callable[[StepEvent], None] | None = None,
    collect_progress: Progress | None = None,
    today: dt.date | None = None,
    actor: Actor = FIRST_RUN_ACTOR,
) -> list[FirstRun]:
    """For every demo platform of the store: start its simulated AWS, seed its history if missing, and collect
    evidence if none was ever collected. The simulation starts while the history is written.

    Problems are reported per platform (`FirstRun.problems`), never raised: a failed step leaves the rest usable.
    """
    report = on_step or (lambda event: None)
    with session_scope(engine) as session:
        platforms = [(pid, name, repo.platform_config(session, platform_id=pid))
                     for pid, name in demo_platform_ids(session)]
    results = []
    for platform_id, name, platform in platforms:
        result = FirstRun(platform_id=platform_id, platform=name)
        simulation = _SimulationStart(platform)
        report(StepEvent(name, "simulation", "started", "Starting the simulated AWS on 127.0.0.1 and building "
                         "the estate in it"))
        simulation.start()
        _history_step(engine, result, report, today)
        simulation.join()
        result.seconds["simulation"] = simulation.seconds
        if simulation.problem:
            result.problems.append(simulation.problem)
            report(StepEvent(name, "simulation", "failed", simulation.problem))
            report(StepEvent(name, "evidence", "skipped", "No evidence without the simulated AWS."))
        else:
            report(StepEvent(name, "simulation", "finished", f"Simulated AWS running at {simulation.endpoint_url} "
                             f"(estate built in {simulation.seconds:.1f} s)"))
            _evidence_step(engine, result, report, collect_progress, actor)
        results.append(result)
    return results


class _SimulationStart(threading.Thread):
    """Starts (or finds) the simulated AWS on its own thread, while the caller's thread writes the history."""

    def __init__(self, platform) -> None:
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


def _history_step(engine: Engine, result: FirstRun, report: Callable[[StepEvent], None],
                  today: dt.date | None) -> None:
    report(StepEvent(result.platform, "history", "started", "Writing twelve weeks of past reviews (demo data)"))
    started = time.perf_counter()
    try:
        result.history_created = ensure_history(engine, platform_id=result.platform_id, today=today)
    except Exception as exc:  # noqa: BLE001 - reported; the rest of the first run goes on
        problem = f"The demo history could not be written: {type(exc).__name__}: {exc}"
        result.problems.append(problem)
        report(StepEvent(result.platform, "history", "failed", problem))
        return
    finally:
        result.seconds["history"] = time.perf_counter() - started
    if result.history_created:
        report(StepEvent(result.platform, "history", "finished", f"{result.history_created} past and current "
                         f"assessments written, marked as demo data ({result.seconds['history']:.1f} s)"))
    else:
        report(StepEvent(result.platform, "history", "skipped", "The demo history is there already"))


def _evidence_step(engine: Engine, result: FirstRun, report: Callable[[StepEvent], None],
                   progress: Progress | None, actor: Actor) -> None:
    from readiness.evidence.on_request import collect_now

    with session_scope(engine) as session:
        collected = has_collected_evidence(session, platform_id=result.platform_id)
    if collected:
        report(StepEvent(result.platform, "evidence", "skipped", "Evidence was collected before"))
        return
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
