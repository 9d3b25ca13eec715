"""Environment consistency checks, judged from plain inventories of staging and production."""
from __future__ import annotations

import datetime as dt

import pytest
from evidence_fixtures import NOW, PRODUCTION_ACCOUNT, STAGING_ACCOUNT

from readiness.evidence.collectors.dynamodb import DynamoDbInventory, Table
from readiness.evidence.collectors.kms import Key, KmsInventory
from readiness.evidence.collectors.logs import LogGroup, LogsInventory
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.collectors.secretsmanager import Secret, SecretsInventory
from readiness.evidence.collectors.ssm import Parameter, SsmInventory
from readiness.evidence.model import Status

REGION = "us-east-1"
LONG_AGO = NOW - dt.timedelta(days=90)
PROD_KEY = f"arn:aws:kms:{REGION}:{PRODUCTION_ACCOUNT}:key/prod-cmk"


def keys(account: str, *customer: str) -> KmsInventory:
    return KmsInventory(account=account, keys=[
        Key(key_id=k.rsplit("/", 1)[-1], arn=k, region=REGION, manager="customer") for k in customer])


def parameter(env: str, name: str, *, type: str = "String", key_id: str | None = None,
              changed: dt.datetime = LONG_AGO) -> Parameter:
    account = PRODUCTION_ACCOUNT if env == "production" else STAGING_ACCOUNT
    full = f"/northwind/{env}/{name}"
    return Parameter(name=full, arn=f"arn:aws:ssm:{REGION}:{account}:parameter{full}", region=REGION, type=type,
                     key_id=key_id, last_modified=changed)


def ssm(production: list[Parameter], staging: list[Parameter], judged, prod_keys: KmsInventory | None = None):
    return judged("environment.ssm_parity", [SsmInventory(parameters=production),
                                             prod_keys or keys(PRODUCTION_ACCOUNT)],
                  [SsmInventory(parameters=staging), keys(STAGING_ACCOUNT)])


def test_ssm_parity_passes_for_parameters_alike_in_both(judged):
    [finding] = ssm([parameter("production", "db/pool-size")], [parameter("staging", "db/pool-size")], judged)
    assert finding.status == Status.PASS and finding.baseline == "staging" and finding.environment == "production"
    assert finding.resource.endswith(":parameter/northwind/production/db/pool-size")
    assert finding.controls == ["ENV-01"] and finding.account == PRODUCTION_ACCOUNT


def test_ssm_parity_fails_for_a_parameter_missing_on_either_side(judged):
    findings = ssm([parameter("production", "db/pool-size")], [parameter("staging", "feature/flags")], judged)
    messages = {f.message: f for f in findings}
    assert {f.status for f in findings} == {Status.FAIL}
    assert "production parameter db/pool-size has no counterpart in staging" in messages
    staging_only = messages["staging parameter feature/flags has no counterpart in production"]
    assert staging_only.account == STAGING_ACCOUNT and ":parameter/northwind/staging/" in staging_only.resource


def test_ssm_parity_fails_when_a_secure_parameter_is_plain_text_on_one_side(judged):
    [finding] = ssm([parameter("production", "db/url", type="String")],
                    [parameter("staging", "db/url", type="SecureString", key_id="alias/aws/ssm")], judged)
    assert finding.status == Status.FAIL
    assert "type is String in production but SecureString in staging" in finding.message


def test_ssm_parity_warns_on_a_customer_key_or_a_recent_change_on_one_side_only(judged):
    [finding] = ssm(
        [parameter("production", "db/url", type="SecureString", key_id=PROD_KEY, changed=NOW - dt.timedelta(days=1))],
        [parameter("staging", "db/url", type="SecureString", key_id="alias/aws/ssm")], judged,
        prod_keys=keys(PRODUCTION_ACCOUNT, PROD_KEY))
    assert finding.status == Status.WARN
    assert "a customer-managed key in production but an AWS-managed key in staging" in finding.message
    assert "changed in the last 7 days in production only" in finding.message


def test_ssm_parity_cannot_tell_a_key_it_does_not_know(judged):
    [finding] = ssm([parameter("production", "db/url", type="SecureString", key_id="alias/gone")],
                    [parameter("staging", "db/url", type="SecureString", key_id="alias/aws/ssm")], judged)
    assert finding.status == Status.UNKNOWN and "could not tell which kind of key" in finding.message


def test_ssm_parity_is_unknown_when_parameters_could_not_be_read(judged):
    [finding] = judged("environment.ssm_parity", [keys(PRODUCTION_ACCOUNT)],
                       [SsmInventory(parameters=[parameter("staging", "x")]), keys(STAGING_ACCOUNT)],
                       unknown={"ssm": "AccessDenied: ssm:DescribeParameters"})
    assert finding.status == Status.UNKNOWN and finding.resource == "production"
    assert "AccessDenied: ssm:DescribeParameters" in finding.message


def test_ssm_parity_with_no_parameters_anywhere_is_not_applicable(judged):
    [finding] = ssm([], [], judged)
    assert finding.status == Status.NOT_APPLICABLE


def secret(env: str, name: str, *, rotation: bool = True, key: str | None = None,
           changed: dt.datetime = LONG_AGO) -> Secret:
    account = PRODUCTION_ACCOUNT if env == "production" else STAGING_ACCOUNT
    return Secret(name=f"northwind/{env}/{name}", arn=f"arn:aws:secretsmanager:{REGION}:{account}:secret:"
                  f"northwind/{env}/{name}-AbCdEf", region=REGION, rotation_enabled=rotation, kms_key_id=key,
                  last_changed=changed)


def secrets(production: list[Secret], staging: list[Secret], judged):
    return judged("environment.secrets_parity", [SecretsInventory(secrets=production),
                                                 keys(PRODUCTION_ACCOUNT, PROD_KEY)],
                  [SecretsInventory(secrets=staging), keys(STAGING_ACCOUNT)])


def test_secrets_parity_passes_for_secrets_alike_in_both(judged):
    [finding] = secrets([secret("production", "db")], [secret("staging", "db", changed=LONG_AGO + dt.timedelta(1))],
                        judged)
    assert finding.status == Status.PASS and finding.message == "production secret db matches staging"


def test_secrets_parity_fails_when_production_does_not_rotate_what_staging_rotates(judged):
    [finding] = secrets([secret("production", "db", rotation=False)], [secret("staging", "db")], judged)
    assert finding.status == Status.FAIL and "rotation is on in staging only" in finding.message


def test_secrets_parity_warns_on_key_kind_and_a_long_gap_between_changes(judged):
    [finding] = secrets([secret("production", "db", key=PROD_KEY, changed=NOW)],
                        [secret("staging", "db", changed=NOW - dt.timedelta(days=45))], judged)
    assert finding.status == Status.WARN
    assert "changed in production 45 days after staging" in finding.message
    assert "customer-managed key in production but an AWS-managed key in staging" in finding.message


def test_secrets_parity_fails_for_a_secret_missing_in_production(judged):
    [finding] = secrets([], [secret("staging", "broker-api-key")], judged)
    assert finding.status == Status.FAIL
    assert finding.message == "staging secret broker-api-key has no counterpart in production"


def test_secrets_parity_is_unknown_when_keys_could_not_be_read(judged):
    [finding] = judged("environment.secrets_parity", [SecretsInventory(secrets=[secret("production", "db")])],
                       [SecretsInventory(), keys(STAGING_ACCOUNT)], unknown={"kms": "AccessDenied: kms:ListAliases"})
    assert finding.status == Status.UNKNOWN and "kms:ListAliases" in finding.message


def test_secrets_parity_with_no_secrets_is_not_applicable(judged):
    assert [f.status for f in secrets([], [], judged)] == [Status.NOT_APPLICABLE]


def stores(env: str, *, encrypted: bool = True, bucket_kms: str | None = None, table_kms: str | None = None,
           log_key: str | None = None) -> list:
    account = PRODUCTION_ACCOUNT if env == "production" else STAGING_ACCOUNT
    prefix = "nw-prod-" if env == "production" else "nw-staging-"
    return [
        RdsInventory(databases=[Database(name=f"{prefix}ledger", arn=f"arn:aws:rds:{REGION}:{account}:db:{prefix}"
                                         "ledger", region=REGION, kind="instance", storage_encrypted=encrypted,
                                         kms_key_id=f"arn:aws:kms:{REGION}:{account}:key/aws-rds")]),
        S3Inventory(buckets=[Bucket(name=f"{prefix}exports", arn=f"arn:aws:s3:::{prefix}exports", region=REGION,
                                    encryption="aws:kms" if bucket_kms else "AES256", kms_key_id=bucket_kms)]),
        DynamoDbInventory(tables=[Table(name=f"{prefix}positions", arn=f"arn:aws:dynamodb:{REGION}:{account}:table/"
                                        f"{prefix}positions", region=REGION,
                                        encryption="kms" if table_kms else "owned", kms_key_arn=table_kms)]),
        LogsInventory(log_groups=[LogGroup(name=f"/ecs/{prefix}api", arn=f"arn:aws:logs:{REGION}:{account}:"
                                           f"log-group:/ecs/{prefix}api", region=REGION, kms_key_id=log_key)]),
        KmsInventory(account=account, keys=[
            Key(key_id="aws-rds", arn=f"arn:aws:kms:{REGION}:{account}:key/aws-rds", region=REGION, manager="aws",
                aliases=["alias/aws/rds"]),
            Key(key_id="prod-cmk", arn=PROD_KEY, region=REGION, manager="customer")]),
    ]


def test_encryption_parity_passes_when_every_store_is_encrypted_alike(judged):
    findings = judged("environment.encryption_parity", stores("production"), stores("staging"))
    assert [f.status for f in findings] == [Status.PASS] * 4
    assert {f.resource.split(":")[2] for f in findings} == {"rds", "s3", "dynamodb", "logs"}


def test_encryption_parity_fails_for_an_unencrypted_database_on_one_side(judged):
    findings = judged("environment.encryption_parity", stores("production"), stores("staging", encrypted=False))
    database = next(f for f in findings if ":rds:" in f.resource)
    assert database.status == Status.FAIL
    assert database.message == ("production database ledger differs from staging: database encryption is an "
                                "AWS-managed key in production but no encryption in staging")


def test_encryption_parity_warns_on_key_kinds_that_differ(judged):
    findings = judged("environment.encryption_parity",
                      stores("production", bucket_kms=PROD_KEY, table_kms=PROD_KEY, log_key=PROD_KEY),
                      stores("staging"))
    by_service = {f.resource.split(":")[2]: f for f in findings}
    assert {k: f.status for k, f in by_service.items()} == {
        "rds": Status.PASS, "s3": Status.WARN, "dynamodb": Status.WARN, "logs": Status.WARN}
    assert "customer-managed key in production but S3-managed keys (AES256) in staging" in by_service["s3"].message


def test_encryption_parity_cannot_compare_a_resource_without_counterpart(judged):
    production = stores("production")
    findings = judged("environment.encryption_parity", production,
                      [RdsInventory(), S3Inventory(), DynamoDbInventory(), LogsInventory(), KmsInventory()])
    assert {f.status for f in findings} == {Status.NOT_APPLICABLE} and len(findings) == 4
    assert "has no counterpart in staging to compare its encryption with" in findings[0].message


@pytest.mark.parametrize("missing", ["rds", "s3", "dynamodb", "logs", "kms"])
def test_encryption_parity_is_unknown_when_any_store_could_not_be_read(judged, missing):
    production = [i for i in stores("production") if i.collector != missing]
    [finding] = judged("environment.encryption_parity", production, stores("staging"),
                       unknown={missing: "Throttled"})
    assert finding.status == Status.UNKNOWN and f"{missing} in production: Throttled" in finding.message
