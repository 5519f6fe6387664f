"""Per-customer RFM summary of a transaction log, with the BTYD definitions.

The definitions follow `lifetimes.utils.summary_data_from_transaction_data` (and
`calibration_and_holdout_data`) so fitted parameters are comparable with the literature:

* timestamps are cut to periods (day, ISO week starting Monday, calendar month); several purchases
  by one customer in one period count as one purchase whose spend is their sum;
* ``frequency`` = number of distinct purchase periods minus one (the repeat purchases);
* ``recency`` = periods between the first and the last purchase;
* ``T`` = periods between the first purchase and ``observation_end``;
* ``monetary`` = mean spend of the repeat periods (the first purchase excluded), 0 without repeats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import polars as pl

Period = Literal["D", "W", "M"]

_PERIODS = ("D", "W", "M")
# Transactions per pass of the per-(customer, period) aggregation; larger inputs are split by
# customer (see summarize).
_CHUNK_ROWS = 1_000_000
_CHUNK_SEED = 20_260_101


def _to_polars(transactions: Any) -> pl.DataFrame:
    if isinstance(transactions, pl.DataFrame):
        return transactions
    if isinstance(transactions, pl.LazyFrame):
        return transactions.collect()
    module = type(transactions).__module__
    if module.startswith("pandas"):
        # Object columns of Python datetimes can mix naive and aware values; polars would
        # silently drop the zone, so look before converting.
        for name in transactions.columns:
            if transactions[name].dtype == object:
                _check_mixed_timezones(name, transactions[name].tolist())
        return pl.from_pandas(transactions)
    if isinstance(transactions, Mapping):
        for name, values in transactions.items():
            _check_mixed_timezones(str(name), list(values))
        return pl.DataFrame(dict(transactions))
    raise TypeError(
        "transactions must be a polars DataFrame, a pandas DataFrame or a mapping of columns, "
        f"not {type(transactions).__name__}"
    )


def _check_mixed_timezones(name: str, values: list[Any]) -> None:
    kinds = {v.tzinfo is not None for v in values if isinstance(v, dt.datetime)}
    if len(kinds) > 1:
        raise ValueError(
            f"Column '{name}' mixes timezone-naive and timezone-aware timestamps; "
            "give every timestamp a timezone, or none."
        )


def _bound_expr(value: Any, name: str, dtype: pl.DataType) -> Any:
    """A calibration/observation bound as a Python value comparable with the time column."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{name} '{value}' is not an ISO date or timestamp.") from exc
    if isinstance(dtype, pl.Datetime):
        if isinstance(value, dt.datetime):
            aware = value.tzinfo is not None
            if aware != (dtype.time_zone is not None):
                raise ValueError(
                    f"{name} is timezone-{'aware' if aware else 'naive'} but the transaction "
                    f"timestamps are timezone-{'naive' if aware else 'aware'}; use the same kind."
                )
            if aware:
                # Same instant, expressed in the column's zone, so local periods line up.
                return pl.select(pl.lit(value).dt.convert_time_zone(dtype.time_zone)).item()
            return value
        if isinstance(value, dt.date):
            if dtype.time_zone is not None:
                raise ValueError(
                    f"{name} is a date but the transaction timestamps are timezone-aware; "
                    "give a timezone-aware timestamp."
                )
            return dt.datetime.combine(value, dt.time())
    elif isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    raise ValueError(f"{name} must be a date or a timestamp, not {type(value).__name__}.")


def _period_index(col: pl.Expr, period: Period) -> pl.Expr:
    """Integer index of the period a timestamp falls in (only differences matter)."""
    day = col.dt.date().cast(pl.Int32)  # days since 1970-01-01, local wall time for aware zones
    if period == "D":
        return day
    if period == "W":
        # 1970-01-01 was a Thursday: shift by 3 days so weeks start on Monday (pandas 'W').
        return (day + 3) // 7
    return col.dt.year().cast(pl.Int32) * 12 + col.dt.month().cast(pl.Int32) - 1


def summarize(
    transactions: Any,
    *,
    customer_col: str,
    time_col: str,
    amount_col: str,
    cost_col: str | None = None,
    period: Period = "D",
    observation_end: dt.date | dt.datetime | str | None = None,
    calibration_end: dt.date | dt.datetime | str | None = None,
) -> pl.DataFrame:
    """One row per customer: frequency, recency, T, monetary, revenue, cost and margin.

    ``total_revenue``, ``total_cost`` and ``margin`` cover every transaction up to the end of the
    (calibration) window, the first purchase included; ``total_cost`` and ``margin`` are null when
    no ``cost_col`` is given. With ``calibration_end`` the summary columns describe transactions up
    to ``calibration_end`` and ``frequency_holdout`` (distinct purchase periods after it, up to
    ``observation_end``), ``monetary_holdout`` (their mean spend) and ``duration_holdout`` (length
    of the holdout window in periods) are added; customers first seen in the holdout are left out,
    as in the literature.
    """
    if period not in _PERIODS:
        raise ValueError(f"period must be one of 'D', 'W', 'M', not {period!r}.")
    df = _to_polars(transactions)
    wanted = [customer_col, time_col, amount_col] + ([cost_col] if cost_col else [])
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise ValueError(
            f"Missing column(s): {', '.join(missing)} (available: {', '.join(df.columns)})."
        )
    df = df.select(wanted)
    if df.height == 0:
        raise ValueError("No transactions: the data is empty.")

    dtype = df.schema[time_col]
    if dtype == pl.String:
        try:
            df = df.with_columns(pl.col(time_col).str.to_datetime(strict=True))
        except pl.exceptions.PolarsError as exc:
            raise ValueError(f"Column '{time_col}' has values that are not timestamps.") from exc
        dtype = df.schema[time_col]
    if not isinstance(dtype, pl.Datetime | pl.Date):
        raise ValueError(f"Column '{time_col}' must hold dates or timestamps, not {dtype}.")
    if df[time_col].null_count():
        raise ValueError(f"Column '{time_col}' has {df[time_col].null_count()} empty timestamp(s).")
    if df[customer_col].null_count():
        raise ValueError(
            f"Column '{customer_col}' has {df[customer_col].null_count()} empty id(s)."
        )
    for col in [amount_col] + ([cost_col] if cost_col else []):
        if not df.schema[col].is_numeric():
            raise ValueError(f"Column '{col}' must be numeric, not {df.schema[col]}.")
        series = df[col]
        if series.null_count():
            raise ValueError(f"Column '{col}' has {series.null_count()} empty value(s).")
        negative = int((series < 0).sum())
        if negative:
            raise ValueError(
                f"Column '{col}' has {negative} negative value(s); amounts must be ≥ 0."
            )

    first_seen = df[time_col].min()
    last_seen = df[time_col].max()
    end = (
        last_seen
        if observation_end is None
        else _bound_expr(observation_end, "observation_end", dtype)
    )
    if end < first_seen:
        raise ValueError(f"observation_end {end} is before the first transaction ({first_seen}).")
    cal = None
    if calibration_end is not None:
        cal = _bound_expr(calibration_end, "calibration_end", dtype)
        if not first_seen <= cal < end:
            raise ValueError(
                f"calibration_end {cal} must fall on or after the first transaction "
                f"({first_seen}) and before observation_end ({end})."
            )

    per = _period_index(pl.col(time_col), period).alias("_p")
    end_p = df.select(_period_index(pl.lit(end, dtype=dtype), period)).item()
    window_end = end if cal is None else cal
    window_end_p = df.select(_period_index(pl.lit(window_end, dtype=dtype), period)).item()

    n_chunks = -(-df.height // _CHUNK_ROWS)
    if n_chunks <= 1:
        parts = [
            _summarize_lazy(
                df.lazy(), customer_col, time_col, amount_col, cost_col, per, end, cal,
                end_p, window_end_p,
            ).collect()
        ]  # fmt: skip
    else:
        # The per-(customer, period) table has nearly as many rows as there are transactions
        # (few customers buy twice in a day). Customers are split into disjoint groups by a
        # hash of their id and each group is summarised on its own, so that table exists for
        # one group at a time: peak memory falls about n_chunks-fold, and time does not grow
        # (the smaller hash tables stay in cache).
        keyed = df.with_columns(
            (pl.col(customer_col).hash(_CHUNK_SEED) % n_chunks).cast(pl.UInt32).alias("_chunk")
        )
        parts = [
            _summarize_lazy(
                keyed.lazy().filter(pl.col("_chunk") == k).drop("_chunk"), customer_col,
                time_col, amount_col, cost_col, per, end, cal, end_p, window_end_p,
            ).collect()
            for k in range(n_chunks)
        ]  # fmt: skip
        del keyed
    return pl.concat(parts).sort(customer_col)


def _summarize_lazy(
    lf: pl.LazyFrame,
    customer_col: str,
    time_col: str,
    amount_col: str,
    cost_col: str | None,
    per: pl.Expr,
    end: Any,
    cal: Any,
    end_p: int,
    window_end_p: int,
) -> pl.LazyFrame:
    """The summary of the customers in ``lf`` (all transactions of each of them), unsorted."""
    window_end = end if cal is None else cal
    agg = [pl.col(amount_col).sum().alias("_amount")]
    if cost_col:
        agg.append(pl.col(cost_col).sum().alias("_cost"))
    lf = lf.filter(pl.col(time_col) <= end)
    if cal is None:
        # Without a holdout every row is in the window: no flag column, one key fewer.
        by_period = lf.with_columns(per).group_by(customer_col, "_p").agg(agg)
        calib = by_period
    else:
        by_period = (
            lf.with_columns(per, (pl.col(time_col) <= window_end).alias("_cal"))
            .group_by(customer_col, "_p", "_cal")
            .agg(agg)
        )
        calib = by_period.filter(pl.col("_cal"))
    first_p = pl.col("_p").min()
    n_periods = pl.len()
    cost_exprs = (
        [pl.col("_cost").sum().cast(pl.Float64).alias("total_cost")]
        if cost_col
        else [pl.lit(None, dtype=pl.Float64).alias("total_cost")]
    )
    out = (
        calib.group_by(customer_col)
        .agg(
            (n_periods - 1).cast(pl.Int64).alias("frequency"),
            (pl.col("_p").max() - first_p).cast(pl.Float64).alias("recency"),
            (window_end_p - first_p).cast(pl.Float64).alias("T"),
            # Mean of the repeat periods: total minus the first period's spend.
            pl.when(n_periods > 1)
            .then(
                (pl.col("_amount").sum() - pl.col("_amount").sort_by("_p").first())
                / (n_periods - 1)
            )
            .otherwise(0.0)
            .cast(pl.Float64)
            .alias("monetary"),
            pl.col("_amount").sum().cast(pl.Float64).alias("total_revenue"),
            *cost_exprs,
        )
        .with_columns((pl.col("total_revenue") - pl.col("total_cost")).alias("margin"))
    )
    if cal is not None:
        holdout = (
            by_period.filter(~pl.col("_cal"))
            .group_by(customer_col)
            .agg(
                pl.len().cast(pl.Int64).alias("frequency_holdout"),
                pl.col("_amount").mean().cast(pl.Float64).alias("monetary_holdout"),
            )
        )
        out = out.join(holdout, on=customer_col, how="left").with_columns(
            pl.col("frequency_holdout").fill_null(0),
            pl.col("monetary_holdout").fill_null(0.0),
            pl.lit(float(end_p - window_end_p)).alias("duration_holdout"),
        )
    return out
