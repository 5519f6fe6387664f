"""The working calendar and the SLA maths: due times in working hours (pure functions).

A working day is a weekday that is not a Chinese public holiday, or a make-up working day (调休,
a Saturday or Sunday worked in exchange for a longer holiday). In order:

1. the company's own calendar days (`service.CalendarDay`, passed in as ``days_off`` /
   ``days_on``): a holiday or a make-up day entered by hand — the State Council publishes next
   year's schedule each November, often before the packages below know it;
2. the `chinesecalendar` package, which knows the schedule (holidays and 调休) of the years it
   covers;
3. for a later year, the statutory public holidays the `holidays` package computes by rule
   (Spring Festival, National Day …) and weekends, with a warning logged once per year: the
   make-up working days are not known, so a due time may come a little late around a holiday,
   but a case opened in the Spring Festival week does not fall due in it.

Working time counts from ``starts`` to ``ends`` on working days, in the local time zone; a policy
that runs round the clock counts every hour.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

logger = logging.getLogger(__name__)

#: How far ahead a due time is searched for: a duration that would need more is refused.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkingHours:
    starts: dt.time = dt.time(9, 0)
    ends: dt.time = dt.time(18, 0)
    around_the_clock: bool = False
    tz: dt.tzinfo = ZoneInfo("Asia/Shanghai")
    #: The company's own calendar days: off (a holiday) and on (a make-up working day).
    days_off: frozenset[dt.date] = frozenset()
    days_on: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not self.around_the_clock and self.starts >= self.ends:
            raise ValueError("a working day must end after it starts")


@lru_cache(maxsize=64)
def _warn_unknown_year(year: int) -> None:
    logger.warning(
        "No Chinese holiday schedule for %s (chinesecalendar covers it up to %s): counting "
        "weekends and the statutory holidays as days off, without make-up working days; enter "
        "the year's schedule as calendar days.",
        year,
        max(chinese_calendar.holidays).year,
    )


def calendar_covers(day: dt.date) -> bool:
    """Whether the holiday schedule of ``day``'s year is known."""
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return first <= day.year <= last


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """China's public holidays of ``year`` by rule (no make-up days), from `holidays`."""
    return frozenset(holidays.country_holidays("CN", years=year))


def is_working_day(day: dt.date, hours: WorkingHours | None = None) -> bool:
    """Weekdays, less public holidays, plus make-up working days (调休); the company's own
    calendar days (``hours``) first."""
    if hours is not None:
        if day in hours.days_on:
            return True
        if day in hours.days_off:
            return False
    if calendar_covers(day):
        return chinese_calendar.is_workday(day)
    _warn_unknown_year(day.year)
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


def _window(day: dt.date, hours: WorkingHours) -> tuple[dt.datetime, dt.datetime] | None:
    if not is_working_day(day, hours):
        return None
    return (
        dt.datetime.combine(day, hours.starts, tzinfo=hours.tz),
        dt.datetime.combine(day, hours.ends, tzinfo=hours.tz),
    )


def add_working_time(
    start: dt.datetime, duration: dt.timedelta, hours: WorkingHours
) -> dt.datetime:
    """The moment ``duration`` of working time after ``start`` (an aware datetime); returned in
    ``hours.tz``. Round the clock: plain addition. A case opened at night starts counting at the
    next working day's start."""
    if duration < dt.timedelta(0):
        raise ValueError("duration must not be negative")
    start = start.astimezone(hours.tz)
    if hours.around_the_clock:
        return start + duration
    left = duration
    day = start.date()
    for _ in range(MAX_DAYS):
        window = _window(day, hours)
        if window is not None:
            begin, end = max(window[0], start), window[1]
            if begin < end:
                if left <= end - begin:
                    return begin + left
                left -= end - begin
        day += dt.timedelta(days=1)
    raise ValueError("duration too long for the working calendar")


def working_time_between(start: dt.datetime, end: dt.datetime, hours: WorkingHours) -> dt.timedelta:
    """Working time from ``start`` to ``end`` (zero when end is not after start)."""
    if end <= start:
        return dt.timedelta(0)
    if hours.around_the_clock:
        return end - start
    start, end = start.astimezone(hours.tz), end.astimezone(hours.tz)
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        window = _window(day, hours)
        if window is not None:
            begin, finish = max(window[0], start), min(window[1], end)
            if begin < finish:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total
