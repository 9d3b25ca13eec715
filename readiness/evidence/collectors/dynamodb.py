"""DynamoDB: the environment's tables with encryption, point-in-time recovery and deletion protection."""
from __future__ import annotations

from typing import Any

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs


class Table(Resource):
    encryption: str = "owned"  # owned (AWS owned key) | aws (aws/dynamodb) | customer | kms (key to resolve)
    kms_key_arn: str | None = None
    pitr: bool = False
    deletion_protection: bool = False
    billing_mode: str | None = None


class DynamoDbInventory(Inventory):
    collector = "dynamodb"
    tables: list[Table] = []


@collector("dynamodb", inventory=DynamoDbInventory, actions=[
    "dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups",
    "dynamodb:ListTagsOfResource",
])
def collect_dynamodb(ctx: CollectContext) -> DynamoDbInventory:
    client = ctx.client("dynamodb")

    def read(name: str) -> Table | None:
        table = client.describe_table(TableName=name)["Table"]
        tags = tag_dict(list(paged(client, "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"])))
        return _table(ctx, client, table, tags) if belongs(ctx.select, name, tags) else None

    # Tags cost a call per table: read them only when the name alone does not place the table.
    candidates = [name for name in paged(client, "list_tables", "TableNames")
                  if belongs(ctx.select, name) or ctx.select.tags]
    return DynamoDbInventory(tables=[t for t in ctx.each(read, candidates) if t is not None])


def _table(ctx: CollectContext, client: Any, table: dict, tags: dict[str, str]) -> Table:
    sse = table.get("SSEDescription") or {}
    backups = client.describe_continuous_backups(TableName=table["TableName"])["ContinuousBackupsDescription"]
    pitr = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    return Table(
        name=table["TableName"], arn=table["TableArn"], region=ctx.region, tags=tags,
        encryption="kms" if sse.get("SSEType") == "KMS" and sse.get("Status", "ENABLED") in ("ENABLED", "UPDATING")
        else "owned",
        kms_key_arn=sse.get("KMSMasterKeyArn"), pitr=pitr,
        deletion_protection=bool(table.get("DeletionProtectionEnabled")),
        billing_mode=(table.get("BillingModeSummary") or {}).get("BillingMode"),
    )
