"""The two customer summaries the pipeline needs, from a ledger held whole or read in slices.

`run_pipeline` reads two per-customer summaries of the transactions: the summary up to the
observation end (every score) and the calibration split (the holdout check of the purchase
model). Both are per customer, so a ledger too big to hold can be summarised slice by slice
when the slices come **ordered by customer**: `summaries_of_slices` keeps back the last
customer of each slice until the next one shows where that customer ends, summarises the rest
and drops the rows. Memory then holds one slice and one row per customer, not the ledger.

The slices may be pre-aggregated (a database's GROUP BY per customer, period and side of the
calibration end, each row with its earliest time), since the summary first sums each
customer's purchases per period anyway: the result is the same, up to the order of float sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl

from guanxi.analytics.summary import Period, summarize


class PipelineSettings(Protocol):
    """What of `pipeline.PipelineSettings` the summaries read."""

    period: Period
    holdout_fraction: float
    min_holdout_periods: int

    @property
    def days_per_period(self) -> float: ...


@dataclass
class Summaries:
    """``summary``: `summarize` up to the observation end. ``split``: `summarize` with the
    calibration end, or None with the reason in ``split_error``. ``holdout``: its length in
    periods. ``rows``: the transactions read."""

    summary: pl.DataFrame
    split: pl.DataFrame | None
    holdout: int | None
    split_error: str | None
    rows: int


@dataclass(frozen=True)
class Columns:
    """Which columns of the transactions play which part."""

    customer: str
    time: str
    amount: str
    cost: str | None = None

    def summarize(self, frame: pl.DataFrame, settings: PipelineSettings, **bounds: Any) -> Any:
        return summarize(
            frame,
            customer_col=self.customer,
            time_col=self.time,
            amount_col=self.amount,
            cost_col=self.cost,
            period=settings.period,
            **bounds,
        )


def holdout_periods(span_periods: float, settings: PipelineSettings) -> int:
    """Periods held out to check the purchase model on data spanning ``span_periods``; raises
    ValueError when the data is too short for the check."""
    # Rounded down, so that exactly two years of weekly data still get a 34-week check.
    holdout = max(settings.min_holdout_periods, int(span_periods * settings.holdout_fraction))
    if span_periods < 3 * holdout:
        raise ValueError(
            f"The data spans {span_periods:.0f} periods; checking the model needs at least "
            f"{3 * holdout} (two for calibration, one held out)."
        )
    return holdout


def _calibration_end(end: Any, holdout: int, settings: PipelineSettings) -> Any:
    return end - dt.timedelta(days=holdout * settings.days_per_period)


def _span(cols: Columns, first_seen: Any, end: Any, settings: PipelineSettings) -> float:
    """Periods from the earliest transaction to ``end``: the oldest customer's T."""
    one = {cols.customer: [0], cols.time: [first_seen], cols.amount: [0.0]}
    if cols.cost:
        one[cols.cost] = [0.0]
    return float(cols.summarize(pl.DataFrame(one), settings, observation_end=end)["T"][0])


def calibration_end_of(end: Any, first_seen: Any, settings: PipelineSettings) -> Any:
    """Where `summaries_of_slices` will split the data for the holdout check, or None when
    the data is too short for one: for a reader that groups rows by side of it."""
    cols = Columns("c", "t", "a")
    try:
        return _calibration_end(
            end, holdout_periods(_span(cols, first_seen, end, settings), settings), settings
        )
    except ValueError:
        return None


def summaries_of_frame(
    df: pl.DataFrame, cols: Columns, observation_end: Any, settings: PipelineSettings
) -> Summaries:
    """Both summaries of transactions held in one frame."""
    summary = cols.summarize(df, settings, observation_end=observation_end)
    end = df[cols.time].max() if observation_end is None else observation_end
    try:
        holdout = holdout_periods(float(summary["T"].max()), settings)
        split = cols.summarize(
            df,
            settings,
            observation_end=end,
            calibration_end=_calibration_end(end, holdout, settings),
        )
    except ValueError as exc:
        return Summaries(summary, None, None, str(exc), df.height)
    return Summaries(summary, split, holdout, None, df.height)


def summaries_of_slices(
    slices: Iterable[pl.DataFrame],
    cols: Columns,
    *,
    observation_end: Any,
    first_seen: Any,
    settings: PipelineSettings,
    count_col: str | None = None,
) -> Summaries:
    """Both summaries of transactions that arrive in slices ordered by customer (each
    customer's rows in one run, across slice boundaries). ``first_seen`` is the earliest time
    of them all (it fixes the calibration end before the first slice); ``count_col``, when the
    rows are pre-aggregated, is how many transactions each row stands for."""
    try:
        holdout: int | None = holdout_periods(
            _span(cols, first_seen, observation_end, settings), settings
        )
        cal_end = _calibration_end(observation_end, holdout, settings)
        split_error = None
    except ValueError as exc:
        holdout, cal_end, split_error = None, None, str(exc)
    parts: list[pl.DataFrame] = []
    splits: list[pl.DataFrame] = []
    rows = 0

    def take(ready: pl.DataFrame) -> None:
        nonlocal rows
        rows += ready[count_col].sum() if count_col else ready.height
        parts.append(cols.summarize(ready, settings, observation_end=observation_end))
        # A slice whose customers all started after the calibration end adds none to the split.
        if cal_end is not None and ready[cols.time].min() <= cal_end:
            splits.append(
                cols.summarize(
                    ready, settings, observation_end=observation_end, calibration_end=cal_end
                )
            )

    carry: pl.DataFrame | None = None
    for piece in slices:
        pending = piece if carry is None else pl.concat([carry, piece])
        # The last customer may go on in the next slice: keep their rows back.
        cut = pending[cols.customer].search_sorted(pending[cols.customer][-1], side="left")
        carry = pending[cut:]
        if cut:
            take(pending[:cut])
    if carry is not None and carry.height:
        take(carry)
    if not parts:
        raise ValueError("No transactions: the data is empty.")
    split = pl.concat(splits) if splits else None
    if split is None and split_error is None:
        split_error = "No customer bought before the calibration end."
    return Summaries(pl.concat(parts), split, holdout, split_error, int(rows))
