"""Client-side pacing of AWS calls: at most so many a second per service, so a scan leaves AWS's limits to production.

AWS limits the request rate of most APIs per account and region, and a production service shares those
limits with anyone reading the same account. A platform sets `max_calls_per_second` on an environment's
`aws` (per service, or `default` for the others); every request to that service and region, retries
included, then takes a token from a bucket refilled at that rate.
"""
from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any, Callable, Mapping

import botocore.session

from readiness.errors import InvalidInput

DEFAULT = "default"  # the key of the rate for services not named


class TokenBucket:
    """`rate` tokens a second, holding at most `burst` (one second's worth unless given); thread-safe.

    A caller takes its token at once and, when the bucket is short, sleeps for its turn outside the lock:
    callers queue in the order they asked, and over any span of t seconds at most burst + rate × t go.
    """

    def __init__(self, rate: float, burst: float | None = None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("a token bucket needs a positive rate")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._at = clock()

    def take(self) -> float:
        """Take one token, waiting until it is there; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class Pacer:
    """The buckets of one environment: one per service and region, at the rate configured for the service."""

    def __init__(self, rates: Mapping[str, Decimal | float], *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rates = {name: float(rate) for name, rate in rates.items()}
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def rate(self, service: str) -> float | None:
        return self.rates.get(service, self.rates.get(DEFAULT))

    def bucket(self, service: str, region: str) -> TokenBucket | None:
        rate = self.rate(service)
        if rate is None:
            return None
        with self._lock:
            key = (service, region)
            if key not in self._buckets:
                self._buckets[key] = TokenBucket(rate, clock=self._clock, sleep=self._sleep)
            return self._buckets[key]

    def attach(self, client: Any, service: str, region: str) -> None:
        """Make every request `client` sends, retries included, wait for a token of its service and region."""
        bucket = self.bucket(service, region)
        if bucket is None:
            return

        def wait_for_token(**_: Any) -> None:  # None: a before-send handler's answer would replace the request's
            bucket.take()

        client.meta.events.register("before-send", wait_for_token)


_services_lock = threading.Lock()
_services: frozenset[str] | None = None


def known_services() -> frozenset[str]:
    """The service names boto3 clients are created with (ssm, ecs, logs, elbv2, …)."""
    global _services
    with _services_lock:
        if _services is None:
            _services = frozenset(botocore.session.get_session().get_available_services())
        return _services


def pacer_for(environment: str, rates: Mapping[str, Decimal | float]) -> Pacer:
    """The environment's pacer; a clear error when a rate names a service AWS does not have."""
    unknown = sorted(name for name in rates if name != DEFAULT and name not in known_services())
    if unknown:
        raise InvalidInput(
            f"Environment {environment}: aws.max_calls_per_second names {', '.join(map(repr, unknown))}, which "
            f"{'is not an AWS service name' if len(unknown) == 1 else 'are not AWS service names'} as boto3 "
            "knows them (e.g. ssm, ecs, logs, elbv2, cloudwatch), nor 'default'.")
    return Pacer(rates)
