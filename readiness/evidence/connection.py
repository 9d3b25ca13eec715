"""Test the connection to an environment: who Readiness is there, which account, and what each collector can read.

Each collector is run until its first call to AWS has answered, then stopped: one read-only call per
collector and region tells whether the role lets it read, without reading the whole service.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Mapping

from botocore.exceptions import ClientError

from readiness.evidence.collecting import CollectContext, CollectorSpec, all_collectors
from readiness.evidence.failures import unknown_reason
from readiness.evidence.policy import iam_action, is_read_only
from readiness.evidence.session import EnvironmentSession
from readiness.platform import Environment


@dataclass(frozen=True)
class CollectorAccess:
    """Whether one collector could make its first read in one region, and if not, why."""

    collector: str
    region: str
    readable: bool
    action: str | None  # the IAM action of the call that answered (or failed)
    reason: str | None = None


@dataclass(frozen=True)
class ConnectionReport:
    environment: str
    regions: tuple[str, ...]
    account: str | None = None
    arn: str | None = None  # who Readiness is in the account: the assumed role's session, or the user
    error: str | None = None  # why no session could be opened at all
    collectors: list[CollectorAccess] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.error is None

    @property
    def denied(self) -> list[CollectorAccess]:
        return [c for c in self.collectors if not c.readable]

    def summary(self) -> str:
        if not self.connected:
            return f"{self.environment}: could not connect. {self.error}"
        readable = len(self.collectors) - len(self.denied)
        return (f"{self.environment}: connected to account {self.account} as {self.arn}; "
                f"{readable} of {len(self.collectors)} reads allowed.")


class _FirstCallAnswered(BaseException):
    """Stops a collector once its first call has answered. A BaseException, so no collector's
    `except Exception` can mistake it for a failure of its own."""


class NotReadOnly(Exception):
    """A collector tried a call that is not a read; it is refused before it is sent."""


@dataclass
class _Probe:
    armed: bool = False
    action: str | None = None
    status: int | None = None
    parsed: Mapping[str, Any] | None = None
    operation: str | None = None


class _FirstCallProbe:
    """botocore hooks that watch the first call a collector makes on this thread, then stop it."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def current(self) -> _Probe:
        probe = getattr(self._local, "probe", None)
        if probe is None:
            probe = self._local.probe = _Probe()
        return probe

    def arm(self) -> _Probe:
        """Watch the next call made on this thread."""
        self._local.probe = _Probe(armed=True)
        return self._local.probe

    def hooks(self) -> tuple[tuple[str, Any], ...]:
        return (("before-call", self._before), ("after-call", self._after))

    def _before(self, model: Any, **_: Any) -> None:
        action = iam_action(model.service_model.signing_name, model.name)
        if not is_read_only(action):
            raise NotReadOnly(f"refused to call {action}: Readiness only reads")
        probe = self.current
        if probe.armed and probe.action is None:
            probe.action, probe.operation = action, model.name

    def _after(self, http_response: Any, parsed: Mapping[str, Any], model: Any, **_: Any) -> None:
        probe = self.current
        if probe.armed and probe.status is None:
            probe.status, probe.parsed = http_response.status_code, parsed
            raise _FirstCallAnswered()


def probe_connection(environment: Environment, *, collectors: Mapping[str, CollectorSpec] | None = None,
                    max_workers: int = 8, simulated: bool = False) -> ConnectionReport:
    """Open the environment's session (profile, assumed role), ask who it is, and try each collector's first read.

    `simulated`: the environment is a demo's, read from its simulated AWS with fake credentials only."""
    probe = _FirstCallProbe()
    session = EnvironmentSession(environment, max_pool_connections=max_workers, hooks=probe.hooks(),
                                 simulated=simulated)
    regions = tuple(environment.aws.regions)
    with session.counter.tally() as tally:
        try:
            session.open()
            identity = session.client("sts", regions[0]).get_caller_identity()
        except Exception as exc:  # the report says why, for a person to fix the settings
            return ConnectionReport(environment.name, regions, error=unknown_reason(exc, tally.last_action))
    specs = all_collectors() if collectors is None else collectors
    jobs = [(spec, region) for spec in specs.values() for region in regions]
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="connection") as pool:
        access = list(pool.map(lambda job: _first_read(probe, session, environment, *job), jobs))
    return ConnectionReport(environment.name, regions, account=identity.get("Account"), arn=identity.get("Arn"),
                            collectors=sorted(access, key=lambda a: (a.collector, a.region)))


def _first_read(probe: _FirstCallProbe, session: EnvironmentSession, environment: Environment,
                spec: CollectorSpec, region: str) -> CollectorAccess:
    state = probe.arm()
    failure: BaseException | None = None
    with session.counter.tally() as tally:
        try:
            spec.collect(CollectContext(environment, region, session.account, session))
        except _FirstCallAnswered:
            pass
        except Exception as exc:  # noqa: BLE001 - classified below, like a collection would
            failure = exc
        finally:
            state.armed = False
    action = state.action or tally.last_action
    if state.status is not None and state.status < 300:
        return CollectorAccess(spec.name, region, True, action)
    if state.status is not None:
        error = ClientError(dict(state.parsed or {}), state.operation or "call")
        error.response.setdefault("ResponseMetadata", {})["HTTPStatusCode"] = state.status
        return CollectorAccess(spec.name, region, False, action, unknown_reason(error, action))
    if failure is not None:
        return CollectorAccess(spec.name, region, False, action, unknown_reason(failure, action))
    if action is not None:  # the collector called, then swallowed the failure itself
        return CollectorAccess(spec.name, region, False, action, f"{action} did not answer")
    return CollectorAccess(spec.name, region, True, None, "nothing to read in this region")
