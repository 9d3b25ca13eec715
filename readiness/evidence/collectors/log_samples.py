"""CloudWatch Logs content, sampled: how many recent events of each log group are JSON with a correlation id.

The only collector that reads log events. It keeps shares and field names, never an event or a value.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged
from readiness.evidence.naming import belongs

SAMPLE_STREAMS = 2  # the most recently written streams of a group
EVENTS_PER_STREAM = 25  # the latest events of each
MAX_FIELDS = 40
CORRELATION_FIELD = re.compile(r"(correlation|trace|request|transaction|txn)id$")
# What Lambda itself writes around every invocation: not the application's own logging.
PLATFORM_LINE = re.compile(r"^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY)\b")


class LogSample(Resource):
    """What the latest events of one log group look like."""

    events: int = 0  # sampled, Lambda's own lines left out
    json_events: int = 0
    correlated_events: int = 0  # JSON events that carry a correlation, trace, request or transaction id
    fields: list[str] = []  # top-level field names seen in the JSON events
    correlation_fields: list[str] = []
    last_event: dt.datetime | None = None


class LogSamplesInventory(Inventory):
    collector = "log_samples"
    samples: list[LogSample] = []


@collector("log_samples", inventory=LogSamplesInventory, actions=[
    "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:DescribeLogStreams", "logs:GetLogEvents",
])
def collect_log_samples(ctx: CollectContext) -> LogSamplesInventory:
    client = ctx.client("logs")

    def sample(g: dict) -> LogSample | None:
        name = g["logGroupName"]
        arn = g.get("logGroupArn") or g["arn"].removesuffix(":*")
        if not belongs(ctx.select, name):
            if not ctx.select.tags or not belongs(ctx.select, name,
                                                  client.list_tags_for_resource(resourceArn=arn).get("tags", {})):
                return None
        return _sample(ctx, client, name, arn)

    groups = [g for g in paged(client, "describe_log_groups", "logGroups")
              if ctx.select.tags or belongs(ctx.select, g["logGroupName"])]
    return LogSamplesInventory(samples=[s for s in ctx.each(sample, groups) if s is not None])


def _sample(ctx: CollectContext, client: Any, name: str, arn: str) -> LogSample:
    streams = client.describe_log_streams(logGroupName=name, orderBy="LastEventTime", descending=True,
                                          limit=SAMPLE_STREAMS).get("logStreams", [])
    sample = LogSample(name=name, arn=arn, region=ctx.region)
    fields: set[str] = set()
    correlation: set[str] = set()
    for stream in streams:
        answer = client.get_log_events(logGroupName=name, logStreamName=stream["logStreamName"],
                                       limit=EVENTS_PER_STREAM, startFromHead=False)
        for event in answer.get("events", []):
            message = str(event.get("message", "")).strip()
            if not message or PLATFORM_LINE.match(message):
                continue
            sample.events += 1
            stamp = event.get("timestamp")
            if stamp is not None:
                when = dt.datetime.fromtimestamp(stamp / 1000, dt.UTC)
                sample.last_event = max(sample.last_event or when, when)
            record = _json_object(message)
            if record is None:
                continue
            sample.json_events += 1
            keys = _field_names(record)
            fields.update(k for k in record)
            found = {k for k in keys if CORRELATION_FIELD.search(re.sub(r"[^a-z]", "", k.lower()))}
            if found:
                sample.correlated_events += 1
                correlation.update(found)
    sample.fields = sorted(fields)[:MAX_FIELDS]
    sample.correlation_fields = sorted(correlation)
    return sample


def _json_object(message: str) -> dict | None:
    if not message.startswith("{"):
        return None
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _field_names(record: dict) -> list[str]:
    """Top-level names, and one level down (context.correlation_id), where ids often sit."""
    names = []
    for key, value in record.items():
        names.append(str(key))
        if isinstance(value, dict):
            names += [f"{key}.{inner}" for inner in value]
    return names
