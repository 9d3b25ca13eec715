"""What a check sees and says: views of environments' inventories in, verdicts on resources out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, Callable, Generic, Iterable, Mapping, Sequence, TypeVar

from readiness.evidence.collecting import Inventory
from readiness.evidence.model import Status
from readiness.evidence.naming import common_name
from readiness.platform import Environment, EvidenceSettings, Platform, Select

I = TypeVar("I", bound=Inventory)
T = TypeVar("T")
WORST_FIRST = (Status.FAIL, Status.WARN, Status.UNKNOWN, Status.PASS)


class InventoryUnknown(Exception):
    """A check asked for an inventory that could not be read: its verdict is unknown, never a pass."""


@dataclass(frozen=True)
class EnvView:
    """One environment as the checks see it: who it is and the inventories read from it (all regions merged)."""

    name: str
    tier: str
    select: Select
    account: str | None = None
    regions: tuple[str, ...] = ("us-east-1",)
    inventories: Mapping[str, Inventory] = field(default_factory=dict)
    unknown: Mapping[str, str] = field(default_factory=dict)  # collector -> why it could not be read

    @classmethod
    def build(cls, environment: Environment, inventories: Iterable[Inventory] = (), *, account: str | None = None,
              unknown: Mapping[str, str] | None = None) -> "EnvView":
        return cls(name=environment.name, tier=environment.tier, select=environment.select, account=account,
                   regions=tuple(environment.aws.regions), inventories={i.collector: i for i in inventories},
                   unknown=dict(unknown or {}))

    def inventory(self, kind: type[I]) -> I:
        name = kind.collector
        if name in self.unknown:
            raise InventoryUnknown(f"{name} could not be read in {self.name}: {self.unknown[name]}")
        if name not in self.inventories:
            raise InventoryUnknown(f"{name} was not collected in {self.name}")
        return self.inventories[name]  # type: ignore[return-value]

    def common_name(self, name: str) -> str:
        return common_name(self.select, name)


@dataclass(frozen=True)
class Verdict:
    """What a check says about one resource; the runner makes it a Finding."""

    resource: str
    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    region: str | None = None
    account: str | None = None  # when the resource lives in the baseline's account


def verdict(status: Status, resource: str, message: str, *, region: str | None = None, account: str | None = None,
            **details: Any) -> Verdict:
    return Verdict(resource=resource, status=status, message=message, details=details, region=region, account=account)


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    return next((s for s in WORST_FIRST if s in present), Status.PASS)


@dataclass(frozen=True)
class Pair(Generic[T]):
    key: str
    target: T | None
    baseline: T | None


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read: the environment judged, the baseline it is compared with, the settings."""

    env: EnvView
    baseline: EnvView | None = None
    platform: Platform | None = None
    settings: EvidenceSettings = field(default_factory=EvidenceSettings)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def compared(self) -> EnvView:
        if self.baseline is None:
            raise ValueError("this check compares two environments but was given one")
        return self.baseline

    def pairs(self, target: Sequence[T], baseline: Sequence[T],
              name: Callable[[T], str] = lambda item: item.name, region: Callable[[T], str] = lambda item: item.region,
              ) -> list[Pair[T]]:
        """Resources of both environments matched by name with each environment's prefix or path removed."""
        other = self.compared
        by_region = len(self.env.regions) > 1 and set(self.env.regions) == set(other.regions)

        def keyed(view: EnvView, items: Sequence[T]) -> dict[str, list[T]]:
            out: dict[str, list[T]] = {}
            for item in items:
                key = view.common_name(name(item))
                out.setdefault(f"{region(item)}:{key}" if by_region else key, []).append(item)
            return out

        mine, theirs = keyed(self.env, target), keyed(other, baseline)
        return [Pair(key, t, b) for key in sorted(mine.keys() | theirs.keys())
                for t, b in zip_longest(mine.get(key, []), theirs.get(key, []))]

    def no_counterpart(self, kind: str, item: Any, *, in_target: bool, status: Status = Status.FAIL) -> Verdict:
        """"production parameter db/pool-size has no counterpart in staging", on the resource that exists."""
        other = self.compared
        present, absent = (self.env, other) if in_target else (other, self.env)
        name = present.common_name(item.name)
        exists = {"kind": kind, "name": name, "what": "exists", "baseline": None if in_target else "present",
                  "target": "present" if in_target else None}  # the one difference, as Comparison keeps them
        return verdict(status, item.arn, f"{present.name} {kind} {name} has no counterpart in {absent.name}",
                       region=item.region, account=None if in_target else other.account, missing_in=absent.name,
                       differences=[exists])


def show(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "not set"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in sorted(value))
    return str(value)


@dataclass(frozen=True)
class Difference:
    """One way a resource differs from its counterpart: the sentence said, and what differs with both values.

    Values are the configuration facts the sentence shows (never secret or variable values); None on the side
    where the thing is absent.
    """

    status: Status
    text: str
    what: str
    target: str | None
    baseline: str | None

    def shown(self, kind: str, name: str) -> dict[str, str | None]:
        """The difference as a finding's details keep it, for the drift table to show side by side."""
        return {"kind": kind, "name": name, "what": self.what, "baseline": self.baseline, "target": self.target}


@dataclass
class Comparison:
    """The differences between a target resource and its baseline counterpart, made into one verdict."""

    ctx: CheckContext
    kind: str  # "load balancer"
    name: str  # "api": the common name, without either environment's prefix or path
    subject: str = ""  # how the message names the resource, when not "<kind> <name>"
    differences: list[Difference] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.subject = self.subject or f"{self.kind} {self.name}"

    def differ(self, what: str, target: Any, baseline: Any, status: Status = Status.FAIL) -> None:
        if target != baseline:
            self.add(status, f"{what} is {show(target)} in {self.ctx.env.name} but {show(baseline)} "
                             f"in {self.ctx.compared.name}", what=what, target=show(target), baseline=show(baseline))

    def only_on_one_side(self, what: str, target: Iterable[str], baseline: Iterable[str],
                         status: Status = Status.FAIL) -> None:
        target, baseline = set(target), set(baseline)
        if target - baseline:
            self.add(status, f"{what} only in {self.ctx.env.name}: {show(target - baseline)}", what=what,
                     target=show(target - baseline), baseline=None)
        if baseline - target:
            self.add(status, f"{what} only in {self.ctx.compared.name}: {show(baseline - target)}", what=what,
                     target=None, baseline=show(baseline - target))

    def add(self, status: Status, text: str, *, what: str, target: str | None, baseline: str | None) -> None:
        """One difference: the sentence the message carries, and what differs with its value on each side."""
        self.differences.append(Difference(status, text, what, target, baseline))

    def verdict(self, resource: str, *, region: str | None = None, **details: Any) -> Verdict:
        env, other = self.ctx.env.name, self.ctx.compared.name
        if not self.differences:
            return verdict(Status.PASS, resource, f"{env} {self.subject} matches {other}", region=region, **details)
        return verdict(worst(d.status for d in self.differences), resource,
                       f"{env} {self.subject} differs from {other}: " + "; ".join(d.text for d in self.differences),
                       region=region, differences=[d.shown(self.kind, self.name) for d in self.differences],
                       **details)
