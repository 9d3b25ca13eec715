"""Collectors of running services against the simulated AWS: load balancers, ECS, ECR, pipelines, CodeDeploy."""
from __future__ import annotations

import json

from evidence_estate import ecs_service, load_balancer, pipeline
from readiness.evidence.collectors.codedeploy import CodeDeployInventory
from readiness.evidence.collectors.codepipeline import PipelineInventory
from readiness.evidence.collectors.ecr import EcrInventory
from readiness.evidence.collectors.ecs import EcsInventory
from readiness.evidence.collectors.elbv2 import LoadBalancerInventory


def test_load_balancers_are_read_with_listeners_attributes_and_target_groups(account, environment, read):
    lb, group = load_balancer(account)
    load_balancer(account, name="other-team-api")
    record = read("elbv2", environment(account=account))
    found = LoadBalancerInventory.model_validate(record.payload).load_balancers
    assert [b.name for b in found] == ["nw-prod-api"]
    api = found[0]
    listeners = {listener.port: listener for listener in api.listeners}
    assert listeners[80].redirects_to_https and listeners[80].ssl_policy is None
    assert listeners[443].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert api.deletion_protection and api.idle_timeout_seconds == 120 and not api.access_logs
    assert [g.health_check.path for g in api.target_groups] == ["/health"]
    assert api.web_acl_arn is None and api.arn == lb["LoadBalancerArn"]


def test_load_balancers_are_selected_by_tag_as_well_as_by_name(account, environment, read):
    load_balancer(account, name="public-edge", tags=[{"Key": "Environment", "Value": "production"}])
    record = read("elbv2", environment(account=account, tags={"Environment": "production"}))
    assert [b.name for b in LoadBalancerInventory.model_validate(record.payload).load_balancers] == ["public-edge"]


def test_load_balancers_in_an_empty_account_are_none_found(account, environment, read):
    record = read("elbv2", environment(account=account))
    assert record.status == "ok" and LoadBalancerInventory.model_validate(record.payload).load_balancers == []


def test_load_balancers_denied_waf_read_is_unknown(account, environment, read, deny):
    load_balancer(account)
    record = read("elbv2", environment(account=account), hooks=(deny("GetWebACLForResource"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: wafv2:GetWebACLForResource")


def test_ecs_services_are_read_with_deployment_settings_and_task_definitions_without_values(
        account, environment, read):
    task = ecs_service(account)
    ecs_service(account, cluster="shared", name="other-api")
    record = read("ecs", environment(account=account))
    inventory = EcsInventory.model_validate(record.payload)
    [service] = inventory.services
    assert (service.name, service.circuit_breaker, service.circuit_breaker_rollback) == ("nw-prod-api", True, True)
    assert (service.minimum_healthy_percent, service.health_check_grace_seconds) == (100, 60)
    [container] = inventory.task_definition(task["taskDefinitionArn"]).containers
    assert container.environment_names == ["API_KEY", "DB_HOST"] and container.secret_names == ["DB_PASSWORD"]
    assert (container.image.repository, container.image.tag, container.log_driver) == ("nw-api", "1.4.2", "awslogs")
    assert "sk-live-1" not in json.dumps(record.payload) and "db.internal" not in json.dumps(record.payload)


def test_ecs_services_of_a_cluster_named_for_the_environment_belong_to_it(account, environment, read):
    ecs_service(account, cluster="nw-prod-cluster", name="api")
    record = read("ecs", environment(account=account))
    assert [s.name for s in EcsInventory.model_validate(record.payload).services] == ["api"]


def test_ecs_in_an_empty_account_is_none_found(account, environment, read):
    record = read("ecs", environment(account=account))
    assert record.status == "ok" and EcsInventory.model_validate(record.payload).services == []


def test_ecs_denied_is_unknown(account, environment, read, deny):
    record = read("ecs", environment(account=account), hooks=(deny("ListClusters"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: ecs:ListClusters")


def test_ecr_repositories_are_read_with_mutability_and_scanning(account, environment, read):
    ecr = account.client("ecr")
    ecr.create_repository(repositoryName="nw-api", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    ecr.create_repository(repositoryName="nw-worker")
    record = read("ecr", environment(account=account))
    inventory = EcrInventory.model_validate(record.payload)
    api, worker = inventory.repository("nw-api"), inventory.repository("nw-worker")
    assert (api.tag_mutability, api.scan_on_push) == ("IMMUTABLE", True)
    assert (worker.tag_mutability, worker.scan_on_push) == ("MUTABLE", False)
    assert inventory.registry_scans_all_on_push == {"us-east-1": False}


def test_ecr_in_an_empty_account_is_none_found(account, environment, read):
    record = read("ecr", environment(account=account))
    assert record.status == "ok" and EcrInventory.model_validate(record.payload).repositories == []


def test_ecr_denied_is_unknown(account, environment, read, deny):
    record = read("ecr", environment(account=account), hooks=(deny("DescribeRepositories"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: ecr:DescribeRepositories")


def test_pipelines_are_read_with_stages_and_deploy_targets(account, environment, read):
    pipeline(account)
    pipeline(account, name="other-team")
    record = read("codepipeline", environment(account=account))
    [found] = PipelineInventory.model_validate(record.payload).pipelines
    assert [s.name for s in found.stages] == ["Source", "Approve", "DeployProduction"]
    deploy = found.stages[2].actions[0]
    assert (deploy.category, deploy.targets) == ("Deploy", {"ClusterName": "nw-prod", "ServiceName": "nw-prod-api"})
    assert found.stages[0].actions[0].targets == {}  # source settings are not kept


def test_pipelines_in_an_empty_account_are_none_found(account, environment, read):
    record = read("codepipeline", environment(account=account))
    assert record.status == "ok" and PipelineInventory.model_validate(record.payload).pipelines == []


def test_pipelines_denied_is_unknown(account, environment, read, deny):
    record = read("codepipeline", environment(account=account), hooks=(deny("ListPipelines"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: codepipeline:ListPipelines")


def test_deployment_groups_are_read_with_rollback_settings(account, environment, read):
    codedeploy = account.client("codedeploy")
    codedeploy.create_application(applicationName="nw-prod-api", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="nw-prod-api", deploymentGroupName="blue-green",
        serviceRoleArn=f"arn:aws:iam::{account.id}:role/cd",
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        alarmConfiguration={"enabled": True, "alarms": [{"name": "nw-prod-api-5xx"}]})
    record = read("codedeploy", environment(account=account))
    [group] = CodeDeployInventory.model_validate(record.payload).deployment_groups
    assert group.rollback_events == ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
    # The simulated AWS does not keep alarm configurations: the checks' tests cover alarms from fixtures.
    assert group.arn == f"arn:aws:codedeploy:us-east-1:{account.id}:deploymentgroup:nw-prod-api/blue-green"


def test_deployment_groups_in_an_empty_account_are_none_found(account, environment, read):
    record = read("codedeploy", environment(account=account))
    assert record.status == "ok" and CodeDeployInventory.model_validate(record.payload).deployment_groups == []


def test_deployment_groups_denied_is_unknown(account, environment, read, deny):
    record = read("codedeploy", environment(account=account), hooks=(deny("ListApplications"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: codedeploy:ListApplications")
