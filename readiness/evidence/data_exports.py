"""Fetch an environment's portfolio exports from S3 (`data.s3` in the platform config), read-only."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from readiness.platform import Environment

ACTIONS = ("s3:ListBucket", "s3:GetObject")  # all this module may do; both read-only
MAX_OBJECT_BYTES = 1024 ** 3
S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9.\-]{3,63})/?(?P<prefix>.*)$")
CLIENT_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 5}, connect_timeout=5, read_timeout=60)


@dataclass
class FetchedExports:
    """The export files found under one S3 prefix, or why they could not be read."""

    url: str
    files: list[tuple[str, bytes]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    api_calls: int = 0
    unreadable: str | None = None


def split_url(url: str) -> tuple[str, str]:
    """`s3://bucket/prefix/` -> ("bucket", "prefix/")."""
    match = S3_URL.match(url)
    if not match:
        raise ValueError(f"{url!r} is not an S3 location like s3://bucket/prefix/")
    prefix = match["prefix"]
    return match["bucket"], prefix if not prefix or prefix.endswith("/") else prefix + "/"


def s3_client(environment: Environment, *, simulated: bool = False):
    """A client for the environment's account: its profile, then its role, then its first region.

    `simulated`: the demo's simulated AWS, reached with fake credentials and never the user's own.
    """
    aws = environment.aws
    region = aws.regions[0]
    if simulated:
        session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name=region)
    else:
        session = boto3.Session(profile_name=aws.profile, region_name=region)
    if aws.role_arn:
        sts = session.client("sts", endpoint_url=aws.endpoint_url, config=CLIENT_CONFIG)
        extra = {"ExternalId": aws.external_id} if aws.external_id else {}
        credentials = sts.assume_role(RoleArn=aws.role_arn, RoleSessionName="readiness-data", **extra)["Credentials"]
        session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"], region_name=region)
    return session.client("s3", endpoint_url=aws.endpoint_url, config=CLIENT_CONFIG)


def fetch_exports(client, url: str, *, is_export: Callable[[str], bool], page_size: int = 1000) -> FetchedExports:
    """Every export object directly under the prefix (not in its sub-folders), by its base name."""
    bucket, prefix = split_url(url)
    fetched = FetchedExports(url=url)
    keys: list[tuple[str, int]] = []
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, Delimiter="/", PaginationConfig={"PageSize": page_size})
        for page in pages:
            fetched.api_calls += 1
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if name and is_export(name):
                    keys.append((item["Key"], item["Size"]))
                elif name:
                    fetched.ignored.append(name)
    except (ClientError, BotoCoreError) as exc:
        fetched.unreadable = f"{_reason(exc)}: s3:ListBucket on {bucket}"
        return fetched
    for key, size in keys:
        if size > MAX_OBJECT_BYTES:
            fetched.unreadable = f"s3://{bucket}/{key} is {size:,} bytes, over the {MAX_OBJECT_BYTES:,} read here"
            return fetched
        try:
            fetched.api_calls += 1
            body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            fetched.unreadable = f"{_reason(exc)}: s3:GetObject on s3://{bucket}/{key}"
            return fetched
        fetched.files.append((key[len(prefix):], body))
    return fetched


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code") or str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "error"))
        return "AccessDenied" if code in ("403", "AccessDenied") else code
    return type(exc).__name__
