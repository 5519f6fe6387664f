"""Can the purchase model be trusted on this data? Calibration vs holdout comparison.

Fit the model on a calibration window (`summarize(..., calibration_end=...)`), predict each
customer's purchases over the holdout window, and compare with what they actually did, grouped by
calibration frequency — the check of Fader, Hardie & Lee (2005), figure 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from guanxi.analytics.base import FloatArray, _as_1d, _validate_summary
from guanxi.analytics.value import PurchaseModel


@dataclass(frozen=True)
class CalibrationResult:
    """Predicted vs actual holdout purchases.

    ``table``: one row per calibration frequency 0 … max_frequency−1 and a last bin
    "≥max_frequency", with columns ``frequency`` (the bin's lowest calibration frequency),
    ``bin`` (its label), ``n_customers``, ``actual`` and ``predicted`` (mean holdout purchases per
    customer of the bin; null for an empty bin).

    Errors: ``mae`` is the customer-weighted mean absolute gap between the bins' actual and
    predicted means (what the chart shows); ``rmse`` is over customers; ``actual_total`` and
    ``predicted_total`` sum the holdout purchases, and ``relative_error_total`` is
    (predicted − actual) / actual (NaN when nobody bought in the holdout). ``predicted`` holds
    each customer's expected holdout purchases.
    """

    table: pl.DataFrame
    predicted: FloatArray
    mae: float
    rmse: float
    actual_total: float
    predicted_total: float
    relative_error_total: float

    @property
    def metrics(self) -> dict[str, float | int | None]:
        """The error metrics as plain numbers (NaN as None), ready to store as JSON."""
        values = {
            "n_customers": int(self.predicted.size),
            "mae": self.mae,
            "rmse": self.rmse,
            "actual_total": self.actual_total,
            "predicted_total": self.predicted_total,
            "relative_error_total": self.relative_error_total,
        }
        return {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in values.items()}


def calibration_holdout(
    purchase_model: PurchaseModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    frequency_holdout: ArrayLike,
    duration_holdout: ArrayLike,
    *,
    max_frequency: int = 7,
) -> CalibrationResult:
    """Compare the model's expected holdout purchases with the actual ones.

    ``purchase_model`` must be fitted on the calibration summary (frequency, recency, T); the
    holdout columns are those `summarize` adds with ``calibration_end``. ``duration_holdout`` is
    one length or one per customer, in the summary's periods.
    """
    x, t_x, age = _validate_summary(frequency, recency, T)
    actual = _as_1d("frequency_holdout", frequency_holdout)
    if actual.size != x.size:
        raise ValueError(
            f"frequency_holdout has length {actual.size}, expected {x.size} "
            "(the length of frequency)."
        )
    if np.any(actual < 0) or np.any(actual != np.round(actual)):
        raise ValueError("frequency_holdout must hold whole numbers ≥ 0.")
    duration = _as_1d("duration_holdout", duration_holdout)
    if duration.size not in (1, x.size):
        raise ValueError(
            f"duration_holdout has length {duration.size}; give one value or one per customer."
        )
    if np.any(duration <= 0):
        raise ValueError("duration_holdout must be positive (a holdout window of some length).")
    if isinstance(max_frequency, bool) or not isinstance(max_frequency, int | np.integer):
        raise ValueError(f"max_frequency must be a whole number, got {max_frequency!r}.")
    if max_frequency < 1:
        raise ValueError(f"max_frequency must be at least 1, got {max_frequency}.")
    if x.size == 0:
        raise ValueError("No customers: the calibration summary is empty.")

    # One scalar window when all customers share it (the usual case and the cheapest call).
    t = float(duration[0]) if np.all(duration == duration[0]) else duration
    predicted = np.asarray(
        purchase_model.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age),
        dtype=np.float64,
    )

    bins = np.minimum(x, max_frequency).astype(np.int64)
    count = np.bincount(bins, minlength=max_frequency + 1).astype(np.float64)
    act_sum = np.bincount(bins, weights=actual, minlength=max_frequency + 1)
    pred_sum = np.bincount(bins, weights=predicted, minlength=max_frequency + 1)
    filled = count > 0
    safe = np.where(filled, count, 1.0)
    act_mean = np.where(filled, act_sum / safe, np.nan)
    pred_mean = np.where(filled, pred_sum / safe, np.nan)
    labels = [str(k) for k in range(max_frequency)] + [f"≥{max_frequency}"]
    table = pl.DataFrame(
        {
            "frequency": np.arange(max_frequency + 1, dtype=np.int64),
            "bin": labels,
            "n_customers": count.astype(np.int64),
            "actual": act_mean,
            "predicted": pred_mean,
        }
    ).with_columns(pl.col("actual", "predicted").fill_nan(None))

    gap = np.abs(act_mean[filled] - pred_mean[filled])
    total_actual = float(actual.sum())
    total_predicted = float(predicted.sum())
    return CalibrationResult(
        table=table,
        predicted=predicted,
        mae=float(count[filled] @ gap / count.sum()),
        rmse=float(np.sqrt(np.mean((actual - predicted) ** 2))),
        actual_total=total_actual,
        predicted_total=total_predicted,
        relative_error_total=(
            (total_predicted - total_actual) / total_actual if total_actual > 0 else float("nan")
        ),
    )
