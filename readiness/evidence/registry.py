"""The registry of checks: each declares its id, area, severity and the inventories it reads."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Iterable

from readiness.evidence.model import Severity

CheckFunction = Callable[..., Iterable[object]]


@dataclass(frozen=True)
class CheckSpec:
    id: str
    area: str
    title: str
    severity: Severity
    needs: tuple[str, ...]  # collector names whose inventories the check reads
    good: str  # what good looks like, in one sentence a leader can read
    compares: bool = False  # True: judged over a (baseline, target) pair of environments
    kind: str = "aws"  # aws | data
    function: CheckFunction | None = field(default=None, compare=False, repr=False)
    tiers: tuple[str, ...] = ()  # environment tiers judged (of the target, for comparing checks); empty: all

    def applies_to(self, tier: str) -> bool:
        return not self.tiers or tier in self.tiers


CHECKS: dict[str, CheckSpec] = {}


def check(
    id: str, *, area: str, title: str, severity: Severity, needs: Iterable[str], good: str,
    compares: bool = False, kind: str = "aws", tiers: Iterable[str] = (),
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under `id` (`<area>.<what_is_checked>`)."""
    if not id.startswith(area + "."):
        raise ValueError(f"check id {id} must start with its area {area}")

    def register(function: CheckFunction) -> CheckFunction:
        if id in CHECKS and CHECKS[id].function is not function:
            raise ValueError(f"check {id} is registered twice")
        CHECKS[id] = CheckSpec(id=id, area=area, title=title, severity=severity, needs=tuple(needs), good=good,
                               compares=compares, kind=kind, function=function, tiers=tuple(tiers))
        return function

    return register


def all_checks() -> dict[str, CheckSpec]:
    """Every registered check, importing each module of readiness.evidence.checks once."""
    import readiness.evidence.checks as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    try:
        importlib.import_module("readiness.dataflow.checks")
    except ModuleNotFoundError as exc:
        if exc.name != "readiness.dataflow.checks":
            raise
    return dict(sorted(CHECKS.items()))
