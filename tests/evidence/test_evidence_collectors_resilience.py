"""Collectors of zones, caches, recovery points and tags against the simulated AWS."""
from __future__ import annotations

from readiness.evidence.collectors.ec2_subnets import SubnetInventory
from readiness.evidence.collectors.elasticache import ElastiCacheInventory
from readiness.evidence.collectors.rds import RdsInventory
from readiness.evidence.collectors.tagging import TaggingInventory

OWNED = [{"Key": "Owner", "Value": "portfolio-engineering"}, {"Key": "Tier", "Value": "critical"}]


def test_subnets_are_read_with_their_zones(account, environment, read, monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # no machine images needed: much faster
    ec2 = account.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
    record = read("ec2_subnets", environment(account=account))
    inventory = SubnetInventory.model_validate(record.payload)
    assert record.status == "ok" and inventory.zone_of(subnet) == "us-east-1c"
    assert inventory.zone_of("subnet-not-there") is None


def test_subnets_denied_is_unknown(account, environment, read, deny):
    record = read("ec2_subnets", environment(account=account),
                  hooks=(deny("DescribeSubnets", "UnauthorizedOperation"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: ec2:DescribeSubnets")


def test_caches_are_read_as_standalone_clusters_and_replication_groups_of_the_environment(account, environment, read):
    cache = account.client("elasticache")
    cache.create_cache_cluster(CacheClusterId="nw-prod-portfolio-cache", Engine="redis",
                               CacheNodeType="cache.t4g.small", NumCacheNodes=1, Tags=OWNED)
    cache.create_cache_cluster(CacheClusterId="other-team-cache", Engine="redis", CacheNodeType="cache.t4g.small",
                               NumCacheNodes=1)
    cache.create_replication_group(ReplicationGroupId="nw-prod-prices", ReplicationGroupDescription="prices",
                                   Engine="redis", CacheNodeType="cache.t4g.small", NumCacheClusters=2)
    record = read("elasticache", environment(account=account))
    caches = {c.name: c for c in ElastiCacheInventory.model_validate(record.payload).caches}
    assert sorted(caches) == ["nw-prod-portfolio-cache", "nw-prod-prices"]
    assert caches["nw-prod-portfolio-cache"].tags["Owner"] == "portfolio-engineering"
    assert (caches["nw-prod-prices"].kind, caches["nw-prod-portfolio-cache"].kind) == ("replication_group", "cluster")


def test_caches_in_an_empty_account_are_none_found(account, environment, read):
    record = read("elasticache", environment(account=account))
    assert record.status == "ok" and ElastiCacheInventory.model_validate(record.payload).caches == []


def test_caches_denied_is_unknown(account, environment, read, deny):
    record = read("elasticache", environment(account=account),
                  hooks=(deny("DescribeReplicationGroups", "AccessDenied"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: elasticache:DescribeReplicationGroups")


def test_databases_are_read_with_replicas_recovery_points_and_snapshots(account, environment, read):
    rds = account.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="nw-prod-portfolio-db", Engine="postgres",
                           DBInstanceClass="db.t4g.small", AllocatedStorage=20, MasterUsername="northwind",
                           MasterUserPassword="not-a-real-one1", BackupRetentionPeriod=7)
    rds.create_db_instance_read_replica(DBInstanceIdentifier="nw-prod-portfolio-db-replica",
                                        SourceDBInstanceIdentifier="nw-prod-portfolio-db")
    rds.create_db_snapshot(DBInstanceIdentifier="nw-prod-portfolio-db", DBSnapshotIdentifier="nw-prod-pre-release")
    rds.create_db_instance(DBInstanceIdentifier="other-db", Engine="postgres", DBInstanceClass="db.t4g.small",
                           AllocatedStorage=20, MasterUsername="other", MasterUserPassword="not-a-real-one1")
    rds.create_db_snapshot(DBInstanceIdentifier="other-db", DBSnapshotIdentifier="other-snapshot")
    record = read("rds", environment(account=account))
    inventory = RdsInventory.model_validate(record.payload)
    databases = {d.name: d for d in inventory.databases}
    assert databases["nw-prod-portfolio-db"].read_replicas == ["nw-prod-portfolio-db-replica"]
    assert databases["nw-prod-portfolio-db-replica"].replica_of == "nw-prod-portfolio-db"
    assert databases["nw-prod-portfolio-db"].latest_restorable_time.tzinfo is not None
    manual = [s for s in inventory.snapshots if s.type == "manual"]
    assert [(s.name, s.database, s.status) for s in manual] == [
        ("nw-prod-pre-release", "nw-prod-portfolio-db", "available")]
    assert {s.database for s in inventory.snapshots} == {"nw-prod-portfolio-db"}  # not other-db's


def test_snapshots_denied_make_the_databases_unknown(account, environment, read, deny):
    rds = account.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="nw-prod-db", Engine="postgres", DBInstanceClass="db.t4g.small",
                           AllocatedStorage=20, MasterUsername="northwind", MasterUserPassword="not-a-real-one1")
    record = read("rds", environment(account=account), hooks=(deny("DescribeDBSnapshots", "AccessDenied"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: rds:DescribeDBSnapshots")


def test_tagged_resources_of_the_environment_are_read_across_services(account, environment, read):
    account.client("sqs").create_queue(QueueName="nw-prod-holdings-import", tags={"Owner": "operations"})
    account.client("sqs").create_queue(QueueName="other-queue", tags={"Owner": "other"})
    account.client("dynamodb").create_table(
        TableName="positions", BillingMode="PAY_PER_REQUEST", Tags=[{"Key": "Environment", "Value": "production"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    record = read("tagging", environment(account=account, tags={"Environment": "production"}))
    found = {r.name: r for r in TaggingInventory.model_validate(record.payload).resources}
    assert sorted(found) == ["nw-prod-holdings-import", "positions"]
    assert (found["nw-prod-holdings-import"].type, found["nw-prod-holdings-import"].tags) == (
        "sqs:queue", {"Owner": "operations"})
    assert found["positions"].type == "dynamodb:table"


def test_tagged_resources_in_an_empty_account_are_none_found(account, environment, read):
    record = read("tagging", environment(account=account))
    assert record.status == "ok" and TaggingInventory.model_validate(record.payload).resources == []


def test_tagged_resources_denied_is_unknown_naming_the_iam_action(account, environment, read, deny):
    record = read("tagging", environment(account=account), hooks=(deny("GetResources"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: tag:GetResources")
