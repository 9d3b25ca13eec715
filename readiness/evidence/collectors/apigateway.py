"""API Gateway: the environment's REST APIs, their stages' throttling and the timeouts of their integrations."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged
from readiness.evidence.naming import belongs

DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000  # what API Gateway waits for an integration unless told otherwise


class Throttle(BaseModel):
    rate_limit: Decimal | None = None  # requests per second
    burst_limit: int | None = None


class Stage(BaseModel):
    name: str
    arn: str
    throttles: dict[str, Throttle] = {}  # method settings key ("*/*" for the whole stage, "holdings/GET") -> limits
    usage_plans: list[str] = []  # usage plans that throttle callers of this stage
    web_acl_arn: str | None = None


class Integration(BaseModel):
    path: str
    method: str
    type: str  # AWS_PROXY | AWS | HTTP | HTTP_PROXY | MOCK
    uri: str | None = None  # the Lambda function or URL it calls
    timeout_ms: int = DEFAULT_INTEGRATION_TIMEOUT_MS


class RestApi(Resource):
    endpoint_types: list[str] = []  # EDGE | REGIONAL | PRIVATE
    stages: list[Stage] = []
    integrations: list[Integration] = []


class ApiGatewayInventory(Inventory):
    collector = "apigateway"
    apis: list[RestApi] = []


@collector("apigateway", actions=["apigateway:GET"], inventory=ApiGatewayInventory)
def collect_apigateway(ctx: CollectContext) -> ApiGatewayInventory:
    client = ctx.client("apigateway")
    mine = [api for api in paged(client, "get_rest_apis", "items")
            if belongs(ctx.select, api["name"], api.get("tags") or {})]
    plans = _usage_plan_throttles(client) if mine else {}
    return ApiGatewayInventory(apis=ctx.each(lambda api: _api(ctx, client, api, plans), mine))


def _api(ctx: CollectContext, client: Any, api: dict, plans: dict[tuple[str, str], list[str]]) -> RestApi:
    api_id = api["id"]
    base = f"arn:aws:apigateway:{ctx.region}::/restapis/{api_id}"
    # GetStages answers for every stage at once; GetResources with embedded methods carries every integration.
    stages = [Stage(name=s["stageName"], arn=f"{base}/stages/{s['stageName']}", web_acl_arn=s.get("webAclArn"),
                    usage_plans=plans.get((api_id, s["stageName"]), []),
                    throttles={key: Throttle(rate_limit=_decimal(m.get("throttlingRateLimit")),
                                             burst_limit=m.get("throttlingBurstLimit"))
                               for key, m in (s.get("methodSettings") or {}).items()
                               if m.get("throttlingRateLimit") is not None})
              for s in client.get_stages(restApiId=api_id).get("item", [])]
    integrations = [
        Integration(path=resource["path"], method=method, type=spec["methodIntegration"].get("type", ""),
                    uri=spec["methodIntegration"].get("uri"),
                    timeout_ms=spec["methodIntegration"].get("timeoutInMillis") or DEFAULT_INTEGRATION_TIMEOUT_MS)
        for resource in paged(client, "get_resources", "items", restApiId=api_id, embed=["methods"])
        for method, spec in (resource.get("resourceMethods") or {}).items() if spec.get("methodIntegration")
    ]
    return RestApi(name=api["name"], arn=base, region=ctx.region, tags=api.get("tags") or {},
                   endpoint_types=(api.get("endpointConfiguration") or {}).get("types", []), stages=stages,
                   integrations=integrations)


def _usage_plan_throttles(client: Any) -> dict[tuple[str, str], list[str]]:
    """(api id, stage) -> the usage plans that limit the rate of its callers."""
    out: dict[tuple[str, str], list[str]] = {}
    for plan in paged(client, "get_usage_plans", "items"):
        limited = (plan.get("throttle") or {}).get("rateLimit") is not None
        for stage in plan.get("apiStages", []):
            if limited or stage.get("throttle"):
                out.setdefault((stage["apiId"], stage["stage"]), []).append(plan.get("name") or plan["id"])
    return out


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
