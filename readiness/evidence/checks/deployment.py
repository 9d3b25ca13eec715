"""Deployment safety: failed releases roll back, tested images ship, releases are approved."""
from __future__ import annotations

import re
from typing import Iterator

from readiness.evidence.checking import CheckContext, EnvView, Verdict, verdict, worst
from readiness.evidence.collectors.codedeploy import CodeDeployInventory, DeploymentGroup
from readiness.evidence.collectors.codepipeline import Pipeline, PipelineInventory
from readiness.evidence.collectors.ecr import EcrInventory, Repository
from readiness.evidence.collectors.ecs import EcsInventory, Image, Service
from readiness.evidence.model import Severity, Status
from readiness.evidence.naming import belongs
from readiness.evidence.registry import check

PRODUCTION = ("production",)
PRODUCTION_WORD = re.compile(r"prod", re.IGNORECASE)
MUTABLE_TAGS = {"latest", "stable", "main", "master", "prod", "production"}


def judged(resource: str, problems: list[tuple[Status, str]], subject: str, good: str, *, region: str,
           **details: object) -> Verdict:
    """One verdict from the problems found on a resource: the worst of them, all of them named."""
    if not problems:
        return verdict(Status.PASS, resource, f"{subject} {good}", region=region, **details)
    return verdict(worst(s for s, _ in problems), resource, f"{subject} " + "; ".join(t for _, t in problems),
                   region=region, problems=[t for _, t in problems], **details)


@check("deployment.circuit_breaker", area="deployment", title="Failed deployments roll back automatically",
       severity=Severity.HIGH, needs=("ecs",),
       good="Every service rolls back a failed deployment and keeps full capacity while deploying.")
def circuit_breaker(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: a failing release in staging keeps replacing tasks there, blocking every team's
    testing, and its deployment settings are the ones promoted to production."""
    for service in ctx.env.inventory(EcsInventory).services:
        subject = f"{ctx.env.name} service {ctx.env.common_name(service.name)}"
        if service.deployment_controller != "ECS":
            yield verdict(Status.NOT_APPLICABLE, service.arn, f"{subject} is deployed by "
                          f"{service.deployment_controller}: see deployment.codedeploy_rollback", region=service.region)
            continue
        yield judged(service.arn, _deployment_problems(service), subject,
                     "rolls back failed deployments and keeps 100% of its tasks healthy while deploying",
                     region=service.region, minimum_healthy_percent=service.minimum_healthy_percent)


def _deployment_problems(service: Service) -> list[tuple[Status, str]]:
    problems = []
    if not service.circuit_breaker:
        problems.append((Status.FAIL, "has no deployment circuit breaker: a failing release keeps replacing tasks"))
    elif not service.circuit_breaker_rollback:
        problems.append((Status.FAIL, "stops a failing deployment but does not roll it back"))
    healthy = service.minimum_healthy_percent
    if healthy is None or healthy < 50:
        problems.append((Status.FAIL, f"may drop to {healthy or 0}% healthy tasks while deploying (want 100%)"))
    elif healthy < 100:
        problems.append((Status.WARN, f"drops to {healthy}% healthy tasks while deploying (want 100%)"))
    if service.target_groups and not service.health_check_grace_seconds:
        problems.append((Status.WARN, "sits behind a load balancer without a health-check grace period"))
    return problems


@check("deployment.images_promoted_from_staging", area="deployment", title="Production runs the tested image",
       severity=Severity.HIGH, needs=("ecs",), compares=True, tiers=PRODUCTION,
       good="Every image production runs was deployed in staging first, by the same tag or digest.")
def images_promoted_from_staging(ctx: CheckContext) -> Iterator[Verdict]:
    mine, theirs = ctx.env.inventory(EcsInventory), ctx.compared.inventory(EcsInventory)
    seen = {_identity(ctx.compared, c.image) for t in theirs.task_definitions for c in t.containers}
    seen |= {("@", c.image.digest) for t in theirs.task_definitions for c in t.containers if c.image.digest}
    for arn in sorted({s.task_definition for s in mine.services}):
        task = mine.task_definition(arn)
        if task is None:
            yield verdict(Status.UNKNOWN, arn, f"task definition {arn} could not be read")
            continue
        problems = []
        for container in task.containers:
            image = container.image
            if ("@", image.digest) not in seen and _identity(ctx.env, image) not in seen:
                problems.append((Status.FAIL, f"image {image.uri} of container {container.name} was never "
                                              f"deployed in {ctx.compared.name}"))
            elif not image.digest and (image.tag or "latest") in MUTABLE_TAGS:
                problems.append((Status.WARN, f"image tag {image.tag or 'latest'} of container {container.name} "
                                              "moves: the same tag may not be the same image"))
        yield judged(task.arn, problems, f"{ctx.env.name} task definition {task.family}:{task.revision}",
                     f"runs only images first deployed in {ctx.compared.name}", region=task.region,
                     images=[c.image.uri for c in task.containers])


def _identity(view: EnvView, image: Image) -> tuple[str, str | None]:
    return view.common_name(image.repository.rsplit("/", 1)[-1]), image.digest or image.tag or "latest"


@check("deployment.ecr_immutable_scanned", area="deployment", title="Images immutable and scanned",
       severity=Severity.MEDIUM, needs=("ecr", "ecs"),
       good="Running images come from ECR repositories with immutable tags and scanning on push.")
def ecr_immutable_scanned(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: images are built once and promoted, so a mutable or unscanned staging repository is
    where an untested or vulnerable image enters the path to production."""
    registry, ecs = ctx.env.inventory(EcrInventory), ctx.env.inventory(EcsInventory)
    judged_repos = {r.arn: r for r in registry.repositories if belongs(ctx.env.select, r.name)}
    in_use = {s.task_definition for s in ecs.services}
    images = {c.image.uri: c.image for t in ecs.task_definitions if t.arn in in_use for c in t.containers}
    for image in images.values():
        mine = image.account == ctx.env.account
        repository = registry.repository(image.repository, image.ecr_region) if mine else None
        if repository is not None:
            judged_repos[repository.arn] = repository
        else:
            yield _image_outside_registry(ctx, image)
    for repository in judged_repos.values():
        yield _repository_judged(ctx, repository, registry.registry_scans_all_on_push.get(repository.region, False))


def _image_outside_registry(ctx: CheckContext, image: Image) -> Verdict:
    if image.account is None:
        return verdict(Status.WARN, image.uri, f"{ctx.env.name} runs image {image.uri}, which is not from ECR: "
                       "nobody here controls whether its tags are immutable or scanned")
    if image.account == ctx.env.account:
        return verdict(Status.UNKNOWN, image.uri, f"{ctx.env.name} runs image {image.uri}, whose repository "
                       "was not found in the registry", region=image.ecr_region)
    return verdict(Status.UNKNOWN, image.uri, f"{ctx.env.name} runs image {image.uri} from account "
                   f"{image.account}'s registry, which is outside this environment: check that repository there",
                   region=image.ecr_region)


def _repository_judged(ctx: CheckContext, repository: Repository, registry_scans: bool) -> Verdict:
    problems = []
    if not repository.tag_mutability.startswith("IMMUTABLE"):
        problems.append((Status.FAIL, "has mutable tags: a pushed tag can be overwritten after it was tested"))
    if not (repository.scan_on_push or registry_scans):
        problems.append((Status.FAIL, "does not scan images on push"))
    return judged(repository.arn, problems, f"{ctx.env.name} ECR repository {repository.name}",
                  "has immutable tags and scans images on push", region=repository.region,
                  tag_mutability=repository.tag_mutability, scan_on_push=repository.scan_on_push or registry_scans)


@check("deployment.pipeline_approval", area="deployment", title="Production releases need approval",
       severity=Severity.HIGH, needs=("codepipeline",), tiers=PRODUCTION,
       good="Every pipeline that deploys to production waits for a manual approval before the production stage.")
def pipeline_approval(ctx: CheckContext) -> Iterator[Verdict]:
    for pipeline in ctx.env.inventory(PipelineInventory).pipelines:
        deploy = _production_deploy(ctx, pipeline)
        if deploy is None:
            continue  # builds or tests only: nothing reaches production through it
        stage_index, run_order = deploy
        stage = pipeline.stages[stage_index].name
        approvals = [s.name for i, s in enumerate(pipeline.stages) for a in s.actions if a.category == "Approval"
                     and (i < stage_index or i == stage_index and a.run_order < run_order)]
        subject = f"pipeline {pipeline.name}"
        if approvals:
            yield verdict(Status.PASS, pipeline.arn, f"{subject} waits for manual approval (stage {approvals[-1]}) "
                          f"before deploying to {ctx.env.name} in stage {stage}", region=pipeline.region, stage=stage)
        else:
            yield verdict(Status.FAIL, pipeline.arn, f"{subject} deploys to {ctx.env.name} in stage {stage} with no "
                          "manual approval before it", region=pipeline.region, stage=stage)


def _production_deploy(ctx: CheckContext, pipeline: Pipeline) -> tuple[int, int] | None:
    """(stage index, run order) of the first deploy action that reaches production, if any."""
    deploys = [(i, a) for i, stage in enumerate(pipeline.stages) for a in stage.actions if a.category == "Deploy"]
    for i, action in deploys:
        stage = pipeline.stages[i].name
        if PRODUCTION_WORD.search(stage) or PRODUCTION_WORD.search(action.name) or any(
                belongs(ctx.env.select, target) for target in action.targets.values()):
            return i, action.run_order
    # A pipeline of the production environment that names no stage: its last deployment is production's.
    return (deploys[-1][0], deploys[-1][1].run_order) if deploys else None


@check("deployment.codedeploy_rollback", area="deployment", title="Gradual traffic shifting with alarm rollback",
       severity=Severity.MEDIUM, needs=("codedeploy",), tiers=PRODUCTION,
       good="Every production deployment group rolls back automatically when a deployment fails or an alarm fires.")
def codedeploy_rollback(ctx: CheckContext) -> Iterator[Verdict]:
    for group in ctx.env.inventory(CodeDeployInventory).deployment_groups:
        yield judged(group.arn, _rollback_problems(group), f"{ctx.env.name} deployment group "
                     f"{group.application}/{group.name}", "rolls back automatically on failure and on alarms "
                     f"({', '.join(group.alarms)})", region=group.region, rollback_events=group.rollback_events)


def _rollback_problems(group: DeploymentGroup) -> list[tuple[Status, str]]:
    problems = []
    if "DEPLOYMENT_FAILURE" not in group.rollback_events:
        problems.append((Status.FAIL, "does not roll back automatically when a deployment fails"))
    if "DEPLOYMENT_STOP_ON_ALARM" not in group.rollback_events or not (group.alarms_enabled and group.alarms):
        problems.append((Status.WARN, "does not roll back when an alarm fires: a release that hurts users stays"))
    return problems
