"""AWS Budgets: the account's cost budgets, their limits and the notifications that warn someone before they burst."""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged


class Notification(BaseModel):
    type: str  # ACTUAL | FORECASTED
    comparison: str  # GREATER_THAN | LESS_THAN | EQUAL_TO
    threshold: Decimal
    threshold_type: str = "PERCENTAGE"  # PERCENTAGE | ABSOLUTE_VALUE


class Budget(Resource):
    budget_type: str = "COST"
    time_unit: str = "MONTHLY"
    limit: Decimal | None = None
    unit: str | None = None
    cost_filters: dict[str, list[str]] = {}  # e.g. {"TagKeyValue": ["user:Environment$production"]}
    notifications: list[Notification] = []

    def tag_values(self, key: str) -> set[str]:
        """The values of tag `key` the budget is limited to (empty: not limited by that tag)."""
        prefixes = (f"user:{key}$", f"{key}$")
        return {v.split("$", 1)[1] for v in self.cost_filters.get("TagKeyValue", []) if v.startswith(prefixes)}


class BudgetsInventory(Inventory):
    collector = "budgets"
    budgets: list[Budget] = []


# Both reads (DescribeBudgets, DescribeNotificationsForBudget) are allowed by the one IAM action budgets:ViewBudget.
@collector("budgets", inventory=BudgetsInventory, actions=["budgets:ViewBudget"])
def collect_budgets(ctx: CollectContext) -> BudgetsInventory:
    if ctx.region != ctx.environment.aws.regions[0] or not ctx.account:
        return BudgetsInventory()  # budgets belong to the account, not a region: read them once
    client = ctx.client("budgets")
    budgets = []
    for b in paged(client, "describe_budgets", "Budgets", AccountId=ctx.account):
        notifications = [
            Notification(type=n["NotificationType"], comparison=n["ComparisonOperator"],
                         threshold=Decimal(str(n["Threshold"])), threshold_type=n.get("ThresholdType", "PERCENTAGE"))
            for n in paged(client, "describe_notifications_for_budget", "Notifications", AccountId=ctx.account,
                           BudgetName=b["BudgetName"])
        ]
        limit = b.get("BudgetLimit") or {}
        budgets.append(Budget(
            name=b["BudgetName"], arn=f"arn:aws:budgets::{ctx.account}:budget/{b['BudgetName']}", region=ctx.region,
            budget_type=b.get("BudgetType", "COST"), time_unit=b.get("TimeUnit", "MONTHLY"),
            limit=Decimal(limit["Amount"]) if limit.get("Amount") else None, unit=limit.get("Unit"),
            cost_filters={k: list(v) for k, v in (b.get("CostFilters") or {}).items()}, notifications=notifications,
        ))
    return BudgetsInventory(budgets=budgets)
