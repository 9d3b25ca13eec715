"""The spend trend: monthly spend by environment tag from a run's Cost Explorer inventories, and its bars."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from readiness.cost_charts import spend_trend, spend_trend_figure
from readiness.evidence.collectors.cost_explorer import CostExplorerInventory, Spend
from readiness.evidence.model import EvidenceRun, InventoryRecord

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def record(environment: str, account: str, *spend: Spend, unavailable: str | None = None) -> InventoryRecord:
    inventory = CostExplorerInventory(account=account, spend=list(spend), unavailable=unavailable)
    return InventoryRecord(environment=environment, region="us-east-1", collector="cost_explorer", account=account,
                           payload=inventory.model_dump(mode="json"))


def run(*records: InventoryRecord) -> EvidenceRun:
    return EvidenceRun(platform="tests", started_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC), inventories=list(records))


def test_spend_is_summed_by_month_and_environment_counting_a_shared_account_once():
    shared = [Spend(month=JAN, environment="production", amount=Decimal("100.10")),
              Spend(month=JAN, environment="staging", amount=Decimal("20")),
              Spend(month=FEB, environment="production", amount=Decimal("120.25")),
              Spend(month=FEB, environment="", amount=Decimal("3.5"))]
    trend = spend_trend(run(record("staging", "111111111111", *shared), record("production", "111111111111", *shared)))
    assert trend.months == [JAN, FEB] and trend.environments == ["production", "staging", "untagged"]
    assert trend.amount("production", JAN) == Decimal("100.10") and trend.amount("untagged", FEB) == Decimal("3.5")
    assert trend.amount("staging", FEB) is None


def test_separate_accounts_each_add_their_spend():
    trend = spend_trend([record("staging", "111111111111", Spend(month=JAN, environment="shared", amount=Decimal(5))),
                         record("production", "222222222222",
                                Spend(month=JAN, environment="shared", amount=Decimal(7)))])
    assert trend.amount("shared", JAN) == Decimal(12)


def test_where_spend_could_not_be_read_the_trend_says_why():
    denied = record("production", "222222222222", unavailable="AccessDenied: ce:GetCostAndUsage")
    failed = InventoryRecord(environment="staging", region="us-east-1", collector="cost_explorer", status="unknown",
                             reason="Timed out: ce:GetCostAndUsage did not answer in time")
    trend = spend_trend(run(denied, failed))
    assert trend.points == [] and trend.unavailable == {
        "production": "AccessDenied: ce:GetCostAndUsage",
        "staging": "Timed out: ce:GetCostAndUsage did not answer in time"}
    figure = spend_trend_figure(trend)
    assert figure.data == () and "AccessDenied: ce:GetCostAndUsage" in figure.layout.annotations[0].text


def test_the_figure_has_one_bar_series_per_environment_with_the_current_month_marked():
    trend = spend_trend(run(record("production", "222222222222",
                                   Spend(month=FEB, environment="production", amount=Decimal("21500.45")),
                                   Spend(month=MAR, environment="production", amount=Decimal("900"), estimated=True),
                                   Spend(month=MAR, environment="staging", amount=Decimal("300"), estimated=True))))
    figure = spend_trend_figure(trend)
    bars = {bar.name: bar for bar in figure.data}
    assert set(bars) == {"production", "staging"} and figure.layout.title.text == "Monthly spend by Environment tag"
    assert list(bars["production"].x) == ["Feb 2026", "Mar 2026"] and list(bars["production"].y) == [21500.45, 900.0]
    assert list(bars["production"].marker.pattern.shape) == ["", "/"]
    assert bars["production"].hovertemplate[1] == "production, March 2026: 900.00 USD (so far)<extra></extra>"
    assert list(bars["staging"].y) == [None, 300.0]
