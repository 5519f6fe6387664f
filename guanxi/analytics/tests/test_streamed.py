import datetime as dt

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from guanxi.analytics.pipeline import PipelineSettings, run_pipeline, run_pipeline_on_summaries
from guanxi.analytics.streamed import (
    Columns,
    calibration_end_of,
    summaries_of_frame,
    summaries_of_slices,
)

COLS = Columns("cust", "at", "amount", "cost")
START = dt.datetime(2024, 1, 1)
END = dt.datetime(2025, 12, 31, 23, 59, 59, 999999)


def _ledger(customers: int = 120, rows: int = 4000, seed: int = 7) -> pl.DataFrame:
    """Transactions over two years, some customers starting late; sorted by customer."""
    rng = np.random.default_rng(seed)
    cust = rng.integers(1, customers + 1, rows)
    start = rng.uniform(0, 700, customers + 1)[cust]  # each customer's first possible day
    days = start + rng.uniform(0, 1, rows) * (730 - start)
    amount = np.round(rng.uniform(10, 500, rows), 2)
    frame = pl.DataFrame(
        {
            "cust": cust,
            "at": [START + dt.timedelta(days=float(d)) for d in days],
            "amount": amount,
            "cost": np.round(amount * 0.6, 2),
        }
    )
    # The first customer buys a lot: their rows run over several slices.
    many = pl.DataFrame(
        {
            "cust": [0] * 300,
            "at": [START + dt.timedelta(days=2.4 * i) for i in range(300)],
            "amount": [100.0] * 300,
            "cost": [50.0] * 300,
        }
    )
    return pl.concat([many, frame]).sort("cust", "at")


def _slices(frame: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    return [frame[i : i + size] for i in range(0, frame.height, size)]


def _pre_aggregated(frame: pl.DataFrame, cal_end: dt.datetime) -> pl.DataFrame:
    """What PostgreSQL sends the analysis: per customer, week and side of the calibration end,
    the earliest time, the sums and the count."""
    return (
        frame.group_by(
            "cust",
            pl.col("at").dt.truncate("1w").alias("_w"),
            (pl.col("at") <= cal_end).alias("_side"),
        )
        .agg(
            pl.col("at").min(),
            pl.col("amount").sum(),
            pl.col("cost").sum(),
            pl.len().alias("n"),
        )
        .sort("cust", "at")
        .select("cust", "at", "amount", "cost", "n")
    )


@pytest.mark.parametrize("size", [1, 97, 1000, 100_000])
def test_slices_ordered_by_customer_give_the_same_summaries_as_the_whole_frame(size):
    ledger = _ledger()
    settings = PipelineSettings()
    whole = summaries_of_frame(ledger, COLS, END, settings)
    sliced = summaries_of_slices(
        _slices(ledger, size),
        COLS,
        observation_end=END,
        first_seen=ledger["at"].min(),
        settings=settings,
    )
    assert whole.split is not None and sliced.split is not None
    assert (sliced.holdout, sliced.rows, sliced.split_error) == (whole.holdout, 4300, None)
    assert_frame_equal(sliced.summary, whole.summary, check_exact=False, rel_tol=1e-12)
    assert_frame_equal(sliced.split, whole.split, check_exact=False, rel_tol=1e-12)
    assert whole.summary.filter(pl.col("cust") == 0)["frequency"].item() > 90


def test_rows_summed_per_period_and_side_of_the_calibration_end_give_the_same_summaries():
    ledger = _ledger()
    settings = PipelineSettings()
    whole = summaries_of_frame(ledger, COLS, END, settings)
    cal_end = calibration_end_of(END, ledger["at"].min(), settings)
    assert cal_end == END - dt.timedelta(weeks=whole.holdout)
    grouped = _pre_aggregated(ledger, cal_end)
    assert grouped.height < ledger.height
    sliced = summaries_of_slices(
        _slices(grouped, 50),
        COLS,
        observation_end=END,
        first_seen=ledger["at"].min(),
        settings=settings,
        count_col="n",
    )
    assert sliced.rows == ledger.height
    assert_frame_equal(sliced.summary, whole.summary, check_exact=False, rel_tol=1e-9)
    assert_frame_equal(sliced.split, whole.split, check_exact=False, rel_tol=1e-9)
    # And so the scores: the pipeline from either reads the same.
    kwargs = {"cost_to_serve": {1: 250.0}, "settings": settings}
    a = run_pipeline(
        ledger,
        customer_col="cust",
        time_col="at",
        amount_col="amount",
        cost_col="cost",
        observation_end=END,
        **kwargs,
    )
    b = run_pipeline_on_summaries(sliced, COLS, **kwargs)
    assert_frame_equal(a.scores, b.scores, check_exact=False, rel_tol=1e-6)
    assert a.holdout_periods == b.holdout_periods == whole.holdout
    assert a.calibration is not None and b.calibration is not None
    assert b.calibration.mae == pytest.approx(a.calibration.mae, rel=1e-6)


def test_data_too_short_for_the_check_gives_the_summary_and_the_reason():
    ledger = _ledger().filter(pl.col("at") > END - dt.timedelta(days=60))
    settings = PipelineSettings()
    first = ledger["at"].min()
    assert calibration_end_of(END, first, settings) is None
    whole = summaries_of_frame(ledger, COLS, END, settings)
    sliced = summaries_of_slices(
        _slices(ledger, 100), COLS, observation_end=END, first_seen=first, settings=settings
    )
    assert sliced.split is None and whole.split is None
    assert sliced.split_error == whole.split_error
    assert "checking the model needs at least" in sliced.split_error
    assert_frame_equal(sliced.summary, whole.summary, check_exact=False, rel_tol=1e-12)


def test_no_rows_is_refused():
    with pytest.raises(ValueError, match="empty"):
        summaries_of_slices(
            [], COLS, observation_end=END, first_seen=START, settings=PipelineSettings()
        )
