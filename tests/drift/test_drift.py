"""Drift between two environments, built from the findings the parity checks really make (no AWS)."""
from __future__ import annotations

import datetime as dt

from readiness.assessment import checklist_for
from readiness.drift import DRIFT_KINDS, drift_between
from readiness.evidence.checking import EnvView
from readiness.evidence.collectors.ecs import Container, EcsInventory, Service, TaskDefinition, parse_image
from readiness.evidence.collectors.elbv2 import HealthCheck, Listener, LoadBalancer, LoadBalancerInventory, TargetGroup
from readiness.evidence.collectors.kms import KmsInventory
from readiness.evidence.collectors.secretsmanager import Secret, SecretsInventory
from readiness.evidence.collectors.ssm import Parameter, SsmInventory
from readiness.evidence.judging import Judgement, judge
from readiness.evidence.model import Finding, Status
from readiness.evidence.registry import all_checks
from readiness.platform import Platform

NOW = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=200)
ACCOUNTS = {"staging": "111111111111", "production": "222222222222"}
PLATFORM = Platform.model_validate({"name": "drift", "compare": [["staging", "production"]], "environments": [
    {"name": "staging", "tier": "staging", "select": {"name_prefix": "nw-staging-", "ssm_path": "/nw/staging/",
                                                     "secrets_prefix": "nw/staging/"}},
    {"name": "production", "tier": "production", "select": {"name_prefix": "nw-prod-", "ssm_path": "/nw/production/",
                                                           "secrets_prefix": "nw/production/"}}]})


def parameter(env: str, name: str, type: str = "String") -> Parameter:
    path = f"/nw/{env}/{name}"
    return Parameter(name=path, arn=f"arn:aws:ssm:us-east-1:{ACCOUNTS[env]}:parameter{path}", region="us-east-1",
                     type=type, last_modified=LONG_AGO)


def secret(env: str, name: str, *, rotation: bool) -> Secret:
    arn = f"arn:aws:secretsmanager:us-east-1:{ACCOUNTS[env]}:secret:nw/{env}/{name}"
    return Secret(name=f"nw/{env}/{name}", arn=arn, region="us-east-1", rotation_enabled=rotation,
                  last_changed=LONG_AGO)


def load_balancer(env: str, *, tls: str, path: str) -> LoadBalancer:
    prefix = "nw-prod-" if env == "production" else "nw-staging-"
    return LoadBalancer(
        name=f"{prefix}public", arn=f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNTS[env]}:loadbalancer/app/x",
        region="us-east-1", type="application", scheme="internet-facing",
        listeners=[Listener(port=443, protocol="HTTPS", ssl_policy=tls)],
        target_groups=[TargetGroup(name=f"{prefix}api", arn="tg", health_check=HealthCheck(path=path))])


def findings(staging: list, production: list, checks=tuple(DRIFT_KINDS)) -> list[Finding]:
    """What the parity checks say about production against staging, through the real runner code."""
    def view(env: str, inventories: list) -> EnvView:
        return EnvView.build(PLATFORM.environment(env), [*inventories, KmsInventory(account=ACCOUNTS[env])],
                             account=ACCOUNTS[env])

    views = {"staging": view("staging", staging), "production": view("production", production)}
    judgements = [Judgement(all_checks()[check], "production", "staging") for check in checks]
    return judge(PLATFORM, checklist_for(PLATFORM), judgements, views, now=NOW)


def test_a_parameter_missing_each_way_and_a_changed_type_are_three_places_side_by_side():
    made = findings(
        [SsmInventory(parameters=[parameter("staging", "db/url"), parameter("staging", "broker/id", "SecureString"),
                                  parameter("staging", "rebalance/bps")])],
        [SsmInventory(parameters=[parameter("production", "db/url"), parameter("production", "broker/id"),
                                  parameter("production", "legacy/path")])])

    report = drift_between(made, "staging", "production")
    parameters = next(k for k in report.kinds if k.kind == "Parameters")

    assert [(l.name, l.aspect, l.baseline_value, l.target_value) for l in parameters.lines] == [
        ("broker/id", "type", "SecureString", "String"),
        ("legacy/path", "exists", "missing", "present"),
        ("rebalance/bps", "exists", "present", "missing"),
    ]
    assert (parameters.differing, parameters.matching) == (3, 1)
    assert report.headline().startswith("Production differs from staging in 3 places, across 3 resources")


def test_secret_rotation_on_in_staging_only_reads_on_against_off():
    made = findings([SecretsInventory(secrets=[secret("staging", "broker", rotation=True)])],
                    [SecretsInventory(secrets=[secret("production", "broker", rotation=False)])])

    secrets = next(k for k in drift_between(made, "staging", "production").kinds if k.kind == "Secrets")

    assert [(l.name, l.aspect, l.baseline_value, l.target_value, l.status) for l in secrets.lines] == [
        ("broker", "rotation", "on", "off", Status.FAIL)]


def test_every_load_balancer_difference_is_its_own_line_with_both_values():
    made = findings(
        [LoadBalancerInventory(load_balancers=[load_balancer("staging", tls="TLS13", path="/health")])],
        [LoadBalancerInventory(load_balancers=[load_balancer("production", tls="TLS-2016", path="/")])])

    balancers = next(k for k in drift_between(made, "staging", "production").kinds if k.kind == "Load balancers")

    assert {(l.name, l.aspect, l.baseline_value, l.target_value) for l in balancers.lines} == {
        ("public", "listener 443 TLS policy", "TLS13", "TLS-2016"),
        ("public", "target group api health check path", "/health", "/"),
    }
    assert balancers.differing == 1


def test_environments_alike_say_so_and_an_unread_inventory_is_a_comparison_not_made():
    alike = findings([SsmInventory(parameters=[parameter("staging", "db/url")])],
                     [SsmInventory(parameters=[parameter("production", "db/url")])], checks=["environment.ssm_parity"])
    assert drift_between(alike, "staging", "production").headline() == (
        "Production matches staging in everything compared.")

    unread = Finding(check="environment.ssm_parity", area="environment", environment="production",
                     baseline="staging", resource="production", status=Status.UNKNOWN,
                     message="Could not tell: ssm could not be read in production: AccessDenied")
    report = drift_between([*alike, unread], "staging", "production")
    assert next(k for k in report.kinds if k.kind == "Parameters").unknown == [unread.message]
    assert "(1 comparison could not be made)" in report.headline()


def test_findings_of_another_pair_or_direction_are_not_this_drift():
    made = findings([SsmInventory(parameters=[parameter("staging", "only-here")])], [SsmInventory()])
    reversed_pair = drift_between(made, "production", "staging")

    assert not reversed_pair.compared
    assert reversed_pair.headline() == "Staging has not been compared with production yet."


def service(env: str, *, secrets: list[str]) -> tuple[Service, TaskDefinition]:
    prefix = "nw-prod-" if env == "production" else "nw-staging-"
    task = TaskDefinition(
        arn=f"arn:aws:ecs:us-east-1:{ACCOUNTS[env]}:task-definition/{prefix}api:3", family=f"{prefix}api", revision=3,
        region="us-east-1", containers=[Container(name="api", secret_names=secrets, image=parse_image(
            f"{ACCOUNTS[env]}.dkr.ecr.us-east-1.amazonaws.com/portfolio-api:1.4.2"))])
    return Service(name=f"{prefix}api", arn=f"arn:aws:ecs:us-east-1:{ACCOUNTS[env]}:service/main/{prefix}api",
                   region="us-east-1", cluster_arn="main", cluster_name="main", task_definition=task.arn), task


def test_names_found_on_one_side_only_read_against_none():
    staging, their_task = service("staging", secrets=["KEY_A", "KEY_B", "SHARED"])
    production, task = service("production", secrets=["SHARED"])
    made = findings([EcsInventory(services=[staging], task_definitions=[their_task])],
                    [EcsInventory(services=[production], task_definitions=[task])],
                    checks=["environment.task_definition_parity"])

    tasks = next(k for k in drift_between(made, "staging", "production").kinds if k.kind == "Task definitions")

    assert [(l.name, l.aspect, l.baseline_value, l.target_value, l.resource_kind) for l in tasks.lines] == [
        ("api", "container api secrets", "KEY_A, KEY_B", "none", "task definition")]


def test_a_secret_changed_long_after_its_counterpart_shows_both_dates():
    changed = secret("staging", "broker", rotation=True).model_copy(update={"last_changed": NOW - dt.timedelta(days=1)})
    made = findings([SecretsInventory(secrets=[changed])],
                    [SecretsInventory(secrets=[secret("production", "broker", rotation=True)])])

    secrets = next(k for k in drift_between(made, "staging", "production").kinds if k.kind == "Secrets")

    assert [(l.name, l.aspect, l.baseline_value, l.target_value) for l in secrets.lines] == [
        ("broker", "last changed", "2026-03-01", "2025-08-14")]


def test_the_table_comes_from_the_kept_differences_not_from_the_wording_of_the_message():
    reworded = Finding(check="environment.ssm_parity", area="environment", environment="production",
                       baseline="staging", resource="arn:aws:ssm:us-east-1:222222222222:parameter/nw/production/db/url",
                       status=Status.FAIL, message="Production's db/url is not like staging's", details={
                           "differences": [{"kind": "parameter", "name": "db/url", "what": "type",
                                            "baseline": "SecureString", "target": "String"}]})

    [line] = next(k for k in drift_between([reworded], "staging", "production").kinds if k.kind == "Parameters").lines

    assert (line.name, line.aspect, line.baseline_value, line.target_value) == ("db/url", "type", "SecureString",
                                                                                "String")


def test_findings_stored_before_differences_were_kept_apart_still_show_their_whole_sentence():
    def stored(message: str, **details) -> Finding:
        return Finding(check="environment.load_balancer_parity", area="environment", environment="production",
                       baseline="staging", resource=f"arn:lb/{len(message)}", status=Status.WARN, message=message,
                       details=details)

    sentences = stored("production load balancer api differs from staging: idle timeout (seconds) is 300 in "
                       "production but 60 in staging", differences=["idle timeout (seconds) is 300 in production "
                                                                     "but 60 in staging"])
    missing = stored("staging load balancer admin has no counterpart in production", missing_in="production")

    balancers = next(k for k in drift_between([sentences, missing], "staging", "production").kinds
                     if k.kind == "Load balancers")

    assert sorted((l.name, l.aspect, l.baseline_value, l.target_value) for l in balancers.lines) == sorted([
        (sentences.resource, sentences.message, "", ""), (missing.resource, missing.message, "", "")])
    assert balancers.differing == 2
