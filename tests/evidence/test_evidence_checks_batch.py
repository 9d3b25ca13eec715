"""Batch checks of production, judged from plain inventories."""
from __future__ import annotations

import datetime as dt

from operations_fixtures import REGION, by_resource, judge_on, prod_arn, statuses

from readiness.evidence.collectors.ecs import EcsInventory, Service, TaskDefinition
from readiness.evidence.collectors.events import EventsInventory, Rule, Target
from readiness.evidence.collectors.lambda_async import Function, LambdaInventory
from readiness.evidence.collectors.scheduler import Schedule, SchedulerInventory
from readiness.evidence.collectors.sqs import Queue, SqsInventory
from readiness.evidence.collectors.stepfunctions import StateMachine, StepFunctionsInventory
from readiness.evidence.model import Status

DLQ = prod_arn("sqs", "nw-prod-schedules-dlq")
BATCH_CLUSTER = prod_arn("ecs", "cluster/nw-prod-batch")
LIVE_CLUSTER = prod_arn("ecs", "cluster/nw-prod-platform")


def task_target(job: str, *, cluster: str = BATCH_CLUSTER, retries: int | None = 2, dlq: str | None = DLQ) -> Target:
    return Target(arn=cluster, task_definition=prod_arn("ecs", f"task-definition/nw-prod-{job}:4"),
                  retry_attempts=retries, dead_letter_arn=dlq)


def schedule(name: str, expression: str, target: Target, *, timezone: str = "America/New_York",
             **settings) -> Schedule:
    return Schedule(name=f"nw-prod-{name}", arn=prod_arn("scheduler", f"schedule/nw-prod-batch/nw-prod-{name}"),
                    region=REGION, group="nw-prod-batch", expression=expression, timezone=timezone, target=target,
                    **settings)


def rule(name: str, expression: str, *targets: Target, tags: dict[str, str] | None = None) -> Rule:
    return Rule(name=f"nw-prod-{name}", arn=prod_arn("events", f"rule/nw-prod-{name}"), region=REGION,
                schedule=expression, targets=list(targets), tags=tags or {})


def triggers(*items: Schedule | Rule) -> list:
    return [SchedulerInventory(schedules=[i for i in items if isinstance(i, Schedule)]),
            EventsInventory(rules=[i for i in items if isinstance(i, Rule)])]


# ---- batch.schedules_outside_market_open -------------------------------------------------------

def test_schedules_before_dawn_or_after_the_close_pass():
    found = statuses(judge_on("batch.schedules_outside_market_open", triggers(
        schedule("reconciliation", "cron(30 1 ? * TUE-SAT *)", task_target("reconciliation")),
        rule("statements", "cron(0 23 L * ? *)", task_target("statements")))))
    assert found == {"nw-prod-reconciliation": Status.PASS, "nw-prod-statements": Status.PASS}


def test_a_schedule_inside_the_opening_session_fails_with_when_it_fires():
    [finding] = judge_on("batch.schedules_outside_market_open", triggers(
        schedule("ingestion", "cron(45 9 ? * MON-FRI *)", task_target("ingestion"))))
    assert finding.status == Status.FAIL and finding.controls == ["BAT-01"]
    assert "fires inside the opening session (09:30–10:30 America/New_York) on" in finding.message
    assert "first at 2026-03-02 09:45 America/New_York" in finding.message
    assert finding.details["trading_days_hit"] == finding.details["trading_days"]


def test_a_utc_rule_that_drifts_into_the_session_with_daylight_saving_fails_on_those_days_only():
    [finding] = judge_on("batch.schedules_outside_market_open", triggers(
        rule("prices", "cron(0 14 ? * MON-FRI *)", task_target("prices"))))
    # 14:00 UTC is 09:00 in New York in winter, 10:00 from 8 March to 1 November 2026
    assert finding.status == Status.FAIL and "first at 2026-03-09 10:00 America/New_York" in finding.message
    assert 0 < finding.details["trading_days_hit"] < finding.details["trading_days"]


def test_rate_schedules_fail_when_faster_than_the_session_and_warn_otherwise():
    found = by_resource(judge_on("batch.schedules_outside_market_open", triggers(
        schedule("poller", "rate(5 minutes)", task_target("poller")),
        schedule("sweeper", "rate(6 hours)", task_target("sweeper")))))
    assert found["nw-prod-poller"].status == Status.FAIL and "inside every opening session" in (
        found["nw-prod-poller"].message)
    assert found["nw-prod-sweeper"].status == Status.WARN


def test_unreadable_schedules_are_unknown_and_disabled_or_ended_ones_not_applicable():
    found = statuses(judge_on("batch.schedules_outside_market_open", triggers(
        schedule("odd", "cron(0 9 LW * ? *)", task_target("odd")),
        schedule("paused", "cron(45 9 ? * MON-FRI *)", task_target("paused"), enabled=False),
        schedule("migration", "cron(45 9 ? * MON-FRI *)", task_target("migration"),
                 end=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)))))
    assert found == {"nw-prod-odd": Status.UNKNOWN, "nw-prod-paused": Status.NOT_APPLICABLE,
                     "nw-prod-migration": Status.NOT_APPLICABLE}


def test_schedules_unknown_when_unreadable_and_not_applicable_when_there_are_none():
    [unknown] = judge_on("batch.schedules_outside_market_open", [EventsInventory()],
                         unknown={"scheduler": "AccessDenied: scheduler:ListSchedules"})
    [empty] = judge_on("batch.schedules_outside_market_open", triggers())
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- batch.isolated_from_live ------------------------------------------------------------------

def ecs_service(name: str, cluster: str, *, target_groups=()) -> Service:
    cluster_name = cluster.rsplit("/", 1)[-1]
    return Service(name=f"nw-prod-{name}", arn=prod_arn("ecs", f"service/{cluster_name}/nw-prod-{name}"),
                   region=REGION, cluster_arn=cluster, cluster_name=cluster_name,
                   task_definition=prod_arn("ecs", f"task-definition/nw-prod-{name}:1"),
                   target_groups=list(target_groups))


def function(name: str, reserved: int | None) -> Function:
    return Function(name=f"nw-prod-{name}", arn=prod_arn("lambda", f"function:nw-prod-{name}"), region=REGION,
                    reserved_concurrency=reserved)


def isolation(services: list[Service], functions=(), *items) -> list:
    return [EcsInventory(services=services), LambdaInventory(functions=list(functions)), *triggers(*items)]


def test_batch_on_its_own_cluster_with_capped_functions_passes():
    found = statuses(judge_on("batch.isolated_from_live", isolation(
        [ecs_service("api", LIVE_CLUSTER), ecs_service("worker", BATCH_CLUSTER)],
        [function("nightly-export", 2)],
        schedule("import", "cron(30 6 ? * MON-FRI *)", task_target("import")))))
    assert found == {"nw-prod-worker": Status.PASS, "nw-prod-import": Status.PASS,
                     "nw-prod-nightly-export": Status.PASS}


def test_batch_sharing_the_live_cluster_or_account_concurrency_fails():
    export = prod_arn("lambda", "function:nw-prod-export")
    found = by_resource(judge_on("batch.isolated_from_live", isolation(
        [ecs_service("api", LIVE_CLUSTER), ecs_service("worker", LIVE_CLUSTER)],
        [Function(name="nw-prod-export", arn=export, region=REGION)],
        schedule("ingestion", "cron(0 7 ? * MON-FRI *)", task_target("ingestion", cluster=LIVE_CLUSTER)),
        rule("export", "rate(1 hour)", Target(arn=export)))))
    assert found["nw-prod-worker"].status == Status.FAIL
    assert "shares cluster nw-prod-platform with live services api" in found["nw-prod-worker"].message
    assert found["nw-prod-ingestion"].status == Status.FAIL
    # the worker is batch work, so only the api counts as live there
    assert "starts its task on cluster nw-prod-platform, where live services api run" in (
        found["nw-prod-ingestion"].message)
    assert found["nw-prod-export"].status == Status.FAIL
    assert "no reserved concurrency" in found["nw-prod-export"].message


def test_isolation_unknown_and_not_applicable():
    [unknown] = judge_on("batch.isolated_from_live", [EcsInventory(), *triggers()],
                         unknown={"lambda_async": "AccessDenied: lambda:ListFunctions"})
    [empty] = judge_on("batch.isolated_from_live", isolation([ecs_service("api", LIVE_CLUSTER)]))
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- batch.schedule_failure_handling -----------------------------------------------------------

def test_failure_handling_passes_with_retries_and_a_dead_letter_queue():
    found = judge_on("batch.schedule_failure_handling", triggers(
        schedule("import", "cron(30 6 ? * MON-FRI *)", task_target("import")),
        rule("statements", "cron(0 23 L * ? *)", Target(id="statements", arn="arn:sm", dead_letter_arn=DLQ))))
    assert {f.status for f in found} == {Status.PASS}
    assert "has the default retries (185 over 24 hours) and sends what fails to nw-prod-schedules-dlq" in (
        by_resource(found)["nw-prod-statements"].message)


def test_failure_handling_fails_without_a_dead_letter_queue_and_warns_when_only_retries_are_off():
    found = by_resource(judge_on("batch.schedule_failure_handling", triggers(
        schedule("ingestion", "cron(0 7 ? * MON-FRI *)", task_target("ingestion", dlq=None)),
        schedule("export", "cron(0 5 * * ? *)", task_target("export", retries=0)),
        schedule("rebalance", "cron(0 4 * * ? *)", task_target("rebalance", retries=0, dlq=None)))))
    assert found["nw-prod-ingestion"].status == Status.FAIL and "has no dead-letter queue" in (
        found["nw-prod-ingestion"].message)
    # Its failures still land in the dead-letter queue: not silent, only fragile.
    assert found["nw-prod-export"].status == Status.WARN and "never retries" in found["nw-prod-export"].message
    assert found["nw-prod-rebalance"].status == Status.FAIL and "never retries" in found["nw-prod-rebalance"].message


def test_failure_handling_unknown_and_not_applicable():
    [unknown] = judge_on("batch.schedule_failure_handling", [SchedulerInventory()],
                         unknown={"events": "AccessDenied: events:ListRules"})
    [empty] = judge_on("batch.schedule_failure_handling", triggers())
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- batch.queue_redrive and batch.dead_letter_backlog -----------------------------------------

def queue(name: str, *, redrive_to: str | None = None, receives: int | None = None, messages: int = 0) -> Queue:
    return Queue(name=f"nw-prod-{name}", arn=prod_arn("sqs", f"nw-prod-{name}"), region=REGION,
                 url=f"https://sqs/{name}", dead_letter_target=redrive_to, max_receive_count=receives,
                 messages=messages)


def test_queue_redrive_passes_for_work_queues_with_a_dead_letter_queue():
    found = statuses(judge_on("batch.queue_redrive", [SqsInventory(queues=[
        queue("imports", redrive_to=prod_arn("sqs", "nw-prod-imports-dlq"), receives=5), queue("imports-dlq")])]))
    assert found == {"nw-prod-imports": Status.PASS}  # the dead-letter queue itself is not a work queue


def test_queue_redrive_fails_without_a_redrive_and_warns_on_too_many_receives():
    found = statuses(judge_on("batch.queue_redrive", [SqsInventory(queues=[
        queue("reports"), queue("imports", redrive_to=prod_arn("sqs", "nw-prod-imports-dlq"), receives=50),
        queue("imports-dlq")])]))
    assert found == {"nw-prod-reports": Status.FAIL, "nw-prod-imports": Status.WARN}


def test_queue_redrive_unknown_and_not_applicable():
    [unknown] = judge_on("batch.queue_redrive", [], unknown={"sqs": "AccessDenied: sqs:ListQueues"})
    [empty] = judge_on("batch.queue_redrive", [SqsInventory(queues=[queue("only-dlq")])])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


def test_dead_letter_backlog_fails_on_waiting_messages_and_passes_empty_queues():
    found = by_resource(judge_on("batch.dead_letter_backlog", [SqsInventory(queues=[
        queue("imports", redrive_to=prod_arn("sqs", "nw-prod-imports-dlq")), queue("imports-dlq", messages=3),
        queue("events-dlq")])]))
    assert found["nw-prod-imports-dlq"].status == Status.FAIL and "holds 3 message(s)" in (
        found["nw-prod-imports-dlq"].message)
    assert found["nw-prod-events-dlq"].status == Status.PASS and "nw-prod-imports" not in found


def test_dead_letter_backlog_unknown_and_not_applicable():
    [unknown] = judge_on("batch.dead_letter_backlog", [], unknown={"sqs": "Throttled: sqs:ListQueues"})
    [empty] = judge_on("batch.dead_letter_backlog", [SqsInventory(queues=[queue("work")])])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- batch.state_machine_logging ---------------------------------------------------------------

def machine(name: str, level: str = "ERROR", destinations: int = 1, uncaught: int = 0, **settings) -> StateMachine:
    return StateMachine(name=f"nw-prod-{name}", arn=prod_arn("states", f"stateMachine:nw-prod-{name}"),
                        region=REGION, logging_level=level, log_destinations=destinations, task_states=2,
                        task_states_without_catch=uncaught, **settings)


def test_state_machine_logging_passes_when_executions_are_logged():
    [finding] = judge_on("batch.state_machine_logging", [StepFunctionsInventory(state_machines=[machine("rebalance")])])
    assert finding.status == Status.PASS and "logs its executions at level ERROR" in finding.message


def test_state_machine_logging_fails_when_off_and_warns_on_fatal_only_or_uncaught_tasks():
    found = statuses(judge_on("batch.state_machine_logging", [StepFunctionsInventory(state_machines=[
        machine("month-end", "OFF", 0), machine("rebalance", "FATAL"), machine("statements", uncaught=2)])]))
    assert found == {"nw-prod-month-end": Status.FAIL, "nw-prod-rebalance": Status.WARN,
                     "nw-prod-statements": Status.WARN}


def test_state_machine_logging_unknown_and_not_applicable():
    [unknown] = judge_on("batch.state_machine_logging", [], unknown={"stepfunctions": "AccessDenied: x"})
    [empty] = judge_on("batch.state_machine_logging", [StepFunctionsInventory()])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- batch.no_pileup ---------------------------------------------------------------------------

def jobs(*items, tasks=(), machines=(), functions=()) -> list:
    return [*triggers(*items), EcsInventory(standalone_task_definitions=list(tasks)),
            StepFunctionsInventory(state_machines=list(machines)), LambdaInventory(functions=list(functions))]


def task(job: str, minutes: int) -> TaskDefinition:
    return TaskDefinition(arn=prod_arn("ecs", f"task-definition/nw-prod-{job}:4"), family=f"nw-prod-{job}",
                          revision=4, region=REGION, tags={"ExpectedDurationMinutes": str(minutes)})


def test_no_pileup_passes_when_runs_finish_before_the_next_starts():
    found = by_resource(judge_on("batch.no_pileup", jobs(
        schedule("reconciliation", "cron(30 1 ? * TUE-SAT *)", task_target("reconciliation")),
        rule("statements", "cron(0 23 L * ? *)", Target(arn=prod_arn("states", "stateMachine:nw-prod-statements"))),
        tasks=[task("reconciliation", 90)],
        machines=[machine("statements", timeout_seconds=7200)])))
    assert found["nw-prod-reconciliation"].status == Status.PASS
    assert "starts at least 1 day apart and runs for about 1 hour 30 minutes" in (
        found["nw-prod-reconciliation"].message)
    assert found["nw-prod-statements"].status == Status.PASS and "up to 2 hours" in found["nw-prod-statements"].message


def test_no_pileup_fails_when_two_schedules_of_one_job_overlap_or_a_rate_outpaces_it():
    found = by_resource(judge_on("batch.no_pileup", jobs(
        schedule("import", "cron(30 6 ? * MON-FRI *)", task_target("import")),
        schedule("import-catch-up", "cron(0 7 ? * MON-FRI *)", task_target("import")),
        rule("prices", "rate(10 minutes)", task_target("prices"), tags={"ExpectedDurationMinutes": "15"}),
        tasks=[task("import", 45)])))
    assert found["nw-prod-import-catch-up"].status == Status.FAIL
    assert "(with schedule nw-prod-import)" in found["nw-prod-import-catch-up"].message
    assert "30 minutes after the run of" in found["nw-prod-import-catch-up"].message
    assert found["nw-prod-import"].status == Status.FAIL
    assert found["nw-prod-prices"].status == Status.FAIL and "rate(10 minutes) but runs for about 15 minutes" in (
        found["nw-prod-prices"].message)


def test_no_pileup_only_warns_when_the_duration_is_a_time_limit():
    export = prod_arn("lambda", "function:nw-prod-export")
    [finding] = judge_on("batch.no_pileup", jobs(
        rule("export", "rate(5 minutes)", Target(arn=export)),
        functions=[Function(name="nw-prod-export", arn=export, region=REGION, timeout_seconds=900)]))
    assert finding.status == Status.WARN and "runs for up to 15 minutes (the time limit of function" in finding.message


def test_no_pileup_is_unknown_without_a_duration_and_not_applicable_without_schedules():
    [unknown] = judge_on("batch.no_pileup", jobs(schedule("import", "cron(30 6 ? * MON-FRI *)",
                                                          task_target("import"))))
    [empty] = judge_on("batch.no_pileup", jobs())
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)
    assert "tag its task definition, state machine or function" in unknown.message
