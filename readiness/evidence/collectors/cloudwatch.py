"""CloudWatch: the environment's alarms (what they watch, how they fire, whom they tell) and its dashboards."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, pages, tag_dict, utc
from readiness.evidence.naming import belongs

# Alarms Application Auto Scaling makes for target tracking: they drive scaling, nobody is paged by them,
# and their low alarm sits in ALARM whenever traffic is quiet.
SCALING_ALARM_PREFIX = "TargetTracking-"
MAX_DASHBOARD_METRICS = 200  # kept per dashboard: enough to tell what it shows


class Metric(BaseModel):
    """One metric an alarm or a dashboard reads: namespace, name and dimension values (never data points)."""

    namespace: str = ""
    name: str = ""
    dimensions: dict[str, str] = {}


class Alarm(Resource):
    kind: str = "metric"  # metric | composite
    state: str = "INSUFFICIENT_DATA"  # OK | ALARM | INSUFFICIENT_DATA
    state_since: dt.datetime | None = None
    actions_enabled: bool = True
    alarm_actions: list[str] = []
    ok_actions: list[str] = []
    metrics: list[Metric] = []
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None
    period_seconds: int | None = None
    metric_math: bool = False  # the alarm evaluates an expression over several metrics
    anomaly_band: bool = False  # the threshold is an anomaly detection band
    rule: str | None = None  # composite alarms: the rule over other alarms

    @property
    def notifies(self) -> bool:
        return self.actions_enabled and bool(self.alarm_actions)


class Dashboard(Resource):
    widget_titles: list[str] = []
    metrics: list[Metric] = []


class CloudWatchInventory(Inventory):
    collector = "cloudwatch"
    alarms: list[Alarm] = []
    dashboards: list[Dashboard] = []


@collector("cloudwatch", inventory=CloudWatchInventory, actions=[
    "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:ListDashboards",
    "cloudwatch:GetDashboard",
])
def collect_cloudwatch(ctx: CollectContext) -> CloudWatchInventory:
    client = ctx.client("cloudwatch")
    listed = []
    for page in pages(client, "describe_alarms", AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        for kind, items in (("metric", page.get("MetricAlarms", [])), ("composite", page.get("CompositeAlarms", []))):
            listed += [(kind, a) for a in items if not a["AlarmName"].startswith(SCALING_ALARM_PREFIX)]

    def alarm(listing: tuple[str, dict]) -> Alarm | None:
        kind, a = listing
        tags = _tags_if_needed(ctx, client, a["AlarmName"], a["AlarmArn"])
        return _alarm(ctx, a, kind, tags) if tags is not None else None

    def dashboard(entry: dict) -> Dashboard:
        # GetDashboard has no batch form: one call per dashboard of the environment.
        body = client.get_dashboard(DashboardName=entry["DashboardName"]).get("DashboardBody") or "{}"
        return _dashboard(ctx, entry, body)

    mine = [entry for entry in _dashboard_entries(client) if belongs(ctx.select, entry["DashboardName"])]
    return CloudWatchInventory(alarms=[a for a in ctx.each(alarm, listed) if a is not None],
                               dashboards=ctx.each(dashboard, mine))


def _tags_if_needed(ctx: CollectContext, client: Any, name: str, arn: str) -> dict[str, str] | None:
    """The alarm's tags when it is this environment's ({} when its name already says so); None when it is not."""
    if belongs(ctx.select, name):
        return {}
    if not ctx.select.tags:
        return None
    tags = tag_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags"))
    return tags if belongs(ctx.select, name, tags) else None


def _alarm(ctx: CollectContext, a: dict, kind: str, tags: dict[str, str]) -> Alarm:
    metrics, math, band = [], False, False
    if a.get("MetricName"):
        metrics.append(Metric(namespace=a.get("Namespace", ""), name=a["MetricName"],
                              dimensions={d["Name"]: d["Value"] for d in a.get("Dimensions", [])}))
    for query in a.get("Metrics") or []:
        stat = (query.get("MetricStat") or {}).get("Metric")
        if stat:
            metrics.append(Metric(namespace=stat.get("Namespace", ""), name=stat.get("MetricName", ""),
                                  dimensions={d["Name"]: d["Value"] for d in stat.get("Dimensions", [])}))
        expression = query.get("Expression") or ""
        if expression:
            math = True
            band = band or "ANOMALY_DETECTION_BAND" in expression.upper()
    periods = [q["MetricStat"].get("Period") for q in a.get("Metrics") or [] if q.get("MetricStat")]
    return Alarm(
        name=a["AlarmName"], arn=a["AlarmArn"], region=ctx.region, tags=tags, kind=kind,
        state=a.get("StateValue", "INSUFFICIENT_DATA"), state_since=utc(a.get("StateUpdatedTimestamp")),
        actions_enabled=a.get("ActionsEnabled", True), alarm_actions=list(a.get("AlarmActions", [])),
        ok_actions=list(a.get("OKActions", [])), metrics=metrics,
        evaluation_periods=a.get("EvaluationPeriods"), datapoints_to_alarm=a.get("DatapointsToAlarm"),
        period_seconds=a.get("Period") or next((p for p in periods if p), None),
        metric_math=math, anomaly_band=band or bool(a.get("ThresholdMetricId")), rule=a.get("AlarmRule"),
    )


def _dashboard_entries(client: Any) -> list[dict]:
    return [entry for page in pages(client, "list_dashboards") for entry in page.get("DashboardEntries", [])]


def _dashboard(ctx: CollectContext, entry: dict, body: str) -> Dashboard:
    try:
        widgets = json.loads(body).get("widgets", [])
    except (ValueError, AttributeError):
        widgets = []
    titles, metrics = [], []
    for widget in widgets if isinstance(widgets, list) else []:
        properties = (widget.get("properties") or {}) if isinstance(widget, dict) else {}
        if properties.get("title"):
            titles.append(str(properties["title"]))
        metrics += _widget_metrics(properties.get("metrics") or [])
    name = entry["DashboardName"]
    arn = entry.get("DashboardArn") or f"arn:aws:cloudwatch::{ctx.account or ''}:dashboard/{name}"
    return Dashboard(name=name, arn=arn, region=ctx.region, widget_titles=titles,
                     metrics=metrics[:MAX_DASHBOARD_METRICS])


def _widget_metrics(rows: list) -> list[Metric]:
    """A widget's metric rows: [namespace, name, dim, value, …, {options}], where "." repeats the row above."""
    out: list[Metric] = []
    previous: list[str] = []
    for row in rows:
        if not isinstance(row, list):
            continue
        parts = [p for p in row if not isinstance(p, dict)]
        options = next((p for p in row if isinstance(p, dict)), {})
        if not parts and options.get("expression"):
            out.append(Metric(namespace="", name=str(options["expression"])[:200]))
            continue
        parts = [previous[i] if p == "." and i < len(previous) else str(p) for i, p in enumerate(parts)]
        previous = parts
        if len(parts) >= 2:
            pairs = parts[2:]
            out.append(Metric(namespace=parts[0], name=parts[1],
                              dimensions={pairs[i]: pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}))
    return out
