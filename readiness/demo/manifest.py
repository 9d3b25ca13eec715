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


def _staging(service: str, resource: str) -> str:
    return _arn(service, STAGING, resource)


def _staging_service(name: str, cluster: str = "nw-staging-platform") -> str:
    return _staging("ecs", f"service/{cluster}/{name}")


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


WARN = Status.WARN
# Production's gaps. Its blockers fail on configuration drift (ENV-01, ENV-02) and a database in one zone (ARC-01);
# most of the rest are partial problems (warnings), so that what is done right still counts.
PRODUCTION_GAPS: tuple[Gap, ...] = (
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
        "{staging/secret:market-data/fallback-api-key}",
        "The fallback price feed's key exists in staging only: production cannot switch feeds when the main one "
        "fails."),
    Gap("env-secret-rotation-staging-only", "environment.secrets_parity", "production",
        "{production/secret:brokerage/credentials}",
        "Brokerage credentials rotate every 30 days in staging; production's were last changed 200 days ago.",
        mentions="rotation"),
    Gap("env-alb-health-check", "environment.load_balancer_parity", "production", "{production/load-balancer:public}",
        "Production probes the API at / every 30 s and accepts redirects; staging probes /health every 15 s.",
        status=WARN, mentions="health check"),
    Gap("env-taskdef-aggregation-memory", "environment.task_definition_parity", "production",
        _task("nw-prod-portfolio-aggregation"),
        "Production aggregation tasks have twice staging's memory: staging's load tests run on smaller tasks.",
        status=WARN, mentions="task memory"),
    Gap("env-reports-bucket-encryption", "environment.encryption_parity", "production", "arn:aws:s3:::nw-prod-reports",
        "Client statements are encrypted with S3-managed keys in production but a customer-managed key in staging.",
        status=WARN),
    Gap("arc-reporting-db-single-az", "architecture.multi_az_databases", "production",
        _prod("rds", "db:nw-prod-reporting-db"), "The production reporting database runs in one zone."),
    Gap("arc-market-data-two-zones", "architecture.service_zone_spread", "production", _service("nw-prod-market-data"),
        "Production market data places its three tasks in two zones, two of them in one.", status=WARN),
    Gap("arc-analytics-unclassified", "architecture.ownership_tags", "production", _service("nw-prod-analytics"),
        "The production analytics service names its owner but not the class of data it holds.", status=WARN),
    Gap("deploy-batch-runs-moving-tag", "deployment.images_promoted_from_staging", "production", _task("nw-prod-batch"),
        "Both environments run the batch worker by its moving `stable` tag: what staging tested need not be what "
        "production pulled.", status=WARN, mentions="stable"),
    Gap("deploy-batch-release-no-approval", "deployment.pipeline_approval", "production",
        _prod("codepipeline", "nw-prod-batch-release"),
        "The batch release pipeline deploys to production with no manual approval."),
    Gap("deploy-aggregation-no-alarm-rollback", "deployment.codedeploy_rollback", "production",
        _prod("codedeploy", "deploymentgroup:nw-prod-platform/nw-prod-portfolio-aggregation"),
        "Blue/green deployments of production aggregation roll back when they fail, but not when the error alarm "
        "fires during the canary.", status=WARN),
    Gap("dep-waf-rule-counting", "dependencies.edge_throttling", "production", "{production/load-balancer:public}",
        "Production's rate rule was left counting after it was tuned: it blocks nobody.", status=WARN),
    Gap("dat-snapshots-unversioned", "dataflow.bucket_protection", "production", "arn:aws:s3:::nw-prod-snapshots",
        "Production portfolio snapshots are not versioned: an overwrite or delete is final."),
    Gap("mon-batch-logs-short-retention", "monitoring.log_retention", "production", _log_group("/ecs/nw-prod-batch"),
        "Production batch worker logs are kept 30 days: too short to investigate a disputed trade.", status=WARN),
    Gap("mon-api-5xx-single-datapoint", "monitoring.alarm_patterns", "production",
        _prod("cloudwatch", "alarm:nw-prod-api-5xx"),
        "The production API error alarm fires on a single one-minute data point, so it pages on every blip."),
    Gap("mon-reporting-errors-unalarmed", "monitoring.error_metric_filters", "production",
        _log_group("/ecs/nw-prod-reporting"), "Production reporting errors become a metric that no alarm watches.",
        status=WARN),
    Gap("mon-reporting-plain-logs", "monitoring.structured_logs", "production", _log_group("/ecs/nw-prod-reporting"),
        "Production reporting logs plain text without correlation ids."),
    Gap("mon-db-cpu-alarm-stuck", "monitoring.alarm_stuck", "production",
        _prod("cloudwatch", "alarm:nw-prod-portfolio-db-cpu"),
        "The production database CPU alarm has sat in ALARM for three days: nobody acts on it any more."),
    Gap("mon-live-dashboard-shows-batch", "monitoring.dashboards_separated", "production",
        f"arn:aws:cloudwatch::{PRODUCTION}:dashboard/nw-prod-live",
        "The production live-traffic dashboard also charts the report queue: a batch backlog looks like a client "
        "problem."),
    Gap("bat-ingestion-in-opening-session", "batch.schedules_outside_market_open", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-market-data-ingestion"),
        "Bulk market-data ingestion runs at 09:45 New York time, fifteen minutes into the opening session."),
    Gap("bat-ingestion-on-live-cluster", "batch.isolated_from_live", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-market-data-ingestion"),
        "Production's bulk market-data ingestion runs its task on the live platform cluster, next to the client API."),
    Gap("bat-dead-letters-waiting", "batch.dead_letter_backlog", "production",
        _prod("sqs", "nw-prod-holdings-import-dlq"), "Three failed holdings imports sit unattended in production."),
    Gap("bat-month-end-fatal-only", "batch.state_machine_logging", "production",
        _prod("states", "stateMachine:nw-prod-month-end-reporting"),
        "The production month-end workflow logs fatal errors only: a step that fails and is caught leaves no trace.",
        status=WARN),
    Gap("bat-month-end-catch-up-overlap", "batch.no_pileup", "production",
        _prod("scheduler", "schedule/nw-prod-batch/nw-prod-month-end-catch-up"),
        "The month-end catch-up at 21:00 New York can start while the 19:00 run, allowed six hours, still runs.",
        status=WARN),
    Gap("scl-reporting-calendar-only", "scaling.service_autoscaling", "production", _service("nw-prod-reporting"),
        "Production reporting changes its task count on a schedule only, whatever its load.", status=WARN),
    Gap("scl-api-pre-market-in-utc", "scaling.pre_market_capacity", "production", _service("nw-prod-api"),
        "The production API is raised at 13:00 UTC: 09:00 in New York only while daylight saving lasts.",
        status=WARN),
)

# Staging's gaps: checks that judge every environment find these there, most of them left by a load-test campaign.
STAGING_GAPS: tuple[Gap, ...] = (
    Gap("arc-feed-lb-single-zone", "architecture.load_balancer_zones", "staging",
        "{staging/load-balancer:market-data-feed}",
        "Staging's internal market-data feed load balancer has a subnet in one zone only."),
    Gap("arc-staging-api-reads-primary", "architecture.read_path_caching", "staging",
        _staging_service("nw-staging-api"),
        "Staging runs without the portfolio cache: its client API reads the primary database, so the cache path is "
        "first exercised in production."),
    Gap("arc-staging-aggregation-reads-primary", "architecture.read_path_caching", "staging",
        _staging_service("nw-staging-portfolio-aggregation"),
        "Without the cache, staging's portfolio aggregation reads the primary database too."),
    Gap("dep-staging-token-in-plain-variable", "dependencies.credentials_in_environment", "staging",
        _staging("ecs", "task-definition/nw-staging-holdings-import:1") + "#holdings-import/BROKERAGE_API_TOKEN",
        "A brokerage UAT token sits in a plain variable of staging's holdings import job."),
    Gap("dep-staging-idle-timeout", "dependencies.provider_timeouts", "staging", _staging_service("nw-staging-api"),
        "Staging's load balancer drops connections idle for 5 s, less than the API may spend on market data with "
        "its retries (6 s).", status=WARN, mentions="idle timeout"),
    Gap("dep-advisory-sync-failures-dropped", "dependencies.async_failure_handling", "staging",
        "{staging/function:advisory-sync}",
        "Advisory updates that fail every retry are dropped: staging's function has no on-failure destination."),
    Gap("dat-staging-reporting-db-backups", "dataflow.database_backups", "staging",
        _staging("rds", "db:nw-staging-reporting-db"),
        "Staging's reporting database, rebuilt for a migration, has automated backups off."),
    Gap("dat-staging-reporting-db-stale-recovery-point", "dataflow.snapshot_recency", "staging",
        _staging("rds", "db:nw-staging-reporting-db"),
        "With its backups off, staging's reporting database can only be restored to a snapshot three days old."),
    Gap("dat-prices-no-pitr", "dataflow.dynamodb_pitr", "staging",
        _staging("dynamodb", "table/nw-staging-market-prices"),
        "Staging's price history table, recreated for the same migration, cannot be restored to a point in time."),
    Gap("mon-staging-analytics-cpu-only", "monitoring.alarm_coverage", "staging",
        _staging_service("nw-staging-analytics"),
        "Staging's analytics alarm watches its CPU, not its errors: a failing release there raises nothing.",
        status=WARN),
    Gap("bat-staging-ingestion-no-retries", "batch.schedule_failure_handling", "staging",
        _staging("scheduler", "schedule/nw-staging-batch/nw-staging-market-data-ingestion"),
        "Staging's ingestion schedule never retries a failed start (its failures do reach the dead-letter queue).",
        status=WARN),
    Gap("bat-report-queue-no-redrive", "batch.queue_redrive", "staging", _staging("sqs", "nw-staging-report-requests"),
        "Staging's report requests have no dead-letter queue: a poison message is retried forever."),
    Gap("deploy-staging-half-capacity", "deployment.circuit_breaker", "staging",
        _staging_service("nw-staging-analytics"),
        "Staging analytics drops to half its tasks while deploying, a shortcut taken to speed up load-test rounds.",
        status=WARN),
    Gap("deploy-staging-ecr-mutable-unscanned", "deployment.ecr_immutable_scanned", "staging",
        _staging("ecr", "repository/northwind/batch"),
        "Staging's batch repository lets the `stable` tag move and scans nothing pushed to it."),
    Gap("scl-staging-idle-target", "scaling.policy_sanity", "staging", "{staging/scaling-policy:analytics-cpu}",
        "Staging analytics tracks 15% CPU, paying for about four times the tasks it needs.", status=WARN),
    Gap("scl-staging-runaway-max", "scaling.runaway_cost", "staging", _staging_service("nw-staging-analytics"),
        "Staging analytics may scale to 200 tasks, a load-test ceiling never put back."),
    Gap("scl-staging-budget-silent", "scaling.budget_alerts", "staging",
        f"arn:aws:budgets::{STAGING}:budget/nw-staging-monthly",
        "Staging's budget notifies nobody: its alerts were removed during the load tests and never restored."),
)

GAPS: tuple[Gap, ...] = PRODUCTION_GAPS + STAGING_GAPS
PLANNED_GAPS: tuple[Gap, ...] = ()  # every check the demo exercises is registered

DONE_RIGHT: tuple[DoneRight, ...] = (
    DoneRight("environment.ssm_parity", "production",
              _parameter(PRODUCTION, "/northwind/production/db/portfolio/pool-size"),
              "The database pool size exists in both environments with the same type."),
    DoneRight("environment.ssm_parity", "production",
              _parameter(PRODUCTION, "/northwind/production/db/portfolio/read-replica-host"),
              "The read replica host is a SecureString under a customer-managed key in both environments."),
    DoneRight("environment.secrets_parity", "production", "{production/secret:db/portfolio}",
              "Database credentials exist and rotate in both environments."),
    DoneRight("environment.secrets_parity", "production", "{production/secret:compliance/api-key}",
              "The compliance screening key exists in both environments."),
    DoneRight("environment.task_definition_parity", "production", _task("nw-prod-analytics"),
              "Analytics runs the same settings, secrets and size in both environments."),
    DoneRight("environment.task_definition_parity", "production", _task("nw-prod-api"),
              "The API passes the same settings and secrets in both environments."),
    DoneRight("environment.encryption_parity", "production", _prod("dynamodb", "table/nw-prod-positions"),
              "Positions are encrypted with a customer-managed key in both environments."),
    DoneRight("environment.encryption_parity", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database is encrypted with a customer-managed key in both environments."),
    DoneRight("deployment.circuit_breaker", "production", _service("nw-prod-api"),
              "The production API rolls back failed deployments and keeps full capacity."),
    DoneRight("deployment.circuit_breaker", "production", _service("nw-prod-analytics"),
              "Production analytics rolls back a failed deployment on its own."),
    DoneRight("deployment.circuit_breaker", "staging", _staging_service("nw-staging-api"),
              "The staging API rolls back failed deployments too."),
    DoneRight("deployment.images_promoted_from_staging", "production", _task("nw-prod-api"),
              "The production API runs the image digest that ran in staging."),
    DoneRight("deployment.images_promoted_from_staging", "production", _task("nw-prod-reporting"),
              "Production reporting runs the image digest that ran in staging."),
    DoneRight("deployment.ecr_immutable_scanned", "production", _prod("ecr", "repository/northwind/api"),
              "The API repository has immutable tags and scans on push."),
    DoneRight("deployment.ecr_immutable_scanned", "production", _prod("ecr", "repository/northwind/batch"),
              "In production the batch repository's tags cannot move."),
    DoneRight("deployment.pipeline_approval", "production", _prod("codepipeline", "nw-prod-release"),
              "The main release pipeline waits for a release manager's approval."),
    DoneRight("monitoring.log_retention", "production", _log_group("/ecs/nw-prod-api"), "API logs are kept 90 days."),
    DoneRight("monitoring.alarm_patterns", "production", _prod("cloudwatch", "alarm:nw-prod-api-latency-p99"),
              "API latency alarms on 3 of 5 minutes."),
    DoneRight("monitoring.alarm_patterns", "staging", _staging("cloudwatch", "alarm:nw-staging-api-5xx"),
              "Staging's API error alarm waits for 3 of 5 minutes."),
    DoneRight("monitoring.alarm_coverage", "production", _prod("cloudwatch", "alarm:nw-prod-api-5xx"),
              "API errors page on-call."),
    DoneRight("monitoring.alarm_coverage", "production", _prod("cloudwatch", "alarm:nw-prod-market-data-staleness"),
              "Stale prices page on-call."),
    DoneRight("monitoring.alarm_coverage", "staging", _staging_service("nw-staging-api"),
              "Staging's API is watched on its errors."),
    DoneRight("monitoring.error_metric_filters", "production", _log_group("/ecs/nw-prod-api"),
              "API errors become a metric."),
    DoneRight("monitoring.structured_logs", "production", _log_group("/ecs/nw-prod-api"),
              "API logs are JSON with correlation ids."),
    DoneRight("monitoring.alarm_stuck", "production", _prod("cloudwatch", "alarm:nw-prod-api-latency-p99"),
              "The API latency alarm is live: it is not stuck in ALARM or without data."),
    DoneRight("monitoring.dashboards_separated", "production",
              f"arn:aws:cloudwatch::{PRODUCTION}:dashboard/nw-prod-batch",
              "Background jobs have a dashboard of their own."),
    DoneRight("batch.schedules_outside_market_open", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-nightly-reconciliation"),
              "Nightly reconciliation runs at 01:30 New York time."),
    DoneRight("batch.schedule_failure_handling", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-holdings-import"),
              "The holdings import schedule retries and keeps failures in a dead-letter queue."),
    DoneRight("batch.schedule_failure_handling", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-market-data-ingestion"),
              "Even the misplaced ingestion schedule retries and keeps its failures."),
    DoneRight("batch.queue_redrive", "production", _prod("sqs", "nw-prod-holdings-import"),
              "Holdings imports redrive to a dead-letter queue after five attempts."),
    DoneRight("batch.queue_redrive", "production", _prod("sqs", "nw-prod-report-requests"),
              "Production report requests redrive to a dead-letter queue."),
    DoneRight("batch.queue_redrive", "staging", _staging("sqs", "nw-staging-holdings-import"),
              "Staging's holdings imports redrive to a dead-letter queue."),
    DoneRight("batch.isolated_from_live", "production", _service("nw-prod-batch", cluster="nw-prod-batch"),
              "The batch worker runs on its own cluster, apart from live services."),
    DoneRight("batch.no_pileup", "production",
              _prod("scheduler", "schedule/nw-prod-batch/nw-prod-nightly-reconciliation"),
              "Nightly reconciliation takes 90 minutes and starts once a night."),
    DoneRight("batch.dead_letter_backlog", "production", _prod("sqs", "nw-prod-market-data-events-dlq"),
              "No market-data event waits in its dead-letter queue."),
    DoneRight("scaling.pre_market_capacity", "production", _service("nw-prod-portfolio-aggregation"),
              "Aggregation triples its minimum at 09:00 New York time."),
    DoneRight("scaling.pre_market_capacity", "production", _service("nw-prod-reporting"),
              "Reporting is raised before the open as well."),
    DoneRight("scaling.service_autoscaling", "production", _service("nw-prod-api"), "The API scales on CPU."),
    DoneRight("scaling.budget_alerts", "production", f"arn:aws:budgets::{PRODUCTION}:budget/nw-prod-monthly",
              "The production budget alerts finance and on-call at 80% actual and 100% forecast."),
    DoneRight("scaling.budget_alerts", "production", f"arn:aws:budgets::{PRODUCTION}:budget/nw-prod-analytics",
              "Analytics spend has a budget of its own that tells finance."),
    DoneRight("scaling.policy_sanity", "production", "{production/scaling-policy:api-cpu}",
              "The API tracks 60% CPU and scales out faster than it scales in."),
    DoneRight("scaling.policy_sanity", "production", "{production/scaling-policy:market-data-cpu}",
              "Market data scales out after 60 s and in only after 300 s."),
    DoneRight("scaling.runaway_cost", "production", _service("nw-prod-api"),
              "The API is capped at 24 tasks, eight times its minimum."),
    DoneRight("scaling.runaway_cost", "staging", _staging_service("nw-staging-api"),
              "Staging's API is capped at 8 tasks."),
    DoneRight("architecture.multi_az_databases", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database is Multi-AZ."),
    DoneRight("architecture.service_zone_spread", "production", _service("nw-prod-api"),
              "The API runs across three zones."),
    DoneRight("architecture.ownership_tags", "production", _service("nw-prod-api"), "The API names its owner."),
    DoneRight("architecture.ownership_tags", "staging", _staging_service("nw-staging-analytics"),
              "Every staging resource names its owner, tier and data classification."),
    DoneRight("architecture.load_balancer_zones", "production", "{production/load-balancer:public}",
              "The public load balancer routes through three zones."),
    DoneRight("architecture.load_balancer_zones", "production", "{production/load-balancer:market-data-feed}",
              "Production's feed load balancer routes through two zones."),
    DoneRight("architecture.read_path_caching", "production", _service("nw-prod-portfolio-aggregation"),
              "Portfolio aggregation reads holdings through the Redis cache."),
    DoneRight("architecture.read_path_caching", "production", _service("nw-prod-api"),
              "The client API reads holdings through the Redis cache."),
    DoneRight("dependencies.credentials_in_environment", "production", _task("nw-prod-api"),
              "The API takes its credentials from Secrets Manager."),
    DoneRight("dependencies.credentials_in_environment", "production", _task("nw-prod-market-data"),
              "Market data takes its provider key from Secrets Manager."),
    DoneRight("dependencies.provider_timeouts", "production", _service("nw-prod-api"),
              "The API's provider timeouts match the contracts (2 s market data, 3 s compliance)."),
    DoneRight("dependencies.provider_timeouts", "production", _service("nw-prod-market-data"),
              "Market data gives its provider 2 seconds, as the contract says."),
    DoneRight("dependencies.edge_throttling", "production", "{production/rest-api:partner-api}",
              "The partner API limits callers to 50 requests a second."),
    DoneRight("dependencies.async_failure_handling", "production", "{production/function:trade-confirmations}",
              "Trade confirmations that fail every retry land in a dead-letter queue."),
    DoneRight("dependencies.async_failure_handling", "production", "{production/function:advisory-sync}",
              "In production, advisory updates that fail every retry land in a dead-letter queue."),
    DoneRight("dataflow.database_backups", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database keeps 14 days of backups."),
    DoneRight("dataflow.database_backups", "production", _prod("rds", "db:nw-prod-reporting-db"),
              "The reporting database, in one zone as it is, keeps 14 days of backups and deletion protection."),
    DoneRight("dataflow.database_backups", "staging", _staging("rds", "db:nw-staging-portfolio-db"),
              "Staging's portfolio database keeps a week of backups."),
    DoneRight("dataflow.dynamodb_pitr", "production", _prod("dynamodb", "table/nw-prod-positions"),
              "Positions can be restored to any point in the last 35 days."),
    DoneRight("dataflow.dynamodb_pitr", "production", _prod("dynamodb", "table/nw-prod-market-prices"),
              "Production's price history can be restored to any point in the last 35 days."),
    DoneRight("dataflow.bucket_protection", "production", "arn:aws:s3:::nw-prod-reports",
              "Client statements are versioned and blocked from public access."),
    DoneRight("dataflow.bucket_protection", "staging", "arn:aws:s3:::nw-staging-snapshots",
              "Staging's snapshots are versioned."),
    DoneRight("dataflow.snapshot_recency", "production", _prod("rds", "db:nw-prod-portfolio-db"),
              "The portfolio database can be restored to any point of the last 14 days."),
    DoneRight("dataflow.snapshot_recency", "production", _prod("rds", "db:nw-prod-reporting-db"),
              "The reporting database can be restored to within minutes."),
)
PLANNED_DONE_RIGHT: tuple[DoneRight, ...] = ()


def resolve(text: str, resources: Mapping[str, str], *, strict: bool = True) -> str:
    """`text` with every {environment/kind:name} reference replaced by the seeded resource's ARN; when not `strict`,
    a reference the seeding did not create reads as "environment kind name"."""
    def lookup(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in resources:
            return resources[key]
        if strict:
            raise KeyError(f"the demo manifest names {key}, which the seeding did not create")
        environment, _, rest = key.partition("/")
        return f"{environment} {rest.replace(':', ' ', 1)}"

    return REFERENCE.sub(lookup, text)


def resolved(resources: Mapping[str, str]) -> tuple[tuple[Gap, ...], tuple[DoneRight, ...]]:
    """Every gap and every thing done right, with the seeded ARNs filled in."""
    gaps = tuple(replace(g, resource=resolve(g.resource, resources)) for g in (*GAPS, *PLANNED_GAPS))
    right = tuple(replace(d, resource=resolve(d.resource, resources)) for d in (*DONE_RIGHT, *PLANNED_DONE_RIGHT))
    return gaps, right
