"""The evidence run: read each needed service once per environment and region, concurrently, then judge."""
from __future__ import annotations

import datetime as dt
import queue
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Literal, Mapping, Sequence

from readiness.checklist import Checklist
from readiness.errors import InvalidInput
from readiness.evidence.collecting import CollectContext, CollectorSpec, Inventory, all_collectors
from readiness.evidence.failures import unknown_reason
from readiness.evidence.judging import Judgement, build_views, judge, needed_collectors, plan, select_checks
from readiness.evidence.model import EvidenceRun, Finding, InventoryRecord
from readiness.evidence.registry import CheckSpec, all_checks
from readiness.evidence.session import ApiCallCounter, EnvironmentSession, EventHook, ensure_runnable
from readiness.evidence.workers import Workers
from readiness.platform import Environment, Platform

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class ProgressEvent:
    """What the run is doing, for a progress display: reported on the caller's thread."""

    stage: Literal["session", "collect", "check"]
    state: Literal["started", "finished", "unknown"]
    environment: str
    collector: str | None = None
    region: str | None = None
    check: str | None = None
    done: int = 0
    total: int = 0
    reason: str | None = None
    api_calls: int = 0


Progress = Callable[[ProgressEvent], None]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_evidence(
    platform: Platform,
    checklist: Checklist,
    *,
    environments: Sequence[str] | None = None,
    checks: Iterable[str] | None = None,
    max_workers: int = 8,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    hooks: Sequence[EventHook] = (),
    check_registry: Mapping[str, CheckSpec] | None = None,
    collector_registry: Mapping[str, CollectorSpec] | None = None,
) -> EvidenceRun:
    """Collect what the chosen checks need from the chosen environments (default: all), then judge it."""
    ensure_runnable(platform)
    report = progress or (lambda event: None)
    registry = all_checks() if check_registry is None else check_registry
    collectors = all_collectors() if collector_registry is None else collector_registry
    targets = chosen_environments(platform, environments)
    judgements = plan(platform, select_checks(checklist, registry, checks), targets)
    started = clock()
    counter = ApiCallCounter()
    records = collect(platform, needed_collectors(judgements), collectors, counter=counter,
                      max_workers=max_workers, report=report, hooks=hooks)
    views = build_views(platform, records, {name: spec.inventory for name, spec in collectors.items()})
    findings = judge(platform, checklist, judgements, views, now=started,
                     on_judged=_check_progress(report, len(judgements)))
    return EvidenceRun(
        platform=platform.name, environments=list(targets), started_at=started, finished_at=clock(),
        api_calls=counter.total, checks=len({j.spec.id for j in judgements}), inventories=records,
        findings=findings, is_demo=platform.demo,
    )


def rejudge(
    platform: Platform,
    checklist: Checklist,
    run: EvidenceRun,
    *,
    checks: Iterable[str] | None = None,
    check_registry: Mapping[str, CheckSpec] | None = None,
    collector_registry: Mapping[str, CollectorSpec] | None = None,
) -> EvidenceRun:
    """The run judged again from its stored inventories, without AWS: e.g. after a check changed.

    By default the checks the run judged; a check whose inventories the run did not read is unknown.
    """
    registry = all_checks() if check_registry is None else check_registry
    collectors = all_collectors() if collector_registry is None else collector_registry
    judged = [c for c in dict.fromkeys(f.check for f in run.findings) if c in registry]
    wanted = judged if checks is None else checks
    judgements = plan(platform, select_checks(checklist, registry, wanted),
                      chosen_environments(platform, run.environments))
    views = build_views(platform, run.inventories, {name: spec.inventory for name, spec in collectors.items()})
    findings = judge(platform, checklist, judgements, views, now=run.started_at)
    return run.model_copy(update={"findings": findings, "checks": len({j.spec.id for j in judgements})})


def chosen_environments(platform: Platform, names: Sequence[str] | None) -> list[str]:
    known = [env.name for env in platform.environments]
    if not names:
        return known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInput(f"Platform {platform.name} has no environment {', '.join(map(repr, unknown))}; "
                           f"it has {', '.join(known)}.")
    return [n for n in known if n in names]


def collect(
    platform: Platform,
    needs: Mapping[str, set[str]],
    collectors: Mapping[str, CollectorSpec],
    *,
    counter: ApiCallCounter,
    max_workers: int,
    report: Progress,
    hooks: Sequence[EventHook] = (),
) -> list[InventoryRecord]:
    """Every (collector, environment, region) read once, in a bounded pool; failures become unknown records.

    The run's `max_workers` threads also serve as the helpers collectors spread their per-resource reads
    over (CollectContext.each), so at most that many requests are on the wire at any time; a collector
    waiting to start goes before any helping read (see Workers).
    """
    records: list[InventoryRecord] = []
    relay = _Relay(report)
    width = max(1, max_workers)
    with Workers(width) as pool:
        # Environments open at once: each is an AssumeRole and a GetCallerIdentity away.
        opening: dict[Future[str | None], tuple[Environment, EnvironmentSession]] = {}
        for env in platform.environments:
            if needs.get(env.name):
                session = EnvironmentSession(env, counter=counter, max_pool_connections=width, hooks=hooks,
                                             simulated=platform.demo)
                opening[pool.start(_open, session, relay.events.put)] = (env, session)
        _wait_all(set(opening), relay)
        jobs: list[tuple[CollectorSpec, Environment, str, EnvironmentSession]] = []
        for future, (env, session) in opening.items():
            failure = future.result()
            for name in sorted(needs[env.name]):
                for region in env.aws.regions:
                    if failure or name not in collectors:
                        reason = failure or f"no collector named {name} is installed"
                        records.append(InventoryRecord(environment=env.name, region=region, collector=name,
                                                       account=session.account, status="unknown", reason=reason))
                    else:
                        jobs.append((collectors[name], env, region, session))
        pending = {pool.start(_collect_one, *job, relay.events, len(jobs), pool, width) for job in jobs}
        records += _wait_all(pending, relay)
    relay.drain()
    places = [(env.name, region) for env in platform.environments for region in env.aws.regions]
    order = {place: i for i, place in enumerate(places)}
    return sorted(records, key=lambda r: (order.get((r.environment, r.region), 0), r.collector))


def _wait_all(pending: set[Future], relay: "_Relay") -> list:
    """The results of `pending`, relaying progress meanwhile: a UI can only draw from the thread that runs it."""
    results = []
    while pending:
        finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        results += [f.result() for f in finished]
        relay.drain()
    return results


def _open(session: EnvironmentSession, report: Progress) -> str | None:
    env = session.environment.name
    report(ProgressEvent("session", "started", env))
    with session.counter.tally() as tally:
        try:
            session.open()
        except Exception as exc:  # every collector of the environment is then unknown, with this reason
            reason = f"could not open a session for {env}: {unknown_reason(exc, tally.last_action)}"
            report(ProgressEvent("session", "unknown", env, reason=reason, api_calls=tally.calls))
            return reason
    report(ProgressEvent("session", "finished", env, api_calls=tally.calls))
    return None


def _collect_one(spec: CollectorSpec, env: Environment, region: str, session: EnvironmentSession,
                 events: queue.Queue[ProgressEvent], total: int, helpers: Executor, width: int) -> InventoryRecord:
    events.put(ProgressEvent("collect", "started", env.name, spec.name, region, total=total))
    with session.counter.tally() as tally:
        try:
            inventory = spec.collect(CollectContext(env, region, session.account, session, helpers=helpers,
                                                    width=width))
            if not isinstance(inventory, Inventory):
                raise TypeError(f"collector {spec.name} returned {type(inventory).__name__}, not an inventory")
            record = InventoryRecord(environment=env.name, region=region, collector=spec.name,
                                     account=session.account, api_calls=tally.calls,
                                     payload=inventory.model_dump(mode="json"))
        except Exception as exc:  # one collector failing never stops the others
            record = InventoryRecord(environment=env.name, region=region, collector=spec.name,
                                     account=session.account, status="unknown", api_calls=tally.calls,
                                     reason=unknown_reason(exc, tally.failed_action or tally.last_action))
    events.put(ProgressEvent("collect", "finished" if record.status == "ok" else "unknown", env.name, spec.name,
                             region, total=total, reason=record.reason, api_calls=record.api_calls))
    return record


class _Relay:
    """Carries progress from the collector threads to the caller's thread, counting what is done."""

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.events: queue.Queue[ProgressEvent] = queue.Queue()
        self.done = 0

    def drain(self) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if event.stage == "collect" and event.state != "started":
                self.done += 1
                event = replace(event, done=self.done)
            self.report(event)


def _check_progress(report: Progress, total: int) -> Callable[[Judgement, list[Finding]], None]:
    count = 0

    def judged(judgement: Judgement, findings: list[Finding]) -> None:
        nonlocal count
        count += 1
        report(ProgressEvent("check", "finished", judgement.environment, check=judgement.spec.id,
                             done=count, total=total))

    return judged
