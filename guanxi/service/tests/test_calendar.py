"""The working calendar: due times skip nights, weekends and Chinese public holidays, count
make-up working days (调休), and fall back to weekends only (with a warning) for years the
holiday package does not know. Pure functions: no database."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from guanxi.service.calendar import (
    WorkingHours,
    add_working_time,
    calendar_covers,
    is_working_day,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
NINE_TO_SIX = WorkingHours(tz=SH)
H = dt.timedelta(hours=1)


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_within_one_working_day():
    assert add_working_time(at(2025, 6, 10, 10), 4 * H, NINE_TO_SIX) == at(2025, 6, 10, 14)


def test_night_is_skipped():
    # Tuesday 16:00 + 4 working hours: 2 h today, 2 h from 09:00 Wednesday.
    assert add_working_time(at(2025, 6, 10, 16), 4 * H, NINE_TO_SIX) == at(2025, 6, 11, 11)


def test_opened_at_night_counts_from_the_next_morning():
    assert add_working_time(at(2025, 6, 10, 22), H, NINE_TO_SIX) == at(2025, 6, 11, 10)
    assert add_working_time(at(2025, 6, 11, 3), H, NINE_TO_SIX) == at(2025, 6, 11, 10)


def test_across_a_weekend():
    # Friday 2025-06-13 17:00 + 2 h: 1 h Friday, then Monday 09:00 + 1 h.
    assert add_working_time(at(2025, 6, 13, 17), 2 * H, NINE_TO_SIX) == at(2025, 6, 16, 10)


def test_across_a_public_holiday():
    # National Day 2025: 1–8 October off. Tuesday 30 September 17:00 + 2 h → Thursday 9 Oct 10:00.
    assert not is_working_day(dt.date(2025, 10, 1))
    assert add_working_time(at(2025, 9, 30, 17), 2 * H, NINE_TO_SIX) == at(2025, 10, 9, 10)


def test_a_make_up_saturday_counts():
    # Saturday 2025-10-11 is a make-up working day (调休) for National Day.
    assert is_working_day(dt.date(2025, 10, 11))
    assert add_working_time(at(2025, 10, 10, 17), 2 * H, NINE_TO_SIX) == at(2025, 10, 11, 10)
    # The Sunday after is off again.
    assert add_working_time(at(2025, 10, 11, 17), 2 * H, NINE_TO_SIX) == at(2025, 10, 13, 10)


def test_round_the_clock_ignores_the_calendar():
    always = WorkingHours(around_the_clock=True, tz=SH)
    assert add_working_time(at(2025, 9, 30, 17), 24 * H, always) == at(2025, 10, 1, 17)
    assert working_time_between(at(2025, 10, 1), at(2025, 10, 2), always) == 24 * H


def test_working_hours_are_configurable():
    early = WorkingHours(starts=dt.time(8, 0), ends=dt.time(20, 0), tz=SH)
    assert add_working_time(at(2025, 6, 10, 19), 2 * H, early) == at(2025, 6, 11, 9)


def test_working_time_between_skips_nights_weekends_and_holidays():
    # Friday 17:00 → Monday 10:00: 1 h + 1 h.
    assert working_time_between(at(2025, 6, 13, 17), at(2025, 6, 16, 10), NINE_TO_SIX) == 2 * H
    # The whole National Day week: nothing but the make-up Saturday after it.
    assert working_time_between(at(2025, 10, 1), at(2025, 10, 9), NINE_TO_SIX) == dt.timedelta(0)
    assert working_time_between(at(2025, 6, 16, 10), at(2025, 6, 13), NINE_TO_SIX) == dt.timedelta(
        0
    )


def test_the_two_functions_agree():
    start = at(2025, 9, 29, 15, 30)
    for hours in (1, 5, 9, 24, 72):
        due = add_working_time(start, hours * H, NINE_TO_SIX)
        assert working_time_between(start, due, NINE_TO_SIX) == hours * H


def test_a_year_without_a_schedule_counts_weekends_and_statutory_holidays_and_warns(caplog):
    year = 2031  # far beyond the package's data
    day = dt.date(year, 10, 8)  # after the National Day week
    assert not calendar_covers(day)
    with caplog.at_level(logging.WARNING, logger="guanxi.service.calendar"):
        saturday = next(
            day + dt.timedelta(days=i)
            for i in range(7)
            if (day + dt.timedelta(days=i)).weekday() == 5
        )
        assert not is_working_day(saturday)
        monday = saturday + dt.timedelta(days=2)
        assert is_working_day(monday)
        friday_five = dt.datetime.combine(saturday - dt.timedelta(days=1), dt.time(17), tzinfo=SH)
        assert add_working_time(friday_five, 2 * H, NINE_TO_SIX) == dt.datetime.combine(
            monday, dt.time(10), tzinfo=SH
        )
    assert any(str(year) in r.getMessage() for r in caplog.records)
    # The statutory days still count: National Day is no working day, whatever its weekday.
    assert not is_working_day(dt.date(year, 10, 1)) and dt.date(year, 10, 1).weekday() < 5


def test_the_company_s_own_calendar_days_come_first():
    """Next year's schedule entered by hand before the package knows it: a holiday on a weekday
    is off, a make-up Saturday is on; elsewhere the package decides."""
    monday, saturday = dt.date(2031, 1, 6), dt.date(2031, 1, 11)
    hours = WorkingHours(tz=SH, days_off=frozenset({monday}), days_on=frozenset({saturday}))
    assert not is_working_day(monday, hours) and is_working_day(monday)
    assert is_working_day(saturday, hours) and not is_working_day(saturday)
    friday_five = at(2031, 1, 3, 17)  # + 2 working hours skips the weekend and the Monday off
    assert add_working_time(friday_five, 2 * H, hours) == at(2031, 1, 7, 10)
    assert working_time_between(at(2031, 1, 10, 9), at(2031, 1, 12, 9), hours) == 18 * H


def test_bad_input_is_refused_not_looped_on():
    with pytest.raises(ValueError):
        add_working_time(at(2025, 6, 10), -H, NINE_TO_SIX)
    with pytest.raises(ValueError):
        WorkingHours(starts=dt.time(18), ends=dt.time(9))
