"""The demo's containers: ECR images, ECS clusters, task definitions, services and their auto scaling."""
from __future__ import annotations

import hashlib
import json

from readiness.demo.estate.environment import JOBS, OWNERS, REPOSITORIES, SERVICES, DemoEnv, Service
from readiness.demo.estate.network import subnets

# gap deploy-batch-runs-moving-tag: both environments run the batch worker by its moving `stable` tag, not by
# digest, so what staging tested under that tag need not be what production pulled.
MOVING_TAG = ("batch", "stable")
# gap deploy-staging-ecr-mutable-unscanned: staging's batch repository lets that tag move and scans nothing.
LOOSE_REPOSITORY = "batch"
# gap dep-staging-token-in-plain-variable: a brokerage UAT token pasted into a plain variable of staging's import job.
FAKE_UAT_TOKEN = "simulated-uat-brokerage-token"
TASK_SIZE = ("1024", "2048")  # CPU units and MiB; production runs more tasks, not bigger ones, except:
# gap env-taskdef-aggregation-memory: production aggregation got twice the memory, so staging's load tests run on
# smaller tasks than production's.
BIGGER_IN_PRODUCTION = ("portfolio-aggregation", "4096")


def manifest_of(repository: str, version: str) -> str:
    """A deterministic image manifest, so the same build has the same digest in every account."""
    def digest(text: str) -> str:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": digest(f"config/northwind/{repository}:{version}")},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 31_357_624,
                    "digest": digest(f"layer/northwind/{repository}:{version}")}],
    }, sort_keys=True)


def seed_images(env: DemoEnv) -> dict[str, str]:
    """Repositories and the images each service runs; returns the image reference (by digest) per repository."""
    ecr = env.aws("ecr")
    refs = {}
    for repository in REPOSITORIES:
        loose = not env.production and repository == LOOSE_REPOSITORY
        ecr.create_repository(
            repositoryName=f"northwind/{repository}", imageTagMutability="MUTABLE" if loose else "IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": not loose},
            encryptionConfiguration={"encryptionType": "KMS", "kmsKey": env.arns["kms:data"]},
            tags=env.tag_list(OWNERS[repository]),
        )
        version = next(s.version for s in SERVICES if s.name == repository)
        tag = MOVING_TAG[1] if repository == MOVING_TAG[0] else version
        digest = ecr.put_image(repositoryName=f"northwind/{repository}", imageTag=tag,
                               imageManifest=manifest_of(repository, version))["image"]["imageId"]["imageDigest"]
        pinned = f":{tag}" if repository == MOVING_TAG[0] else f"@{digest}"
        refs[repository] = f"{env.account}.dkr.ecr.{env.region}.amazonaws.com/northwind/{repository}{pinned}"
    return refs


def _settings(env: DemoEnv, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """Environment variables and secret references of one container, with production's known differences."""
    common = {"APP_ENV": env.name, "LOG_FORMAT": "json", "LOG_LEVEL": "info", "CONFIG_PATH": env.ssm_path}
    variables: dict[str, dict[str, str]] = {
        "api": {"MARKET_DATA_TIMEOUT_MS": "2000", "MARKET_DATA_RETRIES": "2", "COMPLIANCE_TIMEOUT_MS": "3000",
                "REDIS_URL": f"rediss://{env.named('portfolio-cache')}.cache.internal:6379"},
        "portfolio-aggregation": {"VALUATION_CURRENCY": "USD", "VALUATION_ROUNDING_MODE": "HALF_EVEN",
                                  "REDIS_URL": f"rediss://{env.named('portfolio-cache')}.cache.internal:6379"},
        "market-data": {"MARKET_DATA_TIMEOUT_MS": "2000", "MARKET_DATA_RETRIES": "2"},
        "analytics": {"ANALYTICS_WINDOW_DAYS": "365"},
        "reporting": {"STATEMENT_BUCKET": env.named("reports")},
        "batch": {"WORKER_CONCURRENCY": "4", "QUEUE_NAME": env.named("report-requests")},
        "holdings-import": {"BROKERAGE_TIMEOUT_MS": "5000", "BROKERAGE_RETRIES": "1"},
        "nightly-reconciliation": {"RECON_TOLERANCE_MINOR_UNITS": "1"},
        "market-data-ingestion": {"MARKET_DATA_TIMEOUT_MS": "2000", "MARKET_DATA_RETRIES": "2"},
    }
    secrets: dict[str, dict[str, str]] = {
        "api": {"DB_CREDENTIALS": "db/portfolio", "COMPLIANCE_API_KEY": "compliance/api-key"},
        "portfolio-aggregation": {"DB_CREDENTIALS": "db/portfolio"},
        "market-data": {"MARKET_DATA_API_KEY": "market-data/api-key"},
        "reporting": {"DB_CREDENTIALS": "db/portfolio"},
        "holdings-import": {"BROKERAGE_CREDENTIALS": "brokerage/credentials"},
        "nightly-reconciliation": {"DB_CREDENTIALS": "db/portfolio"},
        "market-data-ingestion": {"MARKET_DATA_API_KEY": "market-data/api-key"},
    }
    env_vars = {**common, **variables.get(name, {})}
    secret_refs = dict(secrets.get(name, {}))
    if not env.production and name == "holdings-import":
        # A scheduled task, not a service: no drift check compares it with production's.
        env_vars["BROKERAGE_API_TOKEN"] = FAKE_UAT_TOKEN
    return env_vars, {key: env.arns[f"secret:{ref}"] for key, ref in secret_refs.items()}


def _container(env: DemoEnv, name: str, image: str, port: int | None) -> dict:
    env_vars, secret_refs = _settings(env, name)
    container = {
        "name": name, "image": image, "essential": True,
        "environment": [{"name": k, "value": v} for k, v in sorted(env_vars.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secret_refs.items())],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": f"/ecs/{env.named(name)}", "awslogs-region": env.region, "awslogs-stream-prefix": name}},
        "readonlyRootFilesystem": True,
    }
    if port:
        container["portMappings"] = [{"containerPort": port, "protocol": "tcp"}]
        container["healthCheck"] = {"command": ["CMD-SHELL", f"curl -fs http://localhost:{port}/health || exit 1"],
                                    "interval": 15, "timeout": 5, "retries": 3, "startPeriod": 30}
    return container


# How long each scheduled job runs at the environment's volumes, in minutes (its ExpectedDurationMinutes tag).
JOB_MINUTES = {"holdings-import": (20, 45), "nightly-reconciliation": (40, 90), "market-data-ingestion": (10, 20)}


def seed_task_definitions(env: DemoEnv, images: dict[str, str]) -> None:
    ecs = env.aws("ecs")
    definitions = [(s.name, images[s.name], s.port) for s in SERVICES] + [(j.name, images[j.image], None) for j in JOBS]
    for name, image, port in definitions:
        tags = env.tag_list(OWNERS[name], key="key", value="value")
        if name in JOB_MINUTES:
            tags.append({"key": "ExpectedDurationMinutes", "value": str(JOB_MINUTES[name][1 if env.production else 0])})
        cpu, memory = TASK_SIZE
        if env.production and name == BIGGER_IN_PRODUCTION[0]:
            memory = BIGGER_IN_PRODUCTION[1]
        arn = ecs.register_task_definition(
            family=env.named(name), networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
            cpu=cpu, memory=memory, executionRoleArn=env.arns["role:ecs-task-execution"],
            taskRoleArn=env.arns["role:ecs-task"], containerDefinitions=[_container(env, name, image, port)],
            tags=tags,
        )["taskDefinition"]["taskDefinitionArn"]
        env.remember("task-definition", name, arn)


def seed_services(env: DemoEnv) -> None:
    ecs = env.aws("ecs")
    for cluster in ("platform", "batch"):
        arn = ecs.create_cluster(clusterName=env.named(cluster), tags=env.tag_list("platform-engineering", key="key",
                                                                                   value="value"),
                                 settings=[{"name": "containerInsights", "value": "enabled"}])["cluster"]["clusterArn"]
        env.remember("cluster", cluster, arn)
    for service in SERVICES:
        _seed_service(env, ecs, service)


def _seed_service(env: DemoEnv, ecs, service: Service) -> None:
    # gap arc-market-data-two-zones: production market data places its three tasks in two zones, two in one.
    zones = ("a", "b") if (env.production and service.name == "market-data") else ("a", "b", "c")
    # gap arc-analytics-unclassified: production analytics names its owner but not the class of data it holds.
    without = ("DataClassification",) if (env.production and service.name == "analytics") else ()
    cluster = env.named(service.cluster)
    extra = {}
    if service.behind_load_balancer:
        extra["loadBalancers"] = [{"targetGroupArn": env.arns[f"target-group:{service.name}"],
                                   "containerName": service.name, "containerPort": service.port}]
    desired = service.desired + (1 if env.production else 0)
    arn = ecs.create_service(
        cluster=cluster, serviceName=env.named(service.name), taskDefinition=env.arns[f"task-definition:{service.name}"],
        desiredCount=desired, launchType="FARGATE", propagateTags="SERVICE", enableECSManagedTags=True,
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": subnets(env, "private", zones), "securityGroups": [env.arns["security-group:services"]],
            "assignPublicIp": "DISABLED"}},
        tags=env.tag_list(OWNERS[service.name], key="key", value="value", without=without), **extra,
    )["service"]["serviceArn"]
    env.remember("service", service.name, arn)
    # gap deploy-staging-half-capacity: staging analytics drops to half its tasks while deploying (set to speed
    # up load-test rounds).
    healthy = 50 if (not env.production and service.name == "analytics") else 100
    # The simulation drops these on create_service; an update stores them.
    ecs.update_service(
        cluster=cluster, service=env.named(service.name),
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                 "maximumPercent": 200, "minimumHealthyPercent": healthy},
        **({"healthCheckGracePeriodSeconds": 60} if service.behind_load_balancer else {}),
    )


# Auto scaling per service: (min, max) in staging and production.
CAPACITY = {
    "api": ((2, 8), (3, 24)),
    "portfolio-aggregation": ((2, 8), (3, 20)),
    "market-data": ((2, 6), (3, 12)),
    "analytics": ((1, 200), (2, 12)),  # gap scl-staging-runaway-max: a load-test ceiling left in staging
    "reporting": ((1, 4), (2, 6)),
    "batch": ((1, 6), (2, 12)),
}
TARGET_CPU = 60.0
# gap scl-staging-idle-target: staging analytics tracks 15% CPU, paying for four times the tasks it needs.
IDLE_TARGET_IN_STAGING = ("analytics", 15.0)
PRE_MARKET = ("api", "portfolio-aggregation")  # scaled up before the open
# gap scl-reporting-calendar-only: production reporting changes its task count on a schedule only, whatever its load
# (it is raised before the open like the others, so clients signing in find it ready).
SCHEDULED_ONLY_IN_PRODUCTION = "reporting"
# gap scl-api-pre-market-in-utc: production's API is raised at 13:00 UTC, which is 09:00 in New York only while
# daylight saving lasts; in winter it comes an hour early and is undone before the open.
UTC_SCHEDULE_IN_PRODUCTION = "api"
MARKET_TIMEZONE = "America/New_York"


def seed_scaling(env: DemoEnv) -> None:
    scaling = env.aws("application-autoscaling")
    for service in SERVICES:
        low, high = CAPACITY[service.name][1 if env.production else 0]
        resource = f"service/{env.named(service.cluster)}/{env.named(service.name)}"
        target = {"ServiceNamespace": "ecs", "ResourceId": resource, "ScalableDimension": "ecs:service:DesiredCount"}
        scaling.register_scalable_target(**target, MinCapacity=low, MaxCapacity=high)
        scheduled_only = env.production and service.name == SCHEDULED_ONLY_IN_PRODUCTION
        if not scheduled_only:
            idle = not env.production and service.name == IDLE_TARGET_IN_STAGING[0]
            policy = scaling.put_scaling_policy(
                PolicyName=env.named(f"{service.name}-cpu"), PolicyType="TargetTrackingScaling", **target,
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": IDLE_TARGET_IN_STAGING[1] if idle else TARGET_CPU,
                    "ScaleOutCooldown": 60, "ScaleInCooldown": 300,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}},
            )
            env.remember("scaling-policy", f"{service.name}-cpu", policy["PolicyARN"])
        if service.name in PRE_MARKET or scheduled_only:
            in_utc = env.production and service.name == UTC_SCHEDULE_IN_PRODUCTION
            opening, closing = (("cron(0 13 ? * MON-FRI *)", "cron(30 20 ? * MON-FRI *)") if in_utc else
                                ("cron(0 9 ? * MON-FRI *)", "cron(30 16 ? * MON-FRI *)"))
            for action, schedule, floor in (("pre-market", opening, low * 3), ("after-close", closing, low)):
                scaling.put_scheduled_action(
                    **target, ScheduledActionName=env.named(f"{service.name}-{action}"), Schedule=schedule,
                    Timezone="UTC" if in_utc else MARKET_TIMEZONE,
                    ScalableTargetAction={"MinCapacity": floor, "MaxCapacity": high})
