"""What a collector is: a named reader of one AWS service into a typed inventory, and its registry."""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator, Sequence, TypeVar

from pydantic import BaseModel, ConfigDict

from readiness.platform import Environment, Select

if TYPE_CHECKING:
    from readiness.evidence.session import EnvironmentSession

T = TypeVar("T")
I = TypeVar("I", bound="Inventory")


class Inventory(BaseModel):
    """What one collector read. Lists and dicts only, so the inventories of several regions merge."""

    model_config = ConfigDict(extra="forbid")
    collector: ClassVar[str] = ""

    @classmethod
    def merged(cls: type[I], parts: Sequence[I]) -> I:
        """One inventory for an environment from its regions: lists joined, dicts combined."""
        if len(parts) == 1:
            return parts[0]
        data: dict[str, Any] = {}
        for name in cls.model_fields:
            values = [getattr(part, name) for part in parts]
            if all(isinstance(v, list) for v in values):
                data[name] = [item for v in values for item in v]
            elif all(isinstance(v, dict) for v in values):
                data[name] = {k: item for v in values for k, item in v.items()}
            else:
                data[name] = next((v for v in values if v is not None), None)
        return cls.model_validate(data)


class Resource(BaseModel):
    """Fields every inventoried resource has: where it lives and what it is called."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arn: str
    region: str
    tags: dict[str, str] = {}


@dataclass(frozen=True)
class CollectContext:
    """One environment in one region, as a collector sees it: its selection and its clients."""

    environment: Environment
    region: str
    account: str | None
    session: "EnvironmentSession"

    @property
    def select(self) -> Select:
        return self.environment.select

    def client(self, service: str) -> Any:
        return self.session.client(service, self.region)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account or ''}:{resource}"


@dataclass(frozen=True)
class CollectorSpec:
    name: str
    actions: tuple[str, ...]  # the IAM actions it calls: these make up the read-only policy
    inventory: type[Inventory]
    function: Callable[[CollectContext], Inventory] = field(compare=False, repr=False)

    def collect(self, ctx: CollectContext) -> Inventory:
        return self.function(ctx)


COLLECTORS: dict[str, CollectorSpec] = {}


def collector(name: str, *, actions: Iterable[str], inventory: type[Inventory]) -> Callable[[Callable], Callable]:
    """Register `function(ctx) -> inventory` as the collector of one AWS service."""
    if inventory.collector != name:
        raise ValueError(f"inventory {inventory.__name__} must declare collector = {name!r}")

    def register(function: Callable[[CollectContext], Inventory]) -> Callable[[CollectContext], Inventory]:
        if name in COLLECTORS and COLLECTORS[name].function is not function:
            raise ValueError(f"collector {name} is registered twice")
        COLLECTORS[name] = CollectorSpec(name=name, actions=tuple(actions), inventory=inventory, function=function)
        return function

    return register


def all_collectors() -> dict[str, CollectorSpec]:
    """Every registered collector, importing each module of readiness.evidence.collectors once."""
    import readiness.evidence.collectors as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    return dict(sorted(COLLECTORS.items()))


def inventory_types() -> dict[str, type[Inventory]]:
    return {name: spec.inventory for name, spec in all_collectors().items()}


# ---- building blocks of collectors -----------------------------------------------------------

def paged(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """Every item under `key` across the pages of a paginated operation."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def tag_dict(tags: Iterable[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS's [{"Key": k, "Value": v}] (or lower-case keys) as a plain dict."""
    return {t[key]: t.get(value, "") for t in tags or [] if key in t}


def utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
