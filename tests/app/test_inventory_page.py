"""The Estate page: what the stored evidence saw in the selected environment, grouped by component."""
from __future__ import annotations

import datetime as dt

import pytest

from readiness.auth import LOCAL_USER
from readiness.evidence.collectors.ecs import EcsInventory, Service
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.model import EvidenceRun, InventoryRecord
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.store import evidence as evidence_repo
from readiness.ui import state

PLATFORM = "Northwind Wealth (demo)"
REGION = "us-east-1"


def service(name: str, owner: str | None = None) -> Service:
    return Service(name=name, arn=f"arn:aws:ecs:{REGION}:222222222222:service/nw-prod-platform/{name}", region=REGION,
                   cluster_arn="c", cluster_name="nw-prod-platform", task_definition="t",
                   tags={"Owner": owner} if owner else {})


def record(environment: str, inventory=None, *, collector: str | None = None, reason: str | None = None):
    if inventory is None:
        return InventoryRecord(environment=environment, region=REGION, collector=collector, status="unknown",
                               reason=reason)
    return InventoryRecord(environment=environment, region=REGION, collector=inventory.collector,
                           payload=inventory.model_dump(mode="json"))


def store_run(engine, inventories: list[InventoryRecord]) -> str:
    now = dt.datetime.now(dt.UTC)
    run = EvidenceRun(platform=PLATFORM, environments=["staging", "production"], started_at=now, finished_at=now,
                      inventories=inventories)
    with session_scope(engine) as session:
        platform_id = repo.platform_by_name(session, name=PLATFORM).id
        evidence_repo.save_evidence_run(session, platform_id=platform_id, run=run, actor=LOCAL_USER)
    return run.id


@pytest.fixture
def estate(app):
    store_run(app.engine, [
        record("production", EcsInventory(services=[service("nw-prod-api", "client-platform"),
                                                    service("nw-prod-market-data", "market-data"),
                                                    service("nw-prod-legacy-export")])),
        record("production", RdsInventory(databases=[Database(
            name="nw-prod-reporting-db", arn="arn:aws:rds:us-east-1:222222222222:db:nw-prod-reporting-db",
            region=REGION, kind="instance")])),
        record("production", S3Inventory(buckets=[Bucket(name="nw-prod-snapshots", arn="arn:aws:s3:::nw-prod-snapshots",
                                                         region=REGION)])),
        record("production", collector="sqs", reason="AccessDenied: sqs:ListQueues"),
        record("staging", EcsInventory(services=[service("nw-staging-api")])),
    ])
    return app.open("inventory")


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def tables(at) -> dict[str, list[str]]:
    """Expander label -> the names in its table."""
    return {e.label: list(e.dataframe[0].value["Name"]) for e in at.expander if e.dataframe}


def test_estate_lists_the_environments_resources_under_their_components(estate):
    at = estate
    assert at.title[0].value == f"Estate: {PLATFORM}, production"
    assert (metric(at, "Services"), metric(at, "Databases"), metric(at, "Buckets"), metric(at, "Queues")) == (
        "3", "1", "1", "0")
    assert tables(at) == {
        "**Client API** · 1 service": ["nw-prod-api"],
        "**Market data** · 1 service": ["nw-prod-market-data"],
        "**Reporting** · 1 database": ["nw-prod-reporting-db"],
        "**Unassigned** · 1 service, 1 bucket": ["nw-prod-legacy-export", "nw-prod-snapshots"],
    }
    client_api = next(e for e in at.expander if "Client API" in e.label).dataframe[0].value
    assert list(client_api.columns) == ["Kind", "Name", "Owner", "Region", "Resource"]
    assert client_api.iloc[0]["Owner"] == "client-platform"


def test_estate_says_which_inventories_could_not_be_read(estate):
    assert any("sqs could not be read in us-east-1: AccessDenied: sqs:ListQueues" in w.value for w in estate.warning)


def test_estate_follows_the_environment_picked_in_the_sidebar(estate):
    estate.selectbox(key=state.SIDEBAR_ENVIRONMENT).set_value("staging").run()
    assert not estate.exception
    assert estate.title[0].value == f"Estate: {PLATFORM}, staging"
    assert tables(estate) == {"**Client API** · 1 service": ["nw-staging-api"]}


def test_estate_shows_only_the_kinds_chosen(estate):
    estate.multiselect(key="estate_kinds").set_value(["Bucket"]).run()
    assert tables(estate) == {"**Unassigned** · 1 service, 1 bucket": ["nw-prod-snapshots"]}


def test_estate_without_evidence_says_where_to_collect_it(app):
    at = app.open("inventory")
    assert any("No evidence has been collected" in i.value for i in at.info)
    assert not at.main.expander and not at.metric
