"""Client-side pacing: a scan stays under the calls a second its platform allows each service."""
from __future__ import annotations

import threading
import time

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from evidence_fixtures import make_environment, new_account, read_inventory

from readiness.errors import InvalidInput
from readiness.evidence.collectors.sqs import SqsInventory
from readiness.evidence.pacing import Pacer, TokenBucket, pacer_for
from readiness.evidence.session import EnvironmentSession
from readiness.platform import AwsAccess, parse_platform
from readiness.yamlsource import ConfigError


class FakeClock:
    """Time that passes only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_bucket_lets_its_burst_through_then_one_call_per_interval():
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=5, clock=clock, sleep=clock.sleep)
    waits = [bucket.take() for _ in range(25)]
    assert waits[:5] == [0.0] * 5 and waits[5:] == pytest.approx([0.1] * 20)  # the burst, then 0.1 s apart
    assert clock.now - 100.0 == pytest.approx((25 - 5) / 10)


def test_a_bucket_refills_while_nobody_calls_but_never_above_its_burst():
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=4, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        bucket.take()
    clock.now += 60  # a minute idle saves at most four calls, not 120
    for _ in range(4):
        assert bucket.take() == 0
    assert bucket.take() == pytest.approx(0.5)


def test_threads_sharing_a_bucket_never_go_faster_than_its_rate():
    rate, burst, threads, each = 200.0, 10, 8, 10
    bucket = TokenBucket(rate=rate, burst=burst)
    sent: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        for _ in range(each):
            bucket.take()
            with lock:
                sent.append(time.monotonic())

    workers = [threading.Thread(target=call) for _ in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    sent.sort()
    # Whatever the scheduling, the k-th call cannot leave before (k - burst) / rate: a lower bound only.
    for k, at in enumerate(sent, start=1):
        assert at - started >= (k - burst) / rate - 0.002


def test_the_rate_of_a_service_is_its_own_or_the_default_or_none():
    pacer = Pacer({"ssm": 5, "default": 20})
    assert (pacer.rate("ssm"), pacer.rate("ecs")) == (5, 20)
    assert Pacer({"ssm": 5}).rate("ecs") is None and Pacer({}).bucket("ssm", "us-east-1") is None
    assert pacer.bucket("ssm", "us-east-1") is pacer.bucket("ssm", "us-east-1")
    assert pacer.bucket("ssm", "us-east-1") is not pacer.bucket("ssm", "eu-west-1")  # AWS limits per region


def test_a_rate_for_a_service_aws_does_not_have_is_refused_by_name():
    with pytest.raises(InvalidInput) as refused:
        pacer_for("production", {"sssm": 5, "ecs": 10})
    assert str(refused.value) == ("Environment production: aws.max_calls_per_second names 'sssm', which is not an "
                                  "AWS service name as boto3 knows them (e.g. ssm, ecs, logs, elbv2, cloudwatch), "
                                  "nor 'default'.")
    with pytest.raises(InvalidInput):
        EnvironmentSession(make_environment().model_copy(update={"aws": AwsAccess(max_calls_per_second={"sssm": 1})}))


def test_the_platform_file_says_which_rate_is_wrong_and_where(tmp_path):
    text = """name: paced
environments:
  - name: production
    aws:
      regions: [us-east-1]
      max_calls_per_second: {default: 20, ssm: 0}
    select: {name_prefix: nw-prod-}
"""
    with pytest.raises(ConfigError) as refused:
        parse_platform(text, "paced.yaml")
    message = str(refused.value.problems[0])
    assert message.startswith("paced.yaml:6:") and "ssm: 0 calls a second" in message


def test_a_paced_collector_reads_no_faster_than_its_service_allows(aws):
    account = new_account()
    for i in range(12):
        account.client("sqs").create_queue(QueueName=f"nw-prod-q{i:02d}")
    env = make_environment(account=account)
    paced = env.model_copy(update={"aws": env.aws.model_copy(update={"max_calls_per_second": {"sqs": 5}})})
    started = time.monotonic()
    record = read_inventory("sqs", paced)
    assert len(SqsInventory.model_validate(record.payload).queues) == 12
    # A listing and then each queue's attributes: 13 calls at 5 a second, of which a burst of 5 goes at once.
    assert record.api_calls == 13 and time.monotonic() - started >= (13 - 5) / 5


def test_pacing_waits_then_lets_the_request_go_out_unchanged():
    # Without the simulated AWS's own handler in front: a pacing hook answering anything would replace the call.
    class Body:
        def stream(self, **_):
            yield b'{"Parameters": []}'

    clock = FakeClock()
    client = boto3.client("ssm", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    Pacer({"ssm": 1}, clock=clock, sleep=clock.sleep).attach(client, "ssm", "us-east-1")
    sent = []
    client.meta.events.register("before-send", lambda request, **_: sent.append(request.url) or AWSResponse(
        request.url, 200, {}, Body()))
    for _ in range(3):
        assert client.describe_parameters()["Parameters"] == []
    assert len(sent) == 3 and clock.slept == [1.0, 1.0]  # the first went at once, the others a second apart
