"""Pareto / ABC analysis of revenue (or profit) by customer, with the Gini coefficient.

Customers are ordered by value, largest first; equal values are ordered by customer id so the
output is deterministic. ``cum_share`` is the running share of the total in that order.

Classes: with cut-offs (a, b) (default 0.80, 0.95), a customer is **A** when the share held by
customers with strictly larger values is below a, **B** when it is below b, else **C**. The customer
who crosses 80% is therefore A, and customers with equal values always get the same class.

``top_share`` (default 20%) is read off the Lorenz curve with linear interpolation, so with n a
multiple of 5 it is exactly the share of the top n/5 customers. Gini uses the sample formula
``Σ (2i − n − 1)·x_i / (n·Σx)`` (x ascending): 0 when all are equal, (n − 1)/n when one customer
has everything.

Negative values (loss-making customers when analysing profit) are rejected by default, because
shares and Gini are not defined for them; ``clip_negative=True`` counts them as 0 and reports how
many were clipped in ``n_clipped``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl


@dataclass(frozen=True)
class ParetoResult:
    """``table``: one row per customer, largest first, with ``rank``, ``share``, ``cum_share``
    and ``abc_class``. ``top_share``: share of the total held by the top ``top_fraction`` of
    customers. ``gini``: Gini coefficient. ``total``: sum of values. ``n_clipped``: negatives
    counted as 0."""

    table: pl.DataFrame
    top_fraction: float
    top_share: float
    gini: float
    total: float
    n_clipped: int = 0


def _validate_cutoffs(cutoffs: Any) -> tuple[float, float]:
    try:
        a, b = (float(c) for c in cutoffs)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"cutoffs must be two numbers (A, B), e.g. (0.80, 0.95), not {cutoffs!r}."
        ) from exc
    if not 0 < a < b <= 1:
        raise ValueError(
            f"cutoffs must satisfy 0 < A < B ≤ 1 (shares of the total), got ({a}, {b})."
        )
    return a, b


def pareto(
    values_by_customer: Any,
    *,
    customer_col: str = "customer_id",
    value_col: str = "revenue",
    cutoffs: tuple[float, float] = (0.80, 0.95),
    top_fraction: float = 0.20,
    clip_negative: bool = False,
) -> ParetoResult:
    """ABC classes, cumulative shares, top-``top_fraction`` share and Gini of customer values.

    ``values_by_customer`` is a polars DataFrame with ``customer_col`` and ``value_col`` (e.g.
    ``summarize()`` output with ``value_col="total_revenue"`` or ``"margin"``) or a mapping
    ``{customer: value}``.
    """
    a_cut, b_cut = _validate_cutoffs(cutoffs)
    if not 0 < top_fraction <= 1:
        raise ValueError(f"top_fraction must be in (0, 1], got {top_fraction}.")
    df = _customer_values(values_by_customer, customer_col, value_col)
    values, negative = _checked_values(df, customer_col, value_col, clip_negative)
    df = df.with_columns(values.clip(lower_bound=0.0).alias("_v"))
    total = float(df["_v"].sum())
    if total <= 0:
        raise ValueError(f"Column '{value_col}' sums to {total}; shares need a positive total.")
    table = _ranked_table(df, customer_col, total, a_cut, b_cut)
    n = df.height
    asc = np.sort(df["_v"].to_numpy())
    i = np.arange(1, n + 1)
    gini = float(np.sum((2 * i - n - 1) * asc) / (n * asc.sum()))
    # Lorenz curve of the largest-first order, interpolated at top_fraction of the customers.
    pop = np.concatenate([[0.0], i / n])
    cum = np.concatenate([[0.0], table["cum_share"].to_numpy()])
    top_share = float(np.interp(top_fraction, pop, cum))
    return ParetoResult(
        table=table,
        top_fraction=top_fraction,
        top_share=top_share,
        gini=gini,
        total=total,
        n_clipped=negative,
    )


def _customer_values(values_by_customer: Any, customer_col: str, value_col: str) -> pl.DataFrame:
    """The customer and value columns of a frame or a {customer: value} mapping."""
    if isinstance(values_by_customer, pl.DataFrame):
        df = values_by_customer
    elif isinstance(values_by_customer, Mapping):
        df = pl.DataFrame(
            {
                customer_col: list(values_by_customer.keys()),
                value_col: list(values_by_customer.values()),
            }
        )
    else:
        raise TypeError(
            "values_by_customer must be a polars DataFrame or a mapping {customer: value}, "
            f"not {type(values_by_customer).__name__}."
        )
    missing = [c for c in (customer_col, value_col) if c not in df.columns]
    if missing:
        raise ValueError(
            f"Missing column(s): {', '.join(missing)} (available: {', '.join(df.columns)})."
        )
    return df.select(customer_col, value_col)


def _checked_values(
    df: pl.DataFrame, customer_col: str, value_col: str, clip_negative: bool
) -> tuple[pl.Series, int]:
    """The values as floats and how many are negative, after refusing what shares and Gini
    cannot use: no customers, repeated or empty ids, empty, NaN or (unless clipped) negative
    values."""
    if df.height == 0:
        raise ValueError("No customers: the data is empty.")
    if not df.schema[value_col].is_numeric():
        raise ValueError(f"Column '{value_col}' must be numeric, not {df.schema[value_col]}.")
    if df[value_col].null_count():
        raise ValueError(f"Column '{value_col}' has {df[value_col].null_count()} empty value(s).")
    if df[customer_col].null_count():
        raise ValueError(
            f"Column '{customer_col}' has {df[customer_col].null_count()} empty id(s)."
        )
    if df[customer_col].n_unique() != df.height:
        raise ValueError(f"Column '{customer_col}' repeats customers; give one row per customer.")
    values = df[value_col].cast(pl.Float64)
    if not np.all(np.isfinite(values.to_numpy())):
        raise ValueError(f"Column '{value_col}' has NaN or infinite value(s).")
    negative = int((values < 0).sum())
    if negative and not clip_negative:
        raise ValueError(
            f"Column '{value_col}' has {negative} negative value(s); shares and Gini need values "
            "≥ 0 (pass clip_negative=True to count losses as 0)."
        )
    return values, negative


def _ranked_table(
    df: pl.DataFrame, customer_col: str, total: float, a_cut: float, b_cut: float
) -> pl.DataFrame:
    """Customers largest first with rank, share, cumulative share and ABC class."""
    return (
        df.sort(["_v", customer_col], descending=[True, False])
        .with_columns(
            pl.int_range(1, pl.len() + 1).alias("rank"),
            (pl.col("_v") / total).alias("share"),
            (pl.col("_v").cum_sum() / total).alias("cum_share"),
            (pl.col("_v").cum_sum() - pl.col("_v")).alias("_before"),
        )
        # Share held by strictly larger values: the same for every member of a tie group.
        .with_columns((pl.col("_before").min().over("_v") / total).alias("_before"))
        .with_columns(
            pl.when(pl.col("_before") < a_cut)
            .then(pl.lit("A"))
            .when(pl.col("_before") < b_cut)
            .then(pl.lit("B"))
            .otherwise(pl.lit("C"))
            .alias("abc_class")
        )
        .drop("_v", "_before")
    )
