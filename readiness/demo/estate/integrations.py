"""The demo's asynchronous hand-offs, internal feed and recovery points: Lambda, a feed load balancer, snapshots."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from readiness.demo.estate.environment import DemoEnv
from readiness.demo.estate.network import subnets

# name -> (owner, what it does): functions other services invoke asynchronously.
FUNCTIONS = {
    "trade-confirmations": ("client-platform", "Sends clients the confirmation of each executed trade"),
    "advisory-sync": ("portfolio-engineering", "Pushes rebalancing proposals to the advisory tool"),
}
# gap dep-advisory-sync-failures-dropped: in staging, advisory updates that fail every retry are dropped.
UNGUARDED_FUNCTION = "advisory-sync"
STALE_SNAPSHOT_DAYS = 3
HANDLER = "def handle(event, context):\n    return {'accepted': True}\n"


def _code() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("handler.py", HANDLER)
    return archive.getvalue()


def seed_functions(env: DemoEnv) -> None:
    role = env.aws("iam").create_role(
        RoleName=env.named("functions"), Tags=env.tag_list("platform-engineering"),
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]
    functions = env.aws("lambda")
    for name, (owner, description) in FUNCTIONS.items():
        arn = functions.create_function(
            FunctionName=env.named(name), Runtime="python3.12", Role=role, Handler="handler.handle",
            Code={"ZipFile": _code()}, Description=description, Timeout=30, MemorySize=256,
            Environment={"Variables": {"APP_ENV": env.name, "LOG_FORMAT": "json"}}, Tags=env.labels(owner),
        )["FunctionArn"]
        env.remember("function", name, arn)
        guarded = env.production or name != UNGUARDED_FUNCTION
        functions.put_function_event_invoke_config(
            FunctionName=env.named(name), MaximumRetryAttempts=2, MaximumEventAgeInSeconds=3600,
            **({"DestinationConfig": {"OnFailure": {"Destination": env.arns["queue:schedules-dlq"]}}}
               if guarded else {}))


def seed_feed_load_balancer(env: DemoEnv) -> None:
    """An internal network load balancer in front of the market-data feed handlers."""
    # gap arc-feed-lb-single-zone: staging's feed load balancer has a subnet in one zone only.
    zones = ("a", "b") if env.production else ("a",)
    arn = env.aws("elbv2").create_load_balancer(
        Name=env.named("market-data-feed"), Subnets=subnets(env, "private", zones), Scheme="internal",
        Type="network", IpAddressType="ipv4", Tags=env.tag_list("market-data"),
    )["LoadBalancers"][0]["LoadBalancerArn"]
    env.remember("load-balancer", "market-data-feed", arn)


def seed_stale_recovery_point(env: DemoEnv, days: int = STALE_SNAPSHOT_DAYS) -> None:
    """Staging's reporting database, its backups off, was last snapshotted by hand days ago (dated on the simulation
    itself)."""
    if env.production:
        return
    snapshot = env.named("reporting-db-before-migration")
    arn = env.aws("rds").create_db_snapshot(DBInstanceIdentifier=env.named("reporting-db"),
                                            DBSnapshotIdentifier=snapshot, Tags=env.tag_list("reporting"),
                                            )["DBSnapshot"]["DBSnapshotArn"]
    env.remember("db-snapshot", "reporting-db-before-migration", arn)
    from moto.rds.models import rds_backends

    stored = rds_backends[env.account][env.region].database_snapshots[snapshot]
    stored.created = stored.original_snapshot_create_time = stored.created - dt.timedelta(days=days)
