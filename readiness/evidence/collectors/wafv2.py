"""WAF (regional): web ACLs with their rate-based rules, to tell whether a load balancer throttles abusive clients."""
from __future__ import annotations

from typing import Any, Iterator

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector

PAGE_SIZE = 100


class RateRule(BaseModel):
    name: str
    limit: int  # requests per evaluation window (five minutes unless set) per client key
    action: str  # Block | Captcha | Challenge | Count (Count only watches)
    window_seconds: int = 300


class WebAcl(Resource):
    rate_rules: list[RateRule] = []
    rule_groups: list[str] = []  # customer rule groups it references, whose rules are not read here


class WafInventory(Inventory):
    collector = "wafv2"
    web_acls: list[WebAcl] = []

    def web_acl(self, arn: str) -> WebAcl | None:
        return next((acl for acl in self.web_acls if acl.arn == arn), None)


@collector("wafv2", actions=["wafv2:ListWebACLs", "wafv2:GetWebACL"], inventory=WafInventory)
def collect_waf(ctx: CollectContext) -> WafInventory:
    # Every regional web ACL: one ACL often guards several environments' load balancers, and the
    # checks look up only those attached to the environment's (see the elbv2 inventory).
    client = ctx.client("wafv2")

    def read(summary: dict) -> WebAcl:
        # GetWebACL has no batch form: one call per web ACL for its rules.
        acl = client.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]
        return WebAcl(
            name=acl["Name"], arn=acl["ARN"], region=ctx.region,
            rate_rules=[_rate_rule(rule) for rule in acl.get("Rules", []) if "RateBasedStatement" in rule["Statement"]],
            rule_groups=sorted(rule["Statement"]["RuleGroupReferenceStatement"]["ARN"] for rule in acl.get("Rules", [])
                               if "RuleGroupReferenceStatement" in rule["Statement"]),
        )

    return WafInventory(web_acls=ctx.each(read, list(_web_acls(client))))


def _web_acls(client: Any) -> Iterator[dict]:
    """ListWebACLs pages by NextMarker and boto3 has no paginator for it."""
    marker = None
    while True:
        page = client.list_web_acls(Scope="REGIONAL", Limit=PAGE_SIZE, **({"NextMarker": marker} if marker else {}))
        yield from page.get("WebACLs", [])
        marker = page.get("NextMarker")
        if not marker or not page.get("WebACLs"):
            return


def _rate_rule(rule: dict) -> RateRule:
    statement = rule["Statement"]["RateBasedStatement"]
    action = next(iter(rule.get("Action") or {}), "Block")
    return RateRule(name=rule["Name"], limit=statement["Limit"], action=action,
                    window_seconds=statement.get("EvaluationWindowSec", 300))
