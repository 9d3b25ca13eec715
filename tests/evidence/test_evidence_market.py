"""The market's clock: trading days from the exchange calendar, the opening session, and when schedules fire."""
from __future__ import annotations

import datetime as dt

import pytest

from readiness.evidence.market import Schedule, ScheduleNotUnderstood, local_time, opening_sessions, pre_open_windows
from readiness.platform import Market

NEW_YORK = Market(calendar="XNYS", timezone="America/New_York", open="09:30", close="16:00", peak_minutes=60)
UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_opening_sessions_skip_weekends_and_exchange_holidays():
    days = [w.day for w in opening_sessions(NEW_YORK, dt.date(2025, 7, 1), dt.date(2025, 7, 8))]
    # 4 July is Independence Day, 5 and 6 July a weekend
    assert days == [dt.date(2025, 7, 1), dt.date(2025, 7, 2), dt.date(2025, 7, 3), dt.date(2025, 7, 7),
                    dt.date(2025, 7, 8)]


def test_the_opening_session_moves_in_utc_when_new_york_changes_its_clocks():
    windows = {w.day: w for w in opening_sessions(NEW_YORK, dt.date(2026, 3, 6), dt.date(2026, 3, 9))}
    # Daylight saving time starts on Sunday 8 March 2026: 09:30 is 14:30 UTC before it, 13:30 UTC after.
    assert (windows[dt.date(2026, 3, 6)].start, windows[dt.date(2026, 3, 6)].end) == (at(2026, 3, 6, 14, 30),
                                                                                      at(2026, 3, 6, 15, 30))
    assert (windows[dt.date(2026, 3, 9)].start, windows[dt.date(2026, 3, 9)].end) == (at(2026, 3, 9, 13, 30),
                                                                                      at(2026, 3, 9, 14, 30))


def test_pre_open_windows_end_at_the_open():
    [window] = pre_open_windows(NEW_YORK, dt.date(2026, 3, 9), dt.date(2026, 3, 9), lead_minutes=30)
    assert (window.start, window.end) == (at(2026, 3, 9, 13, 0), at(2026, 3, 9, 13, 30))


def test_a_utc_rule_lands_in_the_session_only_while_daylight_saving_lasts():
    rule = Schedule.parse("cron(0 14 ? * MON-FRI *)")  # EventBridge rules run in UTC
    windows = opening_sessions(NEW_YORK, dt.date(2026, 3, 2), dt.date(2026, 3, 13))
    hits = [w.day for w in windows if rule.first_fire_within(w)]
    # 14:00 UTC is 09:00 in New York until 8 March (before the open), then 10:00 (inside the session)
    assert hits == [dt.date(2026, 3, d) for d in (9, 10, 11, 12, 13)]


def test_a_schedule_in_the_market_time_zone_keeps_its_local_time_across_the_change():
    schedule = Schedule.parse("cron(45 9 ? * MON-FRI *)", "America/New_York")
    fired = list(schedule.fire_times(at(2026, 3, 6), at(2026, 3, 10)))
    assert fired == [at(2026, 3, 6, 14, 45), at(2026, 3, 9, 13, 45)]
    assert local_time(fired[1], "America/New_York") == "2026-03-09 09:45 America/New_York"


def test_a_schedule_on_a_holiday_is_not_inside_any_session():
    only_on_independence_day = Schedule.parse("cron(45 9 4 7 ? 2025)", "America/New_York")
    windows = opening_sessions(NEW_YORK, dt.date(2025, 7, 1), dt.date(2025, 7, 8))
    assert list(only_on_independence_day.fire_times(at(2025, 7, 1), at(2025, 7, 9))) == [at(2025, 7, 4, 13, 45)]
    assert [w.day for w in windows if only_on_independence_day.first_fire_within(w)] == []


def test_a_flexible_window_can_carry_an_earlier_firing_into_the_session():
    windows = opening_sessions(NEW_YORK, dt.date(2026, 3, 9), dt.date(2026, 3, 9))
    assert Schedule.parse("cron(0 9 ? * MON-FRI *)", "America/New_York").first_fire_within(windows[0]) is None
    flexible = Schedule.parse("cron(0 9 ? * MON-FRI *)", "America/New_York", flexible_minutes=45)
    assert flexible.first_fire_within(windows[0]) == at(2026, 3, 9, 13, 0)


@pytest.mark.parametrize(("expression", "first_fires"), [
    ("cron(0 9 ? * 2-6 *)", [at(2026, 3, 2, 9), at(2026, 3, 3, 9)]),  # AWS counts SUN=1: 2-6 is MON-FRI
    ("cron(0 9 ? * 6L *)", [at(2026, 3, 27, 9), at(2026, 4, 24, 9)]),  # the last Friday of the month
    ("cron(0 9 ? * 6#1 *)", [at(2026, 3, 6, 9), at(2026, 4, 3, 9)]),  # the first Friday
    ("cron(0 23 L * ? *)", [at(2026, 3, 31, 23), at(2026, 4, 30, 23)]),  # the last day of the month
    ("cron(30 1 ? * TUE-SAT 2026-2027)", [at(2026, 3, 3, 1, 30), at(2026, 3, 4, 1, 30)]),
])
def test_aws_cron_expressions_are_read_as_aws_means_them(expression, first_fires):
    fired = list(Schedule.parse(expression).fire_times(at(2026, 3, 1), at(2026, 5, 1)))
    assert fired[:2] == first_fires


def test_a_year_field_outside_the_range_never_fires():
    assert list(Schedule.parse("cron(0 9 * * ? 2025)").fire_times(at(2026, 1, 1), at(2026, 12, 31))) == []


def test_rate_and_at_expressions_say_how_often_or_when():
    assert Schedule.parse("rate(15 minutes)").every == dt.timedelta(minutes=15)
    assert Schedule.parse("rate(1 day)").every == dt.timedelta(days=1)
    once = Schedule.parse("at(2026-03-09T09:45:00)", "America/New_York")
    assert list(once.fire_times(at(2026, 3, 1), at(2026, 4, 1))) == [at(2026, 3, 9, 13, 45)]


@pytest.mark.parametrize(("expression", "says"), [
    ("cron(0 9 * * MON *)", "one of day-of-month and day-of-week must be ?"),
    ("cron(0 9 ? * 8 *)", "day-of-week 8 is outside 1 (SUN) to 7 (SAT)"),
    ("cron(0 9 * *)", "six fields"),
    ("cron(0 9 LW * ? *)", "could not be read"),
    ("rate(0 minutes)", "at least 1 minute"),
    ("every weekday at nine", "is not a cron(), rate() or at() expression"),
])
def test_expressions_that_are_not_valid_are_refused_with_the_reason(expression, says):
    with pytest.raises(ScheduleNotUnderstood, match=says.replace("(", r"\(").replace(")", r"\)")):
        Schedule.parse(expression)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ScheduleNotUnderstood, match="unknown time zone 'Mars/Olympus'"):
        Schedule.parse("cron(0 9 ? * MON-FRI *)", "Mars/Olympus")
