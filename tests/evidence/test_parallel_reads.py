"""The run's threads: collectors first, then per-resource reads, in order, overlapping, counted, never stuck."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from evidence_fixtures import denied, make_environment, new_account

from readiness.evidence.collecting import CollectContext, all_collectors
from readiness.evidence.runner import collect
from readiness.evidence.session import ApiCallCounter, EnvironmentSession
from readiness.evidence.workers import Workers
from readiness.platform import Platform


def context(pool: ThreadPoolExecutor | None, width: int) -> CollectContext:
    env = make_environment()
    return CollectContext(env, "us-east-1", "123456789012", EnvironmentSession(env), helpers=pool, width=width)


def test_results_come_back_in_the_order_of_the_items():
    with ThreadPoolExecutor(4) as pool:
        assert context(pool, 4).each(lambda n: n * n, range(50)) == [n * n for n in range(50)]
    assert context(None, 1).each(lambda n: -n, [3, 1, 2]) == [-3, -1, -2]


def test_up_to_width_items_are_read_at_once():
    together = threading.Barrier(4, timeout=10)  # passes only when four reads are under way together

    def read(item: int) -> int:
        together.wait()
        return item

    with ThreadPoolExecutor(3) as pool:
        assert context(pool, 4).each(read, range(8)) == list(range(8))


def test_the_caller_reads_alone_when_every_helper_is_busy_elsewhere():
    release = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(release.wait, 10)  # the one helper is taken
        reader = threading.get_ident()
        threads = context(pool, 4).each(lambda _: threading.get_ident(), range(5))
        release.set()
    assert threads == [reader] * 5


def test_the_first_error_stops_the_reads_and_is_raised_to_the_collector():
    started = []

    def read(item: int) -> int:
        started.append(item)
        if item == 3:
            raise ValueError("item 3 is unreadable")
        return item

    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(ValueError, match="item 3 is unreadable"):
            context(pool, 2).each(read, range(100))
    assert len(started) < 100


@pytest.fixture(scope="module")
def queues(aws):
    account = new_account()
    for i in range(9):
        account.client("sqs").create_queue(QueueName=f"nw-prod-q{i}")
    return Platform(name="queues", environments=[make_environment(account=account)])


def read_queues(platform: Platform, hooks=()):
    counter = ApiCallCounter()
    [record] = collect(platform, {"production": {"sqs"}}, all_collectors(), counter=counter, max_workers=4,
                       report=lambda event: None, hooks=hooks)
    return record, counter.total


def test_calls_made_on_helper_threads_count_to_their_collector(queues):
    record, total = read_queues(queues)
    assert record.status == "ok" and len(record.payload["queues"]) == 9
    assert record.api_calls == 1 + 9  # the listing, then each queue's attributes
    assert total == record.api_calls + 2  # and the session's AssumeRole and GetCallerIdentity


def test_a_read_denied_on_a_helper_thread_names_its_own_action(queues):
    record, _ = read_queues(queues, hooks=(denied("GetQueueAttributes", "AccessDenied"),))
    assert record.status == "unknown" and record.reason == "AccessDenied: sqs:GetQueueAttributes"


def test_a_waiting_collector_starts_before_any_helping_read():
    release, ran = threading.Event(), []
    with Workers(1) as workers:
        workers.start(release.wait, 10)  # the one thread is busy
        helping = workers.submit(ran.append, "helping read")
        collecting = workers.start(ran.append, "collector")
        release.set()
        helping.result(timeout=10)
        collecting.result(timeout=10)
    assert ran == ["collector", "helping read"]


def test_a_cancelled_helping_read_never_runs():
    release, ran = threading.Event(), []
    with Workers(1) as workers:
        workers.start(release.wait, 10)
        unneeded = workers.submit(ran.append, "unneeded")
        assert unneeded.cancel()
        release.set()
    assert ran == []


def test_helping_reads_go_to_the_collector_that_started_first():
    first_may_ask, second_may_finish, ran = threading.Event(), threading.Event(), []

    def first_collector():
        first_may_ask.wait(10)
        return workers.submit(ran.append, "first collector's read")

    def second_collector():
        asked = workers.submit(ran.append, "second collector's read")  # asks before the first one does
        first_may_ask.set()
        second_may_finish.wait(10)
        return asked

    with Workers(2) as workers:
        first, second = workers.start(first_collector), workers.start(second_collector)
        first.result(timeout=10).result(timeout=10)  # the first collector's thread, free again, helps it first
        second_may_finish.set()
        second.result(timeout=10).result(timeout=10)
    assert ran == ["first collector's read", "second collector's read"]


def test_no_more_requests_are_on_the_wire_than_the_run_allows(queues):
    lock, on_the_wire, most = threading.Lock(), [0], [0]

    def sending(**_):
        with lock:
            on_the_wire[0] += 1
            most[0] = max(most[0], on_the_wire[0])
        time.sleep(0.02)  # a round trip, long enough for the other threads to try to send meanwhile

    def answered(**_):
        with lock:
            on_the_wire[0] -= 1

    counter = ApiCallCounter()
    records = collect(queues, {"production": {"sqs", "ssm", "logs", "kms"}}, all_collectors(), counter=counter,
                      max_workers=2, report=lambda event: None,
                      hooks=(("before-send", sending), ("needs-retry", answered)))
    assert [r.status for r in records] == ["ok"] * 4 and counter.total > 8
    assert most[0] <= 2
