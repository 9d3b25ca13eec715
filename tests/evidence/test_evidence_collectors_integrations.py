"""Collectors of the edge and of integrations against the simulated AWS: API Gateway, WAF, Lambda, ECS settings."""
from __future__ import annotations

import io
import json
import zipfile

from readiness.evidence.collecting import all_collectors
from readiness.evidence.collectors.apigateway import DEFAULT_INTEGRATION_TIMEOUT_MS, ApiGatewayInventory
from readiness.evidence.collectors.ecs import EcsInventory
from readiness.evidence.collectors.lambda_async import LambdaInventory
from readiness.evidence.collectors.wafv2 import WafInventory
from readiness.evidence.policy import SESSION_ACTIONS, declared_actions, iam_action, is_read_only
from readiness.evidence.runner import collect
from readiness.evidence.session import ApiCallCounter
from readiness.platform import Platform

VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def rest_api(account, name: str, *, throttled: bool, timeout_ms: int | None = None) -> str:
    gateway = account.client("apigateway")
    api = gateway.create_rest_api(name=name, tags={"Owner": "client-platform"})["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    gateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="AWS_IAM")
    gateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="HTTP_PROXY",
                            integrationHttpMethod="GET", uri="http://public.elb.example/",
                            **({"timeoutInMillis": timeout_ms} if timeout_ms else {}))
    gateway.create_deployment(restApiId=api, stageName="live")
    if throttled:
        gateway.update_stage(restApiId=api, stageName="live", patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"}])
    return api


def test_rest_apis_are_read_with_stage_throttling_and_integration_timeouts(account, environment, read):
    api = rest_api(account, "nw-prod-partner-api", throttled=True, timeout_ms=5000)
    rest_api(account, "nw-prod-internal-api", throttled=False)
    rest_api(account, "other-team-api", throttled=True)
    record = read("apigateway", environment(account=account))
    apis = {a.name: a for a in ApiGatewayInventory.model_validate(record.payload).apis}
    assert sorted(apis) == ["nw-prod-internal-api", "nw-prod-partner-api"]
    partner = apis["nw-prod-partner-api"]
    [stage] = partner.stages
    assert stage.arn == f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/live"
    assert (stage.throttles["*/*"].rate_limit, stage.throttles["*/*"].burst_limit) == (50, 100)
    assert [(i.method, i.path, i.uri, i.timeout_ms) for i in partner.integrations] == [
        ("GET", "/", "http://public.elb.example/", 5000)]
    assert apis["nw-prod-internal-api"].stages[0].throttles == {}
    assert apis["nw-prod-internal-api"].integrations[0].timeout_ms == DEFAULT_INTEGRATION_TIMEOUT_MS


def test_rest_apis_in_an_empty_account_are_none_found(account, environment, read):
    record = read("apigateway", environment(account=account))
    assert record.status == "ok" and ApiGatewayInventory.model_validate(record.payload).apis == []


def test_rest_apis_denied_is_unknown_naming_the_http_verb_action(account, environment, read, deny):
    record = read("apigateway", environment(account=account), hooks=(deny("GetRestApis"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: apigateway:GET")


def test_web_acls_are_read_with_their_rate_based_rules(account, environment, read):
    waf = account.client("wafv2")
    rate = {"Name": "per-ip", "Priority": 1, "Action": {"Block": {}}, "VisibilityConfig": VISIBILITY,
            "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}}
    waf.create_web_acl(Name="nw-prod-edge", Scope="REGIONAL", DefaultAction={"Allow": {}},
                       VisibilityConfig=VISIBILITY, Rules=[rate])
    waf.create_web_acl(Name="nw-prod-open", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=VISIBILITY)
    record = read("wafv2", environment(account=account))
    inventory = WafInventory.model_validate(record.payload)
    acls = {a.name: a for a in inventory.web_acls}
    [rule] = acls["nw-prod-edge"].rate_rules
    assert (rule.name, rule.limit, rule.action, rule.window_seconds) == ("per-ip", 2000, "Block", 300)
    assert acls["nw-prod-open"].rate_rules == []
    assert inventory.web_acl(acls["nw-prod-edge"].arn) is acls["nw-prod-edge"]


def test_web_acls_in_an_empty_account_are_none_found(account, environment, read):
    record = read("wafv2", environment(account=account))
    assert record.status == "ok" and WafInventory.model_validate(record.payload).web_acls == []


def test_web_acls_denied_is_unknown(account, environment, read, deny):
    record = read("wafv2", environment(account=account), hooks=(deny("ListWebACLs"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: wafv2:ListWebACLs")


def lambda_function(account, name: str, **settings) -> str:
    role = account.client("iam").create_role(RoleName=f"{name}-role",
                                             AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    return account.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handle", Code={"ZipFile": code.getvalue()},
        **settings)["FunctionArn"]


def test_functions_are_read_with_setting_names_timeouts_and_failure_destinations(account, environment, read):
    arn = lambda_function(account, "nw-prod-screening", Timeout=10, Environment={"Variables": {
        "SCREENING_API_KEY": "sk-live-do-not-keep", "SCREENING_TIMEOUT_MS": "2500", "BROKER_TIMEOUT_MS": "soon"}})
    account.client("lambda").put_function_event_invoke_config(
        FunctionName="nw-prod-screening", MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:sqs:us-east-1:{account.id}:screening-dlq"}})
    lambda_function(account, "other-team-fn")
    record = read("lambda_async", environment(account=account))
    [function] = LambdaInventory.model_validate(record.payload).functions
    assert (function.arn, function.timeout_seconds) == (arn, 10)
    assert function.environment_names == ["BROKER_TIMEOUT_MS", "SCREENING_API_KEY", "SCREENING_TIMEOUT_MS"]
    assert function.timeouts == {"SCREENING_TIMEOUT_MS": "2500", "BROKER_TIMEOUT_MS": ""}
    [config] = function.async_configs
    assert (config.qualifier, config.on_failure, config.maximum_retry_attempts) == (
        "$LATEST", f"arn:aws:sqs:us-east-1:{account.id}:screening-dlq", 1)
    assert "sk-live-do-not-keep" not in json.dumps(record.payload) and "soon" not in json.dumps(record.payload)


def test_functions_in_an_empty_account_are_none_found(account, environment, read):
    record = read("lambda_async", environment(account=account))
    assert record.status == "ok" and LambdaInventory.model_validate(record.payload).functions == []


def test_functions_denied_is_unknown(account, environment, read, deny):
    lambda_function(account, "nw-prod-notify")
    record = read("lambda_async", environment(account=account), hooks=(deny("ListFunctionEventInvokeConfigs"),))
    assert (record.status, record.reason) == ("unknown", "AccessDenied: lambda:ListFunctionEventInvokeConfigs")


def test_ecs_reads_service_subnets_timeout_values_and_scheduled_task_definitions(account, environment, read,
                                                                                 monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # no machine images needed: much faster
    ec2, ecs = account.client("ec2"), account.client("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.2.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="nw-prod-platform")
    container = {"name": "market-data", "image": "market-data:2.3.0", "environment": [
        {"name": "MARKET_DATA_TIMEOUT_MS", "value": "30000"}, {"name": "MARKET_DATA_API_KEY", "value": "sk-live-9"}]}
    task = ecs.register_task_definition(family="nw-prod-market-data", networkMode="awsvpc", cpu="256", memory="512",
                                        requiresCompatibilities=["FARGATE"],
                                        containerDefinitions=[container])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="nw-prod-platform", serviceName="nw-prod-market-data", taskDefinition=task,
                       desiredCount=2, launchType="FARGATE", networkConfiguration={
                           "awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}})
    job = {"name": "import", "image": "batch:1", "memory": 512,
           "environment": [{"name": "BROKERAGE_TIMEOUT_MS", "value": "5000"}]}
    for family in ("nw-prod-holdings-import", "other-team-job"):
        ecs.register_task_definition(family=family, containerDefinitions=[job])
    record = read("ecs", environment(account=account))
    inventory = EcsInventory.model_validate(record.payload)
    [service] = inventory.services
    assert service.subnets == [subnet]
    assert inventory.task_definition(task).containers[0].timeouts == {"MARKET_DATA_TIMEOUT_MS": "30000"}
    [scheduled] = inventory.standalone_task_definitions
    assert (scheduled.family, scheduled.containers[0].timeouts) == ("nw-prod-holdings-import",
                                                                   {"BROKERAGE_TIMEOUT_MS": "5000"})
    assert "sk-live-9" not in json.dumps(record.payload)


def test_these_collectors_call_only_declared_read_only_actions(account, environment):
    tags = [{"Key": "Environment", "Value": "production"}]
    lambda_function(account, "tagged-fn", Tags={"Environment": "production"})
    account.client("lambda").put_function_event_invoke_config(FunctionName="tagged-fn", MaximumRetryAttempts=0)
    rest_api(account, "nw-prod-partner-api", throttled=True)
    account.client("wafv2").create_web_acl(Name="edge", Scope="REGIONAL", DefaultAction={"Allow": {}},
                                           VisibilityConfig=VISIBILITY)
    account.client("elasticache").create_cache_cluster(CacheClusterId="tagged-cache", Engine="redis", NumCacheNodes=1,
                                                       CacheNodeType="cache.t4g.small", Tags=tags)
    account.client("rds").create_db_instance(
        DBInstanceIdentifier="nw-prod-ledger", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="u",
        MasterUserPassword="password123", AllocatedStorage=20, BackupRetentionPeriod=7)
    account.client("ecs").register_task_definition(
        family="tagged-job", tags=[{"key": "Environment", "value": "production"}],
        containerDefinitions=[{"name": "job", "image": "j:1", "memory": 256}])
    env = environment(account=account, tags={"Environment": "production"})
    calls: list[tuple[str, dict]] = []

    def record(model, params, **_):
        calls.append((iam_action(model.service_model.signing_name, model.name), dict(params)))

    mine = {"apigateway", "wafv2", "lambda_async", "elasticache", "tagging", "ec2_subnets", "rds", "ecs"}
    records = collect(Platform(name="p", environments=[env]), {env.name: mine}, all_collectors(),
                      counter=ApiCallCounter(), max_workers=4, report=lambda event: None,
                      hooks=(("provide-client-params", record),))
    assert {r.collector: r.status for r in records} == {name: "ok" for name in mine}
    actions = {action for action, _ in calls}
    assert actions - (set(declared_actions()) | set(SESSION_ACTIONS)) == set()
    assert all(is_read_only(a) for a in actions)
    assert {"lambda:ListTags", "lambda:ListFunctionEventInvokeConfigs", "apigateway:GET", "wafv2:GetWebACL",
            "elasticache:ListTagsForResource", "tag:GetResources", "rds:DescribeDBSnapshots",
            "ecs:ListTaskDefinitionFamilies", "ecs:DescribeTaskDefinition"} <= actions
