"""A large estate for the collection benchmark: N environments, each in its own simulated account.

The sizes are those of a platform close to what one account's API limits allow a scan to read in a
minute or two; every resource carries the environment's tag and name prefix, as a tidy estate does.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import partial
from typing import Any, Callable, Iterable

from readiness.demo.accounts import AccountClients, admin_clients, isolated_session
from readiness.platform import AwsAccess, Environment, Platform, Select

REGION = "us-east-1"
FIRST_ACCOUNT = 300000000001
SEED_WORKERS = 8
STREAM_EVENTS = 3  # events written to the one stream of each service's log group


@dataclass(frozen=True)
class EstateSize:
    """How many of each resource one environment holds."""

    services: int = 200  # ECS services, each running its own task definition family
    parameters: int = 3000
    secrets: int = 300
    alarms: int = 500
    log_groups: int = 300  # one per service (with a stream of recent events), the rest for jobs
    load_balancers: int = 40
    target_groups: int = 200  # spread over the load balancers, forwarded to by their listeners
    databases: int = 60
    queues: int = 200
    schedules: int = 100

    @classmethod
    def scaled(cls, factor: float) -> "EstateSize":
        return cls(**{f.name: max(1, round(getattr(cls(), f.name) * factor)) for f in fields(cls)})

    @property
    def streams(self) -> int:
        return min(self.services, self.log_groups)


@dataclass
class EstateEnv:
    name: str
    short: str
    account: str

    @property
    def prefix(self) -> str:
        return f"nw-{self.short}-"

    @property
    def tags(self) -> dict[str, str]:
        return {"Environment": self.name}

    def tag_list(self, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
        return [{key: k, value: v} for k, v in self.tags.items()]

    def named(self, kind: str, index: int) -> str:
        return f"{self.prefix}{kind}-{index:04d}"


def environments(count: int) -> list[EstateEnv]:
    names = [("staging", "staging"), ("production", "prod")] + [(f"region{i}", f"r{i}") for i in range(3, count + 1)]
    return [EstateEnv(name, short, str(FIRST_ACCOUNT + i)) for i, (name, short) in enumerate(names[:count])]


def platform_of(envs: list[EstateEnv], endpoint_url: str, rates: dict[str, Any] | None = None) -> Platform:
    """The platform config a team would write for this estate, pointed at the simulation."""
    aws = {"regions": [REGION], "endpoint_url": endpoint_url}
    if rates:
        aws["max_calls_per_second"] = rates
    return Platform(
        name="Scale benchmark", compare=[(envs[0].name, envs[1].name)] if len(envs) > 1 else [],
        environments=[Environment(
            name=e.name, tier="production" if e.name == "production" else "staging" if e.name == "staging" else "other",
            aws=AwsAccess(role_arn=f"arn:aws:iam::{e.account}:role/readiness-readonly", **aws),
            select=Select(tags=e.tags, name_prefix=e.prefix, ssm_path=f"/northwind/{e.name}/",
                          secrets_prefix=f"northwind/{e.name}/"),
        ) for e in envs],
    )


def seed(endpoint_url: str, envs: list[EstateEnv], size: EstateSize) -> float:
    """Create the estate of every environment; returns the seconds it took.

    Kinds of resources and environments are created side by side, but the resources of one kind one after
    another: the simulation is not safe for concurrent writes to one service of one account.
    """
    started = time.perf_counter()
    session = isolated_session(REGION)
    tasks: list[Callable[[], None]] = []
    for env in envs:
        aws = admin_clients(session, endpoint_url, env.account, REGION)
        for service in ("ssm", "secretsmanager", "cloudwatch", "logs", "ecs", "ec2", "elbv2", "rds", "sqs",
                        "scheduler"):
            aws(service)  # created here, once: the seeding threads then only share them
        tasks += [partial(kind, aws, env, size) for kind in KINDS]
    with ThreadPoolExecutor(SEED_WORKERS) as pool:
        for done in [pool.submit(task) for task in tasks]:
            done.result()
    warm_up(endpoint_url, envs)
    return time.perf_counter() - started


# One cheap read of every service the collectors call: the simulation builds a service's backend for an
# account on its first request (lambda, API Gateway, ElastiCache… take up to a second), work AWS never does.
WARM_UP = (("apigateway", "get_rest_apis"), ("application-autoscaling", "describe_scalable_targets",
                                              {"ServiceNamespace": "ecs"}),
           ("budgets", "describe_budgets", "account"), ("codedeploy", "list_applications"),
           ("codepipeline", "list_pipelines"), ("dynamodb", "list_tables"), ("ecr", "describe_repositories"),
           ("elasticache", "describe_cache_clusters"), ("events", "list_rules"), ("kms", "list_keys"),
           ("lambda", "list_functions"), ("s3", "list_buckets"), ("stepfunctions", "list_state_machines"),
           ("wafv2", "list_web_acls", {"Scope": "REGIONAL"}), ("resourcegroupstaggingapi", "get_resources"),
           ("rds", "describe_db_clusters"), ("ec2", "describe_subnets"))


def warm_up(endpoint_url: str, envs: list[EstateEnv]) -> None:
    session = isolated_session(REGION)
    for env in envs:
        aws = admin_clients(session, endpoint_url, env.account, REGION)
        for service, operation, *rest in WARM_UP:
            kwargs = rest[0] if rest else {}
            if kwargs == "account":
                kwargs = {"AccountId": env.account}
            getattr(aws(service), operation)(**kwargs)


def _parameters(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    for i in range(size.parameters):
        aws("ssm").put_parameter(
            Name=f"/northwind/{env.name}/service-{i % max(1, size.services):04d}/setting-{i:05d}",
            Value=f"value-{i}", Type="SecureString" if i % 5 == 0 else "String", Tags=env.tag_list())


def _secrets(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    for i in range(size.secrets):
        aws("secretsmanager").create_secret(Name=f"northwind/{env.name}/secret-{i:04d}",
                                            SecretString="not-a-real-secret", Tags=env.tag_list())


def _alarms(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    for i in range(size.alarms):
        aws("cloudwatch").put_metric_alarm(
            AlarmName=env.named("alarm", i), Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average",
            Dimensions=[{"Name": "ServiceName", "Value": env.named("service", i % max(1, size.services))}],
            Period=60, EvaluationPeriods=5, DatapointsToAlarm=3, Threshold=80.0,
            ComparisonOperator="GreaterThanThreshold", AlarmActions=[f"arn:aws:sns:{REGION}:{env.account}:oncall"],
            Tags=env.tag_list())


def _logs(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    logs = aws("logs")
    now_ms = int(time.time() * 1000)
    for i in range(size.log_groups):
        name = f"/ecs/{env.named('service' if i < size.streams else 'job', i)}"
        logs.create_log_group(logGroupName=name, tags=env.tags)
        logs.put_retention_policy(logGroupName=name, retentionInDays=90)
        if i < size.streams:
            logs.create_log_stream(logGroupName=name, logStreamName="app/0")
            logs.put_log_events(logGroupName=name, logStreamName="app/0", logEvents=[
                {"timestamp": now_ms - (STREAM_EVENTS - k) * 60_000,
                 "message": json.dumps({"level": "INFO", "message": "served", "correlation_id": f"c-{i}-{k}"})}
                for k in range(STREAM_EVENTS)])


def _containers(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    ecs = aws("ecs")
    cluster = ecs.create_cluster(clusterName=env.named("cluster", 0), tags=env.tag_list("key", "value"))
    for i in range(size.services):
        family = env.named("service", i)
        task = ecs.register_task_definition(
            family=family, cpu="512", memory="1024", requiresCompatibilities=["EC2"], tags=env.tag_list("key", "value"),
            containerDefinitions=[{
                "name": "app", "image": f"{env.account}.dkr.ecr.{REGION}.amazonaws.com/northwind/app:1.{i}.0",
                "memory": 1024, "environment": [{"name": "APP_ENV", "value": env.name},
                                                {"name": "UPSTREAM_TIMEOUT_MS", "value": "2000"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{family}"}},
            }])["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=cluster["cluster"]["clusterArn"], serviceName=family, taskDefinition=task,
                           desiredCount=2, tags=env.tag_list("key", "value"))


def _load_balancers(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    ec2, elb = aws("ec2"), aws("elbv2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    groups = [elb.create_target_group(
        Name=env.named("tg", i), Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip", HealthCheckPath="/health",
        Tags=env.tag_list())["TargetGroups"][0]["TargetGroupArn"] for i in range(size.target_groups)]
    per_balancer = max(1, size.target_groups // max(1, size.load_balancers))
    for i in range(size.load_balancers):
        arn = elb.create_load_balancer(Name=env.named("lb", i), Subnets=subnets[:2], Scheme="internal",
                                       Type="application", Tags=env.tag_list())["LoadBalancers"][0]["LoadBalancerArn"]
        mine = groups[i * per_balancer:(i + 1) * per_balancer] or groups[:1]
        listener = elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": mine[0]}])["Listeners"][0]["ListenerArn"]
        for priority, group in enumerate(mine[1:], start=1):
            elb.create_rule(ListenerArn=listener, Priority=priority,
                            Actions=[{"Type": "forward", "TargetGroupArn": group}],
                            Conditions=[{"Field": "path-pattern", "Values": [f"/{priority}/*"]}])


def _databases(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    for i in range(size.databases):
        aws("rds").create_db_instance(
            DBInstanceIdentifier=env.named("db", i), DBInstanceClass="db.r6g.large", Engine="postgres",
            MasterUsername="portfolio", MasterUserPassword="not-a-real-password", AllocatedStorage=100,
            StorageEncrypted=True, MultiAZ=True, BackupRetentionPeriod=7, DeletionProtection=True,
            Tags=env.tag_list())


def _queues(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    for i in range(size.queues):
        aws("sqs").create_queue(QueueName=env.named("queue", i), tags=env.tags)


def _schedules(aws: AccountClients, env: EstateEnv, size: EstateSize) -> None:
    cluster = f"arn:aws:ecs:{REGION}:{env.account}:cluster/{env.named('cluster', 0)}"
    for i in range(size.schedules):
        aws("scheduler").create_schedule(
            Name=env.named("job", i), ScheduleExpression=f"cron({i % 60} 2 * * ? *)",
            ScheduleExpressionTimezone="America/New_York", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": cluster, "RoleArn": f"arn:aws:iam::{env.account}:role/scheduler",
                    "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}})


KINDS = (_parameters, _containers, _logs, _alarms, _secrets, _load_balancers, _databases, _queues, _schedules)


def counts(envs: Iterable[EstateEnv], size: EstateSize) -> dict[str, int]:
    """Resources created, by kind, over every environment."""
    n = len(list(envs))
    return {f.name: getattr(size, f.name) * n for f in fields(size)}
