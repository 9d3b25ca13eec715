"""botocore hooks of the benchmarks: a round trip's latency on every request, and AWS throttling a share of them."""
from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from typing import Any, Callable

from botocore.awsrequest import AWSResponse

ATTEMPT = re.compile(r"attempt=(\d+); max=(\d+)")
THROTTLED_XML = (b'<ErrorResponse><Error><Type>Sender</Type><Code>ThrottlingException</Code>'
                 b'<Message>Rate exceeded</Message></Error></ErrorResponse>')
THROTTLED_JSON = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any):
        yield self.data


def latency_hook(seconds: float, operations: Counter[str], lock: threading.Lock) -> tuple[str, Callable]:
    """Every request waits `seconds` before it is sent (the round trip to a real AWS); counts it by operation."""
    def delay(event_name: str = "", **_: Any) -> None:
        with lock:
            operations[event_name.removeprefix("before-send.")] += 1
        if seconds:
            time.sleep(seconds)

    return ("before-send", delay)


def throttling_hook(share: float, seed: int = 7) -> tuple[str, Callable]:
    """AWS answering `share` of the attempts with 400 ThrottlingException, never a call's last attempt.

    The answer says so as each kind of service reads it: JSON services (those sent an X-Amz-Target) from
    the body, REST-JSON services from the header, XML services from the body.
    """
    rng = random.Random(seed)
    lock = threading.Lock()

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        header = request.headers.get("amz-sdk-request", b"")
        match = ATTEMPT.search(header.decode() if isinstance(header, bytes) else str(header))
        if match and int(match.group(1)) >= int(match.group(2)):
            return None
        with lock:
            hit = rng.random() < share
        if not hit:
            return None
        body = THROTTLED_JSON if "X-Amz-Target" in request.headers else THROTTLED_XML
        return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, _Body(body))

    return ("before-send", throttle)
