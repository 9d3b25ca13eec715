"""How the demo platform is watched: log groups, metric filters, log events, alarms, dashboards, budgets."""
from __future__ import annotations

import datetime as dt
import json
import time

from readiness.demo.estate.environment import JOBS, OWNERS, SERVICES, DemoEnv

RETENTION_DAYS = 90
# gap mon-batch-logs-short-retention: production's batch worker logs are kept 30 days only.
SHORT_RETENTION_DAYS = 30
SHORT_RETENTION_IN_PRODUCTION = "batch"
ERROR_FILTERED = tuple(s.name for s in SERVICES)
# gap mon-reporting-plain-logs and mon-reporting-errors-unalarmed: production reporting logs plain text,
# and no alarm watches the metric its errors become.
UNWATCHED_IN_PRODUCTION = "reporting"
# gap mon-staging-analytics-cpu-only: staging's analytics alarm watches its CPU, not its errors.
CPU_WATCHED_IN_STAGING = "analytics"


def log_group(env: DemoEnv, name: str) -> str:
    return f"/ecs/{env.named(name)}"


def seed_logs(env: DemoEnv) -> None:
    logs = env.aws("logs")
    names = [s.name for s in SERVICES] + [j.name for j in JOBS]
    groups = [(log_group(env, n), OWNERS[n], n) for n in names]
    groups.append((f"/aws/states/{env.named('month-end-reporting')}", "reporting", "month-end-reporting"))
    now_ms = int(time.time() * 1000)
    for group, owner, name in groups:
        logs.create_log_group(logGroupName=group, kmsKeyId=env.arns["kms:data"], tags=env.labels(owner))
        env.remember("log-group", name, env.arn("logs", f"log-group:{group}"))
        short = env.production and name == SHORT_RETENTION_IN_PRODUCTION
        logs.put_retention_policy(logGroupName=group, retentionInDays=SHORT_RETENTION_DAYS if short else RETENTION_DAYS)
        if name in ERROR_FILTERED:
            logs.put_metric_filter(
                logGroupName=group, filterName=env.named(f"{name}-errors"), filterPattern='{ $.level = "ERROR" }',
                metricTransformations=[{"metricName": f"{name}-errors", "metricNamespace": f"Northwind/{env.name}",
                                        "metricValue": "1", "defaultValue": 0.0, "unit": "Count"}])
        # Only production's log events are sampled (structured logging is judged there): staging writes none.
        if env.production and name in (s.name for s in SERVICES):
            stream = f"{name}/{name}/0a1b2c3d4e5f"
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            plain = env.production and name == UNWATCHED_IN_PRODUCTION
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
                {"timestamp": now_ms - (3 - i) * 60_000, "message": _log_line(name, i, plain)} for i in range(3)])


def _log_line(service: str, index: int, plain: bool) -> str:
    level, message = [("INFO", "request served"), ("WARN", "slow upstream response"), ("ERROR", "upstream timeout")][index]
    if plain:
        return f"{level} {service}: {message}"
    return json.dumps({"level": level, "service": service, "message": message,
                       "correlation_id": f"c0ffee{index:04d}-{service}", "duration_ms": 40 + 600 * index})


def seed_alarms(env: DemoEnv) -> None:
    cloudwatch = env.aws("cloudwatch")
    actions = [env.arns["topic:oncall"]]
    balancer = env.arns["load-balancer:public"].split(":loadbalancer/", 1)[1]
    sustained = {"Period": 60, "EvaluationPeriods": 5, "DatapointsToAlarm": 3}
    tags = env.tag_list("operations")

    def alarm(name: str, *, alarm_actions: list[str] = actions, **spec) -> None:
        cloudwatch.put_metric_alarm(AlarmName=env.named(name), AlarmActions=alarm_actions, OKActions=alarm_actions,
                                    TreatMissingData="notBreaching", Tags=tags, **spec)
        env.remember("alarm", name, env.arn("cloudwatch", f"alarm:{env.named(name)}"))

    # gap mon-api-5xx-single-datapoint: production pages on a single minute of errors.
    pattern = {"Period": 60, "EvaluationPeriods": 1, "DatapointsToAlarm": 1} if env.production else sustained
    alarm("api-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
          Dimensions=[{"Name": "LoadBalancer", "Value": balancer}], Statistic="Sum", Threshold=10.0,
          ComparisonOperator="GreaterThanThreshold", **pattern)
    alarm("api-latency-p99", Namespace="AWS/ApplicationELB", MetricName="TargetResponseTime",
          Dimensions=[{"Name": "LoadBalancer", "Value": balancer}], ExtendedStatistic="p99", Threshold=1.5,
          ComparisonOperator="GreaterThanThreshold", **sustained)
    alarm("api-traffic-anomaly", EvaluationPeriods=5, DatapointsToAlarm=3, ThresholdMetricId="band",
          ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold", Metrics=[
              {"Id": "requests", "ReturnData": True, "MetricStat": {"Metric": {
                  "Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount",
                  "Dimensions": [{"Name": "LoadBalancer", "Value": balancer}]}, "Period": 300, "Stat": "Sum"}},
              {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(requests, 3)", "ReturnData": True}])
    alarm("market-data-staleness",
          Namespace=f"Northwind/{env.name}", MetricName="price-age-seconds", Statistic="Maximum", Threshold=120.0,
          ComparisonOperator="GreaterThanThreshold", Period=60, EvaluationPeriods=3, DatapointsToAlarm=2)
    for service in ERROR_FILTERED:
        if env.production and service == UNWATCHED_IN_PRODUCTION:
            continue
        if not env.production and service == CPU_WATCHED_IN_STAGING:
            alarm(f"{service}-cpu", Namespace="AWS/ECS", MetricName="CPUUtilization",
                  Dimensions=[{"Name": "ClusterName", "Value": env.named("platform")},
                              {"Name": "ServiceName", "Value": env.named(service)}],
                  Statistic="Average", Threshold=85.0, ComparisonOperator="GreaterThanThreshold", **sustained)
            continue
        alarm(f"{service}-errors", Namespace=f"Northwind/{env.name}", MetricName=f"{service}-errors", Statistic="Sum",
              Threshold=5.0, ComparisonOperator="GreaterThanThreshold", **sustained)
    for queue in [key.split(":", 1)[1] for key in env.arns if key.startswith("queue:") and key.endswith("-dlq")]:
        alarm(f"{queue}-depth", Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
              Dimensions=[{"Name": "QueueName", "Value": env.named(queue)}], Statistic="Maximum",
              Threshold=0.0, ComparisonOperator="GreaterThanThreshold", Period=300, EvaluationPeriods=2,
              DatapointsToAlarm=2)
    for database in ("portfolio-db", "reporting-db"):
        alarm(f"{database}-cpu", Namespace="AWS/RDS", MetricName="CPUUtilization",
              Dimensions=[{"Name": "DBInstanceIdentifier", "Value": env.named(database)}], Statistic="Average",
              Threshold=80.0, ComparisonOperator="GreaterThanThreshold", **sustained)
    if env.production:
        _leave_alarm_stuck(env, cloudwatch, "portfolio-db-cpu", days=3)
    _seed_dashboards(env, cloudwatch, balancer)


def _leave_alarm_stuck(env: DemoEnv, cloudwatch, name: str, days: int) -> None:
    """gap mon-db-cpu-alarm-stuck: the alarm went off days ago and nobody has dealt with it since.

    The state is set through the API, then dated back on the simulation itself (it has no clock to wind).
    """
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch.set_alarm_state(AlarmName=env.named(name), StateValue="ALARM",
                               StateReason="Threshold crossed: 5 of 5 datapoints above 80.0")
    alarm = cloudwatch_backends[env.account][env.region].alarms[env.named(name)]
    alarm.state_updated_timestamp = alarm.state_updated_timestamp - dt.timedelta(days=days)


def _seed_dashboards(env: DemoEnv, cloudwatch, balancer: str) -> None:
    def widget(title: str, metrics: list[list[str]]) -> dict:
        return {"type": "metric", "width": 12, "height": 6,
                "properties": {"title": title, "region": env.region, "metrics": metrics, "stat": "Sum", "period": 60}}

    live = [widget("Client API errors", [["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", balancer]]),
            widget("Client API latency", [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", balancer]]),
            widget("Price age", [[f"Northwind/{env.name}", "price-age-seconds"]])]
    batch = [widget("Holdings import dead letters", [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
                                                      env.named("holdings-import-dlq")]]),
             widget("Report requests waiting", [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
                                                 env.named("report-requests")]])]
    if env.production:
        # gap mon-live-dashboard-shows-batch: the live board also charts the report queue, so a batch
        # backlog there looks like a client problem.
        boards = {"live": live + batch[1:], "batch": batch}
    else:
        boards = {"overview": live + batch}  # staging keeps one board for everything
    for name, widgets in boards.items():
        cloudwatch.put_dashboard(DashboardName=env.named(name), DashboardBody=json.dumps({"widgets": widgets}))


def seed_budget(env: DemoEnv) -> None:
    limit = "25000" if env.production else "4000"
    # gap scl-staging-budget-silent: staging's budget alerts were removed during a load test and never restored.
    notifications = [] if not env.production else [
        {"Notification": {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN", "Threshold": threshold,
                          "ThresholdType": "PERCENTAGE"},
         "Subscribers": [{"SubscriptionType": "SNS", "Address": env.arns["topic:oncall"]},
                         {"SubscriptionType": "EMAIL", "Address": "finops@northwind.example"}]}
        for kind, threshold in (("ACTUAL", 80.0), ("FORECASTED", 100.0))
    ]
    env.aws("budgets").create_budget(
        AccountId=env.account,
        Budget={"BudgetName": env.named("monthly"), "BudgetLimit": {"Amount": limit, "Unit": "USD"},
                "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        NotificationsWithSubscribers=notifications,
    )
    env.remember("budget", "monthly", f"arn:aws:budgets::{env.account}:budget/{env.named('monthly')}")
    if env.production:
        # Analytics spend has a budget of its own, which tells finance before it is spent.
        env.aws("budgets").create_budget(AccountId=env.account, Budget={
            "BudgetName": env.named("analytics"), "BudgetLimit": {"Amount": "6000", "Unit": "USD"},
            "TimeUnit": "MONTHLY", "BudgetType": "COST",
            "CostFilters": {"TagKeyValue": ["user:Owner$analytics"]}}, NotificationsWithSubscribers=notifications[:1])
        env.remember("budget", "analytics", f"arn:aws:budgets::{env.account}:budget/{env.named('analytics')}")
    _queue_spend(env)


# Monthly spend of each environment over the last six months, the current month (so far) last.
MONTHLY_SPEND = {"staging": ("3120.40", "3275.10", "3410.85", "3388.20", "3502.65", "1214.30"),
                 "production": ("17840.25", "18612.90", "19950.40", "21105.75", "22480.10", "7932.55")}


def _queue_spend(env: DemoEnv) -> None:
    """What Cost Explorer answers for the account, grouped by the Environment tag, for the spend trend.

    The simulation keeps no costs: it answers with results queued on it, in the order they were queued.
    """
    from moto.moto_api._internal.models import moto_api_backend

    amounts = MONTHLY_SPEND.get(env.name)
    if not amounts:
        return
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    firsts = [_months_before(this_month, back) for back in range(len(amounts) - 1, -1, -1)]
    tag_value = env.tags.get("Environment", env.name)
    results = [{"TimePeriod": {"Start": first.isoformat(), "End": _months_before(first, -1).isoformat()},
                "Estimated": first == this_month, "Total": {}, "Groups": [
                    {"Keys": [f"Environment${tag_value}"], "Metrics": {"UnblendedCost": {"Amount": amount,
                                                                                          "Unit": "USD"}}}]}
               for first, amount in zip(firsts, amounts)]
    moto_api_backend.set_ce_cost_usage(result={"ResultsByTime": results}, account_id=env.account)


def _months_before(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)
