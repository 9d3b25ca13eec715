"""A small platform for the Evidence, Drift and Settings page tests: two accounts in moto, a two-check checklist."""
from __future__ import annotations

from pathlib import Path

import boto3
from sqlalchemy.engine import Engine

from readiness.auth import LOCAL_USER
from readiness.platform import Platform, parse_platform
from readiness.store import session_scope
from readiness.store import assessments as repo

REGION = "us-east-1"
ACCOUNTS = {"staging": "111111111111", "production": "222222222222"}
NAME = "Tidewater Wealth"

# Two parity checks only: each test reads two services, so the page tests stay fast.
CHECKLIST = """\
id: parity-only
title: Parity only
version: "1"
areas:
  - id: environment
    title: Environment consistency
    weight: 1
    controls:
      - id: ENV-01
        title: Configuration matches across environments
        question: Do staging and production hold the same parameters and secrets?
        why: Staging proves nothing about production otherwise.
        guidance: Keep them in step.
        weight: 1
        blocker: true
        checks: [environment.ssm_parity, environment.secrets_parity]
"""

PLATFORM = """\
name: {name}
checklist: {checklist}
environments:
  - name: staging
    tier: staging
    aws: {{role_arn: "arn:aws:iam::111111111111:role/readiness-readonly", external_id: tidewater, regions: [us-east-1]}}
    select: {{name_prefix: tw-staging-, ssm_path: /tw/staging/, secrets_prefix: tw/staging/}}
  - name: production
    tier: production
    aws: {{role_arn: "arn:aws:iam::222222222222:role/readiness-readonly", external_id: tidewater, regions: [us-east-1]}}
    select: {{name_prefix: tw-prod-, ssm_path: /tw/production/, secrets_prefix: tw/production/}}
compare: [[staging, production]]
"""


def small_platform(folder: Path) -> Platform:
    checklist = folder / "parity-only.yaml"
    checklist.write_text(CHECKLIST, encoding="utf-8")
    return parse_platform(PLATFORM.format(name=NAME, checklist=checklist), str(folder / "tidewater.yaml"))


def register(engine: Engine, platform: Platform) -> int:
    with session_scope(engine) as session:
        return repo.save_platform(session, platform=platform, actor=LOCAL_USER).id


def account_client(environment: str, service: str):
    """A client acting inside the environment's simulated account (moto routes assumed-role calls there)."""
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNTS[environment]}:role/builder", RoleSessionName="builder")["Credentials"]
    return boto3.client(service, region_name=REGION, aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def seed_drift() -> None:
    """Staging and production alike but for three things: a parameter's type, one missing each way."""
    ssm = {env: account_client(env, "ssm") for env in ACCOUNTS}
    for env in ACCOUNTS:
        ssm[env].put_parameter(Name=f"/tw/{env}/db/url", Value="postgres://db", Type="String")
    ssm["staging"].put_parameter(Name="/tw/staging/broker/account", Value="1", Type="SecureString")
    ssm["production"].put_parameter(Name="/tw/production/broker/account", Value="1", Type="String")
    ssm["staging"].put_parameter(Name="/tw/staging/rebalance/threshold", Value="25", Type="String")
    ssm["production"].put_parameter(Name="/tw/production/legacy/export", Value="/tmp", Type="String")
    for env in ACCOUNTS:
        account_client(env, "secretsmanager").create_secret(Name=f"tw/{env}/db/password", SecretString="x")
