"""The estate view: resources of a stored run's inventories, per environment, grouped by the platform's components."""
from __future__ import annotations

from pathlib import Path

from readiness.evidence.collectors.ecs import EcsInventory, Service
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.model import InventoryRecord
from readiness.inventory import UNASSIGNED, component_counts, component_of, estate, estate_frame, unread
from readiness.platform import Component, load_platform

DEMO = load_platform(Path(__file__).resolve().parents[2] / "data" / "platforms" / "demo.yaml")
REGION = "us-east-1"


def service(name: str, **tags: str) -> Service:
    return Service(name=name, arn=f"arn:aws:ecs:{REGION}:2:service/c/{name}", region=REGION, cluster_arn="c",
                   cluster_name="c", task_definition="t", tags=tags)


def record(environment: str, inventory, *, status: str = "ok", reason: str | None = None) -> InventoryRecord:
    return InventoryRecord(environment=environment, region=REGION, collector=inventory.collector, status=status,
                           reason=reason, payload=inventory.model_dump(mode="json") if status == "ok" else None)


RECORDS = [
    record("production", EcsInventory(services=[service("nw-prod-market-data", Owner="market-data"),
                                                service("nw-prod-api", Owner="client-platform"),
                                                service("nw-prod-legacy-export")])),
    record("production", RdsInventory(databases=[Database(name="nw-prod-reporting-db", kind="instance", region=REGION,
                                                          arn="arn:aws:rds:us-east-1:2:db:nw-prod-reporting-db")])),
    record("production", S3Inventory(buckets=[Bucket(name="nw-prod-snapshots", arn="arn:aws:s3:::nw-prod-snapshots",
                                                     region=REGION, tags={"Component": "Reporting"})])),
    record("staging", EcsInventory(services=[service("nw-staging-api")])),
    InventoryRecord(environment="production", region=REGION, collector="sqs", status="unknown",
                    reason="AccessDenied: sqs:ListQueues"),
]


def test_resources_are_grouped_by_component_in_the_platforms_order_with_the_rest_unassigned():
    rows = estate(DEMO, RECORDS, environment="production")
    assert [(r.component, r.kind, r.name) for r in rows] == [
        ("Client API", "Service", "nw-prod-api"),
        ("Market data", "Service", "nw-prod-market-data"),
        ("Reporting", "Database", "nw-prod-reporting-db"),  # named after the reporting service
        ("Reporting", "Bucket", "nw-prod-snapshots"),  # by its Component tag
        (UNASSIGNED, "Service", "nw-prod-legacy-export"),
    ]
    assert rows[0].owner == "client-platform" and rows[-1].owner is None
    assert {r.environment for r in rows} == {"production"}


def test_every_environment_is_listed_when_none_is_asked_for_and_counts_follow_the_rows():
    rows = estate(DEMO, RECORDS)
    assert [r.environment for r in rows][-1] == "production" and rows[0].environment == "staging"
    counts = component_counts(r for r in rows if r.environment == "production")
    assert counts["Reporting"] == {"Database": 1, "Bucket": 1}


def test_inventories_that_could_not_be_read_are_named_with_their_reason():
    assert [(u.collector, u.reason) for u in unread(RECORDS, environment="production")] == [
        ("sqs", "AccessDenied: sqs:ListQueues")]
    assert unread(RECORDS, environment="staging") == []


def test_the_table_has_readable_columns_and_one_line_per_resource():
    frame = estate_frame(estate(DEMO, RECORDS, environment="production"))
    assert list(frame.columns) == ["Environment", "Component", "Kind", "Name", "Owner", "Region", "Resource"]
    assert len(frame) == 5 and frame.iloc[0]["Resource"] == "arn:aws:ecs:us-east-1:2:service/c/nw-prod-api"


def test_a_resource_belongs_to_the_component_whose_service_name_it_starts_with_longest_first():
    components = [Component(name="Market", services=["market"]), Component(name="Market data", services=["market-data"])]
    assert component_of(components, "market-data-ingestion", {}) == "Market data"
    assert component_of(components, "marketing-site", {}) == UNASSIGNED
    assert component_of(components, "x", {"component": "market-data"}) == "Market data"


def test_an_unassigned_resource_joins_the_one_component_whose_services_share_its_owner():
    cache = InventoryRecord(environment="production", region=REGION, collector="elasticache", payload={"caches": [
        {"name": "nw-prod-hot-reads", "arn": "arn:aws:elasticache:us-east-1:2:cluster:nw-prod-hot-reads",
         "region": REGION, "tags": {"Owner": "client-platform"}},
        {"name": "nw-prod-shared", "arn": "arn:aws:elasticache:us-east-1:2:cluster:nw-prod-shared",
         "region": REGION, "tags": {"Owner": "nobody-here"}}]})
    rows = {r.name: r.component for r in estate(DEMO, [*RECORDS, cache], environment="production")}
    assert (rows["nw-prod-hot-reads"], rows["nw-prod-shared"]) == ("Client API", UNASSIGNED)
