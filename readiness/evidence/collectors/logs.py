"""CloudWatch Logs: the environment's log groups with retention and encryption."""
from __future__ import annotations

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged
from readiness.evidence.naming import belongs


class MetricFilter(BaseModel):
    """A pattern that turns matching log lines into a metric."""

    name: str
    pattern: str = ""
    metrics: list[str] = []  # namespace/name of the metrics it publishes


class LogGroup(Resource):
    retention_days: int | None = None  # None: kept forever
    kms_key_id: str | None = None
    stored_bytes: int = 0
    metric_filters: int = 0
    filters: list[MetricFilter] = []


class LogsInventory(Inventory):
    collector = "logs"
    log_groups: list[LogGroup] = []


@collector("logs", actions=["logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:DescribeMetricFilters"],
           inventory=LogsInventory)
def collect_logs(ctx: CollectContext) -> LogsInventory:
    client = ctx.client("logs")
    groups = []
    for g in paged(client, "describe_log_groups", "logGroups"):
        name = g["logGroupName"]
        arn = g.get("logGroupArn") or g["arn"].removesuffix(":*")
        if not belongs(ctx.select, name) and not ctx.select.tags:
            continue  # tags cost a call per group: read them only for groups that may be this environment's
        tags = client.list_tags_for_resource(resourceArn=arn).get("tags", {})
        if not belongs(ctx.select, name, tags):
            continue
        groups.append(LogGroup(name=name, arn=arn, region=ctx.region, tags=tags,
                               retention_days=g.get("retentionInDays"), kms_key_id=g.get("kmsKeyId"),
                               stored_bytes=g.get("storedBytes", 0), metric_filters=g.get("metricFilterCount", 0)))
    if groups:
        _add_filters(client, groups)
    return LogsInventory(log_groups=groups)


def _add_filters(client, groups: list[LogGroup]) -> None:
    # One paginated listing of every filter in the region, rather than a call per group.
    by_group = {g.name: g for g in groups}
    for f in paged(client, "describe_metric_filters", "metricFilters"):
        group = by_group.get(f.get("logGroupName", ""))
        if group is not None:
            group.filters.append(MetricFilter(
                name=f.get("filterName", ""), pattern=f.get("filterPattern", ""),
                metrics=[f"{m.get('metricNamespace', '')}/{m.get('metricName', '')}"
                         for m in f.get("metricTransformations", [])]))
