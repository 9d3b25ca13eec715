"""The portfolio exports a platform team provides: their files, columns, types and units.

Six exports, each a CSV file (comma separated, a header line first, UTF-8) or a Parquet file,
named after its kind: `positions.csv`, `totals.parquet`, or with a suffix after `_` or `-`
(`positions-2025-01-17.csv`); several files of one kind are read as one.

- positions: one row per portfolio, instrument and as-of date. `quantity` × `price` is in the
  instrument's `currency`; `market_value` is in the portfolio's `base_currency`.
- totals: one row per portfolio and as-of date: `total_value` = the positions' market values
  plus `cash`, all in `base_currency`.
- transactions: the changes of quantity between two as-of dates. `quantity` is signed: a buy
  or transfer in is positive, a sell or transfer out negative. The transaction counts from its
  `as_of` date (the position of that date includes it).
- prices: the official price of each instrument on each as-of date, in `currency`.
- valuations: the daily valuation history of each portfolio in `base_currency`. `net_flow`
  (optional, default 0) is the money added (+) or withdrawn (−) that day, which explains a
  move in value that is not a market move.
- fx: the FX rates the platform used, one row per as-of date and currency pair:
  1 `from_currency` = `rate` `to_currency`. A position in EUR in a USD portfolio needs the
  row (as_of, EUR, USD, rate); the inverse row (USD, EUR) is used, divided, when that is the
  only one given.

Numbers are plain decimals (`1234.50`, `-3`): no thousands separators, no exponent, at most 18
digits before the point and 12 after. Parquet number columns must be decimal, integer or text:
floating-point columns are refused, since they cannot hold amounts exactly. Dates are
`YYYY-MM-DD`. Currencies are ISO 4217 codes (`USD`). Errors name the file, the row (in a CSV
file, its line number, the header being line 1; in a Parquet file, the record number from 1)
and the column.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from readiness.errors import ReadinessError

ColumnType = Literal["text", "currency", "decimal", "date"]
EXTENSIONS = (".csv", ".parquet")
MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 12
MAX_TEXT = 200

# ISO 4217 currencies whose minor unit is not the cent (two decimals).
MINOR_UNIT_DIGITS = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                     "VUV", "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
DEFAULT_MINOR_UNIT_DIGITS = 2


def minor_unit_digits(currency: str) -> int:
    """How many decimals the currency's minor unit has: 2 for USD (cents), 0 for JPY."""
    return MINOR_UNIT_DIGITS.get(currency, DEFAULT_MINOR_UNIT_DIGITS)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    meaning: str
    required: bool = True
    default: str | None = None  # the value of an optional column that is absent


@dataclass(frozen=True)
class ExportSchema:
    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that identify one row
    may_be_empty: bool = False  # a header with no rows is a valid export (a day without trades)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


PORTFOLIO = Column("portfolio_id", "text", "the portfolio's identifier")
INSTRUMENT = Column("instrument_id", "text", "the instrument's identifier (ISIN, ticker)")
AS_OF = Column("as_of", "date", "the as-of date")
BASE = Column("base_currency", "currency", "the portfolio's base currency")

SCHEMAS: dict[str, ExportSchema] = {s.kind: s for s in (
    ExportSchema("positions", "Positions", (
        PORTFOLIO, INSTRUMENT,
        Column("quantity", "decimal", "units held"),
        Column("price", "decimal", "price of one unit, in currency"),
        Column("currency", "currency", "the instrument's price currency"),
        Column("market_value", "decimal", "quantity × price × FX, in base_currency"),
        BASE, AS_OF,
    ), key=("portfolio_id", "instrument_id", "as_of")),
    ExportSchema("totals", "Portfolio totals", (
        PORTFOLIO, AS_OF,
        Column("total_value", "decimal", "positions plus cash, in base_currency"),
        Column("cash", "decimal", "cash balance, in base_currency"),
        BASE,
    ), key=("portfolio_id", "as_of")),
    ExportSchema("transactions", "Transactions", (
        Column("transaction_id", "text", "the transaction's identifier"),
        PORTFOLIO, INSTRUMENT, AS_OF,
        Column("quantity", "decimal", "signed change of quantity: + in, − out"),
        Column("type", "text", "BUY, SELL, TRANSFER_IN, …", required=False, default="UNSPECIFIED"),
    ), key=("transaction_id",), may_be_empty=True),
    ExportSchema("prices", "Prices", (
        INSTRUMENT, AS_OF,
        Column("price", "decimal", "official price of one unit"),
        Column("currency", "currency", "the price currency"),
    ), key=("instrument_id", "as_of")),
    ExportSchema("valuations", "Valuation history", (
        PORTFOLIO, AS_OF,
        Column("value", "decimal", "the portfolio's value at the close, in base_currency"),
        BASE,
        Column("net_flow", "decimal", "money added (+) or withdrawn (−) that day", required=False, default="0"),
    ), key=("portfolio_id", "as_of")),
    ExportSchema("fx", "FX rates", (
        AS_OF,
        Column("from_currency", "currency", "the currency converted from"),
        Column("to_currency", "currency", "the currency converted to"),
        Column("rate", "decimal", "units of to_currency for one unit of from_currency"),
    ), key=("as_of", "from_currency", "to_currency")),
)}
KINDS = tuple(SCHEMAS)


@dataclass(frozen=True)
class ExportProblem:
    """One thing wrong with an export, located by file, row and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ExportError(ReadinessError):
    """The exports cannot be validated as given; every problem found is listed."""

    def __init__(self, problems: list[ExportProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the exports:\n{lines}")
