"""What every demo planner draws with: seeded dice, the demo's time window, places and names.

The demo is deterministic because each pass draws from its own `numpy.random.Generator` in a fixed
order. A planner gets the `Dice` of its pass, never makes one: two planners that share a pass
share its dice, so splitting a pass into planners cannot reorder or reseed its draws.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from faker import Faker

from guanxi.demo import catalog as C

T = TypeVar("T")
YEARS = 3
WINDOW_DAYS = 365 * YEARS


class Dice:
    """Draws on one random generator. `rng` stays public for the draws that need numpy itself
    (lognormal, poisson, permutations)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def uniform(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def randint(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi] (both inclusive)."""
        return int(self.rng.integers(lo, hi + 1))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.integers(len(seq)))]

    def pick_weighted(self, pairs: Sequence[tuple[T, float]]) -> T:
        # one uniform draw against the running total: much cheaper than rng.choice(p=…)
        x = float(self.rng.random()) * sum(w for _v, w in pairs)
        for value, weight in pairs:
            x -= weight
            if x < 0:
                return value
        return pairs[-1][0]

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        """``k`` different items (all of them if there are fewer), in the order drawn."""
        k = min(k, len(seq))
        return [seq[int(i)] for i in self.rng.choice(len(seq), size=k, replace=False)]

    def day_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        span = (hi - lo).days
        return lo + dt.timedelta(days=self.randint(0, max(span, 0)))


class Window:
    """The three years of history before ``as_of`` in the demo's time zone: nothing happens on or
    after ``as_of`` (the demo's today)."""

    def __init__(self, as_of: dt.date, tz: str):
        self.as_of = as_of
        self.tz = ZoneInfo(tz)
        self.start = as_of - dt.timedelta(days=WINDOW_DAYS)
        self.last_day = as_of - dt.timedelta(days=1)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)


def anniversary(day: dt.date, year: int) -> dt.date:
    """``day``'s month and day in ``year`` (29 February → 28 February)."""
    last = calendar.monthrange(year, day.month)[1]
    return dt.date(year, day.month, min(day.day, last))


def city(dice: Dice) -> tuple[str, str]:
    """(province, city), weighted towards the group's home market (Shandong)."""
    province, name, _w = dice.pick_weighted([((p, c, w), w) for p, c, w in C.CITIES])
    return province, name


def person_name(fake: Faker, gender: str) -> str:
    """A Chinese name matching the gender (Faker's zh_CN `name_male` ignores it); any gender for
    ``gender=""``."""
    if gender == "male":
        return fake.last_name() + fake.first_name_male()
    if gender == "female":
        return fake.last_name() + fake.first_name_female()
    return fake.last_name() + fake.first_name()
