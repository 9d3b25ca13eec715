"""Trading days of the platform's exchange, from the maintained exchange_calendars library."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import exchange_calendars
import pandas as pd

from readiness.errors import InvalidInput


@lru_cache(maxsize=8)
def _calendar(name: str, first_year: int, last_year: int):
    try:
        return exchange_calendars.get_calendar(name, start=f"{first_year}-01-01", end=f"{last_year}-12-31")
    except exchange_calendars.errors.InvalidCalendarName:
        raise InvalidInput(f"{name!r} is not an exchange calendar known to exchange_calendars (market.calendar in the "
                           "platform config; for example XNYS for New York, XLON for London)") from None


def trading_days(calendar: str, start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    """The sessions from start to end, both included (empty when end is before start)."""
    if end < start:
        return pd.DatetimeIndex([])
    # Whole years, so one cached calendar serves every portfolio of a run.
    return _calendar(calendar, start.year - 1, end.year + 1).sessions_in_range(
        pd.Timestamp(start), pd.Timestamp(end))
