"""Collectors of configuration against the simulated AWS: Parameter Store, Secrets Manager, KMS."""
from __future__ import annotations

from readiness.evidence.collectors.kms import KmsInventory
from readiness.evidence.collectors.secretsmanager import SecretsInventory
from readiness.evidence.collectors.ssm import SsmInventory


def test_ssm_reads_the_parameters_under_the_environments_path_without_their_values(account, environment, read):
    ssm = account.client("ssm")
    ssm.put_parameter(Name="/northwind/production/db/url", Value="postgres://secret", Type="SecureString")
    ssm.put_parameter(Name="/northwind/production/db/pool-size", Value="20", Type="String")
    ssm.put_parameter(Name="/northwind/staging/db/url", Value="x", Type="String")
    record = read("ssm", environment(account=account, ssm_path="/northwind/production/"))
    assert record.status == "ok" and record.account == account.id
    parameters = {p.name: p for p in SsmInventory.model_validate(record.payload).parameters}
    assert set(parameters) == {"/northwind/production/db/url", "/northwind/production/db/pool-size"}
    secure = parameters["/northwind/production/db/url"]
    assert secure.type == "SecureString" and secure.key_id == "alias/aws/ssm"
    assert secure.arn == f"arn:aws:ssm:us-east-1:{account.id}:parameter/northwind/production/db/url"
    assert secure.last_modified is not None and secure.last_modified.tzinfo is not None
    assert "postgres://secret" not in str(record.payload)


def test_ssm_without_a_path_selects_parameters_by_name_prefix(account, environment, read):
    account.client("ssm").put_parameter(Name="nw-prod-feature-flags", Value="{}", Type="String")
    account.client("ssm").put_parameter(Name="other-team-flags", Value="{}", Type="String")
    record = read("ssm", environment(account=account))
    assert [p.name for p in SsmInventory.model_validate(record.payload).parameters] == ["nw-prod-feature-flags"]


def test_ssm_in_an_empty_account_is_read_as_none_found(account, environment, read):
    record = read("ssm", environment(account=account, ssm_path="/northwind/production/"))
    assert record.status == "ok"
    assert SsmInventory.model_validate(record.payload).parameters == []


def test_ssm_denied_is_unknown_with_the_missing_permission(account, environment, read, deny):
    record = read("ssm", environment(account=account, ssm_path="/northwind/production/"),
                  hooks=(deny("DescribeParameters"),))
    assert record.status == "unknown"
    assert record.reason == "AccessDenied: ssm:DescribeParameters"
    assert record.payload is None


def test_secrets_are_read_as_metadata_with_rotation_and_key(account, environment, read):
    secrets = account.client("secretsmanager")
    key = account.client("kms").create_key()["KeyMetadata"]["Arn"]
    secrets.create_secret(Name="northwind/production/db", SecretString="hunter2", KmsKeyId=key)
    secrets.create_secret(Name="northwind/production/api-token", SecretString="hunter3")
    secrets.create_secret(Name="northwind/staging/db", SecretString="x")
    secrets.create_secret(Name="reports/northwind/production/x", SecretString="x")
    record = read("secretsmanager", environment(account=account, secrets_prefix="northwind/production/"))
    found = {s.name: s for s in SecretsInventory.model_validate(record.payload).secrets}
    assert set(found) == {"northwind/production/db", "northwind/production/api-token"}
    assert found["northwind/production/db"].kms_key_id == key
    assert found["northwind/production/api-token"].kms_key_id is None
    assert not found["northwind/production/db"].rotation_enabled
    assert "hunter2" not in str(record.payload)


def test_secrets_in_an_empty_account_are_none_found(account, environment, read):
    record = read("secretsmanager", environment(account=account, secrets_prefix="northwind/production/"))
    assert record.status == "ok" and SecretsInventory.model_validate(record.payload).secrets == []


def test_secrets_denied_is_unknown(account, environment, read, deny):
    record = read("secretsmanager", environment(account=account), hooks=(deny("ListSecrets", "AccessDenied"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: secretsmanager:ListSecrets")


def test_kms_tells_customer_keys_from_aws_managed_ones(account, environment, read):
    kms = account.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/nw-prod-data", TargetKeyId=key["KeyId"])
    record = read("kms", environment(account=account))
    keys = KmsInventory.model_validate(record.payload)
    assert keys.kind_of(key["Arn"]) == keys.kind_of(key["KeyId"]) == keys.kind_of("alias/nw-prod-data") == "customer"
    assert keys.kind_of("alias/aws/ssm") == "aws"
    managed = next(k for k in keys.keys if "alias/aws/rds" in k.aliases)
    assert keys.kind_of(managed.arn) == "aws"
    assert keys.kind_of("arn:aws:kms:us-east-1:999999999999:key/other") == "customer"  # another account's key
    assert keys.kind_of(f"arn:aws:kms:us-east-1:{account.id}:key/missing") is None


def test_kms_in_an_empty_account_has_no_customer_keys(account, environment, read):
    record = read("kms", environment(account=account))
    assert record.status == "ok"
    assert [k for k in KmsInventory.model_validate(record.payload).keys if k.manager == "customer"] == []


def test_kms_denied_is_unknown(account, environment, read, deny):
    record = read("kms", environment(account=account), hooks=(deny("ListAliases"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: kms:ListAliases")
