"""SQS: the environment's queues, with their redrive to dead-letter queues and how many messages wait in them."""
from __future__ import annotations

import json
import re
from typing import Any

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged
from readiness.evidence.naming import belongs

ATTRIBUTES = ["QueueArn", "RedrivePolicy", "VisibilityTimeout", "MessageRetentionPeriod", "KmsMasterKeyId",
              "SqsManagedSseEnabled", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed"]
DEAD_LETTER_NAME = re.compile(r"(dlq|dead-?letter|deadletter)", re.IGNORECASE)


class Queue(Resource):
    url: str
    dead_letter_target: str | None = None  # the ARN its failing messages move to
    max_receive_count: int | None = None
    visibility_timeout_seconds: int | None = None
    retention_seconds: int | None = None
    kms_key_id: str | None = None
    sqs_managed_encryption: bool = False
    messages: int = 0  # visible, in flight and delayed: what still waits to be handled
    messages_visible: int = 0


class SqsInventory(Inventory):
    collector = "sqs"
    queues: list[Queue] = []

    def dead_letter_arns(self, also: set[str] | frozenset[str] = frozenset()) -> set[str]:
        """Queues that catch what failed elsewhere: redrive targets, queues named so, and those given in `also`."""
        targets = {q.dead_letter_target for q in self.queues if q.dead_letter_target}
        return targets | {q.arn for q in self.queues if DEAD_LETTER_NAME.search(q.name)} | set(also)


@collector("sqs", inventory=SqsInventory, actions=["sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"])
def collect_sqs(ctx: CollectContext) -> SqsInventory:
    client = ctx.client("sqs")

    def read(url: str) -> Queue | None:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        tags = _tags_if_needed(ctx, client, name, url)
        if tags is None:
            return None
        # GetQueueAttributes has no batch form: one call per queue of the environment.
        attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=ATTRIBUTES).get("Attributes", {})
        return _queue(ctx, name, url, tags, attributes)

    return SqsInventory(queues=[q for q in ctx.each(read, paged(client, "list_queues", "QueueUrls")) if q])


def _tags_if_needed(ctx: CollectContext, client: Any, name: str, url: str) -> dict[str, str] | None:
    if belongs(ctx.select, name):
        return {}
    if not ctx.select.tags:
        return None
    tags = client.list_queue_tags(QueueUrl=url).get("Tags", {})
    return tags if belongs(ctx.select, name, tags) else None


def _queue(ctx: CollectContext, name: str, url: str, tags: dict[str, str], a: dict[str, str]) -> Queue:
    redrive = _json(a.get("RedrivePolicy"))
    count = lambda key: int(a.get(key) or 0)  # noqa: E731
    return Queue(
        name=name, arn=a.get("QueueArn") or ctx.arn("sqs", name), region=ctx.region, tags=tags, url=url,
        dead_letter_target=redrive.get("deadLetterTargetArn"),
        max_receive_count=int(redrive["maxReceiveCount"]) if redrive.get("maxReceiveCount") else None,
        visibility_timeout_seconds=int(a["VisibilityTimeout"]) if a.get("VisibilityTimeout") else None,
        retention_seconds=int(a["MessageRetentionPeriod"]) if a.get("MessageRetentionPeriod") else None,
        kms_key_id=a.get("KmsMasterKeyId"), sqs_managed_encryption=a.get("SqsManagedSseEnabled") == "true",
        messages=sum(count(k) for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                        "ApproximateNumberOfMessagesDelayed")),
        messages_visible=count("ApproximateNumberOfMessages"),
    )


def _json(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
