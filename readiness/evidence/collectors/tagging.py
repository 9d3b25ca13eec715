"""Resource Groups Tagging: every tagged resource of the environment with its tags, across services, in one listing."""
from __future__ import annotations

import re

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs

# Services whose ARNs name the resource without its type.
UNQUALIFIED = {"s3": "bucket", "sqs": "queue", "sns": "topic"}
ARN = re.compile(r"^arn:[^:]+:(?P<service>[^:]+):[^:]*:[^:]*:(?P<resource>.+)$")


class TaggedResource(Resource):
    type: str  # service:resource-type, e.g. ecs:service, rds:db, s3:bucket


class TaggingInventory(Inventory):
    collector = "tagging"
    resources: list[TaggedResource] = []


def split_arn(arn: str) -> tuple[str, str]:
    """("ecs:service", "nw-prod/api") from an ARN: the resource's type and its name (what follows the type)."""
    match = ARN.match(arn)
    if not match:
        return "unknown", arn
    service, resource = match["service"], match["resource"]
    cut = min((i for i in (resource.find("/"), resource.find(":")) if i >= 0), default=-1)
    if cut < 0:
        return f"{service}:{UNQUALIFIED.get(service, 'resource')}", resource
    return f"{service}:{resource[:cut]}", resource[cut + 1:]


@collector("tagging", actions=["tag:GetResources"], inventory=TaggingInventory)
def collect_tagging(ctx: CollectContext) -> TaggingInventory:
    # AWS lists the resources that carry or once carried a tag: a resource never tagged at all is not
    # in this listing, and the environment's selector tags are what usually puts a resource in it.
    client = ctx.client("resourcegroupstaggingapi")
    select = ctx.select
    filters = {} if select.name_prefix or not select.tags else {
        "TagFilters": [{"Key": k, "Values": [v]} for k, v in select.tags.items()]}
    resources = []
    for item in paged(client, "get_resources", "ResourceTagMappingList", ResourcesPerPage=100, **filters):
        arn = item["ResourceARN"]
        kind, name = split_arn(arn)
        tags = tag_dict(item.get("Tags"))
        if belongs(select, name, tags):
            resources.append(TaggedResource(name=name, arn=arn, region=ctx.region, tags=tags, type=kind))
    return TaggingInventory(resources=resources)
