"""KMS: which keys are the customer's and which are AWS-managed, to compare encryption across environments."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, collector, paged

KeyKind = Literal["aws", "customer"]
AWS_ALIAS = "alias/aws/"


class Key(BaseModel):
    key_id: str
    arn: str
    region: str
    manager: KeyKind
    aliases: list[str] = []


class KmsInventory(Inventory):
    collector = "kms"
    keys: list[Key] = []
    account: str | None = None

    def kind_of(self, ref: str | None) -> KeyKind | None:
        """"aws" or "customer" for a key id, key ARN, alias or alias ARN; None when it cannot be told."""
        if not ref:
            return None
        if ref.startswith(AWS_ALIAS) or f":{AWS_ALIAS}" in ref:
            return "aws"
        for key in self.keys:
            if ref in (key.key_id, key.arn) or any(ref == a or ref.endswith(":" + a) for a in key.aliases):
                return key.manager
        account = ref.split(":")[4] if ref.startswith("arn:") and ref.count(":") >= 5 else None
        if account and self.account and account != self.account:
            return "customer"  # AWS-managed keys cannot be used across accounts
        return None


@collector("kms", actions=["kms:ListKeys", "kms:ListAliases"], inventory=KmsInventory)
def collect_kms(ctx: CollectContext) -> KmsInventory:
    # Two listings instead of a DescribeKey per key: AWS-managed keys are exactly those behind alias/aws/*.
    client = ctx.client("kms")
    aliases: dict[str, list[str]] = {}
    managed: set[str] = set()
    for alias in paged(client, "list_aliases", "Aliases"):
        target = alias.get("TargetKeyId")
        if target:
            aliases.setdefault(target, []).append(alias["AliasName"])
            if alias["AliasName"].startswith(AWS_ALIAS):
                managed.add(target)
    keys = {k["KeyId"]: k["KeyArn"] for k in paged(client, "list_keys", "Keys")}
    for key_id in managed - keys.keys():
        keys[key_id] = ctx.arn("kms", f"key/{key_id}")
    return KmsInventory(account=ctx.account, keys=[
        Key(key_id=key_id, arn=arn, region=ctx.region, manager="aws" if key_id in managed else "customer",
            aliases=sorted(aliases.get(key_id, [])))
        for key_id, arn in sorted(keys.items())
    ])
