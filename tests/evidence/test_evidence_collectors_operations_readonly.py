"""The operations collectors, over one of everything they read, call only declared read-only actions."""
from __future__ import annotations

import io
import json
import time
import zipfile

from evidence_fixtures import make_environment, new_account

from readiness.evidence.collecting import all_collectors
from readiness.evidence.policy import SESSION_ACTIONS, declared_actions, iam_action, is_read_only
from readiness.evidence.runner import collect
from readiness.evidence.session import ApiCallCounter
from readiness.platform import Platform

OPERATIONS = {"cloudwatch", "log_samples", "logs", "events", "scheduler", "sqs", "stepfunctions", "lambda_async",
              "application_autoscaling", "budgets", "cost_explorer"}


def build_estate(account) -> None:
    region_arn = f"arn:aws:{{}}:us-east-1:{account.id}:{{}}"
    role = account.client("iam").create_role(RoleName="jobs", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    account.client("cloudwatch").put_metric_alarm(
        AlarmName="nw-prod-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    account.client("cloudwatch").put_metric_alarm(
        AlarmName="tagged", Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
        Tags=[{"Key": "Environment", "Value": "production"}])
    account.client("cloudwatch").put_dashboard(DashboardName="nw-prod-live", DashboardBody='{"widgets": []}')
    logs = account.client("logs")
    logs.create_log_group(logGroupName="/ecs/nw-prod-api")
    logs.create_log_stream(logGroupName="/ecs/nw-prod-api", logStreamName="s")
    logs.put_log_events(logGroupName="/ecs/nw-prod-api", logStreamName="s",
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": '{"level": "INFO"}'}])
    account.client("events").put_rule(Name="nw-prod-import", ScheduleExpression="rate(1 day)")
    account.client("events").put_targets(Rule="nw-prod-import", Targets=[{"Id": "t", "Arn": region_arn.format(
        "sqs", "nw-prod-imports")}])
    account.client("scheduler").create_schedule(
        Name="nw-prod-sweep", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": region_arn.format("sqs", "nw-prod-imports"), "RoleArn": role})
    account.client("sqs").create_queue(QueueName="nw-prod-imports")
    account.client("sqs").create_queue(QueueName="tagged-queue", tags={"Environment": "production"})
    account.client("stepfunctions").create_state_machine(
        name="nw-prod-month-end", roleArn=role, definition=json.dumps(
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("handler.py", "def handle(event, context):\n    return 1\n")
    account.client("lambda").create_function(FunctionName="nw-prod-export", Runtime="python3.12", Role=role,
                                             Handler="handler.handle", Code={"ZipFile": archive.getvalue()})
    account.client("budgets").create_budget(AccountId=account.id, Budget={
        "BudgetName": "nw-prod-monthly", "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "TimeUnit": "MONTHLY",
        "BudgetType": "COST"})


def test_operations_collectors_read_their_resources_with_declared_read_only_actions_only(aws):
    account = new_account()
    build_estate(account)
    env = make_environment("production", account=account, tags={"Environment": "production"})
    calls: list[tuple[str, dict]] = []

    def record(model, params, **_):
        calls.append((iam_action(model.service_model.signing_name, model.name), dict(params)))

    collectors = {name: spec for name, spec in all_collectors().items() if name in OPERATIONS}
    records = collect(Platform(name="p", environments=[env]), {env.name: set(collectors)}, collectors,
                      counter=ApiCallCounter(), max_workers=4, report=lambda event: None,
                      hooks=(("provide-client-params", record),))
    assert {r.collector: r.status for r in records} == {name: "ok" for name in OPERATIONS}
    actions = {action for action, _ in calls}
    assert actions - set(declared_actions()) - set(SESSION_ACTIONS) == set(), "called but not declared"
    assert [a for a in actions if not is_read_only(a)] == []
    assert not [p for _, p in calls if p.get("WithDecryption")]
    assert {"cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource", "logs:GetLogEvents",
            "logs:DescribeMetricFilters", "events:ListTargetsByRule", "scheduler:GetSchedule",
            "sqs:GetQueueAttributes", "sqs:ListQueueTags", "states:DescribeStateMachine",
            "lambda:GetFunctionConcurrency", "application-autoscaling:DescribeScalableTargets",
            "budgets:ViewBudget", "ce:GetCostAndUsage"} <= actions
