"""Parameter Store: the environment's parameters, metadata only (never a value, never decrypted)."""
from __future__ import annotations

import datetime as dt

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, utc
from readiness.evidence.naming import belongs


class Parameter(Resource):
    type: str  # String | StringList | SecureString
    key_id: str | None = None  # the KMS key of a SecureString, as given when it was put
    last_modified: dt.datetime | None = None
    version: int | None = None
    tier: str | None = None


class SsmInventory(Inventory):
    collector = "ssm"
    parameters: list[Parameter] = []


@collector("ssm", actions=["ssm:DescribeParameters"], inventory=SsmInventory)
def collect_ssm(ctx: CollectContext) -> SsmInventory:
    client = ctx.client("ssm")
    path = ctx.select.ssm_path
    if path:
        found = paged(client, "describe_parameters", "Parameters",
                      ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [path.rstrip("/") or "/"]}])
    else:
        found = (p for p in paged(client, "describe_parameters", "Parameters") if belongs(ctx.select, p["Name"]))
    return SsmInventory(parameters=[
        Parameter(name=p["Name"], arn=p.get("ARN") or _arn(ctx, p["Name"]), region=ctx.region, type=p["Type"],
                  key_id=p.get("KeyId"), last_modified=utc(p.get("LastModifiedDate")), version=p.get("Version"),
                  tier=p.get("Tier"))
        for p in found
    ])


def _arn(ctx: CollectContext, name: str) -> str:
    return ctx.arn("ssm", "parameter" + (name if name.startswith("/") else "/" + name))
