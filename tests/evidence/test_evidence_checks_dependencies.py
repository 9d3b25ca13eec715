"""External dependency checks, judged from plain inventories."""
from __future__ import annotations

from decimal import Decimal

from evidence_fixtures import CHECKS_PLATFORM, NOW, PRODUCTION, PRODUCTION_ACCOUNT, STAGING

from readiness.assessment import checklist_for
from readiness.evidence.checking import EnvView
from readiness.evidence.checks.dependencies import looks_like_credential
from readiness.evidence.collectors.apigateway import ApiGatewayInventory, Integration, RestApi, Stage, Throttle
from readiness.evidence.collectors.ecs import Container, EcsInventory, Service, TaskDefinition, parse_image
from readiness.evidence.collectors.elbv2 import HealthCheck, LoadBalancer, LoadBalancerInventory, TargetGroup
from readiness.evidence.collectors.lambda_async import AsyncConfig, Function, LambdaInventory
from readiness.evidence.collectors.wafv2 import RateRule, WafInventory, WebAcl
from readiness.evidence.judging import Judgement, judge
from readiness.evidence.model import Status
from readiness.evidence.registry import all_checks
from readiness.platform import Dependency

REGION = "us-east-1"
ARN = f"arn:aws:{{}}:{REGION}:{PRODUCTION_ACCOUNT}:{{}}"
TARGET_GROUP = ARN.format("elasticloadbalancing", "targetgroup/nw-prod-api/1")


def task(name: str, *, variables: tuple[str, ...] = (), secrets: tuple[str, ...] = (),
         timeouts: dict[str, str] | None = None) -> TaskDefinition:
    return TaskDefinition(arn=ARN.format("ecs", f"task-definition/{name}:4"), family=name, revision=4, region=REGION,
                          containers=[Container(name=name.removeprefix("nw-prod-"), image=parse_image("app:1"),
                                                environment_names=sorted(variables), secret_names=sorted(secrets),
                                                timeouts=timeouts or {})])


def service(name: str, **settings) -> Service:
    return Service(name=name, arn=ARN.format("ecs", f"service/nw-prod-platform/{name}"), region=REGION,
                   cluster_arn="arn:cluster", cluster_name="nw-prod-platform", desired_count=2,
                   task_definition=ARN.format("ecs", f"task-definition/{name}:4"), **settings)


def function(name: str, **settings) -> Function:
    return Function(name=name, arn=ARN.format("lambda", f"function:{name}"), region=REGION, **settings)


def test_credential_names_are_told_from_ordinary_settings():
    assert all(map(looks_like_credential, ["MARKET_DATA_API_KEY", "DB_PASSWORD", "BROKER_TOKEN", "SECRET",
                                           "aws_secret_access_key", "SMTP_PASS"]))
    assert not any(map(looks_like_credential, ["DB_HOST", "KMS_KEY", "KEY_ID", "PUBLIC_KEY", "TOKEN_URL",
                                               "MARKET_DATA_TIMEOUT_MS"]))


def test_credentials_in_environment_fail_once_per_plain_variable_without_its_value(judged):
    leaky = task("nw-prod-market-data", variables=("MARKET_DATA_API_KEY", "BROKER_TOKEN", "LOG_LEVEL"))
    findings = judged("dependencies.credentials_in_environment", [
        EcsInventory(services=[service("nw-prod-market-data")], task_definitions=[leaky]), LambdaInventory()])
    assert [f.status for f in findings] == [Status.FAIL, Status.FAIL]
    assert {f.details["variable"] for f in findings} == {"MARKET_DATA_API_KEY", "BROKER_TOKEN"}
    key = next(f for f in findings if f.details["variable"] == "MARKET_DATA_API_KEY")
    assert key.resource == f"{leaky.arn}#market-data/MARKET_DATA_API_KEY" and key.controls == ["DEP-01"]
    assert key.message.startswith("production task definition market-data:4 holds MARKET_DATA_API_KEY of container "
                                  "market-data in a plain environment variable")


def test_credentials_in_environment_pass_for_secrets_and_judge_scheduled_tasks_and_functions(judged):
    findings = judged("dependencies.credentials_in_environment", [
        EcsInventory(services=[service("nw-prod-api")], task_definitions=[
            task("nw-prod-api", variables=("DB_HOST",), secrets=("DB_PASSWORD",)),
            task("nw-prod-api-old", variables=("DB_PASSWORD",))],  # an old revision no service runs
            standalone_task_definitions=[task("nw-prod-holdings-import", variables=("BROKERAGE_SECRET",))]),
        LambdaInventory(functions=[function("nw-prod-notify", environment_names=["SLACK_TOKEN"])])])
    by_resource = {f.resource: f for f in findings}
    api = by_resource[ARN.format("ecs", "task-definition/nw-prod-api:4")]
    assert api.status == Status.PASS and api.message.endswith("out of plain variables (secrets: DB_PASSWORD)")
    assert by_resource[ARN.format("ecs", "task-definition/nw-prod-holdings-import:4") +
                       "#holdings-import/BROKERAGE_SECRET"].status == Status.FAIL
    assert by_resource[ARN.format("lambda", "function:nw-prod-notify") + "#SLACK_TOKEN"].status == Status.FAIL
    assert len(findings) == 3


def test_credentials_in_environment_are_unknown_or_not_applicable_as_the_inventories_say(judged):
    [unknown] = judged("dependencies.credentials_in_environment", [EcsInventory()],
                       unknown={"lambda_async": "AccessDenied: lambda:ListFunctions"})
    [nothing] = judged("dependencies.credentials_in_environment", [EcsInventory(), LambdaInventory()])
    assert unknown.status == Status.UNKNOWN and "lambda:ListFunctions" in unknown.message
    assert nothing.status == Status.NOT_APPLICABLE


MARKET_DATA = Dependency(name="market-data", timeout_seconds=Decimal(2), retries=2,
                         timeout_setting="MARKET_DATA_TIMEOUT_MS", used_by=["api", "market-data"])


def judge_timeouts(*inventories, dependencies=(MARKET_DATA,), unknown=None):
    platform = CHECKS_PLATFORM.model_copy(update={"dependencies": list(dependencies)})
    views = {"production": EnvView.build(PRODUCTION, inventories, account=PRODUCTION_ACCOUNT, unknown=unknown),
             "staging": EnvView.build(STAGING, [])}
    spec = all_checks()["dependencies.provider_timeouts"]
    return {f.resource.rsplit("/", 1)[-1]: f for f in judge(platform, checklist_for(platform),
                                                          [Judgement(spec, "production")], views, now=NOW)}


def balancer(idle: int) -> LoadBalancer:
    return LoadBalancer(name="nw-prod-public", arn=ARN.format("elasticloadbalancing", "loadbalancer/app/public/1"),
                        region=REGION, type="application", idle_timeout_seconds=idle, dns_name="public.elb.example",
                        target_groups=[TargetGroup(name="nw-prod-api", arn=TARGET_GROUP, health_check=HealthCheck())])


def estate(api_ms: str, market_data_ms: str | None = "2000", *, idle: int = 120, apis=()) -> list:
    tasks = [task("nw-prod-api", variables=("MARKET_DATA_TIMEOUT_MS",), timeouts={"MARKET_DATA_TIMEOUT_MS": api_ms})]
    timeouts = {"MARKET_DATA_TIMEOUT_MS": market_data_ms} if market_data_ms is not None else {}
    tasks.append(task("nw-prod-market-data", timeouts=timeouts))
    services = [service("nw-prod-api", target_groups=[TARGET_GROUP]), service("nw-prod-market-data")]
    return [EcsInventory(services=services, task_definitions=tasks),
            LoadBalancerInventory(load_balancers=[balancer(idle)]), LambdaInventory(),
            ApiGatewayInventory(apis=list(apis))]


def test_provider_timeouts_pass_when_the_timeout_and_its_retries_fit_everything_upstream():
    found = judge_timeouts(*estate("1500"))
    assert found["nw-prod-api"].status == Status.PASS
    assert found["nw-prod-api"].controls == ["DEP-02"]
    assert found["nw-prod-api"].message == (
        "production service api bounds its calls to market-data (MARKET_DATA_TIMEOUT_MS: at most 6 s with retries, "
        "within load balancer public's idle timeout of 120 s)")
    assert found["nw-prod-market-data"].status == Status.PASS


def test_provider_timeouts_fail_for_a_missing_or_too_long_timeout():
    found = judge_timeouts(*estate("30000", market_data_ms=None))
    assert found["nw-prod-api"].status == Status.FAIL
    assert "waits up to 30 s for market-data (MARKET_DATA_TIMEOUT_MS), more than its 2 s budget" in (
        found["nw-prod-api"].message)
    assert found["nw-prod-market-data"].status == Status.FAIL
    assert "sets no MARKET_DATA_TIMEOUT_MS" in found["nw-prod-market-data"].message


def test_provider_timeouts_warn_when_retries_outlast_the_load_balancer_or_the_api_integration():
    api = RestApi(name="nw-prod-partner", arn="arn:aws:apigateway:us-east-1::/restapis/a1", region=REGION,
                  integrations=[Integration(path="/prices", method="GET", type="HTTP_PROXY",
                                            uri="http://public.elb.example/prices", timeout_ms=5000)])
    found = judge_timeouts(*estate("2000", idle=4, apis=[api]))
    message = found["nw-prod-api"].message
    # Each call is bounded within the budget: only the retries outlast the callers.
    assert found["nw-prod-api"].status == Status.WARN
    assert "may spend 6 s on market-data (2 s × 3 attempts), longer than load balancer public's idle timeout of 4 s" \
        in message
    assert "longer than API nw-prod-partner integration GET /prices of 5 s" in message


def test_provider_timeouts_judge_functions_against_their_own_timeout_and_warn_on_unknown_callers():
    dependency = MARKET_DATA.model_copy(update={"used_by": ["price-fanout", "ghost"]})
    fanout = function("nw-prod-price-fanout", timeout_seconds=3, timeouts={"MARKET_DATA_TIMEOUT_MS": "1000"})
    found = judge_timeouts(EcsInventory(), LoadBalancerInventory(), LambdaInventory(functions=[fanout]),
                           ApiGatewayInventory(), dependencies=[dependency])
    assert found[fanout.arn].status == Status.WARN
    assert "longer than its own timeout of 3 s" in found[fanout.arn].message
    assert found["ghost"].status == Status.WARN and "runs no service, task or function ghost" in found["ghost"].message


def test_provider_timeouts_are_unknown_without_a_timeout_setting_or_an_inventory():
    dependency = MARKET_DATA.model_copy(update={"timeout_setting": None, "used_by": ["api"]})
    found = judge_timeouts(*estate("2000"), dependencies=[dependency])
    assert found["nw-prod-api"].status == Status.UNKNOWN and "names no timeout_setting" in found["nw-prod-api"].message
    [unknown] = judge_timeouts(EcsInventory(), unknown={"apigateway": "AccessDenied: apigateway:GET"}).values()
    assert unknown.status == Status.UNKNOWN and "apigateway:GET" in unknown.message


def test_provider_timeouts_are_unknown_for_a_service_whose_task_definition_was_not_read():
    inventories = estate("2000")
    inventories[0] = inventories[0].model_copy(update={"task_definitions": []})
    found = judge_timeouts(*inventories)
    assert found["nw-prod-api"].status == Status.UNKNOWN and "could not be read" in found["nw-prod-api"].message


def test_provider_timeouts_without_dependencies_are_not_applicable():
    [finding] = judge_timeouts(*estate("2000"), dependencies=[]).values()
    assert finding.status == Status.NOT_APPLICABLE


def stage(name: str = "live", **settings) -> Stage:
    return Stage(name=name, arn=f"arn:aws:apigateway:{REGION}::/restapis/a1/stages/{name}", **settings)


def edge(apis: list[RestApi], load_balancers: list[LoadBalancer], acls: list[WebAcl], judged):
    return judged("dependencies.edge_throttling", [ApiGatewayInventory(apis=apis),
                                                   LoadBalancerInventory(load_balancers=load_balancers),
                                                   WafInventory(web_acls=acls)])


def test_edge_throttling_passes_for_a_throttled_stage_and_a_blocking_rate_rule(judged):
    api = RestApi(name="nw-prod-partner-api", arn="arn:api", region=REGION, stages=[
        stage(throttles={"*/*": Throttle(rate_limit=Decimal("50.0"), burst_limit=100)})])
    acl = WebAcl(name="edge", arn="arn:acl", region=REGION, rate_rules=[RateRule(name="per-ip", limit=2000,
                                                                                  action="Block")])
    lb = balancer(60).model_copy(update={"scheme": "internet-facing", "web_acl_arn": "arn:acl"})
    findings = edge([api], [lb, balancer(60).model_copy(update={"scheme": "internal"})], [acl], judged)
    assert [f.status for f in findings] == [Status.PASS, Status.PASS]
    assert findings[0].message == "production API partner-api stage live limits callers to 50 requests/s (burst 100)"
    assert findings[1].message == ("production public load balancer public blocks clients above 2000 requests per 5 "
                                   "minutes (web ACL edge, rule per-ip)")


def test_edge_throttling_fails_for_an_unthrottled_stage_and_a_load_balancer_without_a_rate_rule(judged):
    api = RestApi(name="nw-prod-partner-api", arn="arn:api", region=REGION,
                  stages=[stage(), stage("beta", throttles={"holdings/GET": Throttle(rate_limit=Decimal(5))})])
    public = balancer(60).model_copy(update={"scheme": "internet-facing"})
    counted = public.model_copy(update={"arn": "arn:counted", "web_acl_arn": "arn:acl"})
    acl = WebAcl(name="edge", arn="arn:acl", region=REGION, rate_rules=[RateRule(name="watch", limit=10,
                                                                                  action="Count")])
    live, beta, bare, watched = edge([api], [public, counted], [acl], judged)
    assert live.status == Status.FAIL and "stage live has no throttling" in live.message
    assert beta.status == Status.WARN and "throttles only holdings/GET" in beta.message
    assert bare.status == Status.FAIL and "has no WAF web ACL" in bare.message
    assert watched.status == Status.WARN and "only counts clients" in watched.message


def test_edge_throttling_is_unknown_for_an_unread_web_acl_or_inventory(judged):
    lb = balancer(60).model_copy(update={"scheme": "internet-facing", "web_acl_arn": "arn:elsewhere"})
    [finding] = edge([], [lb], [], judged)
    assert finding.status == Status.UNKNOWN and "arn:elsewhere" in finding.message
    [unknown] = judged("dependencies.edge_throttling", [], unknown={"wafv2": "AccessDenied: wafv2:ListWebACLs"})
    assert unknown.status == Status.UNKNOWN


def test_edge_throttling_with_only_internal_entry_points_is_not_applicable(judged):
    [finding] = edge([], [balancer(60).model_copy(update={"scheme": "internal"})], [], judged)
    assert finding.status == Status.NOT_APPLICABLE


def test_async_failure_handling_passes_with_a_destination_or_dead_letter_queue_and_fails_without(judged):
    findings = judged("dependencies.async_failure_handling", [LambdaInventory(functions=[
        function("nw-prod-notify", async_configs=[AsyncConfig(qualifier="$LATEST", on_failure="arn:aws:sqs:dlq")]),
        function("nw-prod-screening", dead_letter_target="arn:aws:sqs:screening-dlq"),
        function("nw-prod-advice"),
        function("nw-prod-alerts", async_configs=[AsyncConfig(qualifier="$LATEST", on_failure="arn:aws:sqs:dlq"),
                                                  AsyncConfig(qualifier="live")]),
    ])])
    notify, screening, advice, alerts = findings
    assert notify.status == screening.status == Status.PASS
    assert notify.message == "production function notify sends events that failed every retry to arn:aws:sqs:dlq"
    assert advice.status == Status.FAIL and "dropped without a trace" in advice.message
    assert alerts.status == Status.WARN and "not when invoked as live" in alerts.message


def test_async_failure_handling_is_unknown_or_not_applicable_as_the_inventory_says(judged):
    [unknown] = judged("dependencies.async_failure_handling", [], unknown={"lambda_async": "Throttled: lambda"})
    [nothing] = judged("dependencies.async_failure_handling", [LambdaInventory()])
    assert (unknown.status, nothing.status) == (Status.UNKNOWN, Status.NOT_APPLICABLE)
