"""Load balancer and task definition parity, judged from plain inventories of staging and production."""
from __future__ import annotations

from evidence_fixtures import PRODUCTION_ACCOUNT, STAGING_ACCOUNT

from readiness.evidence.collectors.ecs import (
    Container,
    ContainerHealthCheck,
    EcsInventory,
    Service,
    TaskDefinition,
    parse_image,
)
from readiness.evidence.collectors.elbv2 import HealthCheck, Listener, LoadBalancer, LoadBalancerInventory, TargetGroup
from readiness.evidence.model import Status

REGION = "us-east-1"


def balancer(env: str, *, redirect: bool = True, tls: str = "ELBSecurityPolicy-TLS13-1-2-2021-06", waf: bool = True,
             idle: int = 60, health_path: str = "/health", listeners: tuple[int, ...] = (80, 443)) -> LoadBalancer:
    account, prefix = (PRODUCTION_ACCOUNT, "nw-prod-") if env == "production" else (STAGING_ACCOUNT, "nw-staging-")
    made = {80: Listener(port=80, protocol="HTTP", redirects_to_https=redirect, default_actions=["redirect"]),
            443: Listener(port=443, protocol="HTTPS", ssl_policy=tls, default_actions=["forward"]),
            8443: Listener(port=8443, protocol="HTTPS", ssl_policy=tls)}
    return LoadBalancer(
        name=f"{prefix}api", arn=f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/app/{prefix}api/1",
        region=REGION, type="application", scheme="internet-facing", listeners=[made[p] for p in listeners],
        idle_timeout_seconds=idle, deletion_protection=True, access_logs=True,
        web_acl_arn=f"arn:aws:wafv2:{REGION}:{account}:regional/webacl/edge/1" if waf else None,
        target_groups=[TargetGroup(name=f"{prefix}api-tg", arn=f"arn:tg:{prefix}", health_check=HealthCheck(
            path=health_path, interval_seconds=30, healthy_threshold=5, unhealthy_threshold=2))],
    )


def lb_findings(judged, production: list[LoadBalancer], staging: list[LoadBalancer]):
    return judged("environment.load_balancer_parity", [LoadBalancerInventory(load_balancers=production)],
                  [LoadBalancerInventory(load_balancers=staging)])


def test_load_balancer_parity_passes_for_balancers_configured_alike(judged):
    [finding] = lb_findings(judged, [balancer("production")], [balancer("staging")])
    assert finding.status == Status.PASS and finding.message == "production load balancer api matches staging"
    assert finding.resource.endswith("loadbalancer/app/nw-prod-api/1") and finding.controls == ["ENV-03", "ENV-07"]


def test_load_balancer_parity_fails_on_redirect_tls_waf_and_listener_differences(judged):
    [finding] = lb_findings(judged, [balancer("production", redirect=False, tls="ELBSecurityPolicy-2016-08", waf=False,
                                              listeners=(80, 443, 8443))], [balancer("staging")])
    assert finding.status == Status.FAIL
    differences = finding.message.split(": ", 1)[1].split("; ")
    assert "listeners only in production: 8443/HTTPS" in differences
    assert "listener 80 redirect to HTTPS is off in production but on in staging" in differences
    assert ("listener 443 TLS policy is ELBSecurityPolicy-2016-08 in production but "
            "ELBSecurityPolicy-TLS13-1-2-2021-06 in staging") in differences
    assert "WAF protection is off in production but on in staging" in differences


def test_load_balancer_parity_warns_on_timeouts_and_health_checks(judged):
    [finding] = lb_findings(judged, [balancer("production", idle=300, health_path="/ready")], [balancer("staging")])
    assert finding.status == Status.WARN
    assert "idle timeout (seconds) is 300 in production but 60 in staging" in finding.message
    assert "target group api-tg health check path is /ready in production but /health in staging" in finding.message


def test_load_balancer_parity_fails_for_a_balancer_on_one_side_only(judged):
    [finding] = lb_findings(judged, [balancer("production")], [])
    assert finding.status == Status.FAIL
    assert finding.message == "production load balancer api has no counterpart in staging"


def test_load_balancer_parity_is_unknown_when_balancers_could_not_be_read(judged):
    [finding] = judged("environment.load_balancer_parity", [], [LoadBalancerInventory()],
                       unknown={"elbv2": "AccessDenied: wafv2:GetWebACLForResource"})
    assert finding.status == Status.UNKNOWN and "wafv2:GetWebACLForResource" in finding.message


def test_load_balancer_parity_without_balancers_is_not_applicable(judged):
    [finding] = lb_findings(judged, [], [])
    assert finding.status == Status.NOT_APPLICABLE


def container(env: str, **changes) -> Container:
    account, prefix = (PRODUCTION_ACCOUNT, "nw-prod-") if env == "production" else (STAGING_ACCOUNT, "nw-staging-")
    values = dict(name="api", image=parse_image(f"{account}.dkr.ecr.{REGION}.amazonaws.com/{prefix}api:1.4.2"),
                  environment_names=["DB_HOST", "MARKET_DATA_TIMEOUT_MS"], secret_names=["DB_PASSWORD"],
                  log_driver="awslogs", health_check=ContainerHealthCheck(command_digest="abc", interval=30))
    return Container(**(values | changes))


def estate(env: str, *containers: Container, cpu: str = "512", name: str = "api") -> EcsInventory:
    account, prefix = (PRODUCTION_ACCOUNT, "nw-prod-") if env == "production" else (STAGING_ACCOUNT, "nw-staging-")
    task = f"arn:aws:ecs:{REGION}:{account}:task-definition/{prefix}{name}:3"
    return EcsInventory(
        services=[Service(name=f"{prefix}{name}", arn=f"arn:aws:ecs:{REGION}:{account}:service/main/{prefix}{name}",
                          region=REGION, cluster_arn="arn:c", cluster_name="main", task_definition=task)],
        task_definitions=[TaskDefinition(arn=task, family=f"{prefix}{name}", revision=3, region=REGION, cpu=cpu,
                                         memory="1024", containers=list(containers) or [container(env)])])


def test_task_definition_parity_passes_for_services_configured_alike(judged):
    [finding] = judged("environment.task_definition_parity", [estate("production")], [estate("staging")])
    assert finding.status == Status.PASS
    assert finding.message == "production task definition of service api matches staging"
    assert finding.resource.endswith("task-definition/nw-prod-api:3")


def test_task_definition_parity_fails_on_missing_setting_and_secret_names_and_another_image(judged):
    changed = container("production", environment_names=["DB_HOST"], secret_names=["DB_PASSWORD", "BROKER_KEY"],
                        image=parse_image("docker.io/library/api:1.4.2"))
    [finding] = judged("environment.task_definition_parity", [estate("production", changed)], [estate("staging")])
    assert finding.status == Status.FAIL
    differences = finding.message.split(": ", 1)[1].split("; ")
    assert "container api environment variables only in staging: MARKET_DATA_TIMEOUT_MS" in differences
    assert "container api secrets only in production: BROKER_KEY" in differences
    assert "container api image repository is library/api in production but api in staging" in differences


def test_task_definition_parity_warns_on_sizing_logging_and_health_check(judged):
    changed = container("production", log_driver="json-file", health_check=None)
    [finding] = judged("environment.task_definition_parity", [estate("production", changed, cpu="1024")],
                       [estate("staging")])
    assert finding.status == Status.WARN
    assert "task CPU is 1024 in production but 512 in staging" in finding.message
    assert "container api log driver is json-file in production but awslogs in staging" in finding.message
    assert "container api health check is off in production but on in staging" in finding.message


def test_task_definition_parity_fails_for_a_service_on_one_side_only(judged):
    findings = judged("environment.task_definition_parity", [estate("production")],
                      [estate("staging", name="reporting")])
    assert {f.message for f in findings} == {"production service api has no counterpart in staging",
                                             "staging service reporting has no counterpart in production"}


def test_task_definition_parity_is_unknown_when_the_baseline_could_not_be_read(judged):
    [finding] = judged("environment.task_definition_parity", [estate("production")], [])
    assert finding.status == Status.UNKNOWN and "ecs was not read in staging" in finding.message


def test_task_definition_parity_without_services_is_not_applicable(judged):
    [finding] = judged("environment.task_definition_parity", [EcsInventory()], [EcsInventory()])
    assert finding.status == Status.NOT_APPLICABLE
