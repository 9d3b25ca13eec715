"""What a collector is: a named reader of one AWS service into a typed inventory, and its registry."""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator, Sequence, TypeVar

from pydantic import BaseModel, ConfigDict

from readiness.platform import Environment, Select

if TYPE_CHECKING:
    from readiness.evidence.session import EnvironmentSession

T = TypeVar("T")
R = TypeVar("R")
I = TypeVar("I", bound="Inventory")

# The largest page each listing the collectors use may ask for, where AWS's default is smaller or where,
# without one, AWS stops at its maximum with no next page (ListQueues). Fewer pages, fewer round trips.
LARGEST_PAGE: dict[tuple[str, str], int] = {
    ("ssm", "describe_parameters"): 50,  # default 10
    ("cloudwatch", "describe_alarms"): 100,  # default 50
    ("secretsmanager", "list_secrets"): 100,
    ("ecs", "list_services"): 100,  # default 10
    ("ecs", "list_clusters"): 100,
    ("ecs", "list_task_definition_families"): 100,
    ("ecs", "list_task_definitions"): 100,
    ("elbv2", "describe_load_balancers"): 400,
    ("elbv2", "describe_target_groups"): 400,
    ("elbv2", "describe_listeners"): 400,
    ("rds", "describe_db_instances"): 100,
    ("rds", "describe_db_clusters"): 100,
    ("rds", "describe_db_snapshots"): 100,
    ("rds", "describe_db_cluster_snapshots"): 100,
    ("sqs", "list_queues"): 1000,  # without it, AWS answers at most 1,000 queues and no next page
    ("scheduler", "list_schedules"): 100,
    ("scheduler", "list_schedule_groups"): 100,
    ("logs", "describe_log_groups"): 50,
    ("logs", "describe_metric_filters"): 50,
    ("lambda", "list_functions"): 50,
    ("dynamodb", "list_tables"): 100,
    ("events", "list_rules"): 100,
    ("events", "list_targets_by_rule"): 100,
    ("kms", "list_keys"): 1000,  # default 100
    ("kms", "list_aliases"): 100,  # default 50
    ("application-autoscaling", "describe_scalable_targets"): 50,
    ("application-autoscaling", "describe_scaling_policies"): 50,
    ("application-autoscaling", "describe_scheduled_actions"): 50,
    ("resourcegroupstaggingapi", "get_resources"): 100,  # default 50
    ("ecr", "describe_repositories"): 1000,  # default 100
    ("ecr", "describe_images"): 1000,
    ("stepfunctions", "list_state_machines"): 1000,
    ("codepipeline", "list_pipelines"): 1000,
    ("elasticache", "describe_cache_clusters"): 100,
    ("elasticache", "describe_replication_groups"): 100,
    ("apigateway", "get_rest_apis"): 500,  # default 25
    ("ec2", "describe_subnets"): 1000,
}


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
    """One environment in one region, as a collector sees it: its selection, its clients and its helpers."""

    environment: Environment
    region: str
    account: str | None
    session: "EnvironmentSession"
    # Threads a collector may spread its one-call-per-resource reads over (see `each`); None: one at a time.
    helpers: Executor | None = field(default=None, compare=False)
    width: int = 1

    @property
    def select(self) -> Select:
        return self.environment.select

    def client(self, service: str) -> Any:
        return self.session.client(service, self.region)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account or ''}:{resource}"

    def each(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`function` over every item, in order, with up to `width` items read at once on the helper threads.

        For reads AWS offers only one resource at a time: their round trips overlap instead of adding up.
        The calling thread reads too, so it never waits on helpers busy elsewhere (nor on itself, when the
        helpers are the threads the collectors run on). The first error stops the reads and is raised.
        """
        items = list(items)
        if self.helpers is None or self.width < 2 or len(items) < 2:
            return [function(item) for item in items]
        return _SharedReads(self, function, items).run()


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


class _SharedReads:
    """One `each`: the items are claimed one by one by the caller and by whichever helpers start in time."""

    def __init__(self, ctx: CollectContext, function: Callable[[Any], Any], items: list[Any]) -> None:
        self.counter = ctx.session.counter
        self.tally = self.counter.current()  # helpers count their calls to the collector that asked
        self.function = function
        self.items = items
        self.results: list[Any] = [None] * len(items)
        self.error: BaseException | None = None
        self.claimed = 0
        self.busy = 0
        self.changed = threading.Condition()
        self.helpers = ctx.helpers
        self.width = min(ctx.width, len(items))

    def run(self) -> list[Any]:
        assert self.helpers is not None
        started = [self.helpers.submit(self._help) for _ in range(self.width - 1)]
        self._work()
        for future in started:
            future.cancel()  # a helper that has not started by now has nothing left to do
        with self.changed:
            self.changed.wait_for(lambda: self.busy == 0)
        if self.error is not None:
            raise self.error
        return self.results

    def _help(self) -> None:
        with self.counter.joined(self.tally):
            self._work()

    def _work(self) -> None:
        while True:
            with self.changed:
                if self.error is not None or self.claimed >= len(self.items):
                    return
                index = self.claimed
                self.claimed += 1
                self.busy += 1
            try:
                self.results[index] = self.function(self.items[index])
            except BaseException as exc:  # noqa: BLE001 (raised again on the caller's thread)
                self.counter.note_failure()
                with self.changed:
                    self.error = self.error or exc
            finally:
                with self.changed:
                    self.busy -= 1
                    self.changed.notify_all()


# ---- building blocks of collectors -----------------------------------------------------------

def pages(client: Any, operation: str, **kwargs: Any) -> Iterator[dict]:
    """The pages of a paginated operation, each as large as AWS allows for it (see LARGEST_PAGE)."""
    size = LARGEST_PAGE.get((client.meta.service_model.service_name, operation))
    if size and "PaginationConfig" not in kwargs:
        kwargs["PaginationConfig"] = {"PageSize": size}
    return client.get_paginator(operation).paginate(**kwargs)


def paged(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """Every item under `key` across the pages of a paginated operation."""
    for page in pages(client, operation, **kwargs):
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
