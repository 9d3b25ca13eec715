"""The least number of AWS calls a full collection of the benchmark estate needs, counted from its size.

Listings at the largest page AWS allows; batch reads at their largest batch; one call per resource only
where AWS has no way to read several at once (a task definition, a queue's attributes, a schedule, a
log group's streams). Each environment lives in its own account, so it is read only for its own estate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from scale_estate import EstateSize


def pages(items: int, size: int) -> int:
    """Calls to list `items` at `size` a page: at least one, to learn there is nothing."""
    return max(1, -(-items // size))


def tagged_resources(s: EstateSize) -> int:
    """What the tagging API lists in one environment's account: everything the estate tagged."""
    return (s.parameters + s.secrets + s.alarms + s.log_groups + 1 + 2 * s.services  # a cluster, services, task defs
            + s.load_balancers + s.target_groups + s.databases + s.queues)


# Per collector: the calls one environment needs. Where two collectors read the same listing (log groups),
# it is counted once, with the first.
MINIMUM: dict[str, Callable[[EstateSize], int]] = {
    "ssm": lambda s: pages(s.parameters, 50),
    "secretsmanager": lambda s: pages(s.secrets, 100),
    "cloudwatch": lambda s: pages(s.alarms, 100) + 1,  # alarms, dashboards (none)
    # log groups, their tags from the tagging API (100 a page), metric filters (none)
    "logs": lambda s: pages(s.log_groups, 50) + pages(s.log_groups, 100) + 1,
    # each group's newest streams, and the latest events of each stream
    "log_samples": lambda s: s.log_groups + s.streams,
    # clusters (listed, described), services (listed 100 a page, described 10 a call), families (listed),
    # then per family in use its recent revisions (newest first, one call) and each revision described
    "ecs": lambda s: 2 + pages(s.services, 100) + pages(s.services, 10) + pages(s.services, 100) + 2 * s.services,
    # balancers, their tags (20 a call), target groups, web ACLs (none: no balancer can be behind one),
    # and per balancer its attributes and its listeners
    "elbv2": lambda s: pages(s.load_balancers, 400) + pages(s.load_balancers, 20) + pages(s.target_groups, 400)
    + 1 + 2 * s.load_balancers,
    "rds": lambda s: 1 + pages(s.databases, 100) + 1,  # clusters (none), instances, instance snapshots
    "sqs": lambda s: pages(s.queues, 1000) + s.queues,  # listed, then each queue's attributes
    # groups (the default one's tags), schedules listed, then each read
    "scheduler": lambda s: 2 + pages(s.schedules, 100) + s.schedules,
    "tagging": lambda s: pages(tagged_resources(s), 100),
    "kms": lambda s: 2,
    "ecr": lambda s: 2,  # repositories, registry scanning
    "elasticache": lambda s: 2,  # replication groups, clusters
}
ONE_LISTING = 1  # every other collector: one empty listing in this estate
SESSION = 2  # per environment: AssumeRole, GetCallerIdentity


@dataclass
class Least:
    total: int
    by_collector: dict[str, int] = field(default_factory=dict)


def minimum_calls(size: EstateSize, collected: Iterable[tuple[str, str]]) -> Least:
    """The minimum over the (environment, collector) pairs a run read."""
    least = Least(total=0)
    environments = set()
    for environment, name in collected:
        environments.add(environment)
        calls = MINIMUM.get(name, lambda s: ONE_LISTING)(size)
        least.by_collector[name] = least.by_collector.get(name, 0) + calls
        least.total += calls
    least.total += SESSION * len(environments)
    return least
