"""Data protection checks of production, judged from plain inventories."""
from __future__ import annotations

import datetime as dt

from evidence_fixtures import NOW, PRODUCTION_ACCOUNT

from readiness.evidence.collectors.dynamodb import DynamoDbInventory, Table
from readiness.evidence.collectors.rds import Database, RdsInventory, Snapshot
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.model import Status

REGION = "us-east-1"


def database(name: str, *, kind: str = "instance", **settings) -> Database:
    values = dict(backup_retention_days=14, deletion_protection=True, storage_encrypted=True) | settings
    return Database(name=name, arn=f"arn:aws:rds:{REGION}:{PRODUCTION_ACCOUNT}:db:{name}", region=REGION, kind=kind,
                    **values)


def by_name(findings) -> dict:
    return {f.resource.rsplit(":", 1)[-1]: f for f in findings}


def test_database_backups_pass_for_a_protected_encrypted_database_with_enough_backups(judged):
    [finding] = judged("dataflow.database_backups", [RdsInventory(databases=[database("nw-prod-portfolio-db")])])
    assert finding.status == Status.PASS and finding.controls == ["DAT-07"]
    assert finding.message == ("production database portfolio-db keeps 14 days of backups, is encrypted and "
                               "protected from deletion")


def test_database_backups_fail_for_short_retention_no_protection_or_no_encryption(judged):
    found = by_name(judged("dataflow.database_backups", [RdsInventory(databases=[
        database("nw-prod-reporting-db", backup_retention_days=1, deletion_protection=False),
        database("nw-prod-legacy", backup_retention_days=0, storage_encrypted=False),
        database("nw-prod-reporting-db-replica", replica_of="nw-prod-reporting-db", backup_retention_days=0),
    ])]))
    reporting = found["nw-prod-reporting-db"]
    assert reporting.status == Status.FAIL and reporting.message == (
        "production database reporting-db keeps 1 day(s) of backups (want at least 7); can be deleted by accident "
        "(deletion protection off)")
    assert "has automated backups off" in found["nw-prod-legacy"].message
    assert "is not encrypted at rest" in found["nw-prod-legacy"].message
    assert found["nw-prod-reporting-db-replica"].status == Status.NOT_APPLICABLE


def test_database_backups_are_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("dataflow.database_backups", [], unknown={"rds": "AccessDenied: rds:DescribeDBInstances"})
    [nothing] = judged("dataflow.database_backups", [RdsInventory()])
    assert (unknown.status, nothing.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


def table(name: str, pitr: bool) -> Table:
    return Table(name=name, arn=f"arn:aws:dynamodb:{REGION}:{PRODUCTION_ACCOUNT}:table/{name}", region=REGION,
                 pitr=pitr)


def test_dynamodb_pitr_passes_with_recovery_on_and_fails_without(judged):
    on, off = judged("dataflow.dynamodb_pitr", [DynamoDbInventory(tables=[
        table("nw-prod-positions", True), table("nw-prod-market-prices", False)])])
    assert on.status == Status.PASS and "point-in-time recovery on" in on.message
    assert off.status == Status.FAIL and off.message.startswith(
        "production table market-prices cannot be restored to a point in time")


def test_dynamodb_pitr_is_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("dataflow.dynamodb_pitr", [], unknown={"dynamodb": "AccessDenied: dynamodb:ListTables"})
    [nothing] = judged("dataflow.dynamodb_pitr", [DynamoDbInventory()])
    assert (unknown.status, nothing.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


def bucket(name: str, **settings) -> Bucket:
    values = dict(versioning="Enabled", encryption="aws:kms", public_access_blocked=True) | settings
    return Bucket(name=name, arn=f"arn:aws:s3:::{name}", region=REGION, **values)


def test_bucket_protection_passes_for_a_versioned_encrypted_private_bucket(judged):
    [finding] = judged("dataflow.bucket_protection", [S3Inventory(buckets=[bucket("nw-prod-reports")])])
    assert finding.status == Status.PASS and finding.controls == ["DAT-08"]
    assert finding.message == ("production bucket nw-prod-reports is versioned, encrypted by default and blocks "
                               "public access")


def test_bucket_protection_fails_for_each_missing_protection(judged):
    snapshots, suspended, public = judged("dataflow.bucket_protection", [S3Inventory(buckets=[
        bucket("nw-prod-snapshots", versioning=None), bucket("nw-prod-exports", versioning="Suspended"),
        bucket("nw-prod-site", encryption=None, public_access_blocked=False)])])
    assert snapshots.status == Status.FAIL and "has versioning off" in snapshots.message
    assert "has versioning suspended" in suspended.message
    assert "has no default encryption" in public.message and "does not block public access" in public.message


def test_bucket_protection_is_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("dataflow.bucket_protection", [], unknown={"s3": "AccessDenied: s3:ListAllMyBuckets"})
    [nothing] = judged("dataflow.bucket_protection", [S3Inventory()])
    assert (unknown.status, nothing.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


def snapshot(db: str, name: str, hours_ago: float, *, status: str = "available", type: str = "manual") -> Snapshot:
    return Snapshot(name=name, arn=f"arn:aws:rds:{REGION}:{PRODUCTION_ACCOUNT}:snapshot:{name}", region=REGION,
                    database=db, kind="instance", type=type, status=status,
                    created=NOW - dt.timedelta(hours=hours_ago))


def test_snapshot_recency_passes_for_recent_automated_backups_or_a_recent_snapshot(judged):
    found = by_name(judged("dataflow.snapshot_recency", [RdsInventory(
        databases=[database("nw-prod-portfolio-db", latest_restorable_time=NOW - dt.timedelta(minutes=5)),
                   database("nw-prod-ledger", backup_retention_days=0)],
        snapshots=[snapshot("nw-prod-ledger", "ledger-nightly", 3)])]))
    assert found["nw-prod-portfolio-db"].status == Status.PASS
    assert found["nw-prod-portfolio-db"].message == (
        "production database portfolio-db can be restored to 2026-03-02 13:55 UTC (5 minutes old, from automated "
        "backups), within the 24-hour recovery point objective")
    assert found["nw-prod-ledger"].status == Status.PASS and "manual snapshot ledger-nightly" in (
        found["nw-prod-ledger"].message)


def test_snapshot_recency_fails_for_an_old_recovery_point_or_none_at_all(judged):
    found = by_name(judged("dataflow.snapshot_recency", [RdsInventory(
        databases=[database("nw-prod-reporting-db", backup_retention_days=0),
                   database("nw-prod-archive", backup_retention_days=0)],
        snapshots=[snapshot("nw-prod-reporting-db", "reporting-pre-release", 80),
                   snapshot("nw-prod-reporting-db", "reporting-copying", 1, status="creating"),
                   # left over from when automated backups were on: deleted with them
                   snapshot("nw-prod-reporting-db", "rds:nw-prod-reporting-db-daily", 2, type="automated")])]))
    assert found["nw-prod-reporting-db"].status == Status.FAIL
    assert "(3 days old, from manual snapshot reporting-pre-release): older than the 24-hour recovery point " \
           "objective" in found["nw-prod-reporting-db"].message
    assert found["nw-prod-archive"].status == Status.FAIL and "cannot be restored at all" in (
        found["nw-prod-archive"].message)


def test_snapshot_recency_is_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("dataflow.snapshot_recency", [], unknown={"rds": "AccessDenied: rds:DescribeDBSnapshots"})
    [nothing] = judged("dataflow.snapshot_recency", [RdsInventory()])
    assert unknown.status == Status.UNKNOWN and "rds:DescribeDBSnapshots" in unknown.message
    assert nothing.status == Status.NOT_APPLICABLE
