"""CodePipeline: the environment's pipelines, their stages and actions (deploy targets, approvals)."""
from __future__ import annotations

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs

# The configuration keys that say where a deploy action deploys; others (tokens, buckets) are not kept.
TARGET_KEYS = ("ClusterName", "ServiceName", "ApplicationName", "DeploymentGroupName", "StackName", "FunctionName")


class Action(BaseModel):
    name: str
    category: str  # Source | Build | Test | Approval | Deploy | Invoke
    provider: str
    run_order: int = 1
    targets: dict[str, str] = {}


class Stage(BaseModel):
    name: str
    actions: list[Action] = []


class Pipeline(Resource):
    stages: list[Stage] = []


class PipelineInventory(Inventory):
    collector = "codepipeline"
    pipelines: list[Pipeline] = []


@collector("codepipeline", inventory=PipelineInventory, actions=[
    "codepipeline:ListPipelines", "codepipeline:GetPipeline", "codepipeline:ListTagsForResource",
])
def collect_pipelines(ctx: CollectContext) -> PipelineInventory:
    client = ctx.client("codepipeline")

    def read(name: str) -> Pipeline | None:
        arn = ctx.arn("codepipeline", name)
        tags = tag_dict(list(paged(client, "list_tags_for_resource", "tags", resourceArn=arn)), "key", "value")
        if not belongs(ctx.select, name, tags):
            return None
        # GetPipeline has no batch form: one call per pipeline of this environment.
        definition = client.get_pipeline(name=name)["pipeline"]
        return Pipeline(name=name, arn=arn, region=ctx.region, tags=tags, stages=[
            Stage(name=stage["name"], actions=[
                Action(name=a["name"], category=a["actionTypeId"]["category"], provider=a["actionTypeId"]["provider"],
                       run_order=a.get("runOrder", 1),
                       targets={k: str(v) for k, v in (a.get("configuration") or {}).items() if k in TARGET_KEYS})
                for a in stage.get("actions", [])
            ])
            for stage in definition.get("stages", [])
        ])

    # Tags cost a call per pipeline: read them only for pipelines that may be this environment's.
    candidates = [s["name"] for s in paged(client, "list_pipelines", "pipelines")
                  if belongs(ctx.select, s["name"]) or ctx.select.tags]
    return PipelineInventory(pipelines=[p for p in ctx.each(read, candidates) if p is not None])
