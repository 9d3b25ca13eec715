"""Collectors of background work, against the simulated AWS: rules, schedules, queues, state machines, functions."""
from __future__ import annotations

import io
import json
import zipfile

from readiness.evidence.collectors.events import EventsInventory
from readiness.evidence.collectors.lambda_async import LambdaInventory
from readiness.evidence.collectors.scheduler import SchedulerInventory
from readiness.evidence.collectors.sqs import SqsInventory
from readiness.evidence.collectors.stepfunctions import StepFunctionsInventory

PRODUCTION_TAGS = {"Environment": "production"}


def role(account, name: str = "jobs") -> str:
    return account.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]


def test_scheduled_rules_are_read_with_their_targets_retries_and_dead_letters(account, environment, read):
    events = account.client("events")
    events.put_rule(Name="nw-prod-import", ScheduleExpression="cron(30 6 ? * MON-FRI *)",
                    Tags=[{"Key": "ExpectedDurationMinutes", "Value": "45"}])
    events.put_rule(Name="nw-prod-on-upload", EventPattern=json.dumps({"source": ["aws.s3"]}))
    events.put_rule(Name="nw-staging-import", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="nw-prod-import", Targets=[{
        "Id": "import", "Arn": f"arn:aws:ecs:us-east-1:{account.id}:cluster/nw-prod-batch",
        "RoleArn": role(account), "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": f"arn:aws:sqs:us-east-1:{account.id}:nw-prod-dlq"},
        "EcsParameters": {
            "TaskDefinitionArn": f"arn:aws:ecs:us-east-1:{account.id}:task-definition/nw-prod-import:3"}}])
    [rule] = EventsInventory.model_validate(read("events", environment(account=account)).payload).rules
    assert (rule.name, rule.schedule, rule.enabled) == ("nw-prod-import", "cron(30 6 ? * MON-FRI *)", True)
    assert rule.tags == {"ExpectedDurationMinutes": "45"}
    [target] = rule.targets
    assert (target.retry_attempts, target.max_event_age_seconds, target.job) == (2, 3600, "nw-prod-import")
    assert target.dead_letter_arn.endswith(":nw-prod-dlq")


def test_rules_in_an_empty_account_are_none_found(account, environment, read):
    record = read("events", environment(account=account))
    assert record.status == "ok" and EventsInventory.model_validate(record.payload).rules == []


def test_rules_denied_is_unknown(account, environment, read, deny):
    record = read("events", environment(account=account), hooks=(deny("ListRules"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: events:ListRules")


def test_schedules_are_read_with_time_zone_flexible_window_and_target(account, environment, read):
    scheduler = account.client("scheduler")
    scheduler.create_schedule_group(Name="nw-prod-batch")
    target = {"Arn": f"arn:aws:lambda:us-east-1:{account.id}:function:nw-prod-export", "RoleArn": role(account)}
    scheduler.create_schedule(Name="import", GroupName="nw-prod-batch", ScheduleExpression="cron(45 9 ? * MON-FRI *)",
                              ScheduleExpressionTimezone="America/New_York", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=target)
    scheduler.create_schedule(Name="nw-prod-sweep", ScheduleExpression="rate(6 hours)", Target=target,
                              FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15})
    scheduler.create_schedule(Name="nw-staging-sweep", ScheduleExpression="rate(6 hours)", Target=target,
                              FlexibleTimeWindow={"Mode": "OFF"})
    found = {s.name: s for s in SchedulerInventory.model_validate(
        read("scheduler", environment(account=account)).payload).schedules}
    assert set(found) == {"import", "nw-prod-sweep"}  # by its group's name, by its own
    assert (found["import"].group, found["import"].timezone, found["import"].flexible_minutes) == (
        "nw-prod-batch", "America/New_York", 0)
    assert (found["nw-prod-sweep"].timezone, found["nw-prod-sweep"].flexible_minutes) == ("UTC", 15)
    assert found["import"].target.retry_attempts == 185 and found["import"].target.dead_letter_arn is None


def test_schedules_in_an_empty_account_are_none_found(account, environment, read):
    record = read("scheduler", environment(account=account))
    assert record.status == "ok" and SchedulerInventory.model_validate(record.payload).schedules == []


def test_schedules_denied_is_unknown(account, environment, read, deny):
    record = read("scheduler", environment(account=account), hooks=(deny("ListSchedules"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: scheduler:ListSchedules")


def test_queues_are_read_with_redrive_and_waiting_messages(account, environment, read):
    sqs = account.client("sqs")
    dlq = sqs.create_queue(QueueName="nw-prod-imports-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName="imports", tags=PRODUCTION_TAGS, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})
    sqs.create_queue(QueueName="nw-staging-imports")
    sqs.send_message(QueueUrl=dlq, MessageBody="failed import")
    inventory = SqsInventory.model_validate(read("sqs", environment(account=account, tags=PRODUCTION_TAGS)).payload)
    found = {q.name: q for q in inventory.queues}
    assert set(found) == {"nw-prod-imports-dlq", "imports"}
    assert (found["imports"].dead_letter_target, found["imports"].max_receive_count) == (dlq_arn, 5)
    assert found["nw-prod-imports-dlq"].messages == 1 and inventory.dead_letter_arns() == {dlq_arn}


def test_queues_in_an_empty_account_are_none_found(account, environment, read):
    record = read("sqs", environment(account=account))
    assert record.status == "ok" and SqsInventory.model_validate(record.payload).queues == []


def test_queues_denied_is_unknown(account, environment, read, deny):
    account.client("sqs").create_queue(QueueName="nw-prod-imports")
    record = read("sqs", environment(account=account), hooks=(deny("GetQueueAttributes"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: sqs:GetQueueAttributes")


def test_state_machines_are_read_with_logging_limit_and_uncaught_tasks_but_not_their_definition(
        account, environment, read):
    definition = {"StartAt": "Snapshot", "TimeoutSeconds": 7200, "States": {
        "Snapshot": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "Next": "Fan"},
        "Fan": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "Send", "States": {
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Send"}]}}}]}}}
    account.client("stepfunctions").create_state_machine(
        name="nw-prod-month-end", definition=json.dumps(definition), roleArn=role(account),
        loggingConfiguration={"level": "OFF"}, tags=[{"key": "ExpectedDurationMinutes", "value": "120"}])
    record = read("stepfunctions", environment(account=account))
    [machine] = StepFunctionsInventory.model_validate(record.payload).state_machines
    assert (machine.logging_level, machine.log_destinations, machine.timeout_seconds) == ("OFF", 0, 7200)
    assert (machine.task_states, machine.task_states_without_catch) == (2, 1)
    assert machine.tags == {"ExpectedDurationMinutes": "120"} and "runTask" not in json.dumps(record.payload)


def test_state_machines_in_an_empty_account_are_none_found(account, environment, read):
    record = read("stepfunctions", environment(account=account))
    assert record.status == "ok" and StepFunctionsInventory.model_validate(record.payload).state_machines == []


def test_state_machines_denied_is_unknown(account, environment, read, deny):
    record = read("stepfunctions", environment(account=account), hooks=(deny("ListStateMachines"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: states:ListStateMachines")


def function(account, name: str) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("handler.py", "def handle(event, context):\n    return 1\n")
    account.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role(account, name),
                                             Handler="handler.handle", Code={"ZipFile": archive.getvalue()},
                                             Timeout=900)


def test_functions_are_read_with_their_reserved_concurrency(account, environment, read):
    function(account, "nw-prod-export")
    function(account, "nw-prod-notify")
    account.client("lambda").put_function_concurrency(FunctionName="nw-prod-export", ReservedConcurrentExecutions=2)
    found = {f.name: f for f in LambdaInventory.model_validate(
        read("lambda_async", environment(account=account)).payload).functions}
    assert (found["nw-prod-export"].reserved_concurrency, found["nw-prod-export"].timeout_seconds) == (2, 900)
    assert found["nw-prod-notify"].reserved_concurrency is None


def test_functions_denied_concurrency_is_unknown(account, environment, read, deny):
    function(account, "nw-prod-export")
    record = read("lambda_async", environment(account=account), hooks=(deny("GetFunctionConcurrency"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: lambda:GetFunctionConcurrency")
