"""Validate a platform's portfolio exports: gather them, run every data check, store the evidence run."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Callable, Mapping

import pyarrow as pa
from sqlalchemy.engine import Engine

from readiness.auth import Actor, Role, require
from readiness.dataflow.readers import EnvironmentExports, export_kind, read_exports, read_folder, read_uploads
from readiness.dataflow.rules import RuleSettings
from readiness.errors import InvalidInput
from readiness.evidence.model import EvidenceRun, Finding, InventoryRecord, Status
from readiness.evidence.registry import CheckSpec, all_checks
from readiness.platform import Platform

Progress = Callable[[float, str], None]
COLLECTOR = "data_exports"
log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def data_checks() -> list[CheckSpec]:
    """The registered data checks, in the order of the checklist (any others after them)."""
    from readiness.dataflow.checks import ORDER

    found = [spec for spec in all_checks().values() if spec.kind == "data"]
    return sorted(found, key=lambda spec: (ORDER.index(spec.id) if spec.id in ORDER else len(ORDER), spec.id))


# ---- gathering -------------------------------------------------------------------------------------

def gather_exports(platform: Platform, environments: list[str] | None = None, *, folder: Path | str | None = None,
                   client_for: Callable | None = None) -> dict[str, EnvironmentExports]:
    """Each environment's exports: from `folder/<environment>/` when given, else from its `data.s3`.

    Unreadable S3 locations (denied, missing bucket) come back marked so, to be judged `unknown`;
    malformed files raise ExportError, so nothing is judged on them.
    """
    names = environments or [e.name for e in platform.environments]
    for name in names:
        if name not in {e.name for e in platform.environments}:
            raise InvalidInput(f"Platform {platform.name} has no environment {name!r}.")
    gathered: dict[str, EnvironmentExports] = {}
    for name in names:
        environment = platform.environment(name)
        if folder is not None:
            path = Path(folder) / name
            gathered[name] = (read_folder(name, path) if path.is_dir() else
                              EnvironmentExports(environment=name, source=str(path),
                                                 unreadable=f"there is no folder {path}"))
        elif environment.data.s3:
            gathered[name] = _from_s3(platform, environment, client_for)
        elif environments:
            raise InvalidInput(f"Environment {name} has no data.s3 location in the platform config: add one "
                               "(s3://bucket/prefix/) or give a folder of exports.")
    if not gathered:
        raise InvalidInput(f"No environment of {platform.name} has a data.s3 location for its exports: add "
                           "data: {s3: s3://bucket/prefix/} to an environment, or give a folder of exports.")
    return gathered


def on_simulation(platform: Platform, endpoint_url: str | None = None) -> Platform:
    """A demo platform pointed at its simulated AWS (started here unless `endpoint_url` names one running)."""
    from readiness.evidence.session import resolve_platform_for_run

    if endpoint_url is None and platform.demo:
        from readiness.demo import ensure_demo

        endpoint_url = ensure_demo(platform).endpoint_url
    return resolve_platform_for_run(platform, endpoint_url)


def _from_s3(platform: Platform, environment, client_for: Callable | None) -> EnvironmentExports:
    from readiness.evidence import data_exports

    url = environment.data.s3
    if platform.demo and environment.aws.endpoint_url is None:
        # A demo's AWS is simulated: its exports are never looked for in a real account.
        raise InvalidInput(f"Platform {platform.name!r} is a demo: its exports are read from its simulated AWS "
                           "(--demo on the command line), or give a folder of exports.")
    try:
        client = client_for(environment) if client_for else data_exports.s3_client(environment,
                                                                                   simulated=platform.demo)
        fetched = data_exports.fetch_exports(client, url, is_export=lambda name: export_kind(name) is not None)
    except Exception as exc:  # no credentials, no endpoint, role refused: unknown, with the reason
        return EnvironmentExports(environment=environment.name, source=url,
                                  unreadable=f"{type(exc).__name__}: {exc}")
    if fetched.unreadable:
        return EnvironmentExports(environment=environment.name, source=url, unreadable=fetched.unreadable,
                                  api_calls=fetched.api_calls, ignored=fetched.ignored)
    if not fetched.files:
        return EnvironmentExports(environment=environment.name, source=url, api_calls=fetched.api_calls,
                                  ignored=fetched.ignored, unreadable=f"no export files under {url}")
    exports = read_exports(environment.name, url, fetched.files)
    exports.api_calls, exports.ignored = fetched.api_calls, fetched.ignored
    return exports


# ---- validating ------------------------------------------------------------------------------------

def latest_as_of(platform: Platform, inputs: Mapping[str, EnvironmentExports]) -> dt.date:
    """The newest positions date of the production environment, else of any environment, else of any
    export; today when nothing could be read (every rule then says why it cannot tell)."""
    order = [platform.production().name, *inputs]
    for kinds in (("positions",), tuple(t for e in inputs.values() for t in e.tables)):
        for name in order:
            exports = inputs.get(name)
            for kind in kinds:
                table = exports.table(kind) if exports else None
                if table is not None and len(table):
                    return table["as_of"].max()
    return utcnow().date()


def validate_exports(platform: Platform, inputs: Mapping[str, EnvironmentExports], as_of: dt.date | None = None,
                     progress: Progress | None = None) -> EvidenceRun:
    """Run every data check on the exports of each environment, and compare the platform's pairs."""
    started = utcnow()
    report = progress or (lambda fraction, message: None)
    as_of = as_of or latest_as_of(platform, inputs)
    settings = RuleSettings(as_of=as_of, tolerance_minor_units=platform.evidence.tolerance_minor_units,
                            valuation_jump=platform.evidence.valuation_jump, calendar=platform.market.calendar)
    specs = data_checks()
    pairs = [(b, t) for b, t in platform.compare if b in inputs and t in inputs]
    steps = [(spec, (env,)) for spec in specs if not spec.compares for env in inputs]
    steps += [(spec, pair) for spec in specs if spec.compares for pair in pairs]
    findings: list[Finding] = []
    for done, (spec, names) in enumerate(steps):
        report(done / max(len(steps), 1), f"{spec.title} ({' against '.join(reversed(names))})")
        try:
            assert spec.function is not None
            findings.extend(spec.function(*(inputs[n] for n in names), settings))
        except Exception as exc:  # a check that breaks is reported as broken; the others go on
            log.exception("data check %s failed on %s", spec.id, names)
            findings.append(_broken(spec, [inputs[n] for n in names], settings, exc))
        pa.default_memory_pool().release_unused()  # each rule's working columns, before the next rule
    if not platform.compare:
        findings += [_nothing_to_compare(platform, spec, settings, inputs) for spec in specs if spec.compares]
    report(1.0, "done")
    controls = _controls_by_check(platform)
    findings = [f.model_copy(update={"controls": controls.get(f.check, [])}) for f in findings]
    inventories = [
        InventoryRecord(environment=name, region=_region(platform, name, exports), collector=COLLECTOR,
                        status="unknown" if exports.unreadable else "ok", reason=exports.unreadable,
                        api_calls=exports.api_calls, payload={"as_of": as_of.isoformat(), **exports.manifest()})
        for name, exports in inputs.items()
    ]
    return EvidenceRun(platform=platform.name, kind="data", environments=list(inputs), started_at=started,
                       finished_at=utcnow(), api_calls=sum(e.api_calls for e in inputs.values()),
                       checks=len({spec.id for spec, _ in steps}), inventories=inventories, findings=findings,
                       is_demo=platform.demo)


def _nothing_to_compare(platform: Platform, spec: CheckSpec, settings: RuleSettings,
                        inputs: Mapping[str, EnvironmentExports]) -> Finding:
    target = platform.production().name if platform.production().name in inputs else next(iter(inputs))
    return Finding(check=spec.id, area=spec.area, environment=target, resource=platform.name,
                   status=Status.NOT_APPLICABLE, severity=spec.severity,
                   message=f"{platform.name} names no environments to compare (compare: in its config), so "
                           f"“{spec.title}” has nothing to check.",
                   details={"as_of": settings.as_of.isoformat()})


def _broken(spec: CheckSpec, sides: list[EnvironmentExports], settings: RuleSettings, exc: Exception) -> Finding:
    target = sides[-1]
    return Finding(check=spec.id, area=spec.area, environment=target.environment,
                   baseline=sides[0].environment if spec.compares else None, resource=target.source,
                   status=Status.ERROR, severity=spec.severity,
                   message=f"The check “{spec.title}” broke on the exports of {target.environment}: "
                           f"{type(exc).__name__}: {exc}",
                   details={"as_of": settings.as_of.isoformat()})


def _region(platform: Platform, name: str, exports: EnvironmentExports) -> str:
    return platform.environment(name).aws.regions[0] if exports.source.startswith("s3://") else "local"


def _controls_by_check(platform: Platform) -> dict[str, list[str]]:
    from readiness.assessment import checklist_for

    mapping: dict[str, list[str]] = {}
    for control in checklist_for(platform).controls():
        for check_id in control.checks:
            mapping.setdefault(check_id, []).append(control.id)
    return mapping


# ---- storing ---------------------------------------------------------------------

def store_run(engine: Engine, *, platform: Platform, run: EvidenceRun, actor: Actor) -> str:
    """Save the run in one transaction (the platform is recorded first if the store does not know it)."""
    from readiness.store import session_scope
    from readiness.store import assessments as platforms_repo
    from readiness.store.evidence import save_evidence_run

    with session_scope(engine) as session:
        row = platforms_repo.platform_by_name(session, name=platform.name) or platforms_repo.save_platform(
            session, platform=platform, actor=actor)
        save_evidence_run(session, platform_id=row.id, run=run, actor=actor)
    return run.id


def validate_and_store(engine: Engine | None, *, platform: Platform, actor: Actor, as_of: dt.date | None = None,
                       environments: list[str] | None = None, folder: Path | str | None = None,
                       uploads: Mapping[str, list[tuple[str, bytes]]] | None = None,
                       inputs: Mapping[str, EnvironmentExports] | None = None,
                       progress: Progress | None = None) -> EvidenceRun:
    """The whole service: gather, validate, and store (unless `engine` is None).

    The exports come from `inputs` when given, else from `uploads` (file name and bytes per
    environment), else from `folder`, else from each environment's `data.s3`, a demo's simulated.
    """
    if engine is not None:
        require(actor, Role.CONTRIBUTOR, "validate portfolio exports")
    if inputs is None and uploads is not None:
        inputs = {name: read_uploads(name, files) for name, files in uploads.items() if files}
        if not inputs:
            raise InvalidInput("Upload at least one export file (positions.csv, totals.csv, …) to validate.")
    if inputs is None:
        source = on_simulation(platform) if platform.demo and folder is None else platform
        inputs = gather_exports(source, environments, folder=folder)
    run = validate_exports(platform, inputs, as_of, progress)
    if engine is not None:
        store_run(engine, platform=platform, run=run, actor=actor)
    return run
