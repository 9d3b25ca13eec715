"""Staging against production: which portfolios, positions and totals differ, and by how much."""
from __future__ import annotations

import copy
from decimal import Decimal

from sample_exports import AS_OF, read

from readiness.dataflow import checks, comparison
from readiness.evidence.model import Status


def crafted_pair(exports: dict) -> tuple[dict, dict, Decimal, str]:
    """Production = staging, but one USD holding of P-1002 priced 1.50 lower today, with its total
    and valuation following, and one position of P-1003 missing."""
    staging, production = exports, copy.deepcopy(exports)
    positions, totals, valuations = production["positions"], production["totals"], production["valuations"]
    today = positions.as_of == AS_OF.isoformat()
    row = positions.index[today & (positions.portfolio_id == "P-1002") & (positions.currency == "USD")
                          & (positions.base_currency == "USD")][0]
    quantity = Decimal(positions.loc[row, "quantity"])
    positions.loc[row, "price"] = format(Decimal(positions.loc[row, "price"]) - Decimal("1.50"), "f")
    lower = Decimal(positions.loc[row, "market_value"]) - quantity * Decimal("1.50")
    positions.loc[row, "market_value"] = format(lower, ".2f")
    for frame, column in ((totals, "total_value"), (valuations, "value")):
        at = frame.index[(frame.portfolio_id == "P-1002") & (frame.as_of == AS_OF.isoformat())][0]
        frame.loc[at, column] = format(Decimal(frame.loc[at, column]) - quantity * Decimal("1.50"), ".2f")
    dropped = positions.index[today & (positions.portfolio_id == "P-1003")][0]
    production["positions"] = positions.drop(index=dropped)
    return staging, production, quantity * Decimal("1.50"), positions.loc[dropped, "instrument_id"]


def test_identical_environments_agree(exports, settings):
    staging, production = read(exports, "staging"), read(exports, "production")
    result = comparison.environment_agreement(staging.tables, production.tables, settings)
    assert result.faults.empty and result.portfolios == 4


def test_a_crafted_pair_names_each_differing_portfolio_position_and_amount(exports, settings):
    staging, production, gap, missing_instrument = crafted_pair(exports)
    result = comparison.environment_agreement(read(staging, "staging").tables, read(production).tables, settings)
    faults = result.faults
    p1002 = faults[faults.portfolio_id == "P-1002"]
    assert sorted(p1002["problem"]) == ["portfolio total differs", "position differs", "valuation history differs"]
    assert set(p1002["difference"]) == {-gap}
    p1003 = faults[faults.portfolio_id == "P-1003"]
    assert p1003["problem"].tolist() == ["position is in staging but not in production"]
    assert p1003["instrument_id"].tolist() == [missing_instrument]
    assert set(faults["portfolio_id"]) == {"P-1002", "P-1003"}


def test_the_comparing_check_reports_production_against_staging_with_the_total_difference(exports, settings):
    staging, production, gap, _ = crafted_pair(exports)
    found = checks.environment_agreement(read(staging, "staging"), read(production), settings)
    by_resource = {f.resource: f for f in found}
    p1002 = by_resource["portfolio:P-1002"]
    assert (p1002.environment, p1002.baseline, p1002.status) == ("production", "staging", Status.FAIL)
    assert p1002.details["total_difference"] == {"USD": format(-gap, ".2f")}
    assert f"off by {-gap:.2f} USD" in p1002.message
    passing = by_resource["positions.csv"]
    assert passing.status == Status.PASS and passing.details["portfolios"] == 2


def test_comparing_cannot_tell_when_one_side_has_no_positions_that_day(exports, settings):
    production = copy.deepcopy(exports)
    production["positions"] = production["positions"][production["positions"].as_of != AS_OF.isoformat()]
    found = checks.environment_agreement(read(exports, "staging"), read(production), settings)
    assert [f.status for f in found] == [Status.UNKNOWN]
    assert "production has no positions for 2025-01-17" in found[0].message
