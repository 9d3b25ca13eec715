"""Evidence as the app and the command line use it: collect for a platform, then store the run."""
from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy.engine import Engine

from readiness.assessment import checklist_for
from readiness.auth import Actor, Role, require
from readiness.evidence.model import EvidenceRun
from readiness.evidence.runner import Progress, run_evidence
from readiness.evidence.session import resolve_platform_for_run
from readiness.platform import Platform
from readiness.store import assessments as platforms_repo
from readiness.store.engine import session_scope
from readiness.store.evidence import save_evidence_run


def collect_and_store(
    engine: Engine | None,
    platform: Platform,
    actor: Actor,
    *,
    environments: Sequence[str] | None = None,
    checks: Iterable[str] | None = None,
    progress: Progress | None = None,
    max_workers: int = 8,
    endpoint_url: str | None = None,
) -> EvidenceRun:
    """Run the platform's checks against AWS (or the emulator at `endpoint_url`) and store the run.

    Not stored when `engine` is None. The platform is stored as given, without the endpoint.
    """
    require(actor, Role.CONTRIBUTOR, "run evidence collection")
    if engine is not None and not actor.can(Role.ADMIN):
        with session_scope(engine) as session:
            if platforms_repo.platform_by_name(session, name=platform.name) is None:
                require(actor, Role.ADMIN, f"add the platform {platform.name} to the store")
    run = run_evidence(resolve_platform_for_run(platform, endpoint_url), checklist_for(platform),
                       environments=environments, checks=checks, progress=progress, max_workers=max_workers)
    if engine is not None:
        store_run(engine, platform, run, actor)
    return run


def store_run(engine: Engine, platform: Platform, run: EvidenceRun, actor: Actor) -> None:
    """Save the run under its platform, in one transaction; an administrator's run also records the config used."""
    with session_scope(engine) as session:
        row = platforms_repo.platform_by_name(session, name=platform.name)
        if row is None or actor.can(Role.ADMIN):
            row = platforms_repo.save_platform(session, platform=platform, actor=actor)
        save_evidence_run(session, platform_id=row.id, run=run, actor=actor)
