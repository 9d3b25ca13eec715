"""Throttling: when AWS answers a share of the calls with ThrottlingException, the run retries and still reads all."""
from __future__ import annotations

import random
import re
import threading
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries import bucket
from botocore.retries.standard import ExponentialBackoff
from evidence_fixtures import make_environment, new_account

from readiness.evidence.collecting import all_collectors
from readiness.evidence.runner import collect
from readiness.evidence.session import TOTAL_ATTEMPTS, ApiCallCounter
from readiness.platform import Platform

ATTEMPT = re.compile(r"attempt=(\d+); max=(\d+)")
SHARE = 0.3


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any):
        yield self.data


def throttling(share: float, *, spare_last_attempt: bool = True, seed: int = 11):
    """A before-send hook answering `share` of the attempts as AWS does when throttling (HTTP 400)."""
    rng = random.Random(seed)
    lock = threading.Lock()
    answered = []

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        header = request.headers.get("amz-sdk-request", b"")
        match = ATTEMPT.search(header.decode() if isinstance(header, bytes) else str(header))
        if spare_last_attempt and match and int(match.group(1)) >= int(match.group(2)):
            return None
        with lock:
            if rng.random() >= share:
                return None
            answered.append(request.url)
        # JSON services (sent an X-Amz-Target) read the code from the body, REST-JSON ones from the
        # header, query and XML services from an XML body.
        body = (b'{"__type": "ThrottlingException", "message": "Rate exceeded"}' if "X-Amz-Target" in request.headers
                else b"<ErrorResponse><Error><Code>ThrottlingException</Code><Message>Rate exceeded</Message>"
                     b"</Error></ErrorResponse>")
        return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, _Body(body))

    throttle.answered = answered  # type: ignore[attr-defined]
    return ("before-send", throttle)


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries without their backoff, and the adaptive client-side limiter without its sleeps."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)


@pytest.fixture(scope="module")
def estate(aws):
    """One account with several resources of the services whose collectors page or read per resource."""
    account = new_account()
    ssm = account.client("ssm")
    for i in range(120):  # three pages
        ssm.put_parameter(Name=f"/northwind/production/svc/setting-{i:03d}", Value="1", Type="String")
    for i in range(6):
        account.client("sqs").create_queue(QueueName=f"nw-prod-queue-{i}")
        account.client("cloudwatch").put_metric_alarm(
            AlarmName=f"nw-prod-alarm-{i}", Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average",
            Period=60, EvaluationPeriods=1, Threshold=80.0, ComparisonOperator="GreaterThanThreshold")
        account.client("secretsmanager").create_secret(Name=f"northwind/production/secret-{i}", SecretString="x")
    logs = account.client("logs")
    for i in range(4):
        logs.create_log_group(logGroupName=f"/ecs/nw-prod-svc-{i}")
        logs.create_log_stream(logGroupName=f"/ecs/nw-prod-svc-{i}", logStreamName="app")
        logs.put_log_events(logGroupName=f"/ecs/nw-prod-svc-{i}", logStreamName="app",
                            logEvents=[{"timestamp": 1_700_000_000_000, "message": '{"request_id": "r1"}'}])
    ecs = account.client("ecs")
    cluster = ecs.create_cluster(clusterName="nw-prod")["cluster"]["clusterArn"]
    for i in range(3):
        task = ecs.register_task_definition(family=f"nw-prod-svc-{i}", containerDefinitions=[
            {"name": "app", "image": "nw-app:1.0.0", "memory": 512}])["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=cluster, serviceName=f"nw-prod-svc-{i}", taskDefinition=task, desiredCount=1)
    env = make_environment("production", account=account, ssm_path="/northwind/production/",
                           secrets_prefix="northwind/production/")
    return Platform(name="throttled", environments=[env])


def read_everything(platform: Platform, hooks=()) -> tuple[list, int]:
    counter = ApiCallCounter()
    collectors = all_collectors()
    records = collect(platform, {"production": set(collectors)}, collectors, counter=counter, max_workers=4,
                      report=lambda event: None, hooks=hooks)
    return records, counter.total


def test_a_run_throttled_on_a_share_of_its_calls_reads_every_inventory_with_bounded_retries(estate, no_waiting):
    calm, calls = read_everything(estate)
    hook = throttling(SHARE)
    throttled, attempts = read_everything(estate, hooks=(hook,))
    assert [r.status for r in calm] == ["ok"] * len(calm)
    assert {r.collector: r.status for r in throttled} == {r.collector: "ok" for r in calm}
    assert {r.collector: r.payload for r in throttled} == {r.collector: r.payload for r in calm}
    assert len(hook[1].answered) == attempts - calls > 0  # every extra attempt answered a throttled one
    assert attempts <= calls * (1 + SHARE * TOTAL_ATTEMPTS)


def test_a_service_throttled_past_its_retries_leaves_only_its_inventory_unknown(estate, no_waiting):
    always = throttling(1.0, spare_last_attempt=False)
    hook = ("before-send.ssm", always[1])
    records, _ = read_everything(estate, hooks=(hook,))
    by_collector = {r.collector: r for r in records}
    assert by_collector["ssm"].status == "unknown" and by_collector["ssm"].api_calls == TOTAL_ATTEMPTS
    assert by_collector["ssm"].reason == ("Throttled: ssm:DescribeParameters was still throttled after retries "
                                          "(ThrottlingException)")
    assert {r.collector for r in records if r.status != "ok"} == {"ssm"}
