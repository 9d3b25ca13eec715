"""EventBridge rules: the environment's scheduled rules and the targets they start, with retries and dead letters."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs


class Target(BaseModel):
    """What a schedule or rule starts, and what happens when it cannot."""

    id: str | None = None
    arn: str  # a cluster (with a task definition), a state machine, a function, a queue…
    task_definition: str | None = None  # ECS targets: the task it runs
    retry_attempts: int | None = None  # None: the service's default, 185 attempts over 24 hours
    max_event_age_seconds: int | None = None
    dead_letter_arn: str | None = None

    @property
    def service(self) -> str:
        parts = self.arn.split(":")
        return parts[2] if len(parts) > 2 else ""

    @property
    def job(self) -> str:
        """The work itself: the task definition family for ECS, else the target without a version or alias."""
        if self.task_definition:
            return self.task_definition.rsplit("/", 1)[-1].rsplit(":", 1)[0]
        if self.service == "lambda":
            return ":".join(self.arn.split(":")[:7])
        return self.arn


def target_of(t: dict) -> Target:
    """A target as EventBridge rules and EventBridge Scheduler both describe it."""
    retry = t.get("RetryPolicy") or {}
    return Target(
        id=t.get("Id"), arn=t["Arn"], task_definition=(t.get("EcsParameters") or {}).get("TaskDefinitionArn"),
        retry_attempts=retry.get("MaximumRetryAttempts"), max_event_age_seconds=retry.get("MaximumEventAgeInSeconds"),
        dead_letter_arn=(t.get("DeadLetterConfig") or {}).get("Arn"),
    )


class Rule(Resource):
    schedule: str  # cron(...) or rate(...), always in UTC
    enabled: bool = True
    targets: list[Target] = []


class EventsInventory(Inventory):
    collector = "events"
    rules: list[Rule] = []


@collector("events", inventory=EventsInventory, actions=[
    "events:ListRules", "events:ListTargetsByRule", "events:ListTagsForResource",
])
def collect_events(ctx: CollectContext) -> EventsInventory:
    client = ctx.client("events")

    def read(r: dict) -> Rule | None:
        tags = _tags_if_needed(ctx, client, r)
        if tags is None:
            return None
        targets = [target_of(t) for t in paged(client, "list_targets_by_rule", "Targets", Rule=r["Name"])]
        return Rule(name=r["Name"], arn=r["Arn"], region=ctx.region, tags=tags, schedule=r["ScheduleExpression"],
                    enabled=r.get("State", "ENABLED") == "ENABLED", targets=targets)

    # Scheduled rules live on the default event bus only; rules matching event patterns start work when
    # something happens, not on a clock.
    scheduled = [r for r in paged(client, "list_rules", "Rules") if r.get("ScheduleExpression")]
    return EventsInventory(rules=[r for r in ctx.each(read, scheduled) if r is not None])


def _tags_if_needed(ctx: CollectContext, client: Any, rule: dict) -> dict[str, str] | None:
    # Tags carry the expected duration of the job, so a rule of this environment always has them read.
    if not belongs(ctx.select, rule["Name"]) and not ctx.select.tags:
        return None
    tags = tag_dict(client.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags"))
    return tags if belongs(ctx.select, rule["Name"], tags) else None
