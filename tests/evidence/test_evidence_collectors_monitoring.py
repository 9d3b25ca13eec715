"""Collectors of what watches the platform, against the simulated AWS: alarms, dashboards, log filters and samples."""
from __future__ import annotations

import json
import time

from readiness.evidence.collectors.cloudwatch import CloudWatchInventory
from readiness.evidence.collectors.ecs import EcsInventory
from readiness.evidence.collectors.log_samples import LogSamplesInventory
from readiness.evidence.collectors.logs import LogsInventory

PRODUCTION_TAGS = {"Environment": "production"}


def alarms(account):
    cloudwatch = account.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="nw-prod-api-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
        Dimensions=[{"Name": "LoadBalancer", "Value": "app/nw-prod-public/1"}], Statistic="Sum", Period=60,
        EvaluationPeriods=5, DatapointsToAlarm=3, Threshold=10.0, ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[f"arn:aws:sns:us-east-1:{account.id}:oncall"])
    cloudwatch.put_metric_alarm(
        AlarmName="traffic-band", EvaluationPeriods=3, ThresholdMetricId="band", Tags=[
            {"Key": "Environment", "Value": "production"}],
        ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold", Metrics=[
            {"Id": "requests", "ReturnData": True, "MetricStat": {"Metric": {
                "Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount"}, "Period": 300, "Stat": "Sum"}},
            {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(requests, 2)", "ReturnData": True}])
    for name in ("nw-staging-api-5xx", "TargetTracking-service/nw-prod-platform/nw-prod-api-AlarmLow-1"):
        cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/ECS", MetricName="CPUUtilization",
                                    Statistic="Average", Period=60, EvaluationPeriods=15, Threshold=40.0,
                                    ComparisonOperator="LessThanThreshold")
    cloudwatch.set_alarm_state(AlarmName="nw-prod-api-5xx", StateValue="ALARM", StateReason="errors")
    cloudwatch.put_dashboard(DashboardName="nw-prod-live", DashboardBody=json.dumps({"widgets": [
        {"type": "metric", "properties": {"title": "Errors", "metrics": [
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", "app/nw-prod-public/1"],
            [".", "TargetResponseTime", ".", "."]]}},
        {"type": "text", "properties": {"markdown": "Call on-call"}}]}))
    cloudwatch.put_dashboard(DashboardName="nw-staging-live", DashboardBody=json.dumps({"widgets": []}))


def test_alarms_are_read_with_what_they_watch_how_they_fire_and_whom_they_tell(account, environment, read):
    alarms(account)
    record = read("cloudwatch", environment(account=account, tags=PRODUCTION_TAGS))
    inventory = CloudWatchInventory.model_validate(record.payload)
    found = {a.name: a for a in inventory.alarms}
    assert set(found) == {"nw-prod-api-5xx", "traffic-band"}  # by name, by tag; never scaling's own alarms
    errors = found["nw-prod-api-5xx"]
    assert (errors.state, errors.evaluation_periods, errors.datapoints_to_alarm) == ("ALARM", 5, 3)
    assert errors.notifies and errors.state_since is not None and errors.state_since.tzinfo is not None
    assert errors.metrics[0].dimensions == {"LoadBalancer": "app/nw-prod-public/1"}
    assert found["traffic-band"].anomaly_band and found["traffic-band"].metric_math
    assert found["traffic-band"].tags == PRODUCTION_TAGS


def test_dashboards_are_read_as_titles_and_metrics_with_repeated_rows_filled_in(account, environment, read):
    alarms(account)
    [board] = CloudWatchInventory.model_validate(read("cloudwatch", environment(account=account)).payload).dashboards
    assert board.name == "nw-prod-live" and board.widget_titles == ["Errors"]
    assert [(m.namespace, m.name, m.dimensions) for m in board.metrics] == [
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": "app/nw-prod-public/1"}),
        ("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": "app/nw-prod-public/1"})]


def test_cloudwatch_in_an_empty_account_is_none_found(account, environment, read):
    record = read("cloudwatch", environment(account=account))
    assert record.status == "ok" and CloudWatchInventory.model_validate(record.payload) == CloudWatchInventory()


def test_cloudwatch_denied_is_unknown(account, environment, read, deny):
    record = read("cloudwatch", environment(account=account), hooks=(deny("DescribeAlarms"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: cloudwatch:DescribeAlarms")


def log_group_with_events(account, name: str, messages: list[str]) -> None:
    logs = account.client("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="api/api/1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=name, logStreamName="api/api/1", logEvents=[
        {"timestamp": now - (len(messages) - i) * 1000, "message": m} for i, m in enumerate(messages)])


def test_log_samples_count_json_and_correlation_ids_and_keep_no_event(account, environment, read):
    secret_value = "acct-4411-balance-1000000"
    log_group_with_events(account, "/ecs/nw-prod-api", [
        json.dumps({"level": "INFO", "correlation_id": "c1", "message": secret_value}),
        json.dumps({"level": "INFO", "context": {"traceId": "t2"}, "message": "served"}),
        json.dumps({"level": "WARN", "message": "slow"}),
        "ERROR plain text line",
        "START RequestId: 8f5c Version: $LATEST"])
    log_group_with_events(account, "/ecs/other-team", ["hello"])
    record = read("log_samples", environment(account=account))
    [sample] = LogSamplesInventory.model_validate(record.payload).samples
    assert (sample.name, sample.events, sample.json_events, sample.correlated_events) == ("/ecs/nw-prod-api", 4, 3, 2)
    assert sample.correlation_fields == ["context.traceId", "correlation_id"]
    assert sample.fields == ["context", "correlation_id", "level", "message"]
    assert secret_value not in json.dumps(record.payload)


def test_log_samples_of_an_empty_account_are_none_found(account, environment, read):
    record = read("log_samples", environment(account=account))
    assert record.status == "ok" and LogSamplesInventory.model_validate(record.payload).samples == []


def test_log_samples_denied_is_unknown(account, environment, read, deny):
    log_group_with_events(account, "/ecs/nw-prod-api", ["{}"])
    record = read("log_samples", environment(account=account), hooks=(deny("GetLogEvents"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: logs:GetLogEvents")


def test_log_groups_carry_their_metric_filters(account, environment, read):
    logs = account.client("logs")
    logs.create_log_group(logGroupName="/ecs/nw-prod-api")
    logs.put_metric_filter(logGroupName="/ecs/nw-prod-api", filterName="errors", filterPattern='{ $.level = "ERROR" }',
                           metricTransformations=[{"metricName": "api-errors", "metricNamespace": "Northwind",
                                                   "metricValue": "1"}])
    [group] = LogsInventory.model_validate(read("logs", environment(account=account)).payload).log_groups
    assert [(f.name, f.pattern, f.metrics) for f in group.filters] == [
        ("errors", '{ $.level = "ERROR" }', ["Northwind/api-errors"])]


def test_log_groups_denied_metric_filters_is_unknown(account, environment, read, deny):
    account.client("logs").create_log_group(logGroupName="/ecs/nw-prod-api")
    record = read("logs", environment(account=account), hooks=(deny("DescribeMetricFilters"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: logs:DescribeMetricFilters")


def test_ecs_task_definitions_name_their_log_group_and_carry_their_tags(account, environment, read):
    ecs = account.client("ecs")
    ecs.create_cluster(clusterName="nw-prod-batch")
    ecs.register_task_definition(family="nw-prod-import", tags=[{"key": "ExpectedDurationMinutes", "value": "45"}],
                                 containerDefinitions=[{"name": "import", "image": "import:1", "memory": 512,
                                                        "logConfiguration": {"logDriver": "awslogs", "options": {
                                                            "awslogs-group": "/ecs/nw-prod-import"}}}])
    [task] = EcsInventory.model_validate(read("ecs", environment(account=account)).payload).standalone_task_definitions
    assert task.tags == {"ExpectedDurationMinutes": "45"}
    assert task.containers[0].log_group == "/ecs/nw-prod-import"
