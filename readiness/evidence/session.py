"""AWS access for one environment: profile, assumed role, cached clients per region, counted calls."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from readiness.errors import InvalidInput
from readiness.evidence.policy import iam_action
from readiness.platform import AwsAccess, Environment, Platform

TOTAL_ATTEMPTS = 5  # retries included: throttling past this leaves the inventory unknown
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
ROLE_SESSION_NAME = "readiness"

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


@dataclass
class CallTally:
    """The calls made while one collector ran on this thread, and the last action it called."""

    calls: int = 0
    last_action: str | None = None


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
        previous = getattr(self._local, "tally", None)
        self._local.tally = current = CallTally()
        try:
            yield current
        finally:
            self._local.tally = previous

    def _on_call(self, model: Any, **_: Any) -> None:
        tally = getattr(self._local, "tally", None)
        if tally is not None:
            tally.last_action = iam_action(model.service_model.signing_name, model.name)

    def _on_send(self, **_: Any) -> None:
        with self._lock:
            self._total += 1
        tally = getattr(self._local, "tally", None)
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
    ) -> None:
        self.environment = environment
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

    @property
    def aws(self) -> AwsAccess:
        return self.environment.aws

    def open(self) -> "EnvironmentSession":
        """Resolve credentials (profile, then the assumed role) and the account. Raises botocore errors."""
        region = self.aws.regions[0]
        base = new_boto_session(self.aws.profile)
        if self.aws.role_arn:
            sts = self._new_client(base, "sts", region)
            request = {"RoleArn": self.aws.role_arn, "RoleSessionName": ROLE_SESSION_NAME}
            if self.aws.external_id:
                request["ExternalId"] = self.aws.external_id
            credentials = sts.assume_role(**request)["Credentials"]
            base = new_boto_session(aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"])
        with self._lock:
            self._session = base
            self._clients.clear()
        self.account = self.client("sts", region).get_caller_identity()["Account"]
        return self

    def client(self, service: str, region: str) -> Any:
        """The one client for this service and region, created on first use."""
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
