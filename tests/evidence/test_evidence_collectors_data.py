"""Collectors of data stores against the simulated AWS: RDS, S3, DynamoDB, CloudWatch Logs."""
from __future__ import annotations

from readiness.evidence.collectors.dynamodb import DynamoDbInventory
from readiness.evidence.collectors.logs import LogsInventory
from readiness.evidence.collectors.rds import RdsInventory
from readiness.evidence.collectors.s3 import S3Inventory

PRODUCTION_TAG = [{"Key": "Environment", "Value": "production"}]


def test_databases_are_read_with_encryption_and_tags(account, environment, read):
    rds = account.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="nw-prod-ledger", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20,
                           StorageEncrypted=True, MultiAZ=True, BackupRetentionPeriod=7, Tags=PRODUCTION_TAG)
    rds.create_db_instance(DBInstanceIdentifier="reporting", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20)
    record = read("rds", environment(account=account))
    [db] = RdsInventory.model_validate(record.payload).databases
    assert (db.name, db.kind, db.storage_encrypted, db.multi_az, db.backup_retention_days) == (
        "nw-prod-ledger", "instance", True, True, 7)
    assert db.tags == {"Environment": "production"} and db.arn.endswith(":db:nw-prod-ledger")


def test_databases_in_an_empty_account_are_none_found(account, environment, read):
    record = read("rds", environment(account=account))
    assert record.status == "ok" and RdsInventory.model_validate(record.payload).databases == []


def test_databases_denied_is_unknown(account, environment, read, deny):
    record = read("rds", environment(account=account), hooks=(deny("DescribeDBClusters", "AccessDenied"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: rds:DescribeDBClusters")


def test_buckets_are_read_with_encryption_versioning_and_public_access(account, environment, read):
    s3 = account.client("s3")
    key = account.client("kms").create_key()["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="nw-prod-exports")
    s3.put_bucket_encryption(Bucket="nw-prod-exports", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
         "BucketKeyEnabled": True}]})
    s3.put_bucket_versioning(Bucket="nw-prod-exports", VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket="nw-prod-exports", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.create_bucket(Bucket="analytics-scratch")
    s3.put_bucket_tagging(Bucket="analytics-scratch", Tagging={"TagSet": PRODUCTION_TAG})
    s3.create_bucket(Bucket="someone-elses")
    record = read("s3", environment(account=account, tags={"Environment": "production"}))
    buckets = {b.name: b for b in S3Inventory.model_validate(record.payload).buckets}
    assert set(buckets) == {"nw-prod-exports", "analytics-scratch"}
    exports = buckets["nw-prod-exports"]
    assert (exports.encryption, exports.kms_key_id, exports.bucket_key) == ("aws:kms", key, True)
    assert exports.versioning == "Enabled" and exports.public_access_blocked
    scratch = buckets["analytics-scratch"]
    assert scratch.versioning is None and not scratch.public_access_blocked and scratch.tags == {
        "Environment": "production"}


def test_buckets_in_other_regions_are_left_to_those_regions(account, environment, read):
    account.client("s3").create_bucket(Bucket="nw-prod-eu", CreateBucketConfiguration={
        "LocationConstraint": "eu-west-1"})
    record = read("s3", environment(account=account))
    assert S3Inventory.model_validate(record.payload).buckets == []


def test_buckets_in_an_empty_account_are_none_found(account, environment, read):
    record = read("s3", environment(account=account))
    assert record.status == "ok" and S3Inventory.model_validate(record.payload).buckets == []


def test_buckets_denied_is_unknown(account, environment, read, deny):
    account.client("s3").create_bucket(Bucket="nw-prod-denied")
    record = read("s3", environment(account=account), hooks=(deny("GetBucketEncryption", "AccessDenied"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: s3:GetEncryptionConfiguration")


def test_tables_are_read_with_encryption_and_point_in_time_recovery(account, environment, read):
    dynamodb = account.client("dynamodb")
    key = account.client("kms").create_key()["KeyMetadata"]["Arn"]
    for name, extra in (("nw-prod-positions", {"SSESpecification": {"Enabled": True, "SSEType": "KMS",
                                                                      "KMSMasterKeyId": key}}),
                        ("nw-prod-sessions", {}), ("nw-staging-positions", {})):
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], **extra)
    dynamodb.update_continuous_backups(TableName="nw-prod-positions", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    record = read("dynamodb", environment(account=account))
    tables = {t.name: t for t in DynamoDbInventory.model_validate(record.payload).tables}
    assert set(tables) == {"nw-prod-positions", "nw-prod-sessions"}
    assert (tables["nw-prod-positions"].encryption, tables["nw-prod-positions"].kms_key_arn) == ("kms", key)
    assert tables["nw-prod-positions"].pitr and not tables["nw-prod-sessions"].pitr
    assert tables["nw-prod-sessions"].encryption == "owned"


def test_tables_in_an_empty_account_are_none_found(account, environment, read):
    record = read("dynamodb", environment(account=account))
    assert record.status == "ok" and DynamoDbInventory.model_validate(record.payload).tables == []


def test_tables_denied_is_unknown(account, environment, read, deny):
    record = read("dynamodb", environment(account=account), hooks=(deny("ListTables"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: dynamodb:ListTables")


def test_log_groups_are_read_by_any_part_of_their_path(account, environment, read):
    logs = account.client("logs")
    key = account.client("kms").create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/ecs/nw-prod-api", kmsKeyId=key)
    logs.put_retention_policy(logGroupName="/ecs/nw-prod-api", retentionInDays=90)
    logs.create_log_group(logGroupName="/aws/lambda/pricing", tags={"Environment": "production"})
    logs.create_log_group(logGroupName="/ecs/nw-staging-api")
    record = read("logs", environment(account=account, tags={"Environment": "production"}))
    groups = {g.name: g for g in LogsInventory.model_validate(record.payload).log_groups}
    assert set(groups) == {"/ecs/nw-prod-api", "/aws/lambda/pricing"}
    assert (groups["/ecs/nw-prod-api"].retention_days, groups["/ecs/nw-prod-api"].kms_key_id) == (90, key)
    assert groups["/aws/lambda/pricing"].retention_days is None
    assert not groups["/ecs/nw-prod-api"].arn.endswith(":*")


def test_log_groups_in_an_empty_account_are_none_found(account, environment, read):
    record = read("logs", environment(account=account))
    assert record.status == "ok" and LogsInventory.model_validate(record.payload).log_groups == []


def test_log_groups_denied_is_unknown(account, environment, read, deny):
    record = read("logs", environment(account=account), hooks=(deny("DescribeLogGroups"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: logs:DescribeLogGroups")
