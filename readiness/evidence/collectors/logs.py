"""CloudWatch Logs: the environment's log groups with retention and encryption."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs

TAGGING_PAGE = 100  # resources per page of the tagging API's GetResources
TAGS_ONE_BY_ONE = 10  # groups whose tags are read one by one; above, the tagging API lists them


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


@collector("logs", inventory=LogsInventory, actions=[
    "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:DescribeMetricFilters", "tag:GetResources",
])
def collect_logs(ctx: CollectContext) -> LogsInventory:
    client = ctx.client("logs")
    listed = list(paged(client, "describe_log_groups", "logGroups"))
    # Tags are read only for groups that may be this environment's.
    candidates = [(g, g.get("logGroupArn") or g["arn"].removesuffix(":*")) for g in listed
                  if belongs(ctx.select, g["logGroupName"]) or ctx.select.tags]
    tags = _tags(ctx, client, [arn for _, arn in candidates], listed=len(listed))
    groups = [
        LogGroup(name=g["logGroupName"], arn=arn, region=ctx.region, tags=tags.get(arn, {}),
                 retention_days=g.get("retentionInDays"), kms_key_id=g.get("kmsKeyId"),
                 stored_bytes=g.get("storedBytes", 0), metric_filters=g.get("metricFilterCount", 0))
        for g, arn in candidates if belongs(ctx.select, g["logGroupName"], tags.get(arn, {}))
    ]
    if groups:
        _add_filters(client, groups)
    return LogsInventory(log_groups=groups)


def _tags(ctx: CollectContext, client: Any, arns: list[str], *, listed: int) -> dict[str, dict[str, str]]:
    """The tags of these groups. Of a few, one ListTagsForResource each, read side by side: exact the moment
    a tag changes, where the tagging API may lag a little. Of more, from the tagging API's listing, a page
    per 100 tagged groups of the region (at most `listed`), when that is fewer calls than one per group."""
    if not arns:
        return {}
    if len(arns) > TAGS_ONE_BY_ONE and -(-listed // TAGGING_PAGE) < len(arns):
        wanted = set(arns)
        return {item["ResourceARN"]: tag_dict(item.get("Tags"))
                for item in paged(ctx.client("resourcegroupstaggingapi"), "get_resources", "ResourceTagMappingList",
                                  ResourceTypeFilters=["logs"])  # log groups and the few other kinds
                if item["ResourceARN"] in wanted}
    return dict(zip(arns, ctx.each(lambda arn: client.list_tags_for_resource(resourceArn=arn).get("tags", {}), arns)))


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
