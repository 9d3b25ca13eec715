"""Write the sample exports of data/samples/staging and data/samples/production (run from the repo root).

Both environments start from the same consistent data; production then gets the defects that the
demo shows (see README.md here): a stale price and a market value without its FX conversion.
Staging misses one day of valuation history.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from readiness.dataflow import synthetic  # noqa: E402

MISSED_DAY = ("P-1003", "2024-11-29")  # the half-day after Thanksgiving, a trading day all the same


def _set(frame, where, **values) -> None:
    for column, value in values.items():
        frame.loc[where, column] = value


def _reprice(exports, portfolio: str, instrument: str, day: str, market_value: Decimal) -> None:
    """Give one position a new market value and carry it into the portfolio's total and valuation."""
    positions, totals, valuations = exports["positions"], exports["totals"], exports["valuations"]
    row = (positions.portfolio_id == portfolio) & (positions.instrument_id == instrument) & (positions.as_of == day)
    change = market_value - Decimal(positions.loc[row, "market_value"].iloc[0])
    _set(positions, row, market_value=format(market_value, "f"))
    for frame, column in ((totals, "total_value"), (valuations, "value")):
        at = (frame.portfolio_id == portfolio) & (frame.as_of == day)
        _set(frame, at, **{column: format(Decimal(frame.loc[at, column].iloc[0]) + change, "f")})


def production_defects(exports) -> None:
    positions, prices = exports["positions"], exports["prices"]
    days = sorted(positions.as_of.unique())
    previous, today = days[-2], days[-1]
    held_today = positions[positions.as_of == today]
    holders = held_today.groupby("instrument_id").portfolio_id.nunique()
    stale_instrument = sorted(holders[holders == 1].index)[0]  # one holder: one portfolio's value differs
    stale_holder = held_today[held_today.instrument_id == stale_instrument].portfolio_id.iloc[0]
    eur_in_usd = held_today[(held_today.currency == "EUR") & (held_today.base_currency == "USD")
                            & (held_today.portfolio_id != stale_holder)].sort_values(["portfolio_id", "instrument_id"])
    # 1. The market-data feed missed today's price of one instrument: yesterday's is used all through.
    listed = prices.loc[prices.instrument_id == stale_instrument, "currency"].iloc[0]
    stale = prices.loc[(prices.instrument_id == stale_instrument) & (prices.as_of == previous), "price"].iloc[0]
    _set(prices, (prices.instrument_id == stale_instrument) & (prices.as_of == today), price=stale)
    held = positions[(positions.instrument_id == stale_instrument) & (positions.as_of == today)]
    for _, position in held.iterrows():
        fx = synthetic.fx_rate(listed, position.base_currency, Decimal("1.0004")) \
            if position.base_currency != listed else Decimal(1)
        _set(positions, (positions.portfolio_id == position.portfolio_id)
             & (positions.instrument_id == stale_instrument) & (positions.as_of == today), price=stale)
        _reprice(exports, position.portfolio_id, stale_instrument, today,
                 synthetic.round_to_minor(Decimal(position.quantity) * Decimal(stale) * fx, position.base_currency))
    # 2. One EUR holding of a USD portfolio valued as if euros were dollars.
    row = eur_in_usd.iloc[0]
    portfolio, instrument = row.portfolio_id, row.instrument_id
    unconverted = synthetic.round_to_minor(Decimal(row.quantity) * Decimal(row.price), "USD")
    _reprice(exports, portfolio, instrument, today, unconverted)


def staging_defects(exports) -> None:
    valuations = exports["valuations"]
    portfolio, day = MISSED_DAY
    exports["valuations"] = valuations[~((valuations.portfolio_id == portfolio) & (valuations.as_of == day))]


def main() -> None:
    for environment, defects in (("staging", staging_defects), ("production", production_defects)):
        exports = synthetic.generate(portfolios=8, holdings=10, days=60, seed=7)
        defects(exports)
        folder = HERE / environment
        folder.mkdir(exist_ok=True)
        for name, data in synthetic.as_files(exports):
            (folder / name).write_bytes(data)
        print(f"wrote {folder}: {', '.join(name for name, _ in synthetic.as_files(exports))}")


if __name__ == "__main__":
    main()
