"""The money maths of agreements: rebate brackets, settlements, pace and MICE attrition.

Pure numpy, no Django: `guanxi.agreements` feeds it volumes read from the ledger.

Rebate brackets are given by their lower bounds (``thresholds``, the first 0, strictly rising)
and their rates as shares (0.02 = 2 %). Two methods:

* **retroactive**: the whole volume earns the rate of the bracket it reached
  (2.5M over brackets 0 / 1M / 3M at 2 / 3 / 5 % → 2.5M × 3 % = 75,000);
* **incremental**: each slice earns its own bracket's rate
  (1M × 2 % + 1.5M × 3 % = 65,000).

A settlement pays the rebate on the cumulative volume of its period to date less what earlier
settlements of the same period already paid, so a second settlement pays only the difference.

Bad input raises ``ValueError`` naming the argument at fault, as scikit-learn's estimators do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from guanxi.analytics.base import FloatArray

Method = Literal["retroactive", "incremental"]
METHODS: tuple[str, ...] = ("retroactive", "incremental")


# --- input checks --------------------------------------------------------------------------------


def _vector(name: str, values: ArrayLike) -> FloatArray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers, got {values!r}.") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity).")
    return array


def _number(name: str, value: float, *, low: float | None = None, high: float | None = None):
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}.") from exc
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and number < low:
        raise ValueError(f"{name} must be at least {low:g}, got {number:g}.")
    if high is not None and number > high:
        raise ValueError(f"{name} must be at most {high:g}, got {number:g}.")
    return number


def check_brackets(thresholds: ArrayLike, rates: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The brackets as float arrays, or a ``ValueError`` saying what is wrong with them."""
    lows, shares = _vector("thresholds", thresholds), _vector("rates", rates)
    if lows.size == 0:
        raise ValueError("A rebate schedule needs at least one bracket.")
    if lows.size != shares.size:
        raise ValueError(
            f"thresholds and rates must have the same length ({lows.size} ≠ {shares.size})."
        )
    if lows[0] != 0:
        raise ValueError(f"The first bracket must start at 0, got {lows[0]:g}.")
    if np.any(np.diff(lows) <= 0):
        raise ValueError("thresholds must rise strictly from one bracket to the next.")
    if np.any(shares < 0) or np.any(shares > 1):
        raise ValueError("rates are shares between 0 and 1 (0.02 = 2 %).")
    return lows, shares


def _method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}.")
    return method


# --- rebates -------------------------------------------------------------------------------------


def bracket_reached(volume: float, thresholds: ArrayLike) -> int:
    """Index of the bracket ``volume`` reached (0 for no or negative volume)."""
    lows = _vector("thresholds", thresholds)
    v = _number("volume", volume)
    return max(int(np.searchsorted(lows, v, side="right")) - 1, 0)


def rebate(volume: float, thresholds: ArrayLike, rates: ArrayLike, method: str) -> float:
    """The rebate earned on ``volume`` (no rebate on a volume of 0 or less)."""
    lows, shares = check_brackets(thresholds, rates)
    v = _number("volume", volume)
    if v <= 0:
        return 0.0
    if _method(method) == "retroactive":
        return v * float(shares[bracket_reached(v, lows)])
    return float(np.sum(_slices(v, lows) * shares))


def _slices(volume: float, lows: FloatArray) -> FloatArray:
    """How much of ``volume`` falls in each bracket."""
    highs = np.append(lows[1:], np.inf)
    return np.clip(volume - lows, 0.0, highs - lows)


@dataclass(frozen=True)
class BracketLine:
    """One bracket of a rebate statement: its range, the volume counted in it, its rate and the
    rebate it earns (under retroactive brackets the reached bracket carries the whole volume)."""

    low: float
    high: float | None
    rate: float
    volume: float
    rebate: float
    reached: bool


def rebate_by_bracket(
    volume: float, thresholds: ArrayLike, rates: ArrayLike, method: str
) -> list[BracketLine]:
    """The rebate of ``volume`` bracket by bracket; the lines' rebates add up to `rebate`."""
    lows, shares = check_brackets(thresholds, rates)
    v = max(_number("volume", volume), 0.0)
    reached = bracket_reached(v, lows)
    if _method(method) == "retroactive":
        counted = np.zeros_like(lows)
        counted[reached] = v
    else:
        counted = _slices(v, lows)
    highs = [float(h) for h in lows[1:]] + [None]
    return [
        BracketLine(
            low=float(lows[i]),
            high=highs[i],
            rate=float(shares[i]),
            volume=float(counted[i]),
            rebate=float(counted[i] * shares[i]),
            reached=i == reached and v > 0,
        )
        for i in range(lows.size)
    ]


def settlement_due(rebate_to_date: float, already_settled: float) -> float:
    """What a settlement pays: the rebate on the period's cumulative volume to date less what
    earlier settlements of the same period paid. Negative when more was paid than is now
    earned (a refund lowered the volume): the caller decides whether to claw it back."""
    return _number("rebate_to_date", rebate_to_date, low=0.0) - _number(
        "already_settled", already_settled, low=0.0
    )


# --- pace and projection -------------------------------------------------------------------------


def elapsed_share(elapsed_days: float, total_days: float) -> float:
    """Share of a period gone by: 0 before it starts, 1 once it is over."""
    total = _number("total_days", total_days)
    if total <= 0:
        raise ValueError(f"total_days must be positive, got {total:g}.")
    return min(max(_number("elapsed_days", elapsed_days) / total, 0.0), 1.0)


def pace(actual: float, committed: float, elapsed_days: float, total_days: float) -> float | None:
    """actual ÷ (committed × share of the period gone by); None before the period starts.
    1.0 is on track, 0.8 is 20 % behind."""
    share = elapsed_share(elapsed_days, total_days)
    target = _number("committed", committed, low=0.0) * share
    if share <= 0 or target <= 0:
        return None
    return _number("actual", actual) / target


def run_rate_projection(actual: float, elapsed_days: float, total_days: float) -> float | None:
    """The volume at the end of the period if it goes on at the rate so far; None before the
    period starts."""
    share = elapsed_share(elapsed_days, total_days)
    if share <= 0:
        return None
    return _number("actual", actual) / share


def model_projection(
    actual: float, expected_per_day: float, remaining_days: float, share: float = 1.0
) -> float:
    """actual + what a purchase model expects in the rest of the period: ``expected_per_day``
    (e.g. expected purchases × expected spend ÷ horizon) × ``remaining_days`` × ``share`` (the
    part of the accounts' spend the commitment counts)."""
    rest = _number("expected_per_day", expected_per_day, low=0.0) * max(
        _number("remaining_days", remaining_days), 0.0
    )
    return _number("actual", actual) + rest * _number("share", share, low=0.0)


# --- MICE attrition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attrition:
    contracted: float  # room nights in the block
    allowed: float  # room nights that must be paid for (allowance × contracted)
    picked_up: float  # room nights picked up, each night capped at its block
    nights_short: float  # allowed − picked up, at least 0
    penalty: float  # nights_short × group_rate × penalty_rate
    revenue_short: float  # minimum revenue − picked-up revenue, at least 0 (0 without minimum)
    owed: float  # the larger of penalty and revenue_short


def attrition(
    contracted_by_night: Sequence[float] | ArrayLike,
    picked_up_by_night: Sequence[float] | ArrayLike,
    allowance: float,
    penalty_rate: float,
    group_rate: float,
    minimum_revenue: float | None = None,
) -> Attrition:
    """What a group owes for rooms of its block it did not take.

    The group must pay for ``allowance`` (0.8 = 80 %) of the contracted room nights; each room
    night below that costs ``penalty_rate`` (0.75) of ``group_rate``. A night's pickup counts up
    to that night's block (an overflow on one night does not fill another). With a
    ``minimum_revenue`` the group owes at least the gap between it and the picked-up room
    revenue; the larger of the two is owed. 100 rooms × 3 nights, 80 %, 75 % of ¥600, 200
    picked up: (240 − 200) × 600 × 0.75 = ¥18,000.
    """
    block = _vector("contracted_by_night", contracted_by_night)
    pickup = _vector("picked_up_by_night", picked_up_by_night)
    if block.shape != pickup.shape:
        raise ValueError(
            "contracted_by_night and picked_up_by_night must have one value per night "
            f"({block.size} ≠ {pickup.size})."
        )
    if np.any(block < 0) or np.any(pickup < 0):
        raise ValueError("Room nights cannot be negative.")
    share = _number("allowance", allowance, low=0.0, high=1.0)
    rate = _number("penalty_rate", penalty_rate, low=0.0, high=1.0)
    price = _number("group_rate", group_rate, low=0.0)
    contracted = float(block.sum())
    allowed = contracted * share
    picked = float(np.minimum(block, pickup).sum())
    short = max(allowed - picked, 0.0)
    penalty = short * price * rate
    revenue_short = 0.0
    if minimum_revenue is not None:
        floor = _number("minimum_revenue", minimum_revenue, low=0.0)
        revenue_short = max(floor - picked * price, 0.0)
    return Attrition(
        contracted=contracted,
        allowed=allowed,
        picked_up=picked,
        nights_short=short,
        penalty=penalty,
        revenue_short=revenue_short,
        owed=max(penalty, revenue_short),
    )


def attrition_owed(
    contracted_by_night: Sequence[float] | ArrayLike,
    picked_up_by_night: Sequence[float] | ArrayLike,
    allowance: float,
    penalty_rate: float,
    group_rate: float,
    minimum_revenue: float | None = None,
) -> float:
    """The amount `attrition` says the group owes."""
    return attrition(
        contracted_by_night,
        picked_up_by_night,
        allowance,
        penalty_rate,
        group_rate,
        minimum_revenue,
    ).owed
