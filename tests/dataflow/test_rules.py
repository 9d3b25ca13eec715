"""Each accuracy rule: a passing sample, a failing one, and the rows at fault named exactly."""
from __future__ import annotations

from decimal import Decimal, localcontext

import pandas as pd
import pytest
from sample_exports import AS_OF, PREVIOUS, read, rule_settings

from readiness.dataflow import rules


def first(frame: pd.DataFrame, **where) -> int:
    """Index of the first row matching column == value for each keyword."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame.index[mask][0]


def bump(frame: pd.DataFrame, index: int, column: str, by: str) -> None:
    frame.loc[index, column] = format(Decimal(frame.loc[index, column]) + Decimal(by), "f")


def today_row(tables: dict, kind: str = "positions", **where) -> int:
    return first(tables[kind], as_of=AS_OF.isoformat(), **where)


# ---- market value -----------------------------------------------------------------------------------

def test_market_values_of_consistent_exports_pass(exports, settings):
    read_back = read(exports)
    result = rules.market_value_arithmetic(read_back.table("positions"), read_back.table("fx"),
                                           read_back.table("prices"), settings)
    assert result.faults.empty and result.portfolios == 4 and result.rows > 0


def test_a_wrong_market_value_is_at_fault_with_its_row_and_amounts(exports, settings):
    index = today_row(exports)
    bump(exports["positions"], index, "market_value", "0.05")
    read_back = read(exports)
    result = rules.market_value_arithmetic(read_back.table("positions"), read_back.table("fx"), None, settings)
    fault = result.faults.iloc[0]
    assert len(result.faults) == 1
    assert fault["portfolio_id"] == exports["positions"].loc[index, "portfolio_id"]
    assert (fault["file"], fault["row"]) == ("positions.csv", index + 2)
    assert fault["market_value"] == Decimal(exports["positions"].loc[index, "market_value"])
    assert fault["expected"] == fault["quantity"] * fault["price"] * fault["fx_rate"]
    assert fault["difference"] == fault["market_value"] - fault["expected"]
    assert abs(fault["difference"] - Decimal("0.05")) <= Decimal("0.005")  # the 5 cents added, and the rounding


def test_the_tolerance_is_in_minor_units_on_top_of_rounding(exports):
    index = today_row(exports, base_currency="USD")
    bump(exports["positions"], index, "market_value", "0.01")
    read_back = read(exports)
    args = (read_back.table("positions"), read_back.table("fx"), None)
    assert rules.market_value_arithmetic(*args, rule_settings(tolerance=1)).faults.empty
    assert len(rules.market_value_arithmetic(*args, rule_settings(tolerance=0)).faults) == 1


def test_yen_amounts_have_no_minor_unit(settings):
    positions = pd.DataFrame({
        "portfolio_id": ["P-JP"] * 2, "instrument_id": ["JP3633400001", "JP3633400002"], "quantity": ["3", "3"],
        "price": ["2865.5", "100"], "currency": ["JPY", "JPY"], "market_value": ["8597", "302"],
        "base_currency": ["JPY", "JPY"], "as_of": [AS_OF.isoformat()] * 2})
    read_back = read({"positions": positions})
    result = rules.market_value_arithmetic(read_back.table("positions"), None, None, settings)
    # 3 × 2865.5 = 8596.5 rounds to 8596 or 8597; 302 is two yen off 300, past the 1-yen tolerance
    assert result.faults["instrument_id"].tolist() == ["JP3633400002"]


def test_an_inverse_fx_rate_is_used_when_only_it_is_given_and_a_missing_rate_is_at_fault(settings):
    positions = pd.DataFrame({
        "portfolio_id": ["P-1"], "instrument_id": ["DE0007164600"], "quantity": ["100"], "price": ["10.00"],
        "currency": ["EUR"], "market_value": ["1250.00"], "base_currency": ["USD"], "as_of": [AS_OF.isoformat()]})
    usd_to_eur = pd.DataFrame({"as_of": [AS_OF.isoformat()], "from_currency": ["USD"], "to_currency": ["EUR"],
                               "rate": ["0.8"]})
    read_back = read({"positions": positions, "fx": usd_to_eur})
    result = rules.market_value_arithmetic(read_back.table("positions"), read_back.table("fx"), None, settings)
    assert result.faults.empty  # 1 EUR = 1 / 0.8 = 1.25 USD

    other_day = usd_to_eur.assign(as_of=PREVIOUS.isoformat())
    read_back = read({"positions": positions, "fx": other_day})
    result = rules.market_value_arithmetic(read_back.table("positions"), read_back.table("fx"), None, settings)
    assert result.faults["problem"].tolist() == ["no FX rate for this currency pair on the as-of date"]


def test_a_position_priced_off_the_official_price_is_at_fault(exports, settings):
    index = today_row(exports, currency="USD", base_currency="USD")
    positions = exports["positions"]
    positions.loc[index, "price"] = "1.0000"
    positions.loc[index, "market_value"] = format(Decimal(positions.loc[index, "quantity"]), ".2f")
    read_back = read(exports)
    result = rules.market_value_arithmetic(read_back.table("positions"), read_back.table("fx"),
                                           read_back.table("prices"), settings)
    assert result.faults["problem"].tolist() == ["price differs from the official price of the day"]
    assert result.faults["official_price"].iloc[0] != Decimal("1")


def test_arithmetic_stays_exact_for_values_near_the_largest_accepted(settings):
    positions = pd.DataFrame({
        "portfolio_id": ["P-1"], "instrument_id": ["X"], "quantity": ["123456789012.123456"],
        "price": ["987654.123456789012"], "currency": ["EUR"], "market_value": ["131883369006880339.99"],
        "base_currency": ["USD"], "as_of": [AS_OF.isoformat()]})
    fx = pd.DataFrame({"as_of": [AS_OF.isoformat()], "from_currency": ["EUR"], "to_currency": ["USD"],
                       "rate": ["1.081645123456"]})
    read_back = read({"positions": positions, "fx": fx})
    result = rules.market_value_arithmetic(read_back.table("positions"), read_back.table("fx"), None, settings)
    with localcontext() as context:
        context.prec = 80
        exact = Decimal("123456789012.123456") * Decimal("987654.123456789012") * Decimal("1.081645123456")
        difference = Decimal("131883369006880339.99") - exact
    assert result.faults["expected"].iloc[0] == exact  # reported because the stated value is off by billions
    assert result.faults["difference"].iloc[0] == difference


# ---- totals --------------------------------------------------------------------------------------

def test_totals_of_consistent_exports_reconcile(exports, settings):
    read_back = read(exports)
    assert rules.totals_reconcile(read_back.table("positions"), read_back.table("totals"), settings).faults.empty


def test_a_total_that_is_not_positions_plus_cash_is_at_fault_by_its_difference(exports, settings):
    index = today_row(exports, "totals")
    bump(exports["totals"], index, "total_value", "-12.34")
    read_back = read(exports)
    faults = rules.totals_reconcile(read_back.table("positions"), read_back.table("totals"), settings).faults
    assert faults["difference"].tolist() == [Decimal("-12.34")]
    assert faults["row"].tolist() == [index + 2]


def test_a_portfolio_with_positions_but_no_total_is_at_fault(exports, settings):
    totals = exports["totals"]
    exports["totals"] = totals.drop(index=today_row(exports, "totals", portfolio_id="P-1002"))
    read_back = read(exports)
    faults = rules.totals_reconcile(read_back.table("positions"), read_back.table("totals"), settings).faults
    assert faults[["portfolio_id", "problem"]].values.tolist() == [["P-1002",
                                                                     "portfolio holds positions but has no total"]]


# ---- roll forward --------------------------------------------------------------------------------

def test_positions_roll_forward_with_the_transactions(exports, settings):
    read_back = read(exports)
    result = rules.positions_roll_forward(read_back.table("positions"), read_back.table("transactions"), settings)
    assert result.faults.empty and result.facts["previous_as_of"] == PREVIOUS.isoformat()


def test_a_position_that_moved_without_a_transaction_is_at_fault(exports, settings):
    traded = set(zip(exports["transactions"].portfolio_id, exports["transactions"].instrument_id))
    positions = exports["positions"]
    index = next(i for i in positions.index if positions.loc[i, "as_of"] == AS_OF.isoformat()
                 and (positions.loc[i, "portfolio_id"], positions.loc[i, "instrument_id"]) not in traded)
    bump(positions, index, "quantity", "7")
    read_back = read(exports)
    faults = rules.positions_roll_forward(read_back.table("positions"), read_back.table("transactions"),
                                          settings).faults
    assert faults["difference"].tolist() == [Decimal(7)]
    assert faults["row"].tolist() == [index + 2]


def test_a_transaction_recorded_twice_is_at_fault(exports, settings):
    exports["transactions"] = pd.concat([exports["transactions"], exports["transactions"].iloc[[0]]])
    read_back = read(exports)
    faults = rules.positions_roll_forward(read_back.table("positions"), read_back.table("transactions"),
                                          settings).faults
    assert "transaction id appears more than once" in set(faults["problem"])
    assert "position does not equal the previous position plus the transactions" in set(faults["problem"])


def test_roll_forward_cannot_tell_without_transactions_or_with_a_single_as_of_date(exports, settings):
    read_back = read(exports)
    assert rules.positions_roll_forward(read_back.table("positions"), None, settings).cannot_tell == \
        "there is no transactions export"
    exports["positions"] = exports["positions"][exports["positions"].as_of == AS_OF.isoformat()]
    read_back = read(exports)
    result = rules.positions_roll_forward(read_back.table("positions"), read_back.table("transactions"), settings)
    assert result.cannot_tell == "the positions export has no as-of date before 2025-01-17 to roll forward from"


# ---- valuation history -------------------------------------------------------------------------------

def test_a_history_that_skips_only_exchange_holidays_passes(exports, settings):
    days = set(exports["valuations"].as_of)
    assert "2025-01-09" not in days and "2025-01-01" not in days and "2025-01-08" in days  # NYSE closures
    read_back = read(exports)
    result = rules.valuation_history_continuity(read_back.table("valuations"), {"P-1001"}, settings)
    assert result.faults.empty and result.facts["trading_days"] == 20


def test_a_missing_trading_day_is_at_fault_with_the_date(exports, settings):
    valuations = exports["valuations"]
    exports["valuations"] = valuations.drop(index=first(valuations, portfolio_id="P-1002", as_of="2025-01-08"))
    read_back = read(exports)
    faults = rules.valuation_history_continuity(read_back.table("valuations"), set(), settings).faults
    assert faults[["portfolio_id", "problem"]].values.tolist() == [["P-1002", "no valuation on a trading day"]]
    assert str(faults["date"].iloc[0]) == "2025-01-08"


def test_a_history_that_stops_before_the_as_of_date_has_gaps_while_the_portfolio_is_held(exports, settings):
    valuations = exports["valuations"]
    exports["valuations"] = valuations[~((valuations.portfolio_id == "P-1003") & (valuations.as_of == "2025-01-17"))]
    table = read(exports).table("valuations")
    assert len(rules.valuation_history_continuity(table, {"P-1003"}, settings).faults) == 1
    assert rules.valuation_history_continuity(table, set(), settings).faults.empty  # closed: history may end


def test_two_valuations_for_one_day_are_at_fault(exports, settings):
    valuations = exports["valuations"]
    exports["valuations"] = pd.concat([valuations, valuations.iloc[[3]]], ignore_index=True)
    faults = rules.valuation_history_continuity(read(exports).table("valuations"), set(), settings).faults
    assert faults["problem"].tolist() == ["more than one valuation for the same day"] * 2
    assert faults["row"].tolist() == [5, len(valuations) + 2]


def test_an_unexplained_jump_warns_and_a_jump_with_its_cash_flow_does_not(exports, settings):
    valuations = exports["valuations"]
    index = first(valuations, portfolio_id="P-1001", as_of="2025-01-10")
    bump(valuations, index, "value", "1000000")
    faults = rules.valuation_history_continuity(read(exports).table("valuations"), set(), settings).faults
    # the day it jumps up and the day it comes back down
    assert faults["status"].tolist() == ["warn", "warn"]
    assert [str(d) for d in faults["date"]] == ["2025-01-10", "2025-01-13"]

    valuations.loc[index, "net_flow"] = "1000000"
    next_day = first(valuations, portfolio_id="P-1001", as_of="2025-01-13")
    valuations.loc[next_day, "net_flow"] = "-1000000"
    assert rules.valuation_history_continuity(read(exports).table("valuations"), set(), settings).faults.empty


# ---- determinism --------------------------------------------------------------------------------

def test_aggregating_in_reverse_order_gives_the_same_digest(exports, settings):
    read_back = read(exports)
    result = rules.aggregation_determinism(read_back.table("positions"), read_back.table("totals"), settings)
    assert result.faults.empty and result.facts["identical"] is True and len(result.facts["digest"]) == 64


def test_a_key_repeated_with_different_values_makes_totals_depend_on_row_order(exports, settings):
    positions = exports["positions"]
    copy = positions.loc[[today_row(exports, portfolio_id="P-1004")]].copy()
    bump(copy, copy.index[0], "market_value", "100")
    exports["positions"] = pd.concat([positions, copy], ignore_index=True)
    read_back = read(exports)
    result = rules.aggregation_determinism(read_back.table("positions"), read_back.table("totals"), settings)
    assert result.facts["identical"] is False
    assert set(result.faults["portfolio_id"]) == {"P-1004"} and len(result.faults) == 2


@pytest.mark.parametrize("rule", ["market_value_arithmetic", "totals_reconcile", "aggregation_determinism"])
def test_rules_cannot_tell_for_a_date_without_positions(exports, rule):
    read_back = read(exports)
    other_day = rule_settings().__class__(as_of=AS_OF.replace(day=20))
    arguments = {"market_value_arithmetic": (read_back.table("positions"), None, None),
                 "totals_reconcile": (read_back.table("positions"), read_back.table("totals")),
                 "aggregation_determinism": (read_back.table("positions"), read_back.table("totals"))}[rule]
    assert "2025-01-20" in getattr(rules, rule)(*arguments, other_day).cannot_tell


def test_a_day_without_transactions_rolls_forward_when_nothing_moved(exports, settings):
    positions = exports["positions"]
    previous = positions[positions.as_of == PREVIOUS.isoformat()]
    exports["positions"] = pd.concat([previous, previous.assign(as_of=AS_OF.isoformat())], ignore_index=True)
    exports["transactions"] = exports["transactions"].iloc[:0]
    read_back = read(exports)
    assert len(read_back.table("transactions")) == 0
    result = rules.positions_roll_forward(read_back.table("positions"), read_back.table("transactions"), settings)
    assert result.faults.empty and result.facts["transactions"] == 0
