"""The demo's known gaps and the things it does right: what is wrong, where, and which check must say so.

Resources are written as the findings carry them: the ARN where AWS has one. Ids the simulation
makes up (secret suffixes, load balancer ids) are written as references like
`{production/secret:brokerage/credentials}` and filled in from the seeded estate by `resolved()`.
The evidence test runs the real collectors and checks against the estate and holds every entry
whose check is registered to account, so a later check is covered as soon as it is registered.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Mapping

from readiness.evidence.model import Status

STAGING, PRODUCTION = "111111111111", "222222222222"
REGION = "us-east-1"
REFERENCE = re.compile(r"\{([a-z]+/[a-z-]+:[^}]+)\}")


def _arn(service: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{account}:{resource}"


def _prod(service: str, resource: str) -> str:
    return _arn(service, PRODUCTION, resource)


def _parameter(account: str, name: str) -> str:
    return _arn("ssm", account, f"parameter{name}")


def _task(family: str, revision: int = 1) -> str:
    return _prod("ecs", f"task-definition/{family}:{revision}")


def _service(name: str, cluster: str = "nw-prod-platform") -> str:
    return _prod("ecs", f"service/{cluster}/{name}")


def _log_group(name: str) -> str:
    return _prod("logs", f"log-group:{name}")


@dataclass(frozen=True)
class Gap:
    """Something wrong on purpose, and the finding that must report it."""

    id: str
    check: str
    environment: str  # the environment the finding is about
    resource: str  # the resource the finding names
    what: str  # what is wrong, for a reader
    status: Status = Status.FAIL  # the mildest status that still reports it (warn: warn or fail)
    mentions: str | None = None  # words the finding's message must contain, when one finding covers several gaps

    def caught_by(self, status: Status) -> bool:
        return status == Status.FAIL or (self.status == Status.WARN and status == Status.WARN)


@dataclass(frozen=True)
class DoneRight:
    """Something the platform does well: its check must not fail or warn on it."""

    check: str
    environment: str
    resource: str
    what: str


# Gaps the evidence engine's checks report today.
GAPS: tuple[Gap, ...] = (
    Gap("env-ssm-missing-in-production", "environment.ssm_parity", "production",
        _parameter(STAGING, "/northwind/staging/portfolio/rebalance-threshold-bps"),
        "The rebalancing threshold parameter exists in staging only: production falls back to a code default."),
    Gap("env-ssm-only-in-production", "environment.ssm_parity", "production",
        _parameter(PRODUCTION, "/northwind/production/reporting/legacy-export-path"),
        "A legacy export path was added to production by hand and never to staging."),
    Gap("env-ssm-securestring-plain-in-production", "environment.ssm_parity", "production",
        _parameter(PRODUCTION, "/northwind/production/brokerage/account-id"),
        "The brokerage account id is an encrypted SecureString in staging but a plain String in production.",
        mentions="SecureString"),
    Gap("env-secret-missing-in-production", "environment.secrets_parity", "production",
        "{staging/secret:compliance/api-key}",
        "The compliance screening API key exists in staging only: production cannot screen clients."),
    Gap("env-secret-rotation-staging-only", "environment.secrets_parity", "production",
        "{production/secret:brokerage/credentials}",
        "Brokerage credentials rotate every 30 days in staging; production's were last changed 200 days ago.",
        mentions="rotation"),
    Gap("env-alb-tls-policy", "environment.load_balancer_parity", "production", "{production/load-balancer:public}",
        "Production's HTTPS listener still accepts TLS 1.0 and 1.1 (ELBSecurityPolicy-2016-08); staging's does not.",
        mentions="TLS policy"),
    Gap("env-alb-health-check", "environment.load_balancer_parity", "production", "{production/load-balancer:public}",
        "Production probes the API at / every 30 s and accepts redirects; staging probes /health every 15 s.",
        mentions="health check"),
    Gap("env-taskdef-missing-secret", "environment.task_definition_parity", "production", _task("nw-prod-api"),
        "The production API task definition lacks the COMPLIANCE_API_KEY secret that staging passes.",
        mentions="COMPLIANCE_API_KEY"),
    Gap("env-taskdef-missing-variable", "environment.task_definition_parity", "production",
        _task("nw-prod-portfolio-aggregation"),
        "Production aggregation lacks VALUATION_ROUNDING_MODE, so it rounds differently from staging.",
        mentions="VALUATION_ROUNDING_MODE"),
    Gap("env-taskdef-key-in-variable", "environment.task_definition_parity", "production", _task("nw-prod-market-data"),
        "Production market data takes its provider key from a plain variable instead of Secrets Manager.",
        mentions="MARKET_DATA_API_KEY"),
    Gap("env-reports-bucket-encryption", "environment.encryption_parity", "production", "arn:aws:s3:::nw-prod-reports",
        "Client statements are encrypted with S3-managed keys in production but a customer-managed key in staging.",
        status=Status.WARN),
    Gap("deploy-no-circuit-breaker", "deployment.circuit_breaker", "production", _service("nw-prod-analytics"),
        "Production analytics deploys without a circuit breaker: a crashing release keeps replacing tasks."),
    Gap("deploy-image-rebuilt-for-production", "deployment.images_promoted_from_staging", "production",
        _task("nw-prod-reporting"),
        "Production reporting runs an image built for production (2.7.0-prod) that never ran in staging."),
    Gap("deploy-ecr-mutable-unscanned", "deployment.ecr_immutable_scanned", "production",
        _prod("ecr", "repository/northwind/reporting"),
        "The production reporting repository has mutable tags and does not scan images on push."),
    Gap("deploy-batch-release-no-approval", "deployment.pipeline_approval", "production",
        _prod("codepipeline", "nw-prod-batch-release"),
        "The batch release pipeline deploys to production with no manual approval."),
    Gap("deploy-aggregation-no-rollback", "deployment.codedeploy_rollback", "production",
        _prod("codedeploy", "deploymentgroup:nw-prod-platform/nw-prod-portfolio-aggregation"),
        "Blue/green deployments of production aggregation never roll back on their own."),
)

# Gaps seeded now for checks that later work adds; each is covered once its check is registered.
PLANNED_GAPS: tuple[Gap, ...] = (
    Gap("mon-logs-no-retention", "monitoring.log_retention", "production", _log_group("/ecs/nw-prod-analytics"),
        "Production analytics logs are kept forever: no retention is set."),
    Gap("mon-batch-logs-no-retention", "monitoring.log_retention", "production", _log_group("/ecs/nw-prod-batch"),
        "Production batch worker logs are kept forever: no retention is set."),
    Gap("mon-api-5xx-single-datapoint", "monitoring.alarm_patterns", "production",
        _prod("cloudwatch", "alarm:nw-prod-api-5xx"),
        "The production API error alarm fires on a single one-minute data point, so it pages on every blip."),
    Gap("mon-staleness-no-action", "monitoring.alarm_coverage", "production",
        _prod("cloudwatch", "alarm:nw-prod-market-data-staleness"),
        "The production stale-prices alarm notifies nobody."),
    Gap("mon-reporting-no-error-metric", "monitoring.error_metric_filters", "production",
        _log_group("/ecs/nw-prod-reporting"), "Production reporting errors never become a metric."),
    Gap("mon-reporting-plain-logs", "monitoring.structured_logs", "production", _log_group("/ecs/nw-prod-reporting"),
        "Production reporting logs plain text without correlation ids."),
    Gap("bat-ingestion-in-opening-session", "batch.schedules_outside_market_open", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-market-data-ingestion"),
        "Bulk market-data ingestion runs at 09:45 New York time, fifteen minutes into the opening session."),
    Gap("bat-ingestion-no-dead-letter", "batch.schedule_failure_handling", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-market-data-ingestion"),
        "The production ingestion schedule has no dead-letter queue: a failed trigger is lost silently."),
    Gap("bat-report-queue-no-redrive", "batch.queue_redrive", "production", _prod("sqs", "nw-prod-report-requests"),
        "Production report requests have no dead-letter queue: a poison message is retried forever."),
    Gap("bat-dead-letters-waiting", "batch.dead_letter_backlog", "production",
        _prod("sqs", "nw-prod-holdings-import-dlq"), "Three failed holdings imports sit unattended in production."),
    Gap("bat-month-end-untraceable", "batch.state_machine_logging", "production",
        _prod("states", "stateMachine:nw-prod-month-end-reporting"),
        "The production month-end workflow keeps no execution log."),
    Gap("scl-no-pre-market-capacity", "scaling.pre_market_capacity", "production", _service("nw-prod-api"),
        "The production API is not scaled up before the open: it waits for CPU to climb after 09:30."),
    Gap("scl-reporting-not-scaled", "scaling.service_autoscaling", "production", _service("nw-prod-reporting"),
        "Production reporting has no auto scaling at all."),
    Gap("scl-reporting-no-pre-market", "scaling.pre_market_capacity", "production", _service("nw-prod-reporting"),
        "With no scaling at all, nothing raises production reporting's capacity before the open either."),
    Gap("scl-runaway-max-capacity", "scaling.runaway_cost", "production", _service("nw-prod-analytics"),
        "Production analytics may scale to 200 tasks, a hundred times its minimum."),
    Gap("mon-db-cpu-alarm-stuck", "monitoring.alarm_stuck", "production",
        _prod("cloudwatch", "alarm:nw-prod-portfolio-db-cpu"),
        "The production database CPU alarm has sat in ALARM for three days: nobody acts on it any more."),
    Gap("mon-live-dashboard-shows-batch", "monitoring.dashboards_separated", "production",
        f"arn:aws:cloudwatch::{PRODUCTION}:dashboard/nw-prod-live",
        "The production live-traffic dashboard also charts the report queue: a batch backlog looks like a client "
        "problem."),
    Gap("bat-ingestion-on-live-cluster", "batch.isolated_from_live", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-market-data-ingestion"),
        "Production's bulk market-data ingestion runs its task on the live platform cluster, next to the client API."),
    Gap("bat-holdings-import-pileup", "batch.no_pileup", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-holdings-import-catch-up"),
        "A catch-up holdings import at 07:00 starts while the 06:30 import, 45 minutes long in production, "
        "still runs."),
    Gap("scl-market-data-flapping", "scaling.policy_sanity", "production",
        "{production/scaling-policy:market-data-cpu}",
        "Production market data scales in after 30 seconds but out only after 60: its task count flaps."),
    Gap("scl-analytics-budget-silent", "scaling.budget_alerts", "production",
        f"arn:aws:budgets::{PRODUCTION}:budget/nw-prod-analytics",
        "Production analytics spend has a budget, but it notifies nobody."),
    Gap("arc-reporting-db-single-az", "architecture.multi_az_databases", "production",
        _prod("rds", "db:nw-prod-reporting-db"),
        "The production reporting database runs in one zone and has no deletion protection."),
    Gap("dat-reporting-db-backups", "dataflow.database_backups", "production", _prod("rds", "db:nw-prod-reporting-db"),
        "The production reporting database has automated backups off."),
    Gap("arc-service-single-zone", "architecture.service_zone_spread", "production", _service("nw-prod-market-data"),
        "Production market data runs in one availability zone."),
    Gap("arc-service-owner-tag", "architecture.ownership_tags", "production", _service("nw-prod-analytics"),
        "The production analytics service has no Owner tag."),
    Gap("dat-prices-no-pitr", "dataflow.dynamodb_pitr", "production", _prod("dynamodb", "table/nw-prod-market-prices"),
        "Production's price history table cannot be restored to a point in time."),
    Gap("dat-snapshots-unversioned", "dataflow.bucket_protection", "production", "arn:aws:s3:::nw-prod-snapshots",
        "Production portfolio snapshots are not versioned: an overwrite or delete is final."),
    Gap("dep-key-in-plain-variable", "dependencies.credentials_in_environment", "production",
        _task("nw-prod-market-data") + "#market-data/MARKET_DATA_API_KEY",
        "A market-data provider key sits in a plain task-definition variable."),
    Gap("dep-timeout-too-long", "dependencies.provider_timeouts", "production", _service("nw-prod-market-data"),
        "Production market data waits 30 s for its provider, whose contract allows 2 s."),
    Gap("dep-partner-api-unthrottled", "dependencies.edge_throttling", "production",
        "{production/rest-api:partner-api}", "The production partner API stage has no throttling."),
    Gap("arc-feed-lb-single-zone", "architecture.load_balancer_zones", "production",
        "{production/load-balancer:market-data-feed}",
        "Production's internal market-data feed load balancer has a subnet in one zone only."),
    Gap("arc-api-reads-primary", "architecture.read_path_caching", "production", _service("nw-prod-api"),
        "The production client API was never pointed at the portfolio cache: every holdings read hits the primary "
        "database."),
    Gap("dep-advisory-sync-failures-dropped", "dependencies.async_failure_handling", "production",
        "{production/function:advisory-sync}",
        "Advisory updates that fail every retry are dropped: the production function has no on-failure destination."),
    Gap("dat-reporting-db-stale-recovery-point", "dataflow.snapshot_recency", "production",
        _prod("rds", "db:nw-prod-reporting-db"),
        "With automated backups off, production's reporting database can only be restored to a manual snapshot "
        "taken three days ago."),
)

DONE_RIGHT: tuple[DoneRight, ...] = (
    DoneRight("environment.ssm_parity", "production", _parameter(PRODUCTION, "/northwind/production/db/portfolio/pool-size"),
              "The database pool size exists in both environments with the same type."),
    DoneRight("environment.ssm_parity", "production",
              _parameter(PRODUCTION, "/northwind/production/db/portfolio/read-replica-host"),
              "The read replica host is a SecureString under a customer-managed key in both environments."),
    DoneRight("environment.secrets_parity", "production", "{production/secret:db/portfolio}",
              "Database credentials exist and rotate in both environments."),
    DoneRight("environment.task_definition_parity", "production", _task("nw-prod-analytics"),
              "Analytics runs the same settings, secrets and size in both environments."),
    DoneRight("environment.encryption_parity", "production", _prod("dynamodb", "table/nw-prod-positions"),
              "Positions are encrypted with a customer-managed key in both environments."),
    DoneRight("environment.encryption_parity", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database is encrypted with a customer-managed key in both environments."),
    DoneRight("deployment.circuit_breaker", "production", _service("nw-prod-api"),
              "The production API rolls back failed deployments and keeps full capacity."),
    DoneRight("deployment.images_promoted_from_staging", "production", _task("nw-prod-api"),
              "The production API runs the image digest that ran in staging."),
    DoneRight("deployment.ecr_immutable_scanned", "production", _prod("ecr", "repository/northwind/api"),
              "The API repository has immutable tags and scans on push."),
    DoneRight("deployment.pipeline_approval", "production", _prod("codepipeline", "nw-prod-release"),
              "The main release pipeline waits for a release manager's approval."),
)

PLANNED_DONE_RIGHT: tuple[DoneRight, ...] = (
    DoneRight("monitoring.log_retention", "production", _log_group("/ecs/nw-prod-api"), "API logs are kept 90 days."),
    DoneRight("monitoring.alarm_patterns", "production", _prod("cloudwatch", "alarm:nw-prod-api-latency-p99"),
              "API latency alarms on 3 of 5 minutes."),
    DoneRight("monitoring.alarm_coverage", "production", _prod("cloudwatch", "alarm:nw-prod-api-5xx"),
              "API errors page on-call."),
    DoneRight("monitoring.error_metric_filters", "production", _log_group("/ecs/nw-prod-api"),
              "API errors become a metric."),
    DoneRight("monitoring.structured_logs", "production", _log_group("/ecs/nw-prod-api"),
              "API logs are JSON with correlation ids."),
    DoneRight("batch.schedules_outside_market_open", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-nightly-reconciliation"),
              "Nightly reconciliation runs at 01:30 New York time."),
    DoneRight("batch.schedule_failure_handling", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-holdings-import"),
              "The holdings import schedule retries and keeps failures in a dead-letter queue."),
    DoneRight("batch.queue_redrive", "production", _prod("sqs", "nw-prod-holdings-import"),
              "Holdings imports redrive to a dead-letter queue after five attempts."),
    DoneRight("scaling.pre_market_capacity", "production", _service("nw-prod-portfolio-aggregation"),
              "Aggregation triples its minimum at 09:00 New York time."),
    DoneRight("scaling.service_autoscaling", "production", _service("nw-prod-api"), "The API scales on CPU."),
    DoneRight("architecture.multi_az_databases", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database is Multi-AZ with deletion protection."),
    DoneRight("dataflow.database_backups", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database keeps 14 days of backups."),
    DoneRight("dataflow.dynamodb_pitr", "production", _prod("dynamodb", "table/nw-prod-positions"),
              "Positions can be restored to any point in the last 35 days."),
    DoneRight("dataflow.bucket_protection", "production", "arn:aws:s3:::nw-prod-reports",
              "Client statements are versioned and blocked from public access."),
    DoneRight("architecture.service_zone_spread", "production", _service("nw-prod-api"),
              "The API runs across three zones."),
    DoneRight("architecture.ownership_tags", "production", _service("nw-prod-api"), "The API names its owner."),
    DoneRight("dependencies.credentials_in_environment", "production", _task("nw-prod-api"),
              "The API takes its credentials from Secrets Manager."),
    DoneRight("dependencies.provider_timeouts", "production", _service("nw-prod-api"),
              "The API's provider timeouts match the contracts (2 s market data, 3 s compliance)."),
    DoneRight("scaling.budget_alerts", "production", "arn:aws:budgets::222222222222:budget/nw-prod-monthly",
              "The production budget alerts finance and on-call at 80% actual and 100% forecast."),
    DoneRight("monitoring.alarm_stuck", "production", _prod("cloudwatch", "alarm:nw-prod-api-latency-p99"),
              "The API latency alarm is live: it is not stuck in ALARM or without data."),
    DoneRight("monitoring.dashboards_separated", "production",
              f"arn:aws:cloudwatch::{PRODUCTION}:dashboard/nw-prod-batch",
              "Background jobs have a dashboard of their own."),
    DoneRight("batch.isolated_from_live", "production", _service("nw-prod-batch", cluster="nw-prod-batch"),
              "The batch worker runs on its own cluster, apart from live services."),
    DoneRight("batch.no_pileup", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-nightly-reconciliation"),
              "Nightly reconciliation takes 90 minutes and starts once a night."),
    DoneRight("batch.dead_letter_backlog", "production", _prod("sqs", "nw-prod-market-data-events-dlq"),
              "No market-data event waits in its dead-letter queue."),
    DoneRight("scaling.policy_sanity", "production", "{production/scaling-policy:api-cpu}",
              "The API tracks 60% CPU and scales out faster than it scales in."),
    DoneRight("scaling.runaway_cost", "production", _service("nw-prod-api"),
              "The API is capped at 24 tasks, eight times its minimum."),
    DoneRight("architecture.load_balancer_zones", "production", "{production/load-balancer:public}",
              "The public load balancer routes through three zones."),
    DoneRight("architecture.read_path_caching", "production", _service("nw-prod-portfolio-aggregation"),
              "Portfolio aggregation reads holdings through the Redis cache."),
    DoneRight("dependencies.edge_throttling", "production", "{production/load-balancer:public}",
              "The public load balancer's web ACL blocks a client above 2,000 requests in five minutes."),
    DoneRight("dependencies.async_failure_handling", "production", "{production/function:trade-confirmations}",
              "Trade confirmations that fail every retry land in a dead-letter queue."),
    DoneRight("dataflow.snapshot_recency", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database can be restored to any point of the last 14 days."),
)


def resolve(text: str, resources: Mapping[str, str]) -> str:
    """`text` with every {environment/kind:name} reference replaced by the seeded resource's ARN."""
    def lookup(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in resources:
            raise KeyError(f"the demo manifest names {key}, which the seeding did not create")
        return resources[key]

    return REFERENCE.sub(lookup, text)


def resolved(resources: Mapping[str, str]) -> tuple[tuple[Gap, ...], tuple[DoneRight, ...]]:
    """Every gap and every thing done right, with the seeded ARNs filled in."""
    gaps = tuple(replace(g, resource=resolve(g.resource, resources)) for g in (*GAPS, *PLANNED_GAPS))
    right = tuple(replace(d, resource=resolve(d.resource, resources)) for d in (*DONE_RIGHT, *PLANNED_DONE_RIGHT))
    return gaps, right
