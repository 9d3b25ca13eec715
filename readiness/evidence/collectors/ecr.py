"""ECR: repositories with their tag mutability and scanning, and the registry's scanning rules."""
from __future__ import annotations

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged


class Repository(Resource):
    uri: str
    tag_mutability: str  # MUTABLE | IMMUTABLE | IMMUTABLE_WITH_EXCLUSION | MUTABLE_WITH_EXCLUSION
    scan_on_push: bool = False


class EcrInventory(Inventory):
    collector = "ecr"
    repositories: list[Repository] = []
    # per region: True when the registry scans every repository on push (enhanced or basic, filter "*")
    registry_scans_all_on_push: dict[str, bool] = {}

    def repository(self, name: str, region: str | None = None) -> Repository | None:
        return next((r for r in self.repositories if r.name == name and region in (None, r.region)), None)


@collector("ecr", actions=["ecr:DescribeRepositories", "ecr:GetRegistryScanningConfiguration"],
           inventory=EcrInventory)
def collect_ecr(ctx: CollectContext) -> EcrInventory:
    # Every repository of the registry: images are often shared across environments, so the checks pick
    # the repositories an environment's task definitions pull from, not only those named after it.
    client = ctx.client("ecr")
    repositories = [
        Repository(name=r["repositoryName"], arn=r["repositoryArn"], region=ctx.region, uri=r["repositoryUri"],
                   tag_mutability=r.get("imageTagMutability", "MUTABLE"),
                   scan_on_push=bool((r.get("imageScanningConfiguration") or {}).get("scanOnPush")))
        for r in paged(client, "describe_repositories", "repositories")
    ]
    scanning = client.get_registry_scanning_configuration().get("scanningConfiguration") or {}
    scans_all = any(
        rule.get("scanFrequency") in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")
        and any(f.get("filter") == "*" for f in rule.get("repositoryFilters", []))
        for rule in scanning.get("rules", [])
    )
    return EcrInventory(repositories=repositories, registry_scans_all_on_push={ctx.region: scans_all})
