"""Exact decimal arithmetic over whole columns, without floats, rounding or overflow surprises.

Columns are pandas Series of Arrow decimals. Arrow multiplies and adds decimals exactly, but
widens the precision of every result (a product has the digits of both operands) and refuses
anything past 76 digits; each operation here first narrows its operands to the digits their
values actually use, so chains such as quantity × price × FX stay exact and within range.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MAX_DECIMAL128 = 38
MAX_DECIMAL256 = 76


def decimal_type(precision: int, scale: int) -> pa.DataType:
    precision = max(precision, scale + 1, 1)
    if precision > MAX_DECIMAL256:
        raise OverflowError(f"a value needs {precision} digits, more than exact arithmetic here allows")
    return pa.decimal128(precision, scale) if precision <= MAX_DECIMAL128 else pa.decimal256(precision, scale)


def arrow(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pa.array(values) if isinstance(values, pd.Series) else values


def series(values: pa.Array | pa.ChunkedArray, index: pd.Index | None = None) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(values), index=index, copy=False)


def narrowed(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The same values in the narrowest decimal type that holds them at their scale."""
    scale = values.type.scale
    largest = pc.max(pc.abs(values)).as_py()
    integer_digits = max(largest.adjusted() + 1, 1) if largest else 1
    wanted = decimal_type(integer_digits + scale, scale)
    return values if wanted == values.type else pc.cast(values, wanted)


def _binary(function, left: pd.Series, right: pd.Series) -> pd.Series:
    a, b = narrowed(arrow(left)), narrowed(arrow(right))
    if a.type.precision + b.type.precision + 1 > MAX_DECIMAL128:  # the result needs 256-bit decimals
        a = pc.cast(a, pa.decimal256(a.type.precision, a.type.scale))
        b = pc.cast(b, pa.decimal256(b.type.precision, b.type.scale))
    return series(narrowed(function(a, b)), left.index)


def multiply(left: pd.Series, right: pd.Series) -> pd.Series:
    return _binary(pc.multiply, left, right)


def add(left: pd.Series, right: pd.Series) -> pd.Series:
    return _binary(pc.add, left, right)


def subtract(left: pd.Series, right: pd.Series) -> pd.Series:
    return _binary(pc.subtract, left, right)


def tidy(values: pd.Series) -> pd.Series:
    """Narrow a column after pandas widened it (a group sum comes back with 38 digits)."""
    return series(narrowed(arrow(values)), values.index)


def exceeds(values: pd.Series, limits: pd.Series) -> np.ndarray:
    """Where |value| > limit, row by row; a missing value or limit counts as exceeding."""
    above = pc.greater(pc.abs(narrowed(arrow(values))), narrowed(arrow(limits)))
    return pc.fill_null(above, True).to_numpy(zero_copy_only=False)


def differs(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Where two columns hold different numbers (scale aside: 1.50 equals 1.5); missing differs."""
    different = pc.not_equal(narrowed(arrow(left)), narrowed(arrow(right)))
    return pc.fill_null(different, True).to_numpy(zero_copy_only=False)


def constant(value: Decimal | int | str, index: pd.Index) -> pd.Series:
    value = Decimal(value)
    scale = max(-value.as_tuple().exponent, 0)  # type: ignore[operator]
    kind = decimal_type(max(value.adjusted() + 1, 1) + scale, scale)
    return series(pa.repeat(pa.scalar(value, kind), len(index)), index)


def from_decimals(values: Iterable[Decimal | None], index: pd.Index) -> pd.Series:
    """A decimal column from Python Decimals (small tables only: FX rates, tolerances)."""
    values = list(values)
    present = [v for v in values if v is not None]
    scale = max((max(-v.as_tuple().exponent, 0) for v in present), default=0)  # type: ignore[operator]
    digits = max((max(v.adjusted() + 1, 1) for v in present), default=1)
    return series(pa.array(values, decimal_type(digits + scale, scale)), index)


def to_decimals(values: pd.Series) -> list[Decimal | None]:
    return arrow(values).to_pylist()


def plain(value: Decimal | None) -> str | None:
    """A decimal as people write it: no exponent, no trailing zeros past the point."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value: Decimal | None, digits: int) -> str | None:
    """An amount at its currency's minor unit (1234.50), with more decimals only if it has them."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-digits)
    if value == value.quantize(quantum):
        return format(value.quantize(quantum), "f")
    return plain(value)
