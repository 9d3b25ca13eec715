"""RDS: the environment's database instances and Aurora clusters, with encryption and resilience settings."""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict, utc
from readiness.evidence.naming import belongs


class Database(Resource):
    kind: str  # instance | cluster
    engine: str | None = None
    storage_encrypted: bool = False
    kms_key_id: str | None = None
    multi_az: bool = False
    availability_zones: list[str] = []
    backup_retention_days: int = 0
    deletion_protection: bool = False
    replica_of: str | None = None  # the source this database replicates, when it is a read replica
    read_replicas: list[str] = []  # its read replicas, or an Aurora cluster's reader instances
    latest_restorable_time: dt.datetime | None = None  # newest point in time automated backups can restore


class Snapshot(BaseModel):
    """A restorable copy of one of the environment's databases."""

    name: str
    arn: str
    region: str
    database: str  # the instance or cluster it was taken of
    kind: str  # instance | cluster
    type: str | None = None  # manual | automated | awsbackup | shared | public
    status: str | None = None
    created: dt.datetime | None = None


class RdsInventory(Inventory):
    collector = "rds"
    databases: list[Database] = []
    snapshots: list[Snapshot] = []


@collector("rds", inventory=RdsInventory, actions=[
    "rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots",
])
def collect_rds(ctx: CollectContext) -> RdsInventory:
    client = ctx.client("rds")
    databases = []
    for c in paged(client, "describe_db_clusters", "DBClusters"):
        tags = tag_dict(c.get("TagList"))
        if belongs(ctx.select, c["DBClusterIdentifier"], tags):
            databases.append(Database(
                name=c["DBClusterIdentifier"], arn=c["DBClusterArn"], region=ctx.region, tags=tags, kind="cluster",
                engine=c.get("Engine"), storage_encrypted=bool(c.get("StorageEncrypted")), kms_key_id=c.get("KmsKeyId"),
                multi_az=bool(c.get("MultiAZ")), availability_zones=sorted(c.get("AvailabilityZones", [])),
                backup_retention_days=c.get("BackupRetentionPeriod", 0),
                deletion_protection=bool(c.get("DeletionProtection")),
                replica_of=c.get("ReplicationSourceIdentifier"),
                read_replicas=sorted(m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers", [])
                                     if not m.get("IsClusterWriter")),
                latest_restorable_time=utc(c.get("LatestRestorableTime"))))
    for i in paged(client, "describe_db_instances", "DBInstances"):
        tags = tag_dict(i.get("TagList"))
        if i.get("DBClusterIdentifier") or not belongs(ctx.select, i["DBInstanceIdentifier"], tags):
            continue  # members of a cluster are judged with their cluster
        zones = [z for z in (i.get("AvailabilityZone"), i.get("SecondaryAvailabilityZone")) if z]
        databases.append(Database(
            name=i["DBInstanceIdentifier"], arn=i["DBInstanceArn"], region=ctx.region, tags=tags, kind="instance",
            engine=i.get("Engine"), storage_encrypted=bool(i.get("StorageEncrypted")), kms_key_id=i.get("KmsKeyId"),
            multi_az=bool(i.get("MultiAZ")), availability_zones=sorted(zones),
            backup_retention_days=i.get("BackupRetentionPeriod", 0),
            deletion_protection=bool(i.get("DeletionProtection")),
            replica_of=i.get("ReadReplicaSourceDBInstanceIdentifier"),
            read_replicas=sorted(i.get("ReadReplicaDBInstanceIdentifiers", [])),
            latest_restorable_time=utc(i.get("LatestRestorableTime"))))
    return RdsInventory(databases=databases, snapshots=_snapshots(ctx, client, databases))


def _snapshots(ctx: CollectContext, client: Any, databases: list[Database]) -> list[Snapshot]:
    """Snapshots of the environment's databases: one listing per kind, not a call per database."""
    names = {(d.kind, d.name) for d in databases}
    if not names:
        return []
    found = [Snapshot(name=s["DBSnapshotIdentifier"], arn=s["DBSnapshotArn"], region=ctx.region, kind="instance",
                      database=s["DBInstanceIdentifier"], type=s.get("SnapshotType"), status=s.get("Status"),
                      created=utc(s.get("SnapshotCreateTime")))
             for s in paged(client, "describe_db_snapshots", "DBSnapshots")]
    if any(kind == "cluster" for kind, _ in names):
        found += [Snapshot(name=s["DBClusterSnapshotIdentifier"], arn=s["DBClusterSnapshotArn"], region=ctx.region,
                           kind="cluster", database=s["DBClusterIdentifier"], type=s.get("SnapshotType"),
                           status=s.get("Status"), created=utc(s.get("SnapshotCreateTime")))
                  for s in paged(client, "describe_db_cluster_snapshots", "DBClusterSnapshots")]
    return [s for s in found if (s.kind, s.database) in names]
