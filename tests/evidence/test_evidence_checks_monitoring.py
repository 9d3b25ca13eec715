"""Monitoring checks of production, judged from plain inventories."""
from __future__ import annotations

import datetime as dt

from evidence_fixtures import NOW
from operations_fixtures import REGION, by_resource, judge_on, prod_arn, statuses

from readiness.evidence.collectors.cloudwatch import Alarm, CloudWatchInventory, Dashboard, Metric
from readiness.evidence.collectors.ecs import Container, EcsInventory, Service, TaskDefinition, parse_image
from readiness.evidence.collectors.elbv2 import HealthCheck, LoadBalancer, LoadBalancerInventory, TargetGroup
from readiness.evidence.collectors.log_samples import LogSample, LogSamplesInventory
from readiness.evidence.collectors.logs import LogGroup, LogsInventory, MetricFilter
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.sqs import Queue, SqsInventory
from readiness.evidence.model import Status

ONCALL = "arn:aws:sns:us-east-1:222222222222:oncall"
LB_ARN = prod_arn("elasticloadbalancing", "loadbalancer/app/nw-prod-public/50dc6c495c0c9188")
TG_ARN = prod_arn("elasticloadbalancing", "targetgroup/nw-prod-api/73e2d6bc24d8a067")


def group(name: str, *, retention: int | None = 90, key: str | None = "arn:key", filters=()) -> LogGroup:
    return LogGroup(name=name, arn=prod_arn("logs", f"log-group:{name}"), region=REGION, retention_days=retention,
                    kms_key_id=key, filters=list(filters))


def logs(*groups: LogGroup) -> LogsInventory:
    return LogsInventory(log_groups=list(groups))


def service(name: str, *, log_group: str | None = None, target_groups=()) -> tuple[Service, TaskDefinition]:
    task = TaskDefinition(arn=prod_arn("ecs", f"task-definition/nw-prod-{name}:3"), family=f"nw-prod-{name}",
                          revision=3, region=REGION, containers=[Container(
                              name=name, image=parse_image(f"{name}:1"),
                              log_group=log_group if log_group is not None else f"/ecs/nw-prod-{name}")])
    svc = Service(name=f"nw-prod-{name}", arn=prod_arn("ecs", f"service/nw-prod-platform/nw-prod-{name}"),
                  region=REGION, cluster_arn=prod_arn("ecs", "cluster/nw-prod-platform"),
                  cluster_name="nw-prod-platform", task_definition=task.arn, target_groups=list(target_groups))
    return svc, task


def ecs(*pairs: tuple[Service, TaskDefinition]) -> EcsInventory:
    return EcsInventory(services=[s for s, _ in pairs], task_definitions=[t for _, t in pairs])


def alarm(name: str, *, metric: str = "HTTPCode_Target_5XX_Count", namespace: str = "AWS/ApplicationELB",
          dimensions: dict[str, str] | None = None, actions=(ONCALL,), **settings) -> Alarm:
    values = dict(evaluation_periods=5, datapoints_to_alarm=3, state="OK", state_since=NOW - dt.timedelta(hours=1))
    return Alarm(name=name, arn=prod_arn("cloudwatch", f"alarm:{name}"), region=REGION, alarm_actions=list(actions),
                 metrics=[Metric(namespace=namespace, name=metric, dimensions=dimensions or {})],
                 **(values | settings))


def watch(*alarms: Alarm, dashboards=()) -> CloudWatchInventory:
    return CloudWatchInventory(alarms=list(alarms), dashboards=list(dashboards))


# ---- monitoring.log_retention ------------------------------------------------------------------

def test_log_retention_passes_for_a_group_kept_long_enough_and_encrypted():
    [finding] = judge_on("monitoring.log_retention", [logs(group("/ecs/nw-prod-api"))],
                         [logs(group("/ecs/nw-staging-api"))])
    assert finding.status == Status.PASS and finding.baseline == "staging" and finding.controls == ["MON-01"]
    assert finding.message == ("production log group /ecs/nw-prod-api keeps logs for 90 days and is encrypted with "
                               "a KMS key")


def test_log_retention_fails_for_logs_kept_forever_or_unencrypted_and_warns_when_kept_too_briefly():
    found = statuses(judge_on("monitoring.log_retention", [logs(
        group("/ecs/nw-prod-api", retention=None), group("/ecs/nw-prod-worker", retention=7),
        group("/ecs/nw-prod-reports", key=None))],
        [logs(group("/ecs/nw-staging-reports"))]))
    # Seven days is bounded, only too short to investigate: a warning; forever is a cost without limit.
    assert found == {"/ecs/nw-prod-api": Status.FAIL, "/ecs/nw-prod-worker": Status.WARN,
                     "/ecs/nw-prod-reports": Status.FAIL}
    messages = {k: f.message for k, f in by_resource(judge_on("monitoring.log_retention", [logs(
        group("/ecs/nw-prod-api", retention=None), group("/ecs/nw-prod-reports", key=None))],
        [logs(group("/ecs/nw-staging-reports"))])).items()}
    assert "keeps its logs forever" in messages["/ecs/nw-prod-api"]
    assert "not encrypted with a KMS key, while its staging counterpart is" in messages["/ecs/nw-prod-reports"]


def test_log_retention_is_unknown_when_log_groups_could_not_be_read():
    [finding] = judge_on("monitoring.log_retention", [], [logs()], unknown={"logs": "AccessDenied: logs:Describe"})
    assert finding.status == Status.UNKNOWN and "AccessDenied" in finding.message


def test_log_retention_without_production_log_groups_is_not_applicable():
    [finding] = judge_on("monitoring.log_retention", [logs()], [logs(group("/ecs/nw-staging-api"))])
    assert finding.status == Status.NOT_APPLICABLE


# ---- monitoring.structured_logs ----------------------------------------------------------------

def sample(name: str, events: int, json_events: int, correlated: int) -> LogSample:
    return LogSample(name=name, arn=prod_arn("logs", f"log-group:{name}"), region=REGION, events=events,
                     json_events=json_events, correlated_events=correlated, fields=["level", "message"],
                     correlation_fields=["correlation_id"] if correlated else [])


def test_structured_logs_pass_when_events_are_json_with_a_correlation_id():
    [finding] = judge_on("monitoring.structured_logs", [ecs(service("api")), LogSamplesInventory(
        samples=[sample("/ecs/nw-prod-api", 50, 50, 48)])])
    assert finding.status == Status.PASS and finding.resource.endswith("log-group:/ecs/nw-prod-api")
    assert "100% of 50 recent events are JSON, 96% carry a correlation id" in finding.message
    assert finding.details["correlation_fields"] == ["correlation_id"]


def test_structured_logs_fail_on_plain_text_and_warn_on_json_without_ids():
    found = judge_on("monitoring.structured_logs", [ecs(service("api"), service("reports")), LogSamplesInventory(
        samples=[sample("/ecs/nw-prod-api", 40, 40, 0), sample("/ecs/nw-prod-reports", 40, 4, 0)])])
    assert statuses(found) == {"/ecs/nw-prod-api": Status.WARN, "/ecs/nw-prod-reports": Status.FAIL}
    assert "writes plain text: 10% of 40 recent events are JSON" in by_resource(found)["/ecs/nw-prod-reports"].message


def test_structured_logs_are_unknown_without_events_or_a_log_group():
    found = judge_on("monitoring.structured_logs", [ecs(service("api"), service("edge", log_group="")),
                                                    LogSamplesInventory(samples=[sample("/ecs/nw-prod-api", 0, 0, 0)])])
    assert {f.status for f in found} == {Status.UNKNOWN}
    assert any("no recent events to sample" in f.message for f in found)
    assert any("writes to no CloudWatch log group" in f.message for f in found)


def test_structured_logs_without_services_are_not_applicable():
    [finding] = judge_on("monitoring.structured_logs", [ecs(), LogSamplesInventory()])
    assert finding.status == Status.NOT_APPLICABLE


# ---- monitoring.alarm_coverage -----------------------------------------------------------------

def estate(*alarms: Alarm) -> list:
    balancer = LoadBalancer(name="nw-prod-public", arn=LB_ARN, region=REGION, type="application", target_groups=[
        TargetGroup(name="nw-prod-api", arn=TG_ARN, health_check=HealthCheck())])
    dlq = prod_arn("sqs", "nw-prod-imports-dlq")
    return [watch(*alarms), ecs(service("api", target_groups=[TG_ARN])),
            LoadBalancerInventory(load_balancers=[balancer]),
            RdsInventory(databases=[Database(name="nw-prod-ledger", arn=prod_arn("rds", "db:nw-prod-ledger"),
                                             region=REGION, kind="instance")]),
            SqsInventory(queues=[Queue(name="nw-prod-imports-dlq", arn=dlq, region=REGION, url="https://q/dlq"),
                                 Queue(name="nw-prod-imports", arn=prod_arn("sqs", "nw-prod-imports"), region=REGION,
                                       url="https://q/imports", dead_letter_target=dlq)])]


def test_alarm_coverage_passes_when_every_resource_is_watched_and_every_alarm_notifies():
    found = judge_on("monitoring.alarm_coverage", estate(
        alarm("nw-prod-api-5xx", dimensions={"LoadBalancer": "app/nw-prod-public/50dc6c495c0c9188"}),
        alarm("nw-prod-ledger-cpu", namespace="AWS/RDS", metric="CPUUtilization",
              dimensions={"DBInstanceIdentifier": "nw-prod-ledger"}),
        alarm("nw-prod-imports-dlq-depth", namespace="AWS/SQS", metric="ApproximateNumberOfMessagesVisible",
              dimensions={"QueueName": "nw-prod-imports-dlq"})))
    assert set(statuses(found).values()) == {Status.PASS}
    assert set(statuses(found)) == {"nw-prod-api", "73e2d6bc24d8a067", "nw-prod-ledger", "nw-prod-imports-dlq",
                                    "nw-prod-api-5xx", "nw-prod-ledger-cpu", "nw-prod-imports-dlq-depth"}
    assert by_resource(found)["nw-prod-api"].message == "production service api is watched by nw-prod-api-5xx"


def test_alarm_coverage_fails_on_unwatched_resources_and_silent_alarms_and_warns_on_alarms_off_errors():
    found = by_resource(judge_on("monitoring.alarm_coverage", estate(
        alarm("nw-prod-api-cpu", namespace="AWS/ECS", metric="CPUUtilization",
              dimensions={"ServiceName": "nw-prod-api"}, actions=()))))
    # Watched, but on its CPU rather than on what clients feel: a warning.
    assert found["nw-prod-api"].status == Status.WARN
    assert "is watched only on CPUUtilization, not on errors or latency" in found["nw-prod-api"].message
    assert found["nw-prod-ledger"].status == Status.FAIL and "has no alarm" in found["nw-prod-ledger"].message
    assert found["nw-prod-imports-dlq"].status == Status.FAIL
    assert found["nw-prod-api-cpu"].status == Status.FAIL and "notifies nobody" in found["nw-prod-api-cpu"].message


def test_alarm_coverage_is_unknown_when_alarms_could_not_be_read():
    [finding] = judge_on("monitoring.alarm_coverage", estate()[1:], unknown={"cloudwatch": "AccessDenied: x"})
    assert finding.status == Status.UNKNOWN


def test_alarm_coverage_with_nothing_to_watch_is_not_applicable():
    [finding] = judge_on("monitoring.alarm_coverage", [watch(), ecs(), LoadBalancerInventory(), RdsInventory(),
                                                       SqsInventory()])
    assert finding.status == Status.NOT_APPLICABLE


# ---- monitoring.alarm_patterns -----------------------------------------------------------------

def test_alarm_patterns_pass_for_m_of_n_anomaly_bands_and_composites():
    found = statuses(judge_on("monitoring.alarm_patterns", [watch(
        alarm("nw-prod-latency"), alarm("nw-prod-traffic", evaluation_periods=1, datapoints_to_alarm=None,
                                        anomaly_band=True),
        Alarm(name="nw-prod-api-down", arn=prod_arn("cloudwatch", "alarm:nw-prod-api-down"), region=REGION,
              kind="composite", rule="ALARM(a) AND ALARM(b)"))]))
    assert found == {"nw-prod-latency": Status.PASS, "nw-prod-traffic": Status.PASS, "nw-prod-api-down": Status.PASS}


def test_alarm_patterns_fail_a_paging_single_data_point_and_warn_a_silent_one():
    found = by_resource(judge_on("monitoring.alarm_patterns", [watch(
        alarm("nw-prod-latency"), alarm("nw-prod-5xx", evaluation_periods=1, datapoints_to_alarm=1),
        alarm("nw-prod-info", evaluation_periods=5, datapoints_to_alarm=1, actions=()))]))
    assert found["nw-prod-5xx"].status == Status.FAIL and "pages on a single data point" in found["nw-prod-5xx"].message
    assert found["nw-prod-info"].status == Status.WARN


def test_alarm_patterns_fail_every_alarm_when_none_looks_at_a_pattern():
    found = judge_on("monitoring.alarm_patterns", [watch(
        alarm("nw-prod-a", evaluation_periods=1, datapoints_to_alarm=None, actions=()),
        alarm("nw-prod-b", evaluation_periods=1, datapoints_to_alarm=None, actions=()))])
    assert {f.status for f in found} == {Status.FAIL} and "like every alarm of production" in found[0].message


def test_alarm_patterns_unknown_and_not_applicable():
    [unknown] = judge_on("monitoring.alarm_patterns", [], unknown={"cloudwatch": "Throttled: x"})
    [empty] = judge_on("monitoring.alarm_patterns", [watch()])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- monitoring.alarm_stuck --------------------------------------------------------------------

def test_alarm_stuck_passes_ok_alarms_and_recent_alarms():
    found = statuses(judge_on("monitoring.alarm_stuck", [watch(
        alarm("nw-prod-ok"), alarm("nw-prod-firing", state="ALARM", state_since=NOW - dt.timedelta(hours=2)))]))
    assert found == {"nw-prod-ok": Status.PASS, "nw-prod-firing": Status.PASS}


def test_alarm_stuck_fails_alarms_in_alarm_or_without_data_for_too_long():
    found = by_resource(judge_on("monitoring.alarm_stuck", [watch(
        alarm("nw-prod-db-cpu", state="ALARM", state_since=NOW - dt.timedelta(days=3)),
        alarm("nw-prod-renamed", state="INSUFFICIENT_DATA", state_since=NOW - dt.timedelta(hours=30)))]))
    assert found["nw-prod-db-cpu"].status == Status.FAIL
    assert "has been in ALARM for 72 hours" in found["nw-prod-db-cpu"].message
    assert found["nw-prod-renamed"].status == Status.FAIL and "its metric may have vanished" in (
        found["nw-prod-renamed"].message)


def test_alarm_stuck_is_unknown_without_a_state_time_and_not_applicable_without_alarms():
    [unknown] = judge_on("monitoring.alarm_stuck", [watch(alarm("nw-prod-x", state="ALARM", state_since=None))])
    [empty] = judge_on("monitoring.alarm_stuck", [watch()])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


# ---- monitoring.dashboards_separated -----------------------------------------------------------

def board(name: str, *metrics: Metric) -> Dashboard:
    return Dashboard(name=name, arn=f"arn:aws:cloudwatch::222222222222:dashboard/{name}", region=REGION,
                     metrics=list(metrics))


ELB = Metric(namespace="AWS/ApplicationELB", name="TargetResponseTime", dimensions={"LoadBalancer": "app/x/1"})
QUEUE = Metric(namespace="AWS/SQS", name="ApproximateNumberOfMessagesVisible", dimensions={"QueueName": "q"})
WORKER = Metric(namespace="AWS/ECS", name="CPUUtilization", dimensions={"ServiceName": "nw-prod-worker"})


def test_dashboards_pass_when_live_and_batch_each_have_their_own():
    found = statuses(judge_on("monitoring.dashboards_separated", [watch(dashboards=[
        board("nw-prod-live", ELB), board("nw-prod-jobs", QUEUE, WORKER), board("nw-prod-overview", ELB, QUEUE)])]))
    assert found == {"nw-prod-live": Status.PASS, "nw-prod-jobs": Status.PASS, "nw-prod-overview": Status.PASS}


def test_dashboards_fail_when_a_live_board_shows_batch_and_none_shows_live_alone():
    found = by_resource(judge_on("monitoring.dashboards_separated", [watch(dashboards=[
        board("nw-prod-live", ELB, QUEUE), board("nw-prod-batch", WORKER)])]))
    assert found["nw-prod-live"].status == Status.FAIL and "also shows background jobs" in (
        found["nw-prod-live"].message)
    assert found["nw-prod-batch"].status == Status.PASS
    assert found["production dashboards"].status == Status.FAIL
    assert "no dashboard for live traffic on its own" in found["production dashboards"].message


def test_dashboards_fail_when_there_are_none():
    findings = judge_on("monitoring.dashboards_separated", [watch()])
    assert [f.status for f in findings] == [Status.FAIL, Status.FAIL]


def test_dashboards_unknown_and_not_applicable():
    [unknown] = judge_on("monitoring.dashboards_separated", [], unknown={"cloudwatch": "AccessDenied: x"})
    found = by_resource(judge_on("monitoring.dashboards_separated", [watch(dashboards=[
        board("nw-prod-live", ELB), board("nw-prod-jobs", QUEUE), board("nw-prod-database", Metric(
            namespace="AWS/RDS", name="FreeStorageSpace"))])]))
    assert unknown.status == Status.UNKNOWN and found["nw-prod-database"].status == Status.NOT_APPLICABLE


# ---- monitoring.error_metric_filters -----------------------------------------------------------

ERRORS = MetricFilter(name="errors", pattern='{ $.level = "ERROR" }', metrics=["Northwind/api-errors"])


def test_error_metric_filters_pass_when_errors_become_an_alarmed_metric():
    [finding] = judge_on("monitoring.error_metric_filters", [
        ecs(service("api")), logs(group("/ecs/nw-prod-api", filters=[ERRORS])),
        watch(alarm("nw-prod-api-errors", namespace="Northwind", metric="api-errors"))])
    assert finding.status == Status.PASS and finding.resource.endswith("log-group:/ecs/nw-prod-api")


def test_error_metric_filters_fail_without_a_filter_and_warn_without_an_alarm():
    found = statuses(judge_on("monitoring.error_metric_filters", [
        ecs(service("api"), service("reports")), watch(),
        logs(group("/ecs/nw-prod-api", filters=[ERRORS]), group("/ecs/nw-prod-reports", filters=[
            MetricFilter(name="logins", pattern="Login", metrics=["Northwind/logins"])]))]))
    assert found == {"/ecs/nw-prod-api": Status.WARN, "/ecs/nw-prod-reports": Status.FAIL}


def test_error_metric_filters_unknown_when_the_group_is_missing_and_not_applicable_without_services():
    [unknown] = judge_on("monitoring.error_metric_filters", [ecs(service("api")), logs(), watch()])
    [empty] = judge_on("monitoring.error_metric_filters", [ecs(), logs(), watch()])
    assert (unknown.status, empty.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)
    assert "was not found in production" in unknown.message
