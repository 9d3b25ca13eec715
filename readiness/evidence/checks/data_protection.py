"""Data protection: databases and tables restorable, stored files versioned, private and encrypted.

Every tier is judged: staging holds the copies that restores are rehearsed with (DAT-07), and a bucket left
unversioned or public leaks or loses data in any account.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from readiness.evidence.checking import CheckContext, Verdict, verdict
from readiness.evidence.checks.deployment import judged
from readiness.evidence.collectors.dynamodb import DynamoDbInventory
from readiness.evidence.collectors.rds import Database, RdsInventory, Snapshot
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check

RESTORABLE = "available"


@check("dataflow.database_backups", area="dataflow", title="Databases backed up and protected",
       severity=Severity.CRITICAL, needs=("rds",),
       good="Every database keeps enough days of backups, is encrypted and cannot be deleted by accident.")
def database_backups(ctx: CheckContext) -> Iterator[Verdict]:
    for db in ctx.env.inventory(RdsInventory).databases:
        subject = f"{ctx.env.name} database {ctx.env.common_name(db.name)}"
        if db.replica_of:
            yield verdict(Status.NOT_APPLICABLE, db.arn, f"{subject} is a read replica of {db.replica_of}: "
                          "its source's backups are judged", region=db.region)
            continue
        yield judged(db.arn, _backup_problems(db, ctx.settings.backup_retention_days), subject,
                     f"keeps {db.backup_retention_days} days of backups, is encrypted and protected from deletion",
                     region=db.region, backup_retention_days=db.backup_retention_days)


def _backup_problems(db: Database, wanted_days: int) -> list[tuple[Status, str]]:
    problems = []
    if db.backup_retention_days == 0:
        problems.append((Status.FAIL, "has automated backups off"))
    elif db.backup_retention_days < wanted_days:
        problems.append((Status.FAIL, f"keeps {db.backup_retention_days} day(s) of backups (want at least "
                                      f"{wanted_days})"))
    if not db.deletion_protection:
        problems.append((Status.FAIL, "can be deleted by accident (deletion protection off)"))
    if not db.storage_encrypted:
        problems.append((Status.FAIL, "is not encrypted at rest"))
    return problems


@check("dataflow.dynamodb_pitr", area="dataflow", title="Tables restorable to a point in time",
       severity=Severity.HIGH, needs=("dynamodb",),
       good="Every DynamoDB table has point-in-time recovery on.")
def dynamodb_pitr(ctx: CheckContext) -> Iterator[Verdict]:
    for table in ctx.env.inventory(DynamoDbInventory).tables:
        subject = f"{ctx.env.name} table {ctx.env.common_name(table.name)}"
        if table.pitr:
            yield verdict(Status.PASS, table.arn, f"{subject} can be restored to any second of the last 35 days "
                          "(point-in-time recovery on)", region=table.region)
        else:
            yield verdict(Status.FAIL, table.arn, f"{subject} cannot be restored to a point in time (point-in-time "
                          "recovery off): a bad write or delete cannot be undone", region=table.region)


@check("dataflow.bucket_protection", area="dataflow", title="Stored files protected against loss",
       severity=Severity.HIGH, needs=("s3",),
       good="Every bucket is versioned, encrypted by default and blocks public access.")
def bucket_protection(ctx: CheckContext) -> Iterator[Verdict]:
    for bucket in ctx.env.inventory(S3Inventory).buckets:
        yield judged(bucket.arn, _bucket_problems(bucket), f"{ctx.env.name} bucket {bucket.name}",
                     "is versioned, encrypted by default and blocks public access", region=bucket.region,
                     versioning=bucket.versioning, encryption=bucket.encryption)


def _bucket_problems(bucket: Bucket) -> list[tuple[Status, str]]:
    problems = []
    if bucket.versioning != "Enabled":
        state = "suspended" if bucket.versioning == "Suspended" else "off"
        problems.append((Status.FAIL, f"has versioning {state}: an overwritten or deleted file is gone for good"))
    if not bucket.encryption:
        problems.append((Status.FAIL, "has no default encryption"))
    if not bucket.public_access_blocked:
        problems.append((Status.FAIL, "does not block public access (all four Block Public Access settings)"))
    return problems


@check("dataflow.snapshot_recency", area="dataflow", title="A recent recovery point for every database",
       severity=Severity.HIGH, needs=("rds",),
       good="Every database can be restored to a point newer than the recovery point objective.")
def snapshot_recency(ctx: CheckContext) -> Iterator[Verdict]:
    rds = ctx.env.inventory(RdsInventory)
    rpo = dt.timedelta(hours=ctx.settings.rpo_hours)
    for db in rds.databases:
        subject = f"{ctx.env.name} database {ctx.env.common_name(db.name)}"
        if db.replica_of:
            yield verdict(Status.NOT_APPLICABLE, db.arn, f"{subject} is a read replica of {db.replica_of}: "
                          "its source's recovery points are judged", region=db.region)
            continue
        newest = _newest_recovery_point(db, rds.snapshots)
        if newest is None:
            yield verdict(Status.FAIL, db.arn, f"{subject} has no automated backups and no available snapshot: "
                          "it cannot be restored at all", region=db.region)
            continue
        when, source = newest
        age = ctx.now - when
        stated = f"{subject} can be restored to {when:%Y-%m-%d %H:%M} UTC ({_age(age)} old, from {source})"
        if age <= rpo:
            yield verdict(Status.PASS, db.arn, f"{stated}, within the {ctx.settings.rpo_hours}-hour recovery point "
                          "objective", region=db.region, recovery_point=when.isoformat())
        else:
            yield verdict(Status.FAIL, db.arn, f"{stated}: older than the {ctx.settings.rpo_hours}-hour recovery "
                          "point objective", region=db.region, recovery_point=when.isoformat())


def _newest_recovery_point(db: Database, snapshots: list[Snapshot]) -> tuple[dt.datetime, str] | None:
    # Automated snapshots are part of automated backups: turning those off deletes them.
    backups_on = db.backup_retention_days > 0
    points = [(s.created, f"{s.type or 'manual'} snapshot {s.name}") for s in snapshots
              if s.database == db.name and s.kind == db.kind and s.status == RESTORABLE and s.created
              and (backups_on or s.type != "automated")]
    if backups_on and db.latest_restorable_time:
        points.append((db.latest_restorable_time, "automated backups"))
    return max(points, default=None, key=lambda point: point[0])


def _age(age: dt.timedelta) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{minutes // 60} hours" if minutes < 48 * 60 else f"{minutes // (24 * 60)} days"
