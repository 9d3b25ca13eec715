"""A run interrupted while it collects or while it is stored leaves the previous run, its findings and the trail."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from fault_estate import estate_platform
from sqlalchemy.exc import StatementError

from readiness.auth import LOCAL_USER
from readiness.evidence.collecting import COLLECTORS, all_collectors
from readiness.evidence.model import EvidenceRun, Finding, InventoryRecord, Status
from readiness.evidence.runner import ProgressEvent
from readiness.evidence.service import collect_and_store, store_run
from readiness.platform import REPO_ROOT
from readiness.store import assessments as platforms_repo
from readiness.store import session_scope
from readiness.store.audit import event_count, verify_chain
from readiness.store.evidence import findings_for, inventories_for, latest_run, list_runs

EARLIER = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def stored_run(at: dt.datetime, *, findings: int = 40, status: Status = Status.PASS) -> EvidenceRun:
    """A run as collection leaves it: inventories read, and a finding per parameter."""
    return EvidenceRun(
        platform=estate_platform().name, environments=["production"], started_at=at, finished_at=at, api_calls=3,
        checks=1,
        inventories=[InventoryRecord(environment="production", region="us-east-1", collector="ssm", payload={
            "parameters": []})],
        findings=[Finding(check="environment.ssm_parity", area="environment", controls=["ENV-02"],
                          environment="production", baseline="staging", resource=f"/nw/production/p{i}",
                          status=status, message=f"parameter p{i} matches staging") for i in range(findings)],
    )


@dataclasses.dataclass
class Snapshot:
    """What the store holds of the platform's evidence: enough to see that nothing changed."""

    latest: str | None
    runs: list[str]
    findings: list[Finding]
    audit_events: int
    audit_trail_intact: bool


def snapshot(engine) -> Snapshot:
    with session_scope(engine) as session:
        platform = platforms_repo.platform_by_name(session, name=estate_platform().name)
        latest = latest_run(session, platform_id=platform.id) if platform else None
        runs = [r.id for r in list_runs(session, platform_id=platform.id)] if platform else []
        return Snapshot(latest=latest.id if latest else None, runs=runs,
                        findings=findings_for(session, run_ids=runs), audit_events=event_count(session),
                        audit_trail_intact=verify_chain(session).intact)


def nothing_of(engine, run: EvidenceRun) -> bool:
    with session_scope(engine) as session:
        return not findings_for(session, run_ids=[run.id]) and not inventories_for(session, run_id=run.id)


@pytest.fixture
def previous(store_engine) -> tuple[EvidenceRun, Snapshot]:
    run = stored_run(EARLIER)
    store_run(store_engine, estate_platform(), run, LOCAL_USER)
    before = snapshot(store_engine)
    assert before.latest == run.id and len(before.findings) == 40 and before.audit_trail_intact
    return run, before


# ---- storage failing midway --------------------------------------------------------------------------

def test_a_finding_that_cannot_be_stored_leaves_the_previous_run_as_it_was(store_engine, previous):
    _, before = previous
    broken = stored_run(EARLIER + dt.timedelta(hours=1), status=Status.FAIL)
    # The last finding carries a value the database cannot hold: the run row and inventories are already written.
    last = broken.findings[-1].model_copy(update={"details": {"seen": object()}})
    broken = broken.model_copy(update={"findings": [*broken.findings[:-1], last]})
    with pytest.raises(StatementError):
        store_run(store_engine, estate_platform(), broken, LOCAL_USER)
    assert snapshot(store_engine) == before
    assert nothing_of(store_engine, broken)


@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()],
                         ids=["error", "keyboard_interrupt"])
def test_an_interruption_after_every_row_is_written_leaves_the_previous_run_as_it_was(
        interruption, store_engine, previous, monkeypatch):
    _, before = previous

    def interrupted(*args, **kwargs):  # the last step of the save: every row of the run is flushed by now
        raise interruption

    monkeypatch.setattr("readiness.store.evidence.append_event", interrupted)
    newer = stored_run(EARLIER + dt.timedelta(hours=1), status=Status.FAIL)
    with pytest.raises(type(interruption)):
        store_run(store_engine, estate_platform(), newer, LOCAL_USER)
    assert snapshot(store_engine) == before
    assert nothing_of(store_engine, newer)


KILLED_WHILE_SAVING = textwrap.dedent("""
    import sys, time
    import readiness.store.evidence as evidence
    from readiness.auth import LOCAL_USER
    from readiness.evidence.model import EvidenceRun
    from readiness.evidence.service import store_run
    from readiness.platform import Platform
    from readiness.store import open_store

    def stalled(*args, **kwargs):
        print("midway", flush=True)
        time.sleep(60)

    evidence.append_event = stalled
    platform = Platform.model_validate_json(sys.argv[2])
    store_run(open_store(sys.argv[1]), platform, EvidenceRun.model_validate_json(sys.stdin.read()), LOCAL_USER)
""")


def test_a_process_killed_while_saving_leaves_the_previous_run_as_it_was(store_engine, database_url, previous):
    _, before = previous
    newer = stored_run(EARLIER + dt.timedelta(hours=1), findings=2_000, status=Status.FAIL)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WHILE_SAVING, database_url, estate_platform().model_dump_json()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        child.stdin.write(newer.model_dump_json())
        child.stdin.close()
        assert child.stdout.readline().strip() == "midway"  # every row is written, nothing committed
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert snapshot(store_engine) == before
    assert nothing_of(store_engine, newer)


# ---- collection interrupted -----------------------------------------------------------------------------

def interrupt_when(predicate):
    def progress(event: ProgressEvent) -> None:
        if predicate(event):
            raise KeyboardInterrupt

    return progress


@pytest.mark.parametrize("where", ["collecting", "judging"])
def test_a_run_interrupted_while_it_collects_or_judges_stores_nothing(where, aws, store_engine, previous):
    _, before = previous
    stage = {"collecting": "collect", "judging": "check"}[where]
    with pytest.raises(KeyboardInterrupt):
        collect_and_store(store_engine, estate_platform(), LOCAL_USER, checks=["environment.ssm_parity"],
                          progress=interrupt_when(lambda event: event.stage == stage and event.state != "started"),
                          max_workers=2)
    assert snapshot(store_engine) == before


def test_an_interrupt_inside_a_collector_thread_stops_the_run_and_stores_nothing(
        aws, store_engine, previous, monkeypatch):
    _, before = previous
    all_collectors()

    def interrupted(ctx):
        raise KeyboardInterrupt

    monkeypatch.setitem(COLLECTORS, "kms", dataclasses.replace(COLLECTORS["kms"], function=interrupted))
    with pytest.raises(KeyboardInterrupt):
        collect_and_store(store_engine, estate_platform(), LOCAL_USER, checks=["environment.ssm_parity"],
                          max_workers=2)
    assert snapshot(store_engine) == before


def test_after_an_interruption_the_next_run_is_stored_whole(store_engine, previous, monkeypatch):
    _, before = previous
    with monkeypatch.context() as patch:
        patch.setattr("readiness.store.evidence.append_event", lambda *a, **k: (_ for _ in ()).throw(OSError()))
        with pytest.raises(OSError):
            store_run(store_engine, estate_platform(), stored_run(EARLIER + dt.timedelta(hours=1)), LOCAL_USER)
    newer = stored_run(EARLIER + dt.timedelta(hours=2), findings=7, status=Status.WARN)
    store_run(store_engine, estate_platform(), newer, LOCAL_USER)
    after = snapshot(store_engine)
    assert after.latest == newer.id and after.runs == [newer.id, *before.runs]
    assert [f for f in after.findings if f.status == Status.WARN] == newer.findings
    assert after.audit_events == before.audit_events + 1

