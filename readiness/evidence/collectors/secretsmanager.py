"""Secrets Manager: the environment's secrets, metadata only. Never GetSecretValue."""
from __future__ import annotations

import datetime as dt

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict, utc
from readiness.evidence.naming import belongs


class Secret(Resource):
    kms_key_id: str | None = None  # None: the account's AWS-managed key aws/secretsmanager
    rotation_enabled: bool = False
    rotation_days: int | None = None
    last_changed: dt.datetime | None = None
    last_rotated: dt.datetime | None = None


class SecretsInventory(Inventory):
    collector = "secretsmanager"
    secrets: list[Secret] = []


@collector("secretsmanager", actions=["secretsmanager:ListSecrets"], inventory=SecretsInventory)
def collect_secrets(ctx: CollectContext) -> SecretsInventory:
    client = ctx.client("secretsmanager")
    prefix = ctx.select.secrets_prefix
    filters = {"Filters": [{"Key": "name", "Values": [prefix]}]} if prefix else {}
    secrets = []
    for s in paged(client, "list_secrets", "SecretList", **filters):
        tags = tag_dict(s.get("Tags"))
        if prefix and not s["Name"].startswith(prefix) or not prefix and not belongs(ctx.select, s["Name"], tags):
            continue  # the name filter matches words anywhere in the name, not only its start
        rules = s.get("RotationRules") or {}
        secrets.append(Secret(
            name=s["Name"], arn=s["ARN"], region=ctx.region, tags=tags, kms_key_id=s.get("KmsKeyId"),
            rotation_enabled=bool(s.get("RotationEnabled")), rotation_days=rules.get("AutomaticallyAfterDays"),
            last_changed=utc(s.get("LastChangedDate")), last_rotated=utc(s.get("LastRotatedDate")),
        ))
    return SecretsInventory(secrets=secrets)
