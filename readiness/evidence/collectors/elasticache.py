"""ElastiCache: the environment's caches (standalone clusters and replication groups) that can serve hot reads."""
from __future__ import annotations

from typing import Any

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs


class Cache(Resource):
    kind: str  # cluster | replication_group
    engine: str | None = None
    status: str | None = None
    nodes: int = 0  # cache nodes, or the member clusters of a replication group


class ElastiCacheInventory(Inventory):
    collector = "elasticache"
    caches: list[Cache] = []


@collector("elasticache", inventory=ElastiCacheInventory, actions=[
    "elasticache:DescribeCacheClusters", "elasticache:DescribeReplicationGroups", "elasticache:ListTagsForResource",
])
def collect_elasticache(ctx: CollectContext) -> ElastiCacheInventory:
    client = ctx.client("elasticache")
    caches = []
    for group in paged(client, "describe_replication_groups", "ReplicationGroups"):
        tags = _tags_if_mine(ctx, client, group["ReplicationGroupId"], group.get("ARN"))
        if tags is not None:
            caches.append(Cache(name=group["ReplicationGroupId"], arn=group.get("ARN") or ctx.arn(
                "elasticache", f"replicationgroup:{group['ReplicationGroupId']}"), region=ctx.region, tags=tags,
                kind="replication_group", engine=group.get("Engine"), status=group.get("Status"),
                nodes=len(group.get("MemberClusters", []))))
    for cluster in paged(client, "describe_cache_clusters", "CacheClusters"):
        if cluster.get("ReplicationGroupId"):
            continue  # a member of a replication group, which is listed as one cache
        tags = _tags_if_mine(ctx, client, cluster["CacheClusterId"], cluster.get("ARN"))
        if tags is not None:
            caches.append(Cache(name=cluster["CacheClusterId"], arn=cluster.get("ARN") or ctx.arn(
                "elasticache", f"cluster:{cluster['CacheClusterId']}"), region=ctx.region, tags=tags,
                kind="cluster", engine=cluster.get("Engine"), status=cluster.get("CacheClusterStatus"),
                nodes=cluster.get("NumCacheNodes", 0)))
    return ElastiCacheInventory(caches=caches)


def _tags_if_mine(ctx: CollectContext, client: Any, name: str, arn: str | None) -> dict[str, str] | None:
    """The cache's tags when it belongs to the environment, else None."""
    named_mine = belongs(ctx.select, name)
    if not named_mine and not ctx.select.tags:
        return None  # tags cost a call per cache: read them only for caches that may be this environment's
    if not arn:
        return {} if named_mine else None
    tags = tag_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList"))
    return tags if named_mine or belongs(ctx.select, name, tags) else None
