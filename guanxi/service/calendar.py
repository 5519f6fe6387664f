"""The working calendar and the SLA maths: due times in working hours (pure functions).

A working day is a weekday that is not a Chinese public holiday, or a make-up working day (调休,
a Saturday or Sunday worked in exchange for a longer holiday): the `chinesecalendar` package
knows the State Council's schedule for the years it covers. For a year it does not know (the
schedule is published each November), weekends alone are days off and a warning is logged once
per year: the due time is then a little early around a holiday, never missing.

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

logger = logging.getLogger(__name__)

#: How far ahead a due time is searched for: a duration that would need more is refused.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkingHours:
    starts: dt.time = dt.time(9, 0)
    ends: dt.time = dt.time(18, 0)
    around_the_clock: bool = False
    tz: dt.tzinfo = ZoneInfo("Asia/Shanghai")

    def __post_init__(self) -> None:
        if not self.around_the_clock and self.starts >= self.ends:
            raise ValueError("a working day must end after it starts")


@lru_cache(maxsize=64)
def _warn_unknown_year(year: int) -> None:
    logger.warning(
        "No Chinese holiday schedule for %s (chinesecalendar covers it up to %s): "
        "counting weekends only as days off.",
        year,
        max(chinese_calendar.holidays).year,
    )


def calendar_covers(day: dt.date) -> bool:
    """Whether the holiday schedule of ``day``'s year is known."""
    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return first <= day.year <= last


def is_working_day(day: dt.date) -> bool:
    """Weekdays, less public holidays, plus make-up working days (调休)."""
    if calendar_covers(day):
        return chinese_calendar.is_workday(day)
    _warn_unknown_year(day.year)
    return day.weekday() < 5


def _window(day: dt.date, hours: WorkingHours) -> tuple[dt.datetime, dt.datetime] | None:
    if not is_working_day(day):
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
