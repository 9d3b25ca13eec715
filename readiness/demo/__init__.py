"""The demo platform: a simulated AWS estate (moto on 127.0.0.1), seeded once per process, with known gaps.

`ensure_demo()` is the one call the app and the command line need: it starts the simulation if it is
not running, seeds the estate if it is not there, and says where it is and what is wrong in it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from readiness.demo.manifest import DoneRight, Gap, resolved
from readiness.demo.server import DemoServer, DemoUnavailable, running_server, start_server
from readiness.platform import REPO_ROOT, Platform, load_platform

if TYPE_CHECKING:
    from readiness.demo.estate import SeededEstate

DEMO_PLATFORM_FILE = REPO_ROOT / "data" / "platforms" / "demo.yaml"

_lock = threading.Lock()
_current: "DemoEstate | None" = None


@dataclass(frozen=True)
class DemoEstate:
    """The running simulation: where it answers, which account is which, and its known gaps."""

    endpoint_url: str
    accounts: dict[str, str]  # environment -> simulated account id
    gaps: tuple[Gap, ...]
    done_right: tuple[DoneRight, ...]
    resources: dict[str, str] = field(default_factory=dict)  # "environment/kind:name" -> ARN
    exports: dict[str, int] = field(default_factory=dict)  # environment -> sample export files copied
    seeded_in_seconds: float = 0.0


def demo_platform(path: Path | str = DEMO_PLATFORM_FILE) -> Platform:
    return load_platform(path)


def ensure_demo(platform: Platform | None = None, *, port: int = 0) -> DemoEstate:
    """The simulated AWS, running and seeded: started once per process and reused; safe from any thread.

    Seeds again when the estate has gone (something reset the simulation in this process).
    Raises DemoUnavailable, with the reason, when the simulation cannot start or be seeded.
    """
    global _current
    from readiness.demo.estate import estate_present

    with _lock:
        server = start_server(port)
        if _current is not None and _current.endpoint_url == server.endpoint_url and estate_present(
                platform, server.endpoint_url):
            return _current
        platform = platform or demo_platform()
        try:
            seeded = _seed(platform, server, reset=_current is not None)
            gaps, right = resolved(seeded.resources)
        except (BotoCoreError, ClientError, OSError, KeyError, ValueError) as exc:
            raise DemoUnavailable(f"The simulated AWS of the demo could not be seeded: {type(exc).__name__}: {exc}") \
                from exc
        _current = DemoEstate(endpoint_url=seeded.endpoint_url, accounts=seeded.accounts, gaps=gaps, done_right=right,
                              resources=seeded.resources, exports=seeded.exports, seeded_in_seconds=seeded.seconds)
        return _current


def _seed(platform: Platform, server: DemoServer, *, reset: bool) -> "SeededEstate":
    from readiness.demo.estate import seed_estate

    try:
        return seed_estate(platform, server.endpoint_url, reset=reset)
    except ClientError:
        if reset:
            raise
        # Something else left resources in the simulation of this process: start from a clean slate.
        return seed_estate(platform, server.endpoint_url, reset=True)


def current_demo() -> DemoEstate | None:
    """The estate seeded in this process, if any (without starting anything)."""
    return _current if running_server() is not None else None


__all__ = ["DEMO_PLATFORM_FILE", "DemoEstate", "DemoUnavailable", "Gap", "DoneRight", "current_demo", "demo_platform",
           "ensure_demo"]
