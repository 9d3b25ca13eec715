"""Deployment checks of production, judged from plain inventories."""
from __future__ import annotations

from evidence_fixtures import PRODUCTION_ACCOUNT, STAGING_ACCOUNT

from readiness.evidence.collectors.codedeploy import CodeDeployInventory, DeploymentGroup
from readiness.evidence.collectors.codepipeline import Action, Pipeline, PipelineInventory, Stage
from readiness.evidence.collectors.ecr import EcrInventory, Repository
from readiness.evidence.collectors.ecs import Container, EcsInventory, Service, TaskDefinition, parse_image
from readiness.evidence.model import Status

REGION = "us-east-1"
REGISTRY = f"{PRODUCTION_ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def service(name: str = "nw-prod-api", *, account: str = PRODUCTION_ACCOUNT, revision: int = 7, **settings) -> Service:
    values = dict(circuit_breaker=True, circuit_breaker_rollback=True, minimum_healthy_percent=100,
                  health_check_grace_seconds=60, target_groups=["arn:tg"]) | settings
    return Service(name=name, arn=f"arn:aws:ecs:{REGION}:{account}:service/main/{name}", region=REGION,
                   cluster_arn="arn:cluster", cluster_name="main",
                   task_definition=f"arn:aws:ecs:{REGION}:{account}:task-definition/{name}:{revision}", **values)


def task(name: str, image: str, *, account: str = PRODUCTION_ACCOUNT, revision: int = 7) -> TaskDefinition:
    return TaskDefinition(arn=f"arn:aws:ecs:{REGION}:{account}:task-definition/{name}:{revision}", family=name,
                          revision=revision, region=REGION,
                          containers=[Container(name="api", image=parse_image(image))])


def ecs(services: list[Service], tasks: list[TaskDefinition]) -> EcsInventory:
    return EcsInventory(services=services, task_definitions=tasks)


def test_circuit_breaker_passes_for_a_service_that_rolls_back_at_full_capacity(judged):
    [finding] = judged("deployment.circuit_breaker", [ecs([service()], [])])
    assert finding.status == Status.PASS and finding.controls == ["DPL-01"]
    assert finding.message == ("production service api rolls back failed deployments and keeps 100% of its tasks "
                               "healthy while deploying")


def test_circuit_breaker_fails_without_rollback_and_warns_on_reduced_capacity(judged):
    findings = judged("deployment.circuit_breaker", [ecs([
        service("nw-prod-api", circuit_breaker=False),
        service("nw-prod-worker", minimum_healthy_percent=50, health_check_grace_seconds=None),
        service("nw-prod-batch", minimum_healthy_percent=0, target_groups=[]),
    ], [])])
    by_service = {f.resource.rsplit("/", 1)[-1]: f for f in findings}
    assert by_service["nw-prod-api"].status == Status.FAIL
    assert "has no deployment circuit breaker" in by_service["nw-prod-api"].message
    assert by_service["nw-prod-worker"].status == Status.WARN
    assert "drops to 50% healthy tasks" in by_service["nw-prod-worker"].message
    assert "without a health-check grace period" in by_service["nw-prod-worker"].message
    assert by_service["nw-prod-batch"].status == Status.FAIL and "may drop to 0%" in by_service["nw-prod-batch"].message


def test_circuit_breaker_leaves_codedeploy_services_to_the_codedeploy_check(judged):
    [finding] = judged("deployment.circuit_breaker", [ecs([service(deployment_controller="CODE_DEPLOY")], [])])
    assert finding.status == Status.NOT_APPLICABLE and "codedeploy_rollback" in finding.message


def test_circuit_breaker_is_unknown_when_services_could_not_be_read(judged):
    [finding] = judged("deployment.circuit_breaker", [], unknown={"ecs": "AccessDenied: ecs:ListClusters"})
    assert finding.status == Status.UNKNOWN and "AccessDenied: ecs:ListClusters" in finding.message


def test_circuit_breaker_without_services_is_not_applicable(judged):
    [finding] = judged("deployment.circuit_breaker", [ecs([], [])])
    assert finding.status == Status.NOT_APPLICABLE


def staging_with(*images: str) -> list:
    tasks = [task("nw-staging-api", image, account=STAGING_ACCOUNT, revision=i) for i, image in enumerate(images, 1)]
    return [ecs([service("nw-staging-api", account=STAGING_ACCOUNT, revision=len(images))], tasks)]


def test_images_promoted_passes_for_a_tag_staging_ran_before(judged):
    production = [ecs([service()], [task("nw-prod-api", f"{REGISTRY}/nw-prod-api:1.4.2")])]
    [finding] = judged("deployment.images_promoted_from_staging", production,
                       staging_with("111111111111.dkr.ecr.us-east-1.amazonaws.com/nw-staging-api:1.4.2",
                                    "111111111111.dkr.ecr.us-east-1.amazonaws.com/nw-staging-api:1.4.3"))
    assert finding.status == Status.PASS and finding.baseline == "staging"
    assert finding.resource.endswith("task-definition/nw-prod-api:7")


def test_images_promoted_matches_by_digest_across_registries(judged):
    digest = "sha256:" + "ab" * 32
    production = [ecs([service()], [task("nw-prod-api", f"{REGISTRY}/api@{digest}")])]
    [finding] = judged("deployment.images_promoted_from_staging", production, staging_with(f"build/api@{digest}"))
    assert finding.status == Status.PASS


def test_images_promoted_fails_for_an_image_staging_never_ran(judged):
    production = [ecs([service()], [task("nw-prod-api", f"{REGISTRY}/nw-prod-api:1.5.0-hotfix")])]
    [finding] = judged("deployment.images_promoted_from_staging", production,
                       staging_with("111111111111.dkr.ecr.us-east-1.amazonaws.com/nw-staging-api:1.4.2"))
    assert finding.status == Status.FAIL
    assert f"image {REGISTRY}/nw-prod-api:1.5.0-hotfix of container api was never deployed in staging" in (
        finding.message)


def test_images_promoted_warns_on_a_moving_tag(judged):
    production = [ecs([service()], [task("nw-prod-api", "nginx:latest")])]
    [finding] = judged("deployment.images_promoted_from_staging", production, staging_with("nginx:latest"))
    assert finding.status == Status.WARN and "tag latest" in finding.message


def test_images_promoted_is_unknown_when_staging_could_not_be_read(judged):
    findings = judged("deployment.images_promoted_from_staging", [ecs([service()], [])], [])
    assert [f.status for f in findings] == [Status.UNKNOWN] and "ecs was not read in staging" in findings[0].message


def test_images_promoted_without_production_services_is_not_applicable(judged):
    [finding] = judged("deployment.images_promoted_from_staging", [ecs([], [])], staging_with("a:1"))
    assert finding.status == Status.NOT_APPLICABLE


def repository(name: str, *, mutability: str = "IMMUTABLE", scan: bool = True) -> Repository:
    return Repository(name=name, arn=f"arn:aws:ecr:{REGION}:{PRODUCTION_ACCOUNT}:repository/{name}", region=REGION,
                      uri=f"{REGISTRY}/{name}", tag_mutability=mutability, scan_on_push=scan)


def registry(*repositories: Repository, scans_all: bool = False) -> EcrInventory:
    return EcrInventory(repositories=list(repositories), registry_scans_all_on_push={REGION: scans_all})


def test_ecr_passes_for_immutable_scanned_repositories_production_pulls_from(judged):
    production = [registry(repository("api")), ecs([service()], [task("nw-prod-api", f"{REGISTRY}/api:1.4.2")])]
    [finding] = judged("deployment.ecr_immutable_scanned", production)
    assert finding.status == Status.PASS and finding.resource.endswith(":repository/api")


def test_ecr_fails_for_mutable_or_unscanned_repositories(judged):
    production = [registry(repository("api", mutability="MUTABLE", scan=False), repository("nw-prod-worker")),
                  ecs([service()], [task("nw-prod-api", f"{REGISTRY}/api:1.4.2")])]
    findings = {f.resource.rsplit("/", 1)[-1]: f for f in judged("deployment.ecr_immutable_scanned", production)}
    assert findings["api"].status == Status.FAIL
    assert "has mutable tags" in findings["api"].message and "does not scan images on push" in findings["api"].message
    assert findings["nw-prod-worker"].status == Status.PASS


def test_ecr_accepts_scanning_set_for_the_whole_registry(judged):
    production = [registry(repository("nw-prod-api", scan=False), scans_all=True), ecs([], [])]
    [finding] = judged("deployment.ecr_immutable_scanned", production)
    assert finding.status == Status.PASS


def test_ecr_cannot_judge_a_repository_in_another_account(judged):
    image = "333333333333.dkr.ecr.us-east-1.amazonaws.com/shared/api:1.4.2"
    [finding] = judged("deployment.ecr_immutable_scanned", [registry(), ecs([service()], [task("nw-prod-api", image)])])
    assert finding.status == Status.UNKNOWN and "account 333333333333" in finding.message


def test_ecr_is_unknown_when_the_registry_could_not_be_read(judged):
    [finding] = judged("deployment.ecr_immutable_scanned", [ecs([], [])], unknown={"ecr": "Timed out"})
    assert finding.status == Status.UNKNOWN


def test_ecr_with_no_repositories_in_use_is_not_applicable(judged):
    [finding] = judged("deployment.ecr_immutable_scanned", [registry(repository("other")), ecs([], [])])
    assert finding.status == Status.NOT_APPLICABLE


def pipeline(*stages: tuple[str, list[tuple[str, str, int]]], name: str = "nw-prod-api") -> Pipeline:
    return Pipeline(name=name, arn=f"arn:aws:codepipeline:{REGION}:{PRODUCTION_ACCOUNT}:{name}", region=REGION,
                    stages=[Stage(name=stage, actions=[Action(name=a, category=c, provider="x", run_order=o)
                                                       for a, c, o in actions]) for stage, actions in stages])


SOURCE = ("Source", [("Source", "Source", 1)])


def test_pipeline_approval_passes_with_a_manual_approval_before_production(judged):
    found = pipeline(SOURCE, ("DeployStaging", [("Deploy", "Deploy", 1)]), ("Approve", [("Ok", "Approval", 1)]),
                     ("DeployProduction", [("Deploy", "Deploy", 1)]))
    [finding] = judged("deployment.pipeline_approval", [PipelineInventory(pipelines=[found])])
    assert finding.status == Status.PASS and finding.controls == ["DPL-04"]
    assert "stage Approve" in finding.message and "stage DeployProduction" in finding.message


def test_pipeline_approval_accepts_an_approval_earlier_in_the_same_stage(judged):
    found = pipeline(SOURCE, ("Release", [("Ok", "Approval", 1), ("ToProd", "Deploy", 2)]))
    [finding] = judged("deployment.pipeline_approval", [PipelineInventory(pipelines=[found])])
    assert finding.status == Status.PASS


def test_pipeline_approval_fails_when_approval_comes_after_or_never(judged):
    late = pipeline(SOURCE, ("DeployProduction", [("Deploy", "Deploy", 1)]), ("Approve", [("Ok", "Approval", 1)]))
    none = pipeline(SOURCE, ("Deploy", [("Deploy", "Deploy", 1)]), name="nw-prod-worker")
    findings = judged("deployment.pipeline_approval", [PipelineInventory(pipelines=[late, none])])
    assert [f.status for f in findings] == [Status.FAIL, Status.FAIL]
    assert findings[0].message == ("pipeline nw-prod-api deploys to production in stage DeployProduction with no "
                                   "manual approval before it")


def test_pipeline_approval_is_unknown_when_pipelines_could_not_be_read(judged):
    [finding] = judged("deployment.pipeline_approval", [], unknown={"codepipeline": "AccessDenied: x"})
    assert finding.status == Status.UNKNOWN


def test_pipeline_approval_ignores_pipelines_that_do_not_deploy(judged):
    build_only = pipeline(SOURCE, ("Build", [("Build", "Build", 1)]))
    [finding] = judged("deployment.pipeline_approval", [PipelineInventory(pipelines=[build_only])])
    assert finding.status == Status.NOT_APPLICABLE


def group(name: str = "blue-green", **settings) -> DeploymentGroup:
    values = dict(auto_rollback=True, rollback_events=["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
                  alarms_enabled=True, alarms=["api-5xx"]) | settings
    return DeploymentGroup(name=name, arn=f"arn:aws:codedeploy:{REGION}:{PRODUCTION_ACCOUNT}:deploymentgroup:"
                           f"nw-prod-api/{name}", region=REGION, application="nw-prod-api", **values)


def test_codedeploy_rollback_passes_on_failure_and_alarm_rollback(judged):
    [finding] = judged("deployment.codedeploy_rollback", [CodeDeployInventory(deployment_groups=[group()])])
    assert finding.status == Status.PASS and "(api-5xx)" in finding.message


def test_codedeploy_rollback_fails_without_rollback_and_warns_without_alarms(judged):
    findings = judged("deployment.codedeploy_rollback", [CodeDeployInventory(deployment_groups=[
        group("none", auto_rollback=False, rollback_events=[]),
        group("no-alarms", rollback_events=["DEPLOYMENT_FAILURE"], alarms=[])])])
    assert [f.status for f in findings] == [Status.FAIL, Status.WARN]
    assert "does not roll back automatically when a deployment fails" in findings[0].message
    assert "does not roll back when an alarm fires" in findings[1].message


def test_codedeploy_rollback_is_unknown_when_groups_could_not_be_read(judged):
    [finding] = judged("deployment.codedeploy_rollback", [], unknown={"codedeploy": "Throttled"})
    assert finding.status == Status.UNKNOWN


def test_codedeploy_rollback_without_groups_is_not_applicable(judged):
    [finding] = judged("deployment.codedeploy_rollback", [CodeDeployInventory()])
    assert finding.status == Status.NOT_APPLICABLE
