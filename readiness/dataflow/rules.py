"""The accuracy rules over one environment's exports: vectorised, exact, each naming the rows at fault.

Each rule returns a RuleResult: how much it looked at, and one row per thing at fault (with the
portfolio, the file and row it came from, and the amounts involved). Turning results into
findings a leader can read is the job of readiness.dataflow.findings.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from readiness.dataflow import exact
from readiness.dataflow.calendar import trading_days
from readiness.dataflow.readers import FILE, ROW
from readiness.dataflow.schema import minor_unit_digits

FAIL, WARN = "fail", "warn"
FAULT_COLUMNS = ["portfolio_id", "status", "problem", "unit"]


@dataclass(frozen=True)
class RuleSettings:
    as_of: dt.date
    tolerance_minor_units: int = 1
    valuation_jump: Decimal = Decimal("0.2")
    calendar: str = "XNYS"


@dataclass
class RuleResult:
    portfolios: int = 0  # portfolios looked at
    rows: int = 0  # rows looked at
    faults: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FAULT_COLUMNS))
    cannot_tell: str | None = None  # why the rule could not tell pass from fail
    facts: dict[str, object] = field(default_factory=dict)  # figures about the whole run (digest, dates)


def cannot_tell(reason: str) -> RuleResult:
    return RuleResult(cannot_tell=reason)


def on_date(frame: pd.DataFrame | None, day: dt.date) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame()
    return frame[(frame["as_of"] == day).to_numpy(dtype=bool, na_value=False)]


def allowance(currencies: pd.Series, units: Decimal) -> pd.Series:
    """`units` minor units of each row's currency, as a decimal column (0.01 for 1 unit of USD)."""
    codes, uniques = pd.factorize(currencies)
    per_currency = [units.scaleb(-minor_unit_digits(str(c))) for c in uniques]
    small = exact.arrow(exact.from_decimals(per_currency, pd.RangeIndex(len(per_currency))))
    return exact.series(small.take(codes), currencies.index)


def faults_where(frame: pd.DataFrame, mask: np.ndarray, problem: str, unit: str = "row", status: str = FAIL,
                 **columns) -> pd.DataFrame:
    """The rows of `frame` where `mask` holds, as faults: `problem` says what is wrong, in `unit`s."""
    picked = frame.loc[mask]
    out = pd.DataFrame({"portfolio_id": picked["portfolio_id"], "status": status, "problem": problem, "unit": unit,
                        "file": picked[FILE].astype(str) if FILE in picked else None,
                        "row": picked[ROW] if ROW in picked else None})
    for name, values in columns.items():
        out[name] = values.loc[mask] if isinstance(values, pd.Series) else values
    return out


def stacked(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return RuleResult().faults
    return pd.concat(parts, ignore_index=True)


# ---- market value = quantity × price × FX --------------------------------------------------------

def fx_lookup(fx: pd.DataFrame | None, day: dt.date, currencies: set[str]) -> pd.DataFrame:
    """The rates of the day: as given, inverted for pairs given only the other way, and 1 to itself."""
    rates = on_date(fx, day)
    direct = dict(zip(zip(rates["from_currency"], rates["to_currency"]), exact.to_decimals(rates["rate"]))) \
        if len(rates) else {}
    with localcontext() as context:
        context.prec = 28
        inverse = {(t, f): 1 / r for (f, t), r in direct.items() if (t, f) not in direct and r}
    pairs = {**inverse, **direct, **{(c, c): Decimal(1) for c in currencies}}
    index = pd.RangeIndex(len(pairs))
    return pd.DataFrame({"currency": pd.Series([p[0] for p in pairs], dtype="string[pyarrow]", index=index),
                         "base_currency": pd.Series([p[1] for p in pairs], dtype="string[pyarrow]", index=index),
                         "fx_rate": exact.from_decimals(pairs.values(), index)})


def market_value_arithmetic(positions: pd.DataFrame | None, fx: pd.DataFrame | None, prices: pd.DataFrame | None,
                            settings: RuleSettings) -> RuleResult:
    today = on_date(positions, settings.as_of)
    if not len(today):
        return cannot_tell(f"the positions export has no rows for {settings.as_of}")
    currencies = set(today["currency"].unique()) | set(today["base_currency"].unique())
    joined = today.reset_index(drop=True).merge(fx_lookup(fx, settings.as_of, currencies),
                                                on=["currency", "base_currency"], how="left")
    no_rate = joined["fx_rate"].isna().to_numpy()
    product = exact.multiply(exact.multiply(joined["quantity"], joined["price"]), joined["fx_rate"])
    difference = exact.subtract(joined["market_value"], product)
    # Half a minor unit is rounding, whichever rule the platform rounds by; the tolerance comes on top.
    limit = allowance(joined["base_currency"], Decimal(settings.tolerance_minor_units) + Decimal("0.5"))
    wrong = exact.exceeds(difference, limit) & ~no_rate
    figures = dict(instrument_id=joined["instrument_id"], quantity=joined["quantity"], price=joined["price"],
                   price_currency=joined["currency"], fx_rate=joined["fx_rate"], market_value=joined["market_value"],
                   expected=product, difference=difference, currency=joined["base_currency"])
    parts = [faults_where(joined, wrong, "market value is not quantity × price × FX", "position", **figures),
             faults_where(joined, no_rate, "no FX rate for this currency pair on the as-of date", "position",
                          **figures),
             _price_faults(joined, prices, settings.as_of)]
    return RuleResult(portfolios=int(today["portfolio_id"].nunique()), rows=len(today), faults=stacked(parts))


def _price_faults(positions: pd.DataFrame, prices: pd.DataFrame | None, day: dt.date) -> pd.DataFrame:
    official = on_date(prices, day)
    if not len(official):
        return pd.DataFrame()
    official = official[["instrument_id", "price", "currency"]].rename(
        columns={"price": "official_price", "currency": "official_currency"})
    joined = positions.merge(official, on="instrument_id", how="left")
    missing = joined["official_price"].isna().to_numpy()
    other_price = exact.differs(joined["price"], joined["official_price"]) & ~missing
    other_currency = (joined["currency"] != joined["official_currency"]).to_numpy(dtype=bool, na_value=False)
    figures = dict(instrument_id=joined["instrument_id"], price=joined["price"], price_currency=joined["currency"],
                   official_price=joined["official_price"], official_currency=joined["official_currency"])
    return stacked([
        faults_where(joined, other_price | other_currency, "price differs from the official price of the day",
                     "position", **figures),
        faults_where(joined, missing, "instrument has no official price on the as-of date", "position", **figures),
    ])


# ---- positions + cash = total ------------------------------------------------------------------

def totals_reconcile(positions: pd.DataFrame | None, totals: pd.DataFrame | None,
                     settings: RuleSettings) -> RuleResult:
    today, reported = on_date(positions, settings.as_of), on_date(totals, settings.as_of)
    if not len(reported):
        return cannot_tell(f"the totals export has no rows for {settings.as_of}")
    held = (today.groupby(["portfolio_id", "base_currency"], observed=True, sort=False)
            .agg(positions_value=("market_value", "sum"), positions=("market_value", "size")).reset_index()
            if len(today) else pd.DataFrame(columns=["portfolio_id", "base_currency", "positions_value", "positions"]))
    mixed = held["portfolio_id"].duplicated(keep=False).to_numpy()
    joined = reported.reset_index(drop=True).merge(held.rename(columns={"base_currency": "positions_currency"}),
                                                   on="portfolio_id", how="left")
    joined["positions_value"] = exact.tidy(joined["positions_value"]).fillna(Decimal(0))
    expected = exact.add(joined["positions_value"], joined["cash"])
    difference = exact.subtract(joined["total_value"], expected)
    limit = allowance(joined["base_currency"], Decimal(settings.tolerance_minor_units))
    other_currency = ((joined["positions_currency"] != joined["base_currency"])
                      .to_numpy(dtype=bool, na_value=False))
    wrong = exact.exceeds(difference, limit) & ~other_currency
    figures = dict(positions_value=joined["positions_value"], cash=joined["cash"], expected=expected,
                   total_value=joined["total_value"], difference=difference, currency=joined["base_currency"])
    untotalled = held.loc[~held["portfolio_id"].isin(reported["portfolio_id"]).to_numpy()]
    parts = [
        faults_where(joined, wrong, "total is not positions plus cash", "total", **figures),
        faults_where(joined, other_currency, "total is in another currency than the positions' market values",
                     "total", **figures),
        pd.DataFrame({"portfolio_id": untotalled["portfolio_id"], "status": FAIL,
                      "problem": "portfolio holds positions but has no total", "unit": "portfolio"}),
        pd.DataFrame({"portfolio_id": held.loc[mixed, "portfolio_id"], "status": FAIL,
                      "problem": "positions are valued in more than one base currency", "unit": "portfolio"}),
    ]
    portfolios = pd.concat([reported["portfolio_id"], held["portfolio_id"]]).nunique()
    return RuleResult(portfolios=int(portfolios), rows=len(reported), faults=stacked(parts))


# ---- yesterday + transactions = today -------------------------------------------------------

def positions_roll_forward(positions: pd.DataFrame | None, transactions: pd.DataFrame | None,
                           settings: RuleSettings) -> RuleResult:
    today = on_date(positions, settings.as_of)
    if not len(today):
        return cannot_tell(f"the positions export has no rows for {settings.as_of}")
    earlier = positions["as_of"][(positions["as_of"] < settings.as_of).to_numpy(dtype=bool, na_value=False)]
    if not len(earlier):
        return cannot_tell(f"the positions export has no as-of date before {settings.as_of} to roll forward from")
    if transactions is None:
        return cannot_tell("there is no transactions export")
    previous: dt.date = earlier.max()
    keys = ["portfolio_id", "instrument_id"]
    window = transactions[((transactions["as_of"] > previous) & (transactions["as_of"] <= settings.as_of))
                          .to_numpy(dtype=bool, na_value=False)]

    def quantities(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        return frame.groupby(keys, observed=True, sort=False)["quantity"].sum().rename(name).reset_index()

    rolled = (quantities(on_date(positions, previous), "opening")
              .merge(quantities(window, "traded"), on=keys, how="outer")
              .merge(quantities(today, "closing"), on=keys, how="outer"))
    for column in ("opening", "traded", "closing"):  # absent on one side means none held or traded
        rolled[column] = exact.tidy(rolled[column]).fillna(Decimal(0))
    expected = exact.add(rolled["opening"], rolled["traded"])
    difference = exact.subtract(rolled["closing"], expected)
    wrong = exact.differs(rolled["closing"], expected)
    where = today[[*keys, FILE, ROW]].drop_duplicates(keys)
    rolled = rolled.merge(where, on=keys, how="left")
    repeated = window[window["transaction_id"].duplicated(keep=False).to_numpy()]
    parts = [
        faults_where(rolled, wrong, "position does not equal the previous position plus the transactions",
                     "position", instrument_id=rolled["instrument_id"], opening=rolled["opening"],
                     traded=rolled["traded"], expected=expected, closing=rolled["closing"], difference=difference),
        faults_where(repeated, np.ones(len(repeated), dtype=bool), "transaction id appears more than once",
                     "transaction", instrument_id=repeated["instrument_id"],
                     transaction_id=repeated["transaction_id"], traded=repeated["quantity"]),
    ]
    result = RuleResult(portfolios=int(rolled["portfolio_id"].nunique()), rows=len(today) + len(window),
                        faults=stacked(parts))
    result.facts = {"previous_as_of": previous.isoformat(), "transactions": len(window)}
    return result


# ---- aggregation gives the same answer in any row order ---------------------------------------

def aggregate(positions: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Portfolio totals as a loader builds them: the last row of each key wins, then sums."""
    held = (positions.drop_duplicates(["portfolio_id", "instrument_id"], keep="last")
            .groupby("portfolio_id", observed=True, sort=False)["market_value"].sum().rename("positions_value"))
    reported = totals.drop_duplicates("portfolio_id", keep="last").set_index("portfolio_id")[["total_value", "cash"]]
    out = pd.concat([held, reported], axis=1).sort_index()
    for column in out.columns:
        out[column] = exact.tidy(out[column])
    return out


def digest(aggregated: pd.DataFrame) -> str:
    text = "\n".join("|".join([str(p)] + [exact.plain(v) or "" for v in values])
                     for p, *values in zip(aggregated.index, *(exact.to_decimals(aggregated[c]) for c in aggregated)))
    return hashlib.sha256(text.encode()).hexdigest()


def aggregation_determinism(positions: pd.DataFrame | None, totals: pd.DataFrame | None,
                            settings: RuleSettings) -> RuleResult:
    today, reported = on_date(positions, settings.as_of), on_date(totals, settings.as_of)
    if not len(today) or not len(reported):
        return cannot_tell(f"the positions and totals exports need rows for {settings.as_of}")
    first = aggregate(today, reported)
    second = aggregate(today.iloc[::-1], reported.iloc[::-1])  # the same rows, read the other way round
    first_digest, second_digest = digest(first), digest(second)
    changed = np.zeros(len(first), dtype=bool)
    for column in first.columns:
        changed |= exact.differs(first[column].fillna(Decimal(0)), second[column].fillna(Decimal(0)))
    unstable = set(first.index[changed])
    conflicts = []
    for frame, key, value in ((today, ["portfolio_id", "instrument_id"], "market_value"),
                              (reported, ["portfolio_id"], "total_value")):
        repeated = frame[frame.duplicated(key, keep=False).to_numpy() & frame["portfolio_id"].isin(unstable).to_numpy()]
        conflicts.append(faults_where(repeated, np.ones(len(repeated), dtype=bool),
                                      "the same key appears more than once with different values, so the total "
                                      "depends on which row is read last", "row",
                                      instrument_id=repeated.get("instrument_id"), value=repeated[value]))
    result = RuleResult(portfolios=len(first), rows=len(today) + len(reported), faults=stacked(conflicts))
    result.facts = {"digest": first_digest, "digest_reversed": second_digest,
                    "identical": first_digest == second_digest}
    return result


# ---- valuation history: every trading day once, no unexplained jumps ----------------------------

def _days(dates: pd.Series) -> np.ndarray:
    """Dates as whole days since 1970, for fast set and range arithmetic."""
    return pc.cast(pa.array(dates, type=pa.date32()), pa.int32()).to_numpy(zero_copy_only=False).astype("int64")


def valuation_history_continuity(valuations: pd.DataFrame | None, held: set[str],
                                 settings: RuleSettings) -> RuleResult:
    """`held`: the portfolios still held on the as-of date, whose history must reach it."""
    if valuations is None:
        return cannot_tell("there is no valuations export")
    history = valuations[(valuations["as_of"] <= settings.as_of).to_numpy(dtype=bool, na_value=False)]
    if not len(history):
        return cannot_tell(f"the valuations export has no rows on or before {settings.as_of}")
    history = history.reset_index(drop=True)
    days = _days(history["as_of"])
    sessions = _days(pd.Series(trading_days(settings.calendar, history["as_of"].min(), settings.as_of).date))
    on_session = np.isin(days, sessions)
    history, days = history.loc[on_session].reset_index(drop=True), days[on_session]
    parts = [faults_where(history, history.duplicated(["portfolio_id", "as_of"], keep=False).to_numpy(),
                          "more than one valuation for the same day", "valuation", date=history["as_of"],
                          value=history["value"])]

    span = pd.DataFrame({"portfolio_id": history["portfolio_id"].to_numpy(), "day": days}).groupby("portfolio_id")
    first, last, present = span["day"].min(), span["day"].max(), span["day"].nunique()
    end = np.where(first.index.isin(list(held)), _days(pd.Series([settings.as_of]))[0], last.to_numpy())
    expected = np.searchsorted(sessions, end, "right") - np.searchsorted(sessions, first.to_numpy(), "left")
    gappy = first.index[expected > present.to_numpy()]
    if len(gappy):
        file_of = history.drop_duplicates("portfolio_id").set_index("portfolio_id")[FILE].astype(str)
        seen = pd.DataFrame({"portfolio_id": history["portfolio_id"].to_numpy(), "day": days})
        seen = seen[seen["portfolio_id"].isin(gappy)].groupby("portfolio_id")["day"].agg(set)
        rows = []
        for portfolio in gappy:
            stop = end[first.index.get_loc(portfolio)]
            wanted = sessions[(sessions >= first[portfolio]) & (sessions <= stop)]
            for day in sorted(set(wanted.tolist()) - seen[portfolio]):
                rows.append((portfolio, dt.date(1970, 1, 1) + dt.timedelta(days=int(day)), file_of[portfolio]))
        parts.append(pd.DataFrame({"portfolio_id": [r[0] for r in rows], "status": FAIL,
                                   "problem": "no valuation on a trading day", "unit": "day",
                                   "date": [r[1] for r in rows], "file": [r[2] for r in rows]}))

    series = history.drop_duplicates(["portfolio_id", "as_of"]).sort_values(["portfolio_id", "as_of"])
    series = series.reset_index(drop=True)
    previous = series["value"].shift(1)
    continues = (series["portfolio_id"] == series["portfolio_id"].shift(1)).to_numpy(dtype=bool, na_value=False)
    move = exact.subtract(exact.subtract(series["value"], previous), series["net_flow"])
    limit = exact.multiply(exact.constant(settings.valuation_jump, series.index), previous.abs())
    jumped = exact.exceeds(move, limit) & continues
    percent = exact.plain(settings.valuation_jump * 100)
    parts.append(faults_where(series, jumped, f"value moved more than {percent}% in a day without a cash flow to "
                              "explain it", "day", status=WARN, date=series["as_of"], previous=previous,
                              value=series["value"], net_flow=series["net_flow"], unexplained=move,
                              currency=series["base_currency"]))
    result = RuleResult(portfolios=int(first.size), rows=len(history), faults=stacked(parts))
    result.facts = {"first_day": history["as_of"].min().isoformat(), "trading_days": int(len(sessions)),
                    "off_calendar_rows": int((~on_session).sum())}
    return result
