"""Consistent synthetic portfolio exports, of any size: the shipped samples, tests and the benchmark.

Everything generated agrees with every rule: market values are quantity × price × FX rounded
to the base currency's minor unit, totals are positions plus cash, today's positions are
yesterday's plus the day's transactions, and the valuation history has one value per trading
day ending at the totals. Defects are added on purpose by whoever needs them.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd

from readiness.dataflow.calendar import trading_days
from readiness.dataflow.schema import SCHEMAS, minor_unit_digits

# A small universe that reads like a real one; larger runs add generated instruments.
INSTRUMENTS = [
    ("US0378331005", "USD", "187.2500"), ("US5949181045", "USD", "402.1800"), ("US4781601046", "USD", "156.3400"),
    ("US46625H1005", "USD", "172.9000"), ("US30231G1022", "USD", "104.6200"), ("US9229083632", "USD", "438.7700"),
    ("NL0010273215", "EUR", "645.3000"), ("DE0007164600", "EUR", "182.4600"), ("DE0007236101", "EUR", "124.8800"),
    ("GB00BH4HKS39", "GBP", "0.7042"), ("GB0005405286", "GBP", "6.1230"), ("GB00BP6MXD84", "GBP", "27.4150"),
    ("JP3633400001", "JPY", "2865"), ("US02079K3059", "USD", "143.6000"), ("US0231351067", "USD", "178.2200"),
    ("US67066G1040", "USD", "136.2400"), ("IE00B4L5Y983", "USD", "98.4100"), ("FR0000121014", "EUR", "698.5000"),
    ("GB0009895292", "GBP", "105.4000"), ("US92826C8394", "USD", "265.1200"),
]
BASES = ["USD", "USD", "USD", "GBP", "USD", "EUR", "USD", "USD"]
FX_TO_USD = {"USD": Decimal(1), "EUR": Decimal("1.0852"), "GBP": Decimal("1.2674"), "JPY": Decimal("0.006742")}


def round_to_minor(value: Decimal, currency: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-minor_unit_digits(currency)), rounding=ROUND_HALF_EVEN)


def fx_rate(source: str, target: str, drift: Decimal = Decimal(1)) -> Decimal:
    """1 `source` in `target`, to six significant decimals, as a rate file would carry it."""
    return (FX_TO_USD[source] / FX_TO_USD[target] * drift).quantize(Decimal("0.000001"))


def generate(*, portfolios: int = 8, holdings: int = 10, days: int = 60, as_of: dt.date = dt.date(2025, 1, 17),
             calendar: str = "XNYS", seed: int = 7) -> dict[str, pd.DataFrame]:
    """Exports as text columns, keyed by kind: positions on the last two trading days, and so on."""
    rng = np.random.default_rng(seed)
    sessions = [d.date() for d in trading_days(calendar, as_of - dt.timedelta(days=days * 2 + 30), as_of)][-days:]
    previous, today = sessions[-2], sessions[-1]
    universe = list(INSTRUMENTS)
    currencies = ["USD", "EUR", "GBP", "USD"]
    while len(universe) < holdings * 2 or len(universe) < portfolios // 4:
        n = len(universe)
        universe.append((f"XS{n:010d}", currencies[n % 4], f"{rng.integers(5_00, 500_00) / 100:.4f}"))
    moves = rng.normal(0, 0.01, len(universe))
    price = {previous: {i: Decimal(p) for i, _, p in universe}}
    price[today] = {i: (Decimal(p) * Decimal(str(1 + round(m, 4)))).quantize(Decimal(p))
                    for (i, _, p), m in zip(universe, moves)}
    currency_of = {i: c for i, c, _ in universe}
    fx = {day: {(s, t): fx_rate(s, t, drift) for s in FX_TO_USD for t in FX_TO_USD if s != t}
          for day, drift in ((previous, Decimal(1)), (today, Decimal("1.0004")))}

    rows: dict[str, list[tuple]] = {k: [] for k in SCHEMAS}
    for p in range(portfolios):
        portfolio, base = f"P-{1001 + p}", BASES[p % len(BASES)]
        chosen = rng.choice(len(universe), size=min(holdings, len(universe)), replace=False)
        opening = {universe[c][0]: Decimal(int(rng.integers(1, 400)) * 5) for c in chosen}
        trades = {}
        for n, instrument in enumerate(sorted(opening)):
            if rng.random() < 0.2:
                trades[instrument] = Decimal(int(rng.integers(-opening[instrument] // 5, 40)) * 5) or Decimal(5)
        closing = {i: opening.get(i, Decimal(0)) + trades.get(i, Decimal(0)) for i in opening}
        def rate(instrument: str, day: dt.date) -> Decimal:
            listed = currency_of[instrument]
            return Decimal(1) if listed == base else fx[day][(listed, base)]

        # Trades are paid from cash, topped up by a deposit (a net flow) when cash runs short.
        cost = sum((round_to_minor(q * price[today][i] * rate(i, today), base) for i, q in trades.items()), Decimal(0))
        cash = {previous: Decimal(int(rng.integers(1_000_00, 90_000_00))) / 100}
        cash[today] = cash[previous] - cost
        deposit = round_to_minor(-cash[today] * 2, base) if cash[today] < 0 else Decimal(0)
        cash[today] += deposit
        totals = {}
        for day, held in ((previous, opening), (today, closing)):
            value = Decimal(0)
            for instrument, quantity in sorted(held.items()):
                if quantity == 0:
                    continue
                listed = currency_of[instrument]
                market_value = round_to_minor(quantity * price[day][instrument] * rate(instrument, day), base)
                value += market_value
                rows["positions"].append((portfolio, instrument, quantity, price[day][instrument], listed,
                                          market_value, base, day))
            totals[day] = value + cash[day]
            rows["totals"].append((portfolio, day, totals[day], cash[day], base))
        for t, (instrument, quantity) in enumerate(sorted(trades.items())):
            kind = "BUY" if quantity > 0 else "SELL"
            rows["transactions"].append((f"T-{today:%Y%m%d}-{p:05d}-{t:03d}", portfolio, instrument, today,
                                         quantity, kind))
        value = totals[previous]
        history = [(today, totals[today], deposit), (previous, value, Decimal(0))]
        for day in reversed(sessions[:-2]):
            value = round_to_minor(value / Decimal(str(1 + round(float(rng.normal(0.0003, 0.008)), 5))), base)
            history.append((day, value, Decimal(0)))
        for day, amount, flow in reversed(history):
            rows["valuations"].append((portfolio, day, amount, base, flow))
    for day in (previous, today):
        for instrument, listed, _ in universe:
            rows["prices"].append((instrument, day, price[day][instrument], listed))
        for (source, target), rate in sorted(fx[day].items()):
            rows["fx"].append((day, source, target, rate))
    return {kind: _text_frame(kind, values) for kind, values in rows.items()}


def _text_frame(kind: str, values: list[tuple]) -> pd.DataFrame:
    names = [c.name for c in SCHEMAS[kind].columns]
    frame = pd.DataFrame(values, columns=names)
    for name in names:
        frame[name] = [v.isoformat() if isinstance(v, dt.date) else format(v, "f") if isinstance(v, Decimal)
                       else str(v) for v in frame[name]]
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


def as_files(exports: dict[str, pd.DataFrame]) -> list[tuple[str, bytes]]:
    return [(f"{kind}.csv", csv_bytes(frame)) for kind, frame in exports.items()]


# ---- large volumes, vectorised -------------------------------------------------------------------

def _cents_text(cents: np.ndarray, digits: int = 2) -> pd.Series:
    """Integers of minor units as decimal text (12345 -> "123.45"), without floats."""
    scale = 10 ** digits
    sign = np.where(cents < 0, "-", "")
    whole, part = np.divmod(np.abs(cents), scale)
    return (pd.Series(sign) + pd.Series(whole).astype(str) + "."
            + pd.Series(part).astype(str).str.zfill(digits))


def _round_half_even(numerator: np.ndarray, denominator: int) -> np.ndarray:
    quotient, remainder = np.divmod(numerator, denominator)
    up = (remainder * 2 > denominator) | ((remainder * 2 == denominator) & (quotient % 2 == 1))
    return quotient + up


def bulk(*, portfolios: int = 10_000, holdings: int = 50, instruments: int = 5_000, days: int = 60,
         as_of: dt.date = dt.date(2025, 1, 17), calendar: str = "XNYS", seed: int = 11) -> dict[str, pd.DataFrame]:
    """Exports with portfolios × holdings positions on each of two days, built with integer arithmetic.

    Prices carry 4 decimals, FX rates 6, amounts 2 (USD, EUR and GBP only), so quantity × price ×
    FX is an exact int64 in units of 1e-10 and rounds half-even to cents without a float.
    """
    rng = np.random.default_rng(seed)
    sessions = [d.date() for d in trading_days(calendar, as_of - dt.timedelta(days=days * 2 + 30), as_of)][-days:]
    previous, today = sessions[-2], sessions[-1]
    codes = np.array(["USD", "EUR", "GBP"])
    fx_micro = {d: np.array([[int(fx_rate(s, t, drift) * 1_000_000) if s != t else 1_000_000 for t in codes]
                             for s in codes])
                for d, drift in ((previous, Decimal(1)), (today, Decimal("1.0004")))}
    instrument_ids = np.array([f"XS{i:010d}" for i in range(instruments)])
    listed = rng.integers(0, 3, instruments)
    price = {previous: rng.integers(10_0000, 1000_0000, instruments)}
    price[today] = price[previous] + rng.integers(-5_0000, 5_0000, instruments).clip(-price[previous] // 2)
    pid = np.repeat(np.arange(portfolios), holdings)
    holding = (pid * 7919 + np.tile(np.arange(holdings), portfolios) * 101) % instruments
    base = pid % 3
    opening = rng.integers(1, 2000, pid.size)
    traded = np.where(rng.random(pid.size) < 0.1, rng.integers(-1999, 500, pid.size).clip(-opening), 0)
    traded[(traded == 0) & (rng.random(pid.size) < 0.02)] = 5
    closing = opening + traded
    portfolio_ids = np.array([f"P-{100001 + p}" for p in range(portfolios)])

    def values(quantity: np.ndarray, day: dt.date) -> np.ndarray:
        rate = fx_micro[day][listed[holding], base]
        return _round_half_even(quantity * price[day][holding] * rate, 10 ** 8)

    frames: dict[str, list[pd.DataFrame]] = {"positions": [], "totals": []}
    cost = np.bincount(pid, weights=None, minlength=portfolios) * 0
    np.add.at(cost, pid, values(traded, today))
    cash = {previous: rng.integers(1_000_00, 90_000_00, portfolios)}
    cash[today] = cash[previous] - cost
    deposit = np.where(cash[today] < 0, -cash[today] * 2, 0)
    cash[today] += deposit
    total = {}
    for day, quantity in ((previous, opening), (today, closing)):
        held = quantity != 0
        market_value = values(quantity, day)
        total[day] = cash[day].copy()
        np.add.at(total[day], pid[held], market_value[held])
        frames["positions"].append(pd.DataFrame({
            "portfolio_id": portfolio_ids[pid[held]], "instrument_id": instrument_ids[holding[held]],
            "quantity": quantity[held].astype(str), "price": _cents_text(price[day][holding[held]], 4).to_numpy(),
            "currency": codes[listed[holding[held]]], "market_value": _cents_text(market_value[held]).to_numpy(),
            "base_currency": codes[base[held]], "as_of": day.isoformat()}))
        frames["totals"].append(pd.DataFrame({
            "portfolio_id": portfolio_ids, "as_of": day.isoformat(), "total_value": _cents_text(total[day]).to_numpy(),
            "cash": _cents_text(cash[day]).to_numpy(), "base_currency": codes[np.arange(portfolios) % 3]}))
    moved = traded != 0
    out = {kind: pd.concat(parts, ignore_index=True) for kind, parts in frames.items()}
    out["transactions"] = pd.DataFrame({
        "transaction_id": [f"T-{i:09d}" for i in range(int(moved.sum()))], "portfolio_id": portfolio_ids[pid[moved]],
        "instrument_id": instrument_ids[holding[moved]], "as_of": today.isoformat(),
        "quantity": traded[moved].astype(str), "type": np.where(traded[moved] > 0, "BUY", "SELL")})
    out["prices"] = pd.concat([pd.DataFrame({
        "instrument_id": instrument_ids, "as_of": day.isoformat(), "price": _cents_text(price[day], 4).to_numpy(),
        "currency": codes[listed]}) for day in (previous, today)], ignore_index=True)
    out["fx"] = pd.DataFrame([(day.isoformat(), s, t, format(Decimal(int(fx_micro[day][i, j])).scaleb(-6), "f"))
                              for day in (previous, today) for i, s in enumerate(codes)
                              for j, t in enumerate(codes) if i != j],
                             columns=["as_of", "from_currency", "to_currency", "rate"])
    history = np.empty((portfolios, days), dtype=np.int64)
    history[:, -1], history[:, -2] = total[today], total[previous]
    for d in range(days - 3, -1, -1):
        history[:, d] = np.rint(history[:, d + 1] / (1 + rng.normal(0.0003, 0.008, portfolios))).astype(np.int64)
    flows = np.zeros((portfolios, days), dtype=np.int64)
    flows[:, -1] = deposit
    out["valuations"] = pd.DataFrame({
        "portfolio_id": np.repeat(portfolio_ids, days), "as_of": np.tile([d.isoformat() for d in sessions], portfolios),
        "value": _cents_text(history.ravel()).to_numpy(), "base_currency": np.repeat(codes[np.arange(portfolios) % 3],
                                                                                      days),
        "net_flow": _cents_text(flows.ravel()).to_numpy()})
    return out
