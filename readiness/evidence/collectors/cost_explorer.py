"""Cost Explorer: monthly spend of the account grouped by the environment tag, for the spend trend.

Cost Explorer is often not enabled, or not granted, where everything else is: when it cannot be read the
inventory says why (`unavailable`) instead of failing, so the budget check it feeds can still judge budgets.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, collector
from readiness.evidence.failures import unknown_reason

MONTHS = 6  # the current month and the five before it
DEFAULT_TAG = "Environment"
METRIC = "UnblendedCost"


class Spend(BaseModel):
    month: dt.date  # its first day
    environment: str  # the tag's value; "" for spend carrying no such tag
    amount: Decimal
    unit: str = "USD"
    estimated: bool = False  # the current month, still being counted


class CostExplorerInventory(Inventory):
    collector = "cost_explorer"
    account: str | None = None
    tag_key: str = DEFAULT_TAG
    spend: list[Spend] = []
    unavailable: str | None = None  # why the spend could not be read, when it could not


@collector("cost_explorer", inventory=CostExplorerInventory, actions=["ce:GetCostAndUsage"])
def collect_spend(ctx: CollectContext) -> CostExplorerInventory:
    key = next(iter(ctx.select.tags), DEFAULT_TAG)
    if ctx.region != ctx.environment.aws.regions[0]:
        return CostExplorerInventory(account=ctx.account, tag_key=key)  # spend is the account's: read it once
    today = dt.datetime.now(dt.UTC).date()
    start = _months_before(today.replace(day=1), MONTHS - 1)
    if start >= today:
        return CostExplorerInventory(account=ctx.account, tag_key=key)
    client = ctx.client("ce")
    request = {"TimePeriod": {"Start": start.isoformat(), "End": today.isoformat()}, "Granularity": "MONTHLY",
               "Metrics": [METRIC], "GroupBy": [{"Type": "TAG", "Key": key}]}
    spend: list[Spend] = []
    try:
        while True:  # GetCostAndUsage pages by token and has no paginator
            answer = client.get_cost_and_usage(**request)
            spend += [s for result in answer.get("ResultsByTime", []) for s in _spend(result, key)]
            if not answer.get("NextPageToken"):
                break
            request["NextPageToken"] = answer["NextPageToken"]
    except Exception as exc:  # noqa: BLE001 - any failure leaves the trend out, with its reason
        return CostExplorerInventory(account=ctx.account, tag_key=key,
                                     unavailable=unknown_reason(exc, "ce:GetCostAndUsage"))
    return CostExplorerInventory(account=ctx.account, tag_key=key, spend=spend)


def _months_before(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _spend(result: dict, key: str) -> list[Spend]:
    month = dt.date.fromisoformat(result["TimePeriod"]["Start"]).replace(day=1)
    estimated = bool(result.get("Estimated"))
    groups = result.get("Groups") or []
    if not groups and METRIC in (result.get("Total") or {}):
        amount = result["Total"][METRIC]
        return [Spend(month=month, environment="", amount=Decimal(amount["Amount"]), unit=amount.get("Unit", "USD"),
                      estimated=estimated)]
    out = []
    for group in groups:
        label = (group.get("Keys") or [""])[0]
        value = label.split("$", 1)[1] if "$" in label else ("" if label == key else label)
        amount = (group.get("Metrics") or {}).get(METRIC)
        if amount:
            out.append(Spend(month=month, environment=value, amount=Decimal(amount["Amount"]),
                             unit=amount.get("Unit", "USD"), estimated=estimated))
    return out
