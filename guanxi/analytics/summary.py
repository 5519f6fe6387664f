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
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

import numpy as np
import polars as pl

Period = Literal["D", "W", "M"]

_PERIODS = ("D", "W", "M")
# Integer ids are used directly as array slots when their range is at most this many slots per
# transaction (or _DENSE_MIN_SLOTS); sparser ids are first replaced by their rank.
_DENSE_SLOTS_PER_ROW = 0.5
_DENSE_MIN_SLOTS = 1 << 16
_HASH_SEED = 20_260_101
_CHECK_ROWS = 1 << 20


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


def _period_index(col: pl.Expr, period: Period, dtype: pl.DataType) -> pl.Expr:
    """Integer index of the period a timestamp falls in (only differences matter)."""
    if period == "M":
        return col.dt.year().cast(pl.Int32) * 12 + col.dt.month().cast(pl.Int32) - 1
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        # Naive timestamps: a cast (floor to the day, also before 1970) is several times faster
        # than .dt.date() and makes no 64-bit intermediate column.
        day = col.cast(pl.Date).cast(pl.Int32)
    else:
        day = col.dt.date().cast(pl.Int32)  # local wall time for aware zones
    if period == "D":
        return day
    # 1970-01-01 was a Thursday: shift by 3 days so weeks start on Monday (pandas 'W').
    return (day + 3) // 7


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
    """One row per customer, sorted by customer: frequency, recency, T, monetary, revenue, cost
    and margin.

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
    df = _validated_columns(transactions, customer_col, time_col, amount_col, cost_col)
    window = _window(df[time_col], period, observation_end, calibration_end)
    # The aggregation runs on numpy arrays indexed by a dense customer code ("slot"): per-customer
    # sums, minima and maxima are then single O(n) scatter passes (np.add.at, np.minimum.at) into
    # arrays of one entry per customer, instead of hash group-bys over (customer, period) pairs.
    work = _work_columns(df, customer_col, time_col, amount_col, cost_col, period, window)
    del df
    rows = _coded_rows(work, customer_col, cost_col, window.calibration_end is not None)
    del work
    totals = _per_customer(rows)
    result = _summary_frame(customer_col, rows.ids_of, totals, window.window_end_period)
    if rows.holdout is not None:
        result = _with_holdout(
            result, rows.holdout, rows.n_slots, totals.slots, window.holdout_periods
        )
    return result


def _validated_columns(
    transactions: Any, customer_col: str, time_col: str, amount_col: str, cost_col: str | None
) -> pl.DataFrame:
    """The used columns of the transactions as a polars frame, timestamps parsed, every value
    checked: the aggregation below trusts its input."""
    df = _to_polars(transactions)
    # dict.fromkeys: one column may play two roles (cost_col = amount_col).
    wanted = list(
        dict.fromkeys([customer_col, time_col, amount_col] + ([cost_col] if cost_col else []))
    )
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
    return df


class _Window(NamedTuple):
    """The observation window: its bounds as values of the time column, and period numbers."""

    end: Any  # observation end
    calibration_end: Any  # None without a holdout
    cuts_data: bool  # some transactions fall after the end
    dtype: pl.DataType  # of the time column
    period: Period
    window_end_period: int  # period of the end of the (calibration) window
    holdout_periods: float  # periods from the calibration end to the observation end


def _window(
    times: pl.Series,
    period: Period,
    observation_end: dt.date | dt.datetime | str | None,
    calibration_end: dt.date | dt.datetime | str | None,
) -> _Window:
    """Read and check the window's bounds against the data (the end defaults to the last
    transaction), so a misplaced bound is reported before any aggregation."""
    dtype = times.dtype
    first_seen = times.min()
    last_seen = times.max()
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
    end_p = _period_of(end, period, dtype)
    window_end_p = _period_of(end if cal is None else cal, period, dtype)
    return _Window(
        end=end,
        calibration_end=cal,
        cuts_data=end < last_seen,
        dtype=dtype,
        period=period,
        window_end_period=window_end_p,
        holdout_periods=float(end_p - window_end_p),
    )


def _period_of(value: Any, period: Period, dtype: pl.DataType) -> int:
    """The period index of one bound, computed as for the time column."""
    return int(pl.select(_period_index(pl.lit(value, dtype=dtype), period, dtype)).item())


def _work_columns(
    df: pl.DataFrame,
    customer_col: str,
    time_col: str,
    amount_col: str,
    cost_col: str | None,
    period: Period,
    window: _Window,
) -> pl.DataFrame:
    """The transactions of the window as the columns the aggregation needs: customer, period
    index ``_p``, ``_amount``, ``_cost`` and (with a calibration end) ``_cal``."""
    if window.cuts_data:
        df = df.filter(pl.col(time_col) <= window.end)
    columns = [
        pl.col(customer_col),
        _period_index(pl.col(time_col), period, window.dtype).alias("_p"),
        pl.col(amount_col).cast(pl.Float64).alias("_amount"),
    ]
    if cost_col:
        columns.append(pl.col(cost_col).cast(pl.Float64).alias("_cost"))
    if window.calibration_end is not None:
        columns.append((pl.col(time_col) <= window.calibration_end).alias("_cal"))
    # Eager, not lazy: the lazy engine returns many chunks, which to_numpy would have to copy.
    return df.select(columns)


class _Rows(NamedTuple):
    """Transactions as numpy arrays: customer code, period and amounts of the (calibration)
    window, and (code, period, amount) of the holdout rows."""

    codes: np.ndarray
    n_slots: int
    ids_of: Callable[[np.ndarray], pl.Series]
    p: np.ndarray
    amount: np.ndarray
    cost: np.ndarray | None
    holdout: tuple[np.ndarray, np.ndarray, np.ndarray] | None


def _coded_rows(
    work: pl.DataFrame, customer_col: str, cost_col: str | None, calibrating: bool
) -> _Rows:
    """Code the customers and hand the columns to numpy, split at the calibration end."""
    codes, n_slots, ids_of = _customer_codes(work[customer_col])
    p = work["_p"].to_numpy()
    amount = work["_amount"].to_numpy()
    cost = work["_cost"].to_numpy() if cost_col else None
    holdout = None
    if calibrating:
        in_cal = work["_cal"].to_numpy()
        out_cal = ~in_cal
        holdout = (codes[out_cal], p[out_cal], amount[out_cal])
        codes, p, amount = codes[in_cal], p[in_cal], amount[in_cal]
        cost = None if cost is None else cost[in_cal]
    return _Rows(codes, n_slots, ids_of, p, amount, cost, holdout)


class _Totals(NamedTuple):
    """Per-customer aggregates of the window, for the customers who bought in it (``slots``)."""

    slots: np.ndarray
    periods: np.ndarray
    first: np.ndarray
    last: np.ndarray
    revenue: np.ndarray
    first_spend: np.ndarray
    total_cost: np.ndarray | None


def _per_customer(rows: _Rows) -> _Totals:
    """First and last period, distinct periods, revenue, first period's spend and cost per
    customer: one scatter pass each over the rows (the distinct periods need one sort)."""
    codes, n_slots, p = rows.codes, rows.n_slots, rows.p
    counts = _add_by_code(codes, n_slots)
    first = np.full(n_slots, np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(first, codes, p)
    last = np.full(n_slots, np.iinfo(np.int32).min, dtype=np.int32)
    np.maximum.at(last, codes, p)
    periods = _distinct_periods(codes, p, counts)
    revenue = _add_by_code(codes, n_slots, rows.amount)
    in_first = p == first[codes]
    first_spend = _add_by_code(codes[in_first], n_slots, rows.amount[in_first])
    del in_first
    total_cost = None if rows.cost is None else _add_by_code(codes, n_slots, rows.cost)
    slots = np.flatnonzero(counts)  # customers with a purchase in the (calibration) window
    return _Totals(
        slots=slots,
        periods=periods[slots],
        first=first[slots],
        last=last[slots],
        revenue=revenue[slots],
        first_spend=first_spend[slots],
        total_cost=None if total_cost is None else total_cost[slots],
    )


def _summary_frame(
    customer_col: str,
    ids_of: Callable[[np.ndarray], pl.Series],
    totals: _Totals,
    window_end_p: int,
) -> pl.DataFrame:
    """The BTYD summary columns from the per-customer aggregates."""
    n = totals.slots.size
    repeats = totals.periods - 1
    out = {
        customer_col: ids_of(totals.slots),
        "frequency": pl.Series(repeats, dtype=pl.Int64),
        "recency": pl.Series((totals.last - totals.first).astype(np.float64)),
        "T": pl.Series((window_end_p - totals.first).astype(np.float64)),
        # Mean spend of the repeat periods: everything but the first period's spend.
        "monetary": pl.Series(
            np.divide(
                totals.revenue - totals.first_spend,
                repeats,
                out=np.zeros(n),
                where=repeats > 0,
            )
        ),
        "total_revenue": pl.Series(totals.revenue),
        "total_cost": pl.Series(
            [None] * n if totals.total_cost is None else totals.total_cost, dtype=pl.Float64
        ),
    }
    return pl.DataFrame(out).with_columns(
        (pl.col("total_revenue") - pl.col("total_cost")).alias("margin")
    )


def _with_holdout(
    result: pl.DataFrame,
    holdout: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_slots: int,
    slots: np.ndarray,
    holdout_periods: float,
) -> pl.DataFrame:
    """Add the holdout columns: distinct purchase periods and their mean spend after the
    calibration end, for the customers of the calibration window."""
    h_codes, h_p, h_amount = holdout
    h_periods = _distinct_periods(h_codes, h_p, _add_by_code(h_codes, n_slots))
    h_spend = _add_by_code(h_codes, n_slots, h_amount)
    h_periods, h_spend = h_periods[slots], h_spend[slots]
    return result.with_columns(
        pl.Series("frequency_holdout", h_periods, dtype=pl.Int64),
        pl.Series(
            "monetary_holdout",
            np.divide(h_spend, h_periods, out=np.zeros(slots.size), where=h_periods > 0),
        ),
        pl.lit(holdout_periods).alias("duration_holdout"),
    )


def _customer_codes(ids: pl.Series) -> tuple[np.ndarray, int, Callable[[np.ndarray], pl.Series]]:
    """Dense codes 0..n-1 for the customer ids, in the ids' sort order: (codes per row, n, a
    function from codes to the ids they stand for)."""
    name, dtype = ids.name, ids.dtype
    if dtype.is_integer():
        lo, hi = int(ids.min()), int(ids.max())  # type: ignore[arg-type]
        limit = max(int(ids.len() * _DENSE_SLOTS_PER_ROW), _DENSE_MIN_SLOTS)
        if hi - lo < limit:
            # Ids in a compact range (database keys) are their own codes, shifted to start at 0
            # only when needed: no hashing or sorting of the ids at all.
            values = ids.to_numpy().astype(np.intp, copy=False)
            base = lo if lo < 0 or hi >= limit else 0
            codes = values - base if base else values

            def ids_of(slots: np.ndarray) -> pl.Series:
                return pl.Series(name, slots + base).cast(dtype)

            return codes, hi - base + 1, ids_of
    if dtype.is_numeric():
        codes, first_row = _dense_ranks(ids)
        return codes, first_row.size, lambda slots: ids.gather(first_row[slots])
    # Strings and other types: ranking them sorts every row's id, which is slow for strings.
    # Rank a 64-bit hash of the ids instead, check that no two different ids share a code,
    # then renumber the codes in the ids' order.
    codes, first_row = _dense_ranks(ids.hash(_HASH_SEED))
    representatives = ids.gather(first_row)
    for start in range(0, ids.len(), _CHECK_ROWS):  # in slices, to bound memory
        stop = start + _CHECK_ROWS
        if not (ids[start:stop] == representatives.gather(codes[start:stop])).all():
            return _joined_codes(ids)  # a hash collision: exact but slower
    # Code k stands for the k-th smallest hash; find each sorted id's code by its hash (sorting
    # the strings themselves is several times faster than arg_sort on them).
    ordered = representatives.sort()
    hashes = ordered.hash(_HASH_SEED).to_numpy()
    renumber = np.empty(hashes.size, dtype=np.intp)
    renumber[np.searchsorted(np.sort(hashes), hashes)] = np.arange(hashes.size, dtype=np.intp)
    return renumber[codes], hashes.size, ordered.gather


def _dense_ranks(values: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dense ranks 0..n-1 of the values, and for each rank the first row holding it."""
    ranks = values.rank("dense").to_numpy().astype(np.intp)
    ranks -= 1
    first_row = np.full(int(ranks.max()) + 1, ranks.size, dtype=np.intp)
    np.minimum.at(first_row, ranks, np.arange(ranks.size, dtype=np.intp))
    return ranks, first_row


def _joined_codes(ids: pl.Series) -> tuple[np.ndarray, int, Callable[[np.ndarray], pl.Series]]:
    """Dense codes in the ids' sort order through a join with the sorted distinct ids."""
    uniques = ids.unique().sort()
    lookup = pl.DataFrame({ids.name: uniques, "_code": np.arange(uniques.len(), dtype=np.int64)})
    codes = ids.to_frame().join(lookup, on=ids.name, how="left", maintain_order="left")["_code"]
    return codes.to_numpy().astype(np.intp, copy=False), uniques.len(), uniques.gather


def _add_by_code(codes: np.ndarray, n: int, values: np.ndarray | None = None) -> np.ndarray:
    """Per-code sums of ``values``, or row counts. np.add.at rather than np.bincount: bincount
    copies read-only arrays, and the columns polars hands to numpy are read-only views."""
    if values is None:
        counts = np.zeros(n, dtype=np.int64)
        np.add.at(counts, codes, 1)
        return counts
    sums = np.zeros(n, dtype=np.float64)
    np.add.at(sums, codes, values)
    return sums


def _distinct_periods(codes: np.ndarray, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Distinct periods per code: ``rows`` (transactions per code) minus the transactions that
    fall in a period the customer already bought in, found by sorting one (code, period) key."""
    n = rows.size
    if codes.size == 0:
        return rows.copy()
    lo = int(p.min())
    span = int(p.max()) - lo + 1
    key = codes.astype(np.int32 if n * span < 2**31 else np.int64)
    key *= span
    key -= lo  # before adding p, so no intermediate value leaves the key's range
    key += p
    key.sort()
    repeat = key[1:][key[1:] == key[:-1]]
    del key
    return rows - np.bincount(repeat // span, minlength=n)
