"""Calendar arithmetic shared by the apps: local midnights (filter bounds in the configured time
zone, Asia/Shanghai by default), month steps, yearly recurrences (birthdays, anniversaries)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Q
from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the current time zone, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the last day of the target month:
    30 November + 3 months = 28 February (29 in a leap year)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrence_in(day: dt.date, year: int) -> dt.date:
    """The yearly recurrence of ``day`` in ``year``; 29 February falls on 28 February in years
    that have none."""
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, day.month, day.day)


def next_occurrence(day: dt.date, on: dt.date) -> dt.date:
    """The first recurrence of ``day`` on or after ``on``."""
    this_year = occurrence_in(day, on.year)
    return this_year if this_year >= on else occurrence_in(day, on.year + 1)


def recurring_within_q(field: str, first: dt.date, days: int) -> Q:
    """Rows whose yearly date ``field`` (a birthday, an anniversary) recurs on one of the days
    ``first`` … ``first + days``; 29 February counts on 28 February in common years."""
    q = Q()
    for i in range(days + 1):
        day = first + dt.timedelta(days=i)
        q |= Q(**{f"{field}__month": day.month, f"{field}__day": day.day})
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            q |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return q
