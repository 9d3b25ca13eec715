"""AWS access for one environment: profile, assumed role, cached clients per region, counted calls."""
from __future__ import annotations

import ipaddress
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlsplit

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from readiness.errors import InvalidInput
from readiness.evidence.failures import refuse_unreadable_json
from readiness.evidence.pacing import pacer_for
from readiness.evidence.policy import iam_action
from readiness.platform import AwsAccess, Environment, Platform

TOTAL_ATTEMPTS = 5  # retries included: throttling past this leaves the inventory unknown
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
ROLE_SESSION_NAME = "readiness"
# What a demo's simulated AWS is signed with: fixed and fake, accepted by the simulation, by no real account.
SIMULATED_ACCESS_KEY = "demo"
SIMULATED_SECRET_KEY = "demo"

EventHook = tuple[str, Callable[..., Any]]

_loader_lock = threading.Lock()
_loader: botocore.loaders.Loader | None = None


def _shared_loader() -> botocore.loaders.Loader:
    """One loader of service models for every session: each new session would otherwise parse them again."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.loaders.create_loader()
        return _loader


def new_boto_session(profile: str | None = None, **credentials: str) -> boto3.Session:
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", _shared_loader())
    return boto3.Session(botocore_session=core, **credentials)


def simulated_boto_session(**credentials: str) -> boto3.Session:
    """A session for a demo's simulated AWS: the given (or the fixed fake) credentials and nothing of the user's.

    No profile, config file or credentials file is read, so no named profile, SSO token refresh or
    credential_process of the person running Readiness can come into play, whatever the environment says.
    """
    core = botocore.session.Session(session_vars={
        "profile": (None, None, None, None),
        "config_file": (None, None, os.devnull, None),
        "credentials_file": (None, None, os.devnull, None),
    })
    core.register_component("data_loader", _shared_loader())
    return boto3.Session(botocore_session=core,
                         aws_access_key_id=credentials.get("aws_access_key_id", SIMULATED_ACCESS_KEY),
                         aws_secret_access_key=credentials.get("aws_secret_access_key", SIMULATED_SECRET_KEY),
                         aws_session_token=credentials.get("aws_session_token"))


def is_loopback(url: str | None) -> bool:
    """Whether `url` names this machine (127.0.0.0/8, ::1 or localhost): calls to it never leave it."""
    host = urlsplit(url or "").hostname
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class CallTally:
    """The calls made while one collector ran (on its thread and the helpers it spread reads over),
    the last action it called, and the action of the first call that failed on a helper."""

    calls: int = 0
    last_action: str | None = None
    failed_action: str | None = None


class ApiCallCounter:
    """Counts every request sent, retries included: in total, and for the collector running on this thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = 0
        self._local = threading.local()

    @property
    def total(self) -> int:
        with self._lock:
            return self._total

    def attach(self, client: Any) -> None:
        # before-call runs once per call and stops at the first handler answering, so go first;
        # before-send runs for every attempt and calls every handler.
        client.meta.events.register_first("before-call", self._on_call)
        client.meta.events.register("before-send", self._on_send)

    @contextmanager
    def tally(self) -> Iterator[CallTally]:
        with self.joined(CallTally()) as current:
            yield current

    @contextmanager
    def joined(self, tally: CallTally | None) -> Iterator[CallTally | None]:
        """Count this thread's calls to `tally`: a helper thread reading for a collector running on another."""
        previous = getattr(self._local, "tally", None)
        self._local.tally = tally
        try:
            yield tally
        finally:
            self._local.tally = previous

    def current(self) -> CallTally | None:
        return getattr(self._local, "tally", None)

    def note_failure(self) -> None:
        """A call of this thread failed: remember its action, which other threads' calls may have overtaken."""
        tally = self.current()
        if tally is not None:
            with self._lock:
                tally.failed_action = tally.failed_action or getattr(self._local, "action", None)

    def _on_call(self, model: Any, **_: Any) -> None:
        action = iam_action(model.service_model.signing_name, model.name)
        self._local.action = action
        tally = getattr(self._local, "tally", None)
        if tally is not None:
            tally.last_action = action

    def _on_send(self, **_: Any) -> None:
        tally = getattr(self._local, "tally", None)
        with self._lock:  # a collector's helpers count to the same tally from several threads
            self._total += 1
            if tally is not None:
                tally.calls += 1


class EnvironmentSession:
    """Credentials and clients for one environment, shared by the collectors running on many threads."""

    def __init__(
        self,
        environment: Environment,
        *,
        counter: ApiCallCounter | None = None,
        max_pool_connections: int = 10,
        total_attempts: int = TOTAL_ATTEMPTS,
        hooks: Sequence[EventHook] = (),
        simulated: bool = False,
    ) -> None:
        """`simulated`: the environment belongs to a demo; it is read on 127.0.0.1 with fake credentials only."""
        self.environment = environment
        self.simulated = simulated
        self.counter = counter or ApiCallCounter()
        self.account: str | None = None
        self._hooks = tuple(hooks)
        self._config = Config(
            retries={"mode": "adaptive", "total_max_attempts": total_attempts},
            connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT, max_pool_connections=max_pool_connections,
        )
        self._lock = threading.Lock()  # boto3 sessions are not thread-safe; clients are
        self._clients: dict[tuple[str, str], Any] = {}
        self._session: boto3.Session | None = None
        self._pacer = pacer_for(environment.name, environment.aws.max_calls_per_second)

    @property
    def aws(self) -> AwsAccess:
        return self.environment.aws

    def open(self) -> "EnvironmentSession":
        """Resolve credentials (profile, then the assumed role) and the account. Raises botocore errors."""
        region = self.aws.regions[0]
        if self.simulated and not is_loopback(self.aws.endpoint_url):
            raise InvalidInput(f"{self.environment.name} belongs to a demo: it is only read from its simulated AWS "
                               f"on 127.0.0.1, not from {self.aws.endpoint_url or 'AWS itself'}.")
        base = simulated_boto_session() if self.simulated else new_boto_session(self.aws.profile)
        if self.aws.role_arn:
            sts = self._new_client(base, "sts", region)
            request = {"RoleArn": self.aws.role_arn, "RoleSessionName": ROLE_SESSION_NAME}
            if self.aws.external_id:
                request["ExternalId"] = self.aws.external_id
            credentials = sts.assume_role(**request)["Credentials"]
            assumed = {"aws_access_key_id": credentials["AccessKeyId"],
                       "aws_secret_access_key": credentials["SecretAccessKey"],
                       "aws_session_token": credentials["SessionToken"]}
            base = simulated_boto_session(**assumed) if self.simulated else new_boto_session(**assumed)
        with self._lock:
            self._session = base
            self._clients.clear()
        self.account = self.client("sts", region).get_caller_identity()["Account"]
        return self

    def client(self, service: str, region: str) -> Any:
        """The one client for this service and region, created on first use."""
        found = self._clients.get((service, region))
        if found is not None:
            return found  # no wait behind another thread creating a client of another service
        with self._lock:
            if self._session is None:
                raise RuntimeError("open() the environment session before asking for clients")
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self._new_client(self._session, service, region)
            return self._clients[key]

    def _new_client(self, session: boto3.Session, service: str, region: str) -> Any:
        client = session.client(service, region_name=region, endpoint_url=self.aws.endpoint_url, config=self._config)
        self.counter.attach(client)
        self._pacer.attach(client, service, region)
        client.meta.events.register("before-parse", refuse_unreadable_json)
        for event, handler in self._hooks:
            client.meta.events.register_first(event, handler)
        return client


def resolve_platform_for_run(platform: Platform, endpoint_url: str | None) -> Platform:
    """The platform as a run sees it: with every environment pointed at `endpoint_url` when one is given."""
    if endpoint_url is None:
        return platform
    try:
        AwsAccess.model_validate({"endpoint_url": endpoint_url})
    except ValueError:
        raise InvalidInput(f"--endpoint-url {endpoint_url!r} must be an http(s) URL like "
                           "http://127.0.0.1:5000") from None
    environments = [
        env.model_copy(update={"aws": env.aws.model_copy(update={"endpoint_url": endpoint_url})})
        for env in platform.environments
    ]
    resolved = platform.model_copy(update={"environments": environments})
    resolved.source = platform.source
    return resolved


def ensure_runnable(platform: Platform) -> None:
    """A demo platform's AWS is simulated: never read it from whatever real account the credentials reach."""
    if platform.demo and any(env.aws.endpoint_url is None for env in platform.environments):
        raise InvalidInput(
            f"Platform {platform.name!r} is a demo (demo: true): its AWS is simulated, so evidence is only "
            "collected from the simulation. Start it with `python -m readiness demo serve` and pass its URL "
            "with --endpoint-url, or use a platform file of a real estate."
        )
    elsewhere = sorted({env.aws.endpoint_url for env in platform.environments
                        if not is_loopback(env.aws.endpoint_url)}) if platform.demo else []
    if elsewhere:
        raise InvalidInput(
            f"Platform {platform.name!r} is a demo (demo: true): its simulated AWS runs on this machine, so "
            f"evidence is only collected from 127.0.0.1 or localhost, not from {', '.join(elsewhere)}."
        )
