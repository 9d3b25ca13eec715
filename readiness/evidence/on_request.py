"""Evidence work a person asks for in the app: collect now, test a connection; a demo's simulated AWS started first."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from readiness.assessment import checklist_for
from readiness.auth import Actor, Role, require
from readiness.errors import InvalidInput
from readiness.evidence.collecting import CollectorSpec, all_collectors
from readiness.evidence.connection import ConnectionReport, probe_connection
from readiness.evidence.judging import select_checks
from readiness.evidence.model import EvidenceRun
from readiness.evidence.registry import all_checks
from readiness.evidence.runner import Progress
from readiness.evidence.service import collect_and_store
from readiness.evidence.session import ensure_runnable, resolve_platform_for_run
from readiness.platform import Platform
from readiness.store import assessments as platforms_repo
from readiness.store.engine import session_scope


def endpoint_for(platform: Platform) -> str | None:
    """Where the platform's AWS answers: None for a real estate (AWS itself); a demo's simulation, started if needed.

    Raises DemoUnavailable (a ReadinessError) with the reason when the simulation cannot start.
    """
    if not platform.demo:
        return None
    from readiness.demo import ensure_demo

    # The simulation is signed with fixed fake credentials (EnvironmentSession(simulated=True)): the
    # process's own credentials, profile or credential_process are never asked for.
    return ensure_demo(platform).endpoint_url


def collect_now(engine: Engine, *, platform_id: int, actor: Actor, progress: Progress | None = None,
                max_workers: int = 8) -> EvidenceRun:
    """Collect evidence for every environment of a stored platform and store the run (contributors and above)."""
    require(actor, Role.CONTRIBUTOR, "run evidence collection")
    with session_scope(engine) as session:
        platform = platforms_repo.platform_config(session, platform_id=platform_id)
    return collect_and_store(engine, platform, actor, progress=progress, max_workers=max_workers,
                             endpoint_url=endpoint_for(platform))


def probe_stored_environment(engine: Engine, *, platform_id: int, environment: str) -> ConnectionReport:
    """Probe one environment of a stored platform: who Readiness is there, and what each collector may read."""
    with session_scope(engine) as session:
        platform = platforms_repo.platform_config(session, platform_id=platform_id)
    return probe_platform_environment(platform, environment)


def probe_platform_environment(platform: Platform, environment: str) -> ConnectionReport:
    """Probe one environment of a platform, stored or not yet (a form being edited)."""
    names = [env.name for env in platform.environments]
    if environment not in names:
        raise InvalidInput(f"Platform {platform.name} has no environment {environment!r}; it has {', '.join(names)}.")
    resolved = resolve_platform_for_run(platform, endpoint_for(platform))
    ensure_runnable(resolved)
    return probe_connection(resolved.environment(environment), collectors=needed_collectors(platform),
                            simulated=platform.demo)


def needed_collectors(platform: Platform) -> dict[str, CollectorSpec]:
    """The collectors the checks of the platform's checklist read: the ones whose access matters."""
    installed = all_collectors()
    names = {name for spec in select_checks(checklist_for(platform), all_checks()) for name in spec.needs}
    return {name: spec for name, spec in installed.items() if name in names}
