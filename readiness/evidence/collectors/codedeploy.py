"""CodeDeploy: the environment's deployment groups with their rollback and alarm settings."""
from __future__ import annotations

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs


class DeploymentGroup(Resource):
    application: str
    compute_platform: str | None = None
    auto_rollback: bool = False
    rollback_events: list[str] = []  # DEPLOYMENT_FAILURE | DEPLOYMENT_STOP_ON_ALARM | DEPLOYMENT_STOP_ON_REQUEST
    alarms_enabled: bool = False
    alarms: list[str] = []
    deployment_config: str | None = None
    ecs_services: list[str] = []


class CodeDeployInventory(Inventory):
    collector = "codedeploy"
    deployment_groups: list[DeploymentGroup] = []


@collector("codedeploy", inventory=CodeDeployInventory, actions=[
    "codedeploy:ListApplications", "codedeploy:ListDeploymentGroups", "codedeploy:GetDeploymentGroup",
    "codedeploy:ListTagsForResource",
])
def collect_codedeploy(ctx: CollectContext) -> CodeDeployInventory:
    client = ctx.client("codedeploy")

    def group_names(application: str) -> list[tuple[str, str]]:
        return [(application, name) for name in
                paged(client, "list_deployment_groups", "deploymentGroups", applicationName=application)]

    def read(named: tuple[str, str]) -> DeploymentGroup | None:
        application, name = named
        named_mine = belongs(ctx.select, application) or belongs(ctx.select, name)
        arn = ctx.arn("codedeploy", f"deploymentgroup:{application}/{name}")
        tags = tag_dict(client.list_tags_for_resource(ResourceArn=arn).get("Tags"))
        if not named_mine and not belongs(ctx.select, name, tags):
            return None
        # GetDeploymentGroup per group: BatchGetDeploymentGroups would be fewer calls, but the
        # simulated AWS of the demo does not answer it.
        return _group(ctx, client.get_deployment_group(
            applicationName=application, deploymentGroupName=name)["deploymentGroupInfo"], arn, tags)

    listed = [pair for pairs in ctx.each(group_names, list(paged(client, "list_applications", "applications")))
              for pair in pairs]
    # Tags cost a call per group: read them only for groups that may be this environment's.
    candidates = [(application, name) for application, name in listed
                  if belongs(ctx.select, application) or belongs(ctx.select, name) or ctx.select.tags]
    return CodeDeployInventory(deployment_groups=[g for g in ctx.each(read, candidates) if g is not None])


def _group(ctx: CollectContext, g: dict, arn: str, tags: dict[str, str]) -> DeploymentGroup:
    rollback = g.get("autoRollbackConfiguration") or {}
    alarms = g.get("alarmConfiguration") or {}
    return DeploymentGroup(
        name=g["deploymentGroupName"], arn=arn, region=ctx.region, tags=tags, application=g["applicationName"],
        compute_platform=g.get("computePlatform"), auto_rollback=bool(rollback.get("enabled")),
        rollback_events=sorted(rollback.get("events", [])) if rollback.get("enabled") else [],
        alarms_enabled=bool(alarms.get("enabled")), alarms=sorted(a["name"] for a in alarms.get("alarms", [])),
        deployment_config=g.get("deploymentConfigName"),
        ecs_services=[s.get("serviceName", "") for s in g.get("ecsServices", [])],
    )
