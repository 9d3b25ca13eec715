"""S3: the environment's buckets in a region, with encryption, versioning and public access settings."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, error_code, paged, tag_dict
from readiness.evidence.naming import belongs

ABSENT = {"NoSuchTagSet", "ServerSideEncryptionConfigurationNotFoundError", "NoSuchPublicAccessBlockConfiguration"}


class Bucket(Resource):
    encryption: str | None = None  # AES256 | aws:kms | aws:kms:dsse | None (no default encryption)
    kms_key_id: str | None = None
    bucket_key: bool = False
    versioning: str | None = None  # Enabled | Suspended | None (never enabled)
    public_access_blocked: bool = False  # all four block settings on


class S3Inventory(Inventory):
    collector = "s3"
    buckets: list[Bucket] = []


@collector("s3", inventory=S3Inventory, actions=[
    "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging", "s3:GetEncryptionConfiguration",
    "s3:GetBucketVersioning", "s3:GetBucketPublicAccessBlock",
])
def collect_s3(ctx: CollectContext) -> S3Inventory:
    client = ctx.client("s3")

    def read(b: dict) -> Bucket | None:
        name = b["Name"]
        tags = None
        if not belongs(ctx.select, name):
            tags = tag_dict(_read(client.get_bucket_tagging, name, {}).get("TagSet"))
            if not belongs(ctx.select, name, tags):
                return None
        if _region(client, b) != ctx.region:
            return None
        if tags is None:
            tags = tag_dict(_read(client.get_bucket_tagging, name, {}).get("TagSet"))
        return _bucket(ctx, client, name, tags)

    candidates = [b for b in paged(client, "list_buckets", "Buckets")
                  if belongs(ctx.select, b["Name"]) or ctx.select.tags]
    return S3Inventory(buckets=[b for b in ctx.each(read, candidates) if b is not None])


def _region(client: Any, listed: dict) -> str:
    region = listed.get("BucketRegion")
    if not region:
        region = client.get_bucket_location(Bucket=listed["Name"]).get("LocationConstraint")
    return region or "us-east-1"  # the API names us-east-1 as no constraint


def _bucket(ctx: CollectContext, client: Any, name: str, tags: dict[str, str]) -> Bucket:
    rules = _read(client.get_bucket_encryption, name, {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    default = (rules[0] if rules else {}).get("ApplyServerSideEncryptionByDefault") or {}
    block = _read(client.get_public_access_block, name, {}).get("PublicAccessBlockConfiguration") or {}
    return Bucket(
        name=name, arn=f"arn:aws:s3:::{name}", region=ctx.region, tags=tags,
        encryption=default.get("SSEAlgorithm"), kms_key_id=default.get("KMSMasterKeyID"),
        bucket_key=bool(rules and rules[0].get("BucketKeyEnabled")),
        versioning=client.get_bucket_versioning(Bucket=name).get("Status"),
        public_access_blocked=bool(block) and all(block.get(k) for k in (
            "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")),
    )


def _read(operation: Any, bucket: str, absent: dict) -> dict:
    """The answer, or `absent` when the bucket simply has no such configuration."""
    try:
        return operation(Bucket=bucket)
    except ClientError as exc:
        if error_code(exc) in ABSENT:
            return absent
        raise
