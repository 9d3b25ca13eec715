"""The market's clock for checks: trading days, the opening session, and when AWS schedule expressions fire."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from croniter.croniter import CroniterError

from readiness.dataflow.calendar import trading_days
from readiness.platform import Market

RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$", re.IGNORECASE)
UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MAX_STEPS = 20_000  # fire times walked for one question: bounds the work on a schedule firing every minute


class ScheduleNotUnderstood(ValueError):
    """An expression that is not a valid EventBridge cron(), rate() or at() expression, or a time zone unknown here."""


@dataclass(frozen=True)
class Window:
    """A span of one trading day, in UTC: [start, end)."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime


def _local(day: dt.date, time: dt.time, zone: ZoneInfo, minutes: int = 0) -> dt.datetime:
    # Wall-clock arithmetic in the market's zone, then UTC: correct on either side of a daylight-saving change.
    wall = dt.datetime.combine(day, time) + dt.timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone).astimezone(dt.UTC)


def opening_sessions(market: Market, start: dt.date, end: dt.date) -> list[Window]:
    """[open, open + peak_minutes) in the market's time zone, on every trading day from start to end (included)."""
    zone = ZoneInfo(market.timezone)
    opens = market.open_time()
    return [Window(day, _local(day, opens, zone), _local(day, opens, zone, market.peak_minutes))
            for day in (d.date() for d in trading_days(market.calendar, start, end))]


def pre_open_windows(market: Market, start: dt.date, end: dt.date, lead_minutes: int) -> list[Window]:
    """[open - lead_minutes, open) on every trading day: when capacity should be raised ahead of the open."""
    zone = ZoneInfo(market.timezone)
    return [Window(day, _local(day, market.open_time(), zone, -lead_minutes), _local(day, market.open_time(), zone))
            for day in (d.date() for d in trading_days(market.calendar, start, end))]


@dataclass(frozen=True)
class Schedule:
    """An EventBridge (rule, Scheduler) or Application Auto Scaling schedule expression, in its time zone."""

    expression: str
    timezone: str = "UTC"
    flexible_minutes: int = 0  # Scheduler's flexible time window: it fires anywhere in [t, t + this)
    kind: str = "cron"  # cron | rate | at
    cron: str = ""  # the five standard cron fields croniter reads
    years: Callable[[int], bool] | None = None
    every: dt.timedelta | None = None  # rate()
    once: dt.datetime | None = None  # at(), in UTC

    @classmethod
    def parse(cls, expression: str, timezone: str | None = None, flexible_minutes: int = 0) -> "Schedule":
        text = expression.strip()
        zone_name = timezone or "UTC"
        zone = _zone(zone_name)
        if match := RATE.match(text):
            amount, unit = int(match.group(1)), match.group(2).lower().rstrip("s")
            if amount < 1:
                raise ScheduleNotUnderstood(f"{expression!r}: a rate must be at least 1 {unit}")
            every = dt.timedelta(minutes=amount * UNIT_MINUTES[unit])
            return cls(text, zone_name, flexible_minutes, "rate", every=every)
        if match := AT.match(text):
            wall = dt.datetime.fromisoformat(match.group(1))
            return cls(text, zone_name, flexible_minutes, "at", once=wall.replace(tzinfo=zone).astimezone(dt.UTC))
        if match := CRON.match(text):
            cron, years = _croniter_fields(match.group(1), expression)
            return cls(text, zone_name, flexible_minutes, "cron", cron=cron, years=years)
        raise ScheduleNotUnderstood(f"{expression!r} is not a cron(), rate() or at() expression")

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def describe(self) -> str:
        return self.expression if self.timezone == "UTC" else f"{self.expression} in {self.timezone}"

    def fire_times(self, start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
        """Each time it fires in [start, end), in UTC. A rate() has no fixed phase: ask `every` instead."""
        if self.kind == "rate":
            raise ValueError("a rate() expression fires relative to when it was created: use `every`")
        if self.kind == "at":
            if self.once is not None and start <= self.once < end:
                yield self.once
            return
        zone = self.zone
        walker = croniter(self.cron, (start.astimezone(zone).replace(tzinfo=None) - dt.timedelta(microseconds=1)))
        for _ in range(MAX_STEPS):
            wall = walker.get_next(dt.datetime)
            fired = wall.replace(tzinfo=zone).astimezone(dt.UTC)
            if fired >= end:
                return
            if fired >= start and (self.years is None or self.years(wall.year)):
                yield fired

    def first_fire_within(self, window: Window) -> dt.datetime | None:
        """When it first fires so that its work may start inside the window (flexible window counted), if it does."""
        flex = dt.timedelta(minutes=self.flexible_minutes)
        if self.kind == "rate":
            raise ValueError("a rate() expression fires relative to when it was created: use `every`")
        # A firing at t may start the work anywhere in [t, t + flex): it reaches into the window when t > start - flex.
        earliest = window.start - flex + (dt.timedelta(microseconds=1) if flex else dt.timedelta(0))
        return next(self.fire_times(earliest, window.end), None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleNotUnderstood(f"unknown time zone {name!r}") from None


def _croniter_fields(body: str, expression: str) -> tuple[str, Callable[[int], bool] | None]:
    """EventBridge's six fields (minutes hours day-of-month month day-of-week year, with ?) as croniter's five."""
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleNotUnderstood(f"{expression!r}: an AWS cron() expression has six fields "
                                    "(minutes hours day-of-month month day-of-week year)")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if day_of_month != "?" and day_of_week != "?":
        raise ScheduleNotUnderstood(f"{expression!r}: one of day-of-month and day-of-week must be ?")
    day_of_month = "*" if day_of_month == "?" else day_of_month
    day_of_week = "*" if day_of_week == "?" else ",".join(_day_of_week(part, expression)
                                                          for part in day_of_week.split(","))
    cron = " ".join((minutes, hours, day_of_month, month, day_of_week))
    try:
        croniter(cron, dt.datetime(2000, 1, 1))
    except (CroniterError, ValueError, KeyError) as exc:
        raise ScheduleNotUnderstood(f"{expression!r} could not be read as a cron expression: {exc}") from None
    return cron, _years(year, expression)


def _day_of_week(part: str, expression: str) -> str:
    """AWS numbers days 1 (SUN) to 7 (SAT) and writes the last Friday 6L; croniter counts 0 (SUN) to 6, writes L5."""
    def day(token: str) -> str:
        if token.isdigit():
            number = int(token)
            if not 1 <= number <= 7:
                raise ScheduleNotUnderstood(f"{expression!r}: day-of-week {token} is outside 1 (SUN) to 7 (SAT)")
            return str(number - 1)
        if token.upper() in DAY_NAMES or token == "*":
            return token
        raise ScheduleNotUnderstood(f"{expression!r}: day-of-week {token!r} is not understood")

    body, slash, step = part.partition("/")
    if body.upper() == "L":
        return "6"  # the last day of the week: Saturday
    if body.upper().endswith("L") and len(body) > 1:
        return "L" + day(body[:-1])
    if "#" in body:
        which, _, nth = body.partition("#")
        return f"{day(which)}#{nth}"
    low, dash, high = body.partition("-")
    converted = day(low) + (dash + day(high) if dash else "")
    return converted + (slash + step if slash else "")


def _years(field: str, expression: str) -> Callable[[int], bool] | None:
    if field in ("*", "?"):
        return None
    allowed: list[Callable[[int], bool]] = []
    for part in field.split(","):
        body, slash, step = part.partition("/")
        try:
            first, _, last = body.partition("-")
            low = 1970 if first == "*" else int(first)
            high = (int(last) if last else (2199 if first == "*" or slash else low))
            every = int(step) if slash else 1
        except ValueError:
            raise ScheduleNotUnderstood(f"{expression!r}: year {field!r} is not understood") from None
        allowed.append(lambda y, low=low, high=high, every=every: low <= y <= high and (y - low) % every == 0)
    return lambda y: any(rule(y) for rule in allowed)


def local_time(moment: dt.datetime, timezone: str) -> str:
    """`2026-03-09 10:00 America/New_York`: a moment as the people at the exchange read it."""
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} {timezone}"
