"""Every difference a parity check finds is kept apart in its finding: what differs, the baseline's and target's."""
from __future__ import annotations

import datetime as dt

import pytest
from evidence_fixtures import NOW, PRODUCTION_ACCOUNT, STAGING_ACCOUNT

from readiness.evidence.collectors.dynamodb import DynamoDbInventory
from readiness.evidence.collectors.ecs import (
    Container,
    ContainerHealthCheck,
    EcsInventory,
    Service,
    TaskDefinition,
    parse_image,
)
from readiness.evidence.collectors.elbv2 import HealthCheck, Listener, LoadBalancer, LoadBalancerInventory, TargetGroup
from readiness.evidence.collectors.kms import Key, KmsInventory
from readiness.evidence.collectors.logs import LogsInventory
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.collectors.secretsmanager import Secret, SecretsInventory
from readiness.evidence.collectors.ssm import Parameter, SsmInventory
from readiness.evidence.model import Finding, Status
from readiness.evidence.registry import all_checks

REGION = "us-east-1"
LONG_AGO = NOW - dt.timedelta(days=120)
KEYS = ("kind", "name", "what", "baseline", "target")


def names(env: str) -> tuple[str, str, str]:
    """The account, name prefix and path of an environment of the checks' test platform."""
    if env == "production":
        return PRODUCTION_ACCOUNT, "nw-prod-", "production"
    return STAGING_ACCOUNT, "nw-staging-", "staging"


def kms(env: str, *customer: str) -> KmsInventory:
    account, _, _ = names(env)
    return KmsInventory(account=account, keys=[Key(key_id=k.rsplit("/", 1)[-1], arn=k, region=REGION,
                                                   manager="customer") for k in customer])


def parameters(env: str, *specs: tuple[str, str, dt.datetime]) -> SsmInventory:
    account, _, path = names(env)
    return SsmInventory(parameters=[Parameter(
        name=f"/northwind/{path}/{name}", arn=f"arn:aws:ssm:{REGION}:{account}:parameter/northwind/{path}/{name}",
        region=REGION, type=type, last_modified=changed,
        key_id="alias/gone" if (env, name) == ("production", "unknown-key") else "alias/aws/ssm")
        for name, type, changed in specs])


def secrets(env: str, *specs: tuple[str, bool, dt.datetime]) -> SecretsInventory:
    account, _, path = names(env)
    return SecretsInventory(secrets=[Secret(
        name=f"northwind/{path}/{name}", region=REGION,
        arn=f"arn:aws:secretsmanager:{REGION}:{account}:secret:northwind/{path}/{name}",
        rotation_enabled=rotation, last_changed=changed) for name, rotation, changed in specs])


def balancers(env: str, *, tls: str, listeners: tuple[int, ...], groups: tuple[str, ...], path: str,
              extra: str | None = None) -> LoadBalancerInventory:
    account, prefix, _ = names(env)

    def balancer(name: str) -> LoadBalancer:
        return LoadBalancer(
            name=f"{prefix}{name}", arn=f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/app/{name}",
            region=REGION, type="application", scheme="internet-facing", idle_timeout_seconds=60,
            listeners=[Listener(port=p, protocol="HTTPS", ssl_policy=tls) for p in listeners],
            target_groups=[TargetGroup(name=f"{prefix}{g}", arn=f"arn:tg:{prefix}{g}", health_check=HealthCheck(
                path=path)) for g in groups])

    return LoadBalancerInventory(load_balancers=[balancer("api"), *([balancer(extra)] if extra else [])])


def services(env: str, *containers: Container, cpu: str, service: str = "api") -> EcsInventory:
    account, prefix, _ = names(env)
    task = f"arn:aws:ecs:{REGION}:{account}:task-definition/{prefix}{service}:3"
    return EcsInventory(
        services=[Service(name=f"{prefix}{service}", arn=f"arn:aws:ecs:{REGION}:{account}:service/main/{prefix}api",
                          region=REGION, cluster_arn="arn:c", cluster_name="main", task_definition=task)],
        task_definitions=[TaskDefinition(arn=task, family=f"{prefix}{service}", revision=3, region=REGION, cpu=cpu,
                                         memory="1024", containers=list(containers))])


def container(name: str, *, variables: list[str], interval: int, image: str = "api") -> Container:
    return Container(name=name, image=parse_image(f"{PRODUCTION_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{image}:1"),
                     environment_names=variables, secret_names=["DB_PASSWORD"],
                     health_check=ContainerHealthCheck(command_digest="9f86d081884c7d65", interval=interval))


def stores(env: str, *, encrypted: bool, bucket: str) -> list:
    account, prefix, _ = names(env)
    return [RdsInventory(databases=[Database(name=f"{prefix}ledger", arn=f"arn:aws:rds:{REGION}:{account}:db:ledger",
                                             region=REGION, kind="instance", storage_encrypted=encrypted)]),
            S3Inventory(buckets=[Bucket(name=f"{prefix}exports", arn=f"arn:aws:s3:::{prefix}exports", region=REGION,
                                        encryption=bucket)]),
            DynamoDbInventory(), LogsInventory()]


RECENT = NOW - dt.timedelta(days=1)
# Per parity check: production and staging built to differ in every way the check can tell.
ESTATES = {
    "environment.ssm_parity": (
        [parameters("production", ("db/url", "String", LONG_AGO), ("legacy", "String", LONG_AGO),
                    ("flags", "String", RECENT), ("unknown-key", "SecureString", RECENT)), kms("production")],
        [parameters("staging", ("db/url", "SecureString", LONG_AGO), ("new", "String", LONG_AGO),
                    ("flags", "String", LONG_AGO), ("unknown-key", "SecureString", LONG_AGO)), kms("staging")]),
    "environment.secrets_parity": (
        [secrets("production", ("db", False, NOW), ("old", True, LONG_AGO)), kms("production")],
        [secrets("staging", ("db", True, LONG_AGO), ("broker", True, LONG_AGO)), kms("staging")]),
    "environment.load_balancer_parity": (
        [balancers("production", tls="TLS-2016", listeners=(443, 8443), groups=("api-tg",), path="/",
                   extra="admin")],
        [balancers("staging", tls="TLS13", listeners=(443,), groups=("api-tg", "jobs-tg"), path="/health")]),
    "environment.task_definition_parity": (
        [services("production", container("api", variables=["DB_HOST"], interval=60, image="other/api"),
                  container("sidecar", variables=[], interval=30), cpu="1024")],
        [services("staging", container("api", variables=["DB_HOST", "MARKET_DATA_TIMEOUT_MS"], interval=30),
                  cpu="512")]),
    "environment.encryption_parity": (
        [*stores("production", encrypted=True, bucket="AES256"), kms("production")],
        [*stores("staging", encrypted=False, bucket=""), kms("staging")]),
}


def differing(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status in (Status.FAIL, Status.WARN)]


def test_every_parity_check_of_the_environment_area_is_exercised_here():
    parity = {check for check, spec in all_checks().items() if check.startswith("environment.") and spec.compares}
    assert parity == set(ESTATES)


@pytest.mark.parametrize("check", sorted(ESTATES))
def test_every_failing_or_warning_finding_keeps_each_difference_with_both_values(judged, check):
    production, staging = ESTATES[check]
    findings = differing(judged(check, production, staging))
    assert findings, f"{check} found nothing to tell apart"

    for finding in findings:
        differences = finding.details.get("differences")
        assert isinstance(differences, list) and differences, finding.message
        sentences = finding.message.split(": ", 1)[1].split("; ") if " differs from " in finding.message else [
            finding.message]
        assert len(differences) == len(sentences), finding.message
        for difference in differences:
            assert tuple(difference) == KEYS, finding.message
            assert all(isinstance(difference[k], str) and difference[k] for k in ("kind", "name", "what"))
            assert difference["name"] in finding.message and difference["kind"] in finding.message
            sides = (difference["baseline"], difference["target"])
            assert all(side is None or isinstance(side, str) for side in sides), finding.message
            assert sides[0] != sides[1], finding.message


def keyed(findings: list[Finding]) -> set[tuple]:
    return {tuple(d[k] for k in KEYS) for f in differing(findings) for d in f.details["differences"]}


def test_a_resource_on_one_side_only_is_present_against_nothing(judged):
    production, staging = ESTATES["environment.ssm_parity"]
    kept = keyed(judged("environment.ssm_parity", production, staging))

    assert ("parameter", "legacy", "exists", None, "present") in kept
    assert ("parameter", "new", "exists", "present", None) in kept
    assert ("parameter", "db/url", "type", "SecureString", "String") in kept
    assert ("parameter", "flags", "last changed", LONG_AGO.date().isoformat(), RECENT.date().isoformat()) in kept


def test_load_balancer_and_task_definition_differences_name_the_aspect_and_both_values(judged):
    balancers_kept = keyed(judged("environment.load_balancer_parity", *ESTATES["environment.load_balancer_parity"]))
    tasks_kept = keyed(judged("environment.task_definition_parity", *ESTATES["environment.task_definition_parity"]))

    assert {("load balancer", "api", "listeners", None, "8443/HTTPS"),
            ("load balancer", "api", "listener 443 TLS policy", "TLS13", "TLS-2016"),
            ("load balancer", "api", "target group jobs-tg", "present", None),
            ("load balancer", "api", "target group api-tg health check path", "/health", "/")} <= balancers_kept
    assert {("task definition", "api", "container sidecar", None, "present"),
            ("task definition", "api", "container api environment variables", "MARKET_DATA_TIMEOUT_MS", None),
            ("task definition", "api", "task CPU", "512", "1024"),
            ("task definition", "api", "container api image repository", "api", "other/api")} <= tasks_kept
    settings = next(d for d in tasks_kept if d[2] == "container api health check settings")
    assert settings[3:] == ("interval 30, timeout not set, retries not set, start period not set, command #9f86d081",
                            "interval 60, timeout not set, retries not set, start period not set, command #9f86d081")


def test_secret_and_encryption_differences_keep_configuration_facts_only(judged):
    secrets_kept = keyed(judged("environment.secrets_parity", *ESTATES["environment.secrets_parity"]))
    encryption_kept = keyed(judged("environment.encryption_parity", *ESTATES["environment.encryption_parity"]))

    assert {("secret", "db", "rotation", "on", "off"),
            ("secret", "db", "last changed", LONG_AGO.date().isoformat(), NOW.date().isoformat()),
            ("secret", "broker", "exists", "present", None)} <= secrets_kept
    assert {("database", "ledger", "database encryption", "no encryption", "an AWS-managed key"),
            ("bucket", "exports", "bucket encryption", "no encryption", "S3-managed keys (AES256)")} <= encryption_kept
