"""Architecture checks of production, judged from plain inventories."""
from __future__ import annotations

from evidence_fixtures import CHECKS_PLATFORM, NOW, PRODUCTION, PRODUCTION_ACCOUNT, STAGING

from readiness.assessment import checklist_for
from readiness.evidence.checking import EnvView
from readiness.evidence.collectors.ec2_subnets import Subnet, SubnetInventory
from readiness.evidence.collectors.ecs import Container, EcsInventory, Service, TaskDefinition, parse_image
from readiness.evidence.collectors.elasticache import Cache, ElastiCacheInventory
from readiness.evidence.collectors.elbv2 import LoadBalancer, LoadBalancerInventory
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.tagging import TaggedResource, TaggingInventory, split_arn
from readiness.evidence.judging import Judgement, judge
from readiness.evidence.model import Status
from readiness.evidence.registry import all_checks
from readiness.platform import Component

REGION = "us-east-1"
ARN = f"arn:aws:{{}}:{REGION}:{PRODUCTION_ACCOUNT}:{{}}"


def database(name: str, *, kind: str = "instance", **settings) -> Database:
    return Database(name=name, arn=ARN.format("rds", f"db:{name}"), region=REGION, kind=kind, **settings)


def test_multi_az_databases_pass_for_a_multi_az_database(judged):
    [finding] = judged("architecture.multi_az_databases", [RdsInventory(databases=[
        database("nw-prod-portfolio-db", multi_az=True, availability_zones=["us-east-1a", "us-east-1b"])])])
    assert finding.status == Status.PASS and finding.controls == ["ARC-01"]
    assert finding.message == ("production database portfolio-db runs in several zones (Multi-AZ) and fails over "
                               "on its own")


def test_multi_az_databases_fail_for_a_single_zone_database_and_an_aurora_without_a_second_zone(judged):
    findings = judged("architecture.multi_az_databases", [RdsInventory(databases=[
        database("nw-prod-reporting-db", availability_zones=["us-east-1a"]),
        database("nw-prod-ledger", kind="cluster", read_replicas=["nw-prod-ledger-2"]),
        database("nw-prod-reporting-db-replica", replica_of="nw-prod-reporting-db"),
    ])])
    by_name = {f.resource.rsplit(":", 1)[-1]: f for f in findings}
    assert by_name["nw-prod-reporting-db"].status == Status.FAIL
    assert "runs in a single zone (us-east-1a)" in by_name["nw-prod-reporting-db"].message
    ledger = by_name["nw-prod-ledger"]
    assert ledger.status == Status.FAIL and "none in another zone" in ledger.message
    assert by_name["nw-prod-reporting-db-replica"].status == Status.NOT_APPLICABLE


def test_multi_az_databases_are_unknown_when_rds_could_not_be_read(judged):
    [finding] = judged("architecture.multi_az_databases", [], unknown={"rds": "AccessDenied: rds:DescribeDBInstances"})
    assert finding.status == Status.UNKNOWN and "AccessDenied: rds:DescribeDBInstances" in finding.message


def test_multi_az_databases_without_databases_are_not_applicable(judged):
    [finding] = judged("architecture.multi_az_databases", [RdsInventory()])
    assert finding.status == Status.NOT_APPLICABLE


def load_balancer(name: str, zones: list[str], **settings) -> LoadBalancer:
    return LoadBalancer(name=name, arn=ARN.format("elasticloadbalancing", f"loadbalancer/app/{name}/1"), region=REGION,
                        type="application", availability_zones=zones, **settings)


def test_load_balancer_zones_pass_over_two_zones_and_fail_in_one(judged):
    findings = judged("architecture.load_balancer_zones", [LoadBalancerInventory(load_balancers=[
        load_balancer("nw-prod-public", ["us-east-1a", "us-east-1b"]),
        load_balancer("nw-prod-internal", ["us-east-1a"])])])
    public, internal = sorted(findings, key=lambda f: "public" not in f.resource)
    assert public.status == Status.PASS and public.message == (
        "production load balancer public routes through 2 zones (us-east-1a, us-east-1b)")
    assert internal.status == Status.FAIL and "want at least 2" in internal.message


def test_load_balancer_zones_are_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("architecture.load_balancer_zones", [], unknown={"elbv2": "Throttled: elbv2"})
    [nothing] = judged("architecture.load_balancer_zones", [LoadBalancerInventory()])
    assert (unknown.status, nothing.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)


SUBNETS = SubnetInventory(subnets=[Subnet(id=f"subnet-{z}", zone=f"us-east-1{z}", region=REGION) for z in "abc"])


def service(name: str, *, subnets: list[str], desired: int = 3, **settings) -> Service:
    return Service(name=name, arn=ARN.format("ecs", f"service/nw-prod-platform/{name}"), region=REGION,
                   cluster_arn="arn:cluster", cluster_name="nw-prod-platform", desired_count=desired,
                   task_definition=ARN.format("ecs", f"task-definition/{name}:1"), subnets=subnets, **settings)


def spread(*services: Service, judged) -> dict[str, object]:
    findings = judged("architecture.service_zone_spread", [EcsInventory(services=list(services)), SUBNETS])
    return {f.resource.rsplit("/", 1)[-1]: f for f in findings}


def test_service_zone_spread_passes_for_tasks_balanced_over_three_zones(judged):
    found = spread(service("nw-prod-api", subnets=["subnet-a", "subnet-b", "subnet-c"]), judged=judged)
    assert found["nw-prod-api"].status == Status.PASS
    assert found["nw-prod-api"].message == ("production service api spreads its 3 tasks over 3 zones "
                                            "(us-east-1a, us-east-1b, us-east-1c), at most 1 in any one")


def test_service_zone_spread_fails_for_one_zone_or_one_task_and_warns_on_a_lopsided_spread(judged):
    found = spread(service("nw-prod-market-data", subnets=["subnet-a"]),
                   service("nw-prod-reporting", subnets=["subnet-a", "subnet-b"], desired=1),
                   service("nw-prod-analytics", subnets=["subnet-a", "subnet-b"], desired=3), judged=judged)
    assert found["nw-prod-market-data"].status == Status.FAIL
    assert "only in us-east-1a" in found["nw-prod-market-data"].message
    reporting, analytics = found["nw-prod-reporting"], found["nw-prod-analytics"]
    assert reporting.status == Status.FAIL and "all of it in one zone" in reporting.message
    assert analytics.status == Status.WARN and "2 (67%) in one zone" in analytics.message


def test_service_zone_spread_is_unknown_for_unplaced_subnets_and_not_applicable_for_idle_services(judged):
    found = spread(service("nw-prod-api", subnets=["subnet-gone"]), service("nw-prod-ec2", subnets=[]),
                   service("nw-prod-idle", subnets=["subnet-a"], desired=0), judged=judged)
    assert found["nw-prod-api"].status == Status.UNKNOWN and "subnet-gone" in found["nw-prod-api"].message
    assert found["nw-prod-ec2"].status == Status.UNKNOWN and "awsvpc" in found["nw-prod-ec2"].message
    assert found["nw-prod-idle"].status == Status.NOT_APPLICABLE


def test_service_zone_spread_is_unknown_when_subnets_could_not_be_read(judged):
    [finding] = judged("architecture.service_zone_spread", [EcsInventory()],
                       unknown={"ec2_subnets": "AccessDenied: ec2:DescribeSubnets"})
    assert finding.status == Status.UNKNOWN and "ec2:DescribeSubnets" in finding.message


COMPONENTS = [Component(name="Client API", services=["api"], read_heavy=True),
              Component(name="Portfolio aggregation", services=["portfolio-aggregation"], read_heavy=True),
              Component(name="Analytics", services=["analytics"])]


def judge_read_paths(*inventories, components=COMPONENTS, unknown=None):
    platform = CHECKS_PLATFORM.model_copy(update={"components": components})
    views = {"production": EnvView.build(PRODUCTION, inventories, account=PRODUCTION_ACCOUNT, unknown=unknown),
             "staging": EnvView.build(STAGING, [])}
    spec = all_checks()["architecture.read_path_caching"]
    return judge(platform, checklist_for(platform), [Judgement(spec, "production")], views, now=NOW)


def task_with(name: str, *settings: str) -> TaskDefinition:
    return TaskDefinition(arn=ARN.format("ecs", f"task-definition/{name}:1"), family=name, revision=1, region=REGION,
                          containers=[Container(name="app", image=parse_image("app:1"),
                                                environment_names=list(settings))])


def test_read_path_caching_passes_for_a_cache_owned_by_the_service_and_a_cache_setting():
    aggregation = service("nw-prod-portfolio-aggregation", subnets=[], tags={"Owner": "portfolio-engineering"})
    api = service("nw-prod-api", subnets=[])
    cache = Cache(name="nw-prod-portfolio-cache", arn=ARN.format("elasticache", "cluster:nw-prod-portfolio-cache"),
                  region=REGION, kind="cluster", tags={"Owner": "portfolio-engineering"})
    findings = judge_read_paths(
        EcsInventory(services=[aggregation, api], task_definitions=[task_with("nw-prod-api", "REDIS_URL")]),
        RdsInventory(), ElastiCacheInventory(caches=[cache]))
    assert [f.status for f in findings] == [Status.PASS, Status.PASS]
    assert findings[0].message == ("production service api (Client API, read-heavy) reads through "
                                   "nw-prod-portfolio-cache")


def test_read_path_caching_counts_replicas_and_reader_endpoints_named_for_the_service():
    api = service("nw-prod-api", subnets=[])
    findings = judge_read_paths(
        EcsInventory(services=[api]), ElastiCacheInventory(),
        RdsInventory(databases=[database("nw-prod-api-db", kind="cluster", read_replicas=["nw-prod-api-db-2"])]),
        components=COMPONENTS[:1])
    assert findings[0].status == Status.PASS and "reader endpoint of nw-prod-api-db" in findings[0].message


def test_read_path_caching_fails_for_a_read_heavy_service_reading_the_primary_and_warns_on_a_missing_service():
    findings = judge_read_paths(EcsInventory(services=[service("nw-prod-api", subnets=[])]), RdsInventory(
        databases=[database("nw-prod-portfolio-db")]), ElastiCacheInventory())
    api, aggregation = findings
    assert api.status == Status.FAIL and "every read reaches the primary database" in api.message
    assert aggregation.status == Status.WARN and aggregation.resource == "portfolio-aggregation"
    assert "runs no service portfolio-aggregation" in aggregation.message


def test_read_path_caching_is_unknown_when_caches_could_not_be_read():
    [finding] = judge_read_paths(EcsInventory(), RdsInventory(), unknown={"elasticache": "AccessDenied: x"})
    assert finding.status == Status.UNKNOWN


def test_read_path_caching_without_read_heavy_components_is_not_applicable():
    [finding] = judge_read_paths(EcsInventory(), RdsInventory(), ElastiCacheInventory(), components=COMPONENTS[2:])
    assert finding.status == Status.NOT_APPLICABLE


def tagged(arn: str, **tags: str) -> TaggedResource:
    kind, name = split_arn(arn)
    return TaggedResource(name=name, arn=arn, region=REGION, tags=tags, type=kind)


def test_ownership_tags_list_each_resource_missing_a_required_tag(judged):
    owned = dict(Owner="analytics", Tier="critical", DataClassification="confidential")
    findings = judged("architecture.ownership_tags", [TaggingInventory(resources=[
        tagged(ARN.format("ecs", "service/nw-prod-platform/nw-prod-api"), **owned),
        tagged(ARN.format("ecs", "service/nw-prod-platform/nw-prod-analytics"), Tier="critical",
               DataClassification="confidential"),
        tagged("arn:aws:s3:::nw-prod-reports", Owner=" ", Tier="critical"),
    ])])
    api, analytics, reports = findings
    assert api.status == Status.PASS and api.message == (
        "production ecs:service nw-prod-platform/nw-prod-api carries Owner=analytics, Tier=critical, "
        "DataClassification=confidential")
    assert analytics.status == Status.FAIL and analytics.message == (
        "production ecs:service nw-prod-platform/nw-prod-analytics has no Owner tag (every resource needs Owner, "
        "Tier, DataClassification)")
    assert reports.status == Status.FAIL and reports.details["missing"] == ["Owner", "DataClassification"]
    assert reports.controls == ["ARC-07", "SCL-05"]


def test_ownership_tags_warn_when_an_owned_resource_lacks_another_required_tag(judged):
    [finding] = judged("architecture.ownership_tags", [TaggingInventory(resources=[
        tagged(ARN.format("ecs", "service/nw-prod-platform/nw-prod-analytics"), Owner="analytics", Tier="critical"),
    ])])
    # Someone can still be asked: it has an owner, only its data classification is unknown.
    assert finding.status == Status.WARN and finding.details["missing"] == ["DataClassification"]
    assert finding.message.endswith("has no DataClassification tag (every resource needs Owner, Tier, "
                                    "DataClassification); its owner is analytics")


def test_ownership_tags_are_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("architecture.ownership_tags", [], unknown={"tagging": "AccessDenied: tag:GetResources"})
    [nothing] = judged("architecture.ownership_tags", [TaggingInventory()])
    assert unknown.status == Status.UNKNOWN and "tag:GetResources" in unknown.message
    assert nothing.status == Status.NOT_APPLICABLE


def test_arns_split_into_a_type_and_a_name():
    assert split_arn("arn:aws:s3:::nw-prod-reports") == ("s3:bucket", "nw-prod-reports")
    assert split_arn("arn:aws:logs:us-east-1:1:log-group:/ecs/nw-prod-api") == ("logs:log-group", "/ecs/nw-prod-api")
    assert split_arn("arn:aws:rds:us-east-1:1:db:nw-prod-db") == ("rds:db", "nw-prod-db")
