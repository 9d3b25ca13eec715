"""The demo's containers: ECR images, ECS clusters, task definitions, services and their auto scaling."""
from __future__ import annotations

import hashlib
import json

from readiness.demo.estate.environment import JOBS, OWNERS, REPOSITORIES, SERVICES, DemoEnv, Service
from readiness.demo.estate.network import subnets

# gap deploy-image-rebuilt-for-production: production reporting runs an image built for it, never seen in staging.
PRODUCTION_ONLY_BUILD = ("reporting", "2.7.0-prod")
# gap deploy-ecr-mutable-unscanned: the production reporting repository allows tags to move and scans nothing.
LOOSE_REPOSITORY = "reporting"
FAKE_MARKET_DATA_KEY = "simulated-live-market-data-key"


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
        loose = env.production and repository == LOOSE_REPOSITORY
        ecr.create_repository(
            repositoryName=f"northwind/{repository}", imageTagMutability="MUTABLE" if loose else "IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": not loose},
            encryptionConfiguration={"encryptionType": "KMS", "kmsKey": env.arns["kms:data"]},
            tags=env.tag_list(OWNERS[repository]),
        )
        version = next(s.version for s in SERVICES if s.name == repository)
        if env.production and repository == PRODUCTION_ONLY_BUILD[0]:
            version = PRODUCTION_ONLY_BUILD[1]
        digest = ecr.put_image(repositoryName=f"northwind/{repository}", imageTag=version,
                               imageManifest=manifest_of(repository, version))["image"]["imageId"]["imageDigest"]
        refs[repository] = f"{env.account}.dkr.ecr.{env.region}.amazonaws.com/northwind/{repository}@{digest}"
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
    if env.production:
        if name == "api":
            secret_refs.pop("COMPLIANCE_API_KEY")  # gap env-taskdef-missing-secret
            # gap arc-api-reads-primary: production's client API was never pointed at the cache.
            env_vars.pop("REDIS_URL")
        if name == "portfolio-aggregation":
            env_vars.pop("VALUATION_ROUNDING_MODE")  # gap env-taskdef-missing-variable
        if name == "market-data":
            # gap dep-key-in-plain-variable and dep-timeout-too-long: a provider key pasted into a
            # plain variable, and a timeout far above the 2 seconds the provider contract allows.
            secret_refs.pop("MARKET_DATA_API_KEY")
            env_vars["MARKET_DATA_API_KEY"] = FAKE_MARKET_DATA_KEY
            env_vars["MARKET_DATA_TIMEOUT_MS"] = "30000"
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
    size = ("1024", "2048")  # the same task size everywhere; production runs more of them
    definitions = [(s.name, images[s.name], s.port) for s in SERVICES] + [(j.name, images[j.image], None) for j in JOBS]
    for name, image, port in definitions:
        tags = env.tag_list(OWNERS[name], key="key", value="value")
        if name in JOB_MINUTES:
            tags.append({"key": "ExpectedDurationMinutes", "value": str(JOB_MINUTES[name][1 if env.production else 0])})
        arn = ecs.register_task_definition(
            family=env.named(name), networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
            cpu=size[0], memory=size[1], executionRoleArn=env.arns["role:ecs-task-execution"],
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
    # gap arc-service-single-zone: production market data runs in one zone only.
    zones = ("a",) if (env.production and service.name == "market-data") else ("a", "b", "c")
    # gap arc-service-owner-tag: production analytics carries no Owner tag.
    without = ("Owner",) if (env.production and service.name == "analytics") else ()
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
    # gap deploy-no-circuit-breaker: production analytics deploys without a circuit breaker.
    breaker = not (env.production and service.name == "analytics")
    # The simulation drops these on create_service; an update stores them.
    ecs.update_service(
        cluster=cluster, service=env.named(service.name),
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": breaker, "rollback": breaker},
                                 "maximumPercent": 200, "minimumHealthyPercent": 100},
        **({"healthCheckGracePeriodSeconds": 60} if service.behind_load_balancer else {}),
    )


# Auto scaling per service: (min, max) in staging and production.
CAPACITY = {
    "api": ((2, 8), (3, 24)),
    "portfolio-aggregation": ((2, 8), (3, 20)),
    "market-data": ((2, 6), (3, 12)),
    "analytics": ((1, 4), (2, 200)),  # gap scl-runaway-max-capacity in production
    "reporting": ((1, 4), None),  # gap scl-reporting-not-scaled: production reporting has no scaling
    "batch": ((1, 6), (2, 12)),
}
PRE_MARKET = ("api", "portfolio-aggregation")  # scaled up before the open (production api misses it)


def seed_scaling(env: DemoEnv) -> None:
    scaling = env.aws("application-autoscaling")
    for service in SERVICES:
        capacity = CAPACITY[service.name][1 if env.production else 0]
        if capacity is None:
            continue
        resource = f"service/{env.named(service.cluster)}/{env.named(service.name)}"
        scaling.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource,
                                         ScalableDimension="ecs:service:DesiredCount",
                                         MinCapacity=capacity[0], MaxCapacity=capacity[1])
        # gap scl-market-data-flapping: production market data scales in after 30 s but out only after 60 s.
        scale_in = 30 if env.production and service.name == "market-data" else 300
        policy = scaling.put_scaling_policy(
            PolicyName=env.named(f"{service.name}-cpu"), ServiceNamespace="ecs", ResourceId=resource,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 60.0, "ScaleOutCooldown": 60, "ScaleInCooldown": scale_in,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}},
        )
        env.remember("scaling-policy", f"{service.name}-cpu", policy["PolicyARN"])
        # gap scl-no-pre-market-capacity: production api waits for CPU to rise after the open.
        if service.name in PRE_MARKET and not (env.production and service.name == "api"):
            scaling.put_scheduled_action(
                ServiceNamespace="ecs", ResourceId=resource, ScalableDimension="ecs:service:DesiredCount",
                ScheduledActionName=env.named(f"{service.name}-pre-market"),
                Schedule="cron(0 9 ? * MON-FRI *)", Timezone="America/New_York",
                ScalableTargetAction={"MinCapacity": capacity[0] * 3, "MaxCapacity": capacity[1]},
            )
            scaling.put_scheduled_action(
                ServiceNamespace="ecs", ResourceId=resource, ScalableDimension="ecs:service:DesiredCount",
                ScheduledActionName=env.named(f"{service.name}-after-close"),
                Schedule="cron(30 16 ? * MON-FRI *)", Timezone="America/New_York",
                ScalableTargetAction={"MinCapacity": capacity[0], "MaxCapacity": capacity[1]},
            )
