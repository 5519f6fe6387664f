import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from guanxi.analytics import BetaGeo, summarize
from guanxi.analytics.diagnostics import CalibrationResult, calibration_holdout

DATA = Path(__file__).parent / "data"
# Fader, Hardie & Lee (2005), figure 4: mean repeat purchases in the 39-week holdout by number of
# repeat purchases in the 39-week calibration (x = 0 … 6, 7+), CDNOW sample of 2,357 customers.
PUBLISHED_ACTUAL = [0.24, 0.70, 1.39, 1.56, 2.53, 2.95, 3.86, 6.36]
# Customers first bought in 1997 Q1; calibration ends 30 Sep 1997, the holdout on 30 Jun 1998.
CALIBRATION_END = dt.date(1997, 9, 30)
OBSERVATION_END = dt.date(1998, 6, 30)


@pytest.fixture(scope="module")
def split() -> pl.DataFrame:
    """The CDNOW transaction log summarized by day, then converted to weeks as in the paper."""
    # Fixed-width rows: master id, sample id, date (YYYYMMDD), number of CDs, dollar value.
    lines = (DATA / "CDNOW_sample.txt").read_text().split()
    transactions = pl.DataFrame(
        {
            "customer": [int(v) for v in lines[1::5]],
            "date": lines[2::5],
            "amount": [float(v) for v in lines[4::5]],
        }
    ).with_columns(pl.col("date").str.to_date("%Y%m%d"))
    summary = summarize(
        transactions,
        customer_col="customer",
        time_col="date",
        amount_col="amount",
        period="D",
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
    )
    return summary.with_columns(pl.col("recency", "T", "duration_holdout") / 7)


@pytest.fixture(scope="module")
def result(split) -> CalibrationResult:
    model = BetaGeo().fit(split["frequency"], split["recency"], split["T"])
    return calibration_holdout(
        model,
        split["frequency"],
        split["recency"],
        split["T"],
        split["frequency_holdout"],
        split["duration_holdout"],
    )


def test_the_calibration_summary_is_the_published_one(split):
    published = pl.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    joined = split.join(published, left_on="customer", right_on="ID", how="inner")
    assert split.height == joined.height == 2357
    assert (joined["frequency"] == joined["x"]).all()
    np.testing.assert_allclose(joined["recency"], joined["t_x"], atol=0.006)
    np.testing.assert_allclose(joined["T"], joined["T_right"], atol=0.006)
    assert split["duration_holdout"].unique().to_list() == [39.0]


def test_table_has_one_row_per_calibration_frequency_and_a_last_open_bin(result):
    table = result.table
    assert table.columns == ["frequency", "bin", "n_customers", "actual", "predicted"]
    assert table["bin"].to_list() == ["0", "1", "2", "3", "4", "5", "6", "≥7"]
    assert table["frequency"].to_list() == list(range(8))
    assert table["n_customers"].to_list() == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert table["n_customers"].sum() == 2357


def test_actual_holdout_means_are_the_published_ones(result):
    assert [round(v, 2) for v in result.table["actual"]] == PUBLISHED_ACTUAL


def test_predictions_track_the_actual_holdout_purchases(result):
    actual = result.table["actual"].to_numpy()
    predicted = result.table["predicted"].to_numpy()
    # Predictions rise with calibration frequency as the actuals do…
    assert np.all(np.diff(predicted) > 0)
    # …and sit close to them: BG/NBD underpredicts CDNOW's holdout somewhat (1,653 expected vs
    # 1,882 actual repeat purchases, −12 %), most visibly for customers with one or two repeats,
    # as in the paper's figure.
    np.testing.assert_allclose(predicted, actual, rtol=0.27, atol=0.05)
    assert result.actual_total == 1882
    assert result.predicted_total == pytest.approx(1653.4, abs=0.5)
    assert -0.15 < result.relative_error_total < -0.10
    assert result.mae == pytest.approx(0.10, abs=0.02)
    assert 1.0 < result.rmse < 2.0  # per customer the holdout count is noisy


def test_errors_are_computed_as_documented(split, result):
    actual = split["frequency_holdout"].to_numpy()
    per_customer = result.predicted
    assert result.rmse == pytest.approx(np.sqrt(np.mean((actual - per_customer) ** 2)))
    table = result.table
    gaps = (table["actual"] - table["predicted"]).abs()
    expected_mae = float((gaps * table["n_customers"]).sum() / table["n_customers"].sum())
    assert result.mae == pytest.approx(expected_mae)
    assert result.relative_error_total == pytest.approx(
        (per_customer.sum() - actual.sum()) / actual.sum()
    )
    metrics = result.metrics
    assert metrics["n_customers"] == 2357
    assert metrics["actual_total"] == 1882
    assert set(metrics) == {
        "n_customers",
        "mae",
        "rmse",
        "actual_total",
        "predicted_total",
        "relative_error_total",
    }


@pytest.fixture(scope="module")
def small_model() -> BetaGeo:
    model = BetaGeo()
    model.params_ = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    return model


def test_empty_bins_are_kept_with_null_means(small_model):
    result = calibration_holdout(
        small_model, [0, 0, 3], [0, 0, 10], [20, 30, 30], [1, 0, 2], 10, max_frequency=2
    )
    assert result.table["bin"].to_list() == ["0", "1", "≥2"]
    assert result.table["n_customers"].to_list() == [2, 0, 1]
    assert result.table["actual"].to_list() == [0.5, None, 2.0]
    assert result.table["predicted"].null_count() == 1


def test_per_customer_holdout_lengths_are_used(small_model):
    args = ([1, 1], [5, 5], [10, 10], [1, 1])
    single = calibration_holdout(small_model, *args, 10)
    per_customer = calibration_holdout(small_model, *args, [10, 20])
    assert per_customer.predicted[0] == pytest.approx(single.predicted[0])
    assert per_customer.predicted[1] > single.predicted[1]


def test_nobody_buying_in_the_holdout_gives_no_relative_error(small_model):
    result = calibration_holdout(small_model, [0, 1], [0, 5], [10, 10], [0, 0], 10)
    assert np.isnan(result.relative_error_total)
    assert result.metrics["relative_error_total"] is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([0, 1], [0, 5], [10, 10], [0], 10), {}, "frequency_holdout has length 1, expected 2"),
        (([0, 1], [0, 5], [10, 10], [0, -1], 10), {}, "whole numbers"),
        (([0, 1], [0, 5], [10, 10], [0, 0.5], 10), {}, "whole numbers"),
        (([0, 1], [0, 5], [10, 10], [0, 1], 0), {}, "duration_holdout must be positive"),
        (([0, 1], [0, 5], [10, 10], [0, 1], [1, 2, 3]), {}, "one value or one per customer"),
        (([0, 1], [0, 5], [10, 10], [0, 1], 10), {"max_frequency": 0}, "at least 1"),
        (([0, 1], [0, 5], [10, 10], [0, 1], 10), {"max_frequency": 2.5}, "whole number"),
        (([0, 1], [0, 15], [10, 10], [0, 1], 10), {}, "recency greater than T"),
        (([], [], [], [], 10), {}, "empty"),
    ],
)
def test_bad_inputs_are_rejected(small_model, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        calibration_holdout(small_model, *args, **kwargs)


def test_unfitted_model_raises_a_clear_error():
    with pytest.raises(ValueError, match="not fitted"):
        calibration_holdout(BetaGeo(), [0, 1], [0, 5], [10, 10], [0, 1], 10)
