"""EventBridge Scheduler: the environment's schedules, their time zones, flexible windows and targets."""
from __future__ import annotations

import datetime as dt
from typing import Any

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict, utc
from readiness.evidence.collectors.events import Target, target_of
from readiness.evidence.naming import belongs


class Schedule(Resource):
    group: str = "default"
    group_tags: dict[str, str] = {}  # schedules carry no tags of their own; their group does
    expression: str
    timezone: str = "UTC"
    enabled: bool = True
    flexible_minutes: int = 0  # 0: fires on the minute; else anywhere within this many minutes after
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    created: dt.datetime | None = None
    target: Target


class SchedulerInventory(Inventory):
    collector = "scheduler"
    schedules: list[Schedule] = []


@collector("scheduler", inventory=SchedulerInventory, actions=[
    "scheduler:ListScheduleGroups", "scheduler:ListTagsForResource", "scheduler:ListSchedules",
    "scheduler:GetSchedule",
])
def collect_schedules(ctx: CollectContext) -> SchedulerInventory:
    client = ctx.client("scheduler")
    groups = _groups(ctx, client)
    mine = [(s["Name"], s.get("GroupName", "default")) for s in paged(client, "list_schedules", "Schedules")
            if belongs(ctx.select, s["Name"]) or s.get("GroupName", "default") in groups]
    # GetSchedule has no batch form: one call per schedule of the environment.
    return SchedulerInventory(schedules=ctx.each(
        lambda named: _schedule(ctx, client.get_schedule(Name=named[0], GroupName=named[1]), groups.get(named[1], {})),
        mine))


def _groups(ctx: CollectContext, client: Any) -> dict[str, dict[str, str]]:
    """The environment's schedule groups, by name, with their tags."""
    out = {}
    for g in paged(client, "list_schedule_groups", "ScheduleGroups"):
        if belongs(ctx.select, g["Name"]) or ctx.select.tags:
            tags = tag_dict(client.list_tags_for_resource(ResourceArn=g["Arn"]).get("Tags"))
            if belongs(ctx.select, g["Name"], tags):
                out[g["Name"]] = tags
    return out


def _schedule(ctx: CollectContext, s: dict, group_tags: dict[str, str]) -> Schedule:
    window = s.get("FlexibleTimeWindow") or {}
    return Schedule(
        name=s["Name"], arn=s["Arn"], region=ctx.region, group=s.get("GroupName", "default"), group_tags=group_tags,
        expression=s["ScheduleExpression"], timezone=s.get("ScheduleExpressionTimezone") or "UTC",
        enabled=s.get("State", "ENABLED") == "ENABLED",
        flexible_minutes=window.get("MaximumWindowInMinutes", 0) if window.get("Mode") == "FLEXIBLE" else 0,
        start=utc(s.get("StartDate")), end=utc(s.get("EndDate")), created=utc(s.get("CreationDate")),
        target=target_of(s["Target"]),
    )
