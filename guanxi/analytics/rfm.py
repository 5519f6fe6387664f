"""RFM scoring (recency, frequency, monetary) and named segments.

Scores are 1–5 per dimension, 5 best. A customer's score is ``1 + floor(5 * m / n)`` where ``m``
is the middle position of the customer's tie group in the worse-first order (0-based: the mean of
the group's first and last position) and ``n`` the number of customers. So equal values always get
the same score and a tie group never splits across bins; a large tie group lands in the bin its
middle falls in, not always the lowest one it reaches. The worst value always gets 1 and the best
value 5 (when there are two values or more): scoring a tie group by its first position left the
top score empty whenever many customers shared the best value (say, all who bought this week).
When a dimension has fewer distinct values than bins, or ties leave a score unused,
`RFMResult.bins_used` and `RFMResult.warnings` say so.

Recency for RFM is *time since the last purchase* (lower is better). `summarize()`'s ``recency`` is
first-to-last purchase, so use `with_rfm_recency` (``T − recency``, in summary periods) first.

Segments follow the commonly published R × FM grid, FM being the mean of the F and M scores:

    FM 4–5   Can't lose them | At risk        | Loyal          | Champions   | Champions
    FM 3–3.5 At risk         | At risk        | Need attention | Loyal       | Loyal
    FM 2–2.5 Hibernating     | About to sleep | About to sleep | Potential l.| Potential l.
    FM 1–1.5 Lost            | Lost           | Promising      | Promising   | New
             R=1               R=2              R=3              R=4           R=5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import polars as pl

from guanxi.analytics.notes import Note

BINS = 5

# (segment, (r_low, r_high), (fm_low, fm_high)); bounds inclusive; the first matching rule wins.
Rule = tuple[str, tuple[float, float], tuple[float, float]]

DEFAULT_SEGMENT_RULES: tuple[Rule, ...] = (
    ("Champions", (4, 5), (4, 5)),
    ("Can't lose them", (1, 1), (4, 5)),
    ("At risk", (1, 2), (3, 5)),
    ("Need attention", (3, 3), (3, 3.5)),
    ("Loyal", (3, 5), (3, 5)),
    ("Potential loyalist", (4, 5), (2, 2.5)),
    ("New", (5, 5), (1, 1.5)),
    ("Promising", (3, 4), (1, 1.5)),
    ("About to sleep", (2, 3), (2, 2.5)),
    ("Hibernating", (1, 1), (2, 2.5)),
    ("Lost", (1, 2), (1, 1.5)),
)


@dataclass(frozen=True)
class RFMResult:
    """``table``: one row per customer with the input values, ``r_score``, ``f_score``,
    ``m_score``, ``fm_score`` (mean of F and M), ``rfm_cell`` ("545") and ``segment``.
    ``bins_used``: distinct scores actually given per dimension ("recency", "frequency",
    "monetary"); ``warnings``: why a dimension uses fewer than 5 scores."""

    table: pl.DataFrame
    bins_used: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def with_rfm_recency(
    summary: pl.DataFrame,
    *,
    recency_col: str = "recency",
    T_col: str = "T",
    out_col: str = "recency_days",
) -> pl.DataFrame:
    """Add ``out_col`` = ``T − recency``: periods from the last purchase to the observation end.

    `summarize()` measures ``recency`` from the first to the last purchase (BTYD convention); RFM
    wants the time since the last purchase. The unit is the summary's period (days for "D").
    """
    missing = [c for c in (recency_col, T_col) if c not in summary.columns]
    if missing:
        raise ValueError(f"Missing column(s): {', '.join(missing)}.")
    out = summary.with_columns((pl.col(T_col) - pl.col(recency_col)).alias(out_col))
    bad = int((out[out_col] < 0).sum())
    if bad:
        raise ValueError(f"{bad} customer(s) have {recency_col} greater than {T_col}.")
    return out


def _validate_rules(rules: Sequence[Rule]) -> list[Rule]:
    rules = list(rules)
    if not rules:
        raise ValueError("rules is empty: give at least one (segment, r range, fm range) rule.")
    for rule in rules:
        try:
            name, (r_lo, r_hi), (fm_lo, fm_hi) = rule
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Rule {rule!r} must be (segment name, (r_low, r_high), (fm_low, fm_high))."
            ) from exc
        if not isinstance(name, str) or not name:
            raise ValueError(f"Rule {rule!r} needs a non-empty segment name.")
        if r_lo > r_hi or fm_lo > fm_hi:
            raise ValueError(f"Rule '{name}' has a range whose low end is above its high end.")
    uncovered = [
        f"{r}{f}{m}"
        for r, f, m in product(range(1, BINS + 1), repeat=3)
        if _segment_of(rules, r, (f + m) / 2) is None
    ]
    if uncovered:
        raise ValueError(
            f"The segment rules leave {len(uncovered)} RFM cell(s) without a segment, "
            f"e.g. {', '.join(uncovered[:5])}; every cell must match a rule."
        )
    return rules


def _segment_of(rules: Sequence[Rule], r: int, fm: float) -> str | None:
    for name, (r_lo, r_hi), (fm_lo, fm_hi) in rules:
        if r_lo <= r <= r_hi and fm_lo <= fm <= fm_hi:
            return name
    return None


def _score(col: str, *, lower_is_better: bool, n: int) -> pl.Expr:
    # On the worse-first order, "min" rank = 1 + customers strictly worse and "max" rank = the
    # customers worse or equal: the tie group holds positions first..last (0-based).
    first = pl.col(col).rank(method="min", descending=lower_is_better).cast(pl.Int64) - 1
    last = pl.col(col).rank(method="max", descending=lower_is_better).cast(pl.Int64) - 1
    middle_bin = 1 + ((first + last) * BINS) // (2 * n)
    return (
        pl.when(first == 0)
        .then(1)  # the worst value (and a dimension with a single value)
        .when(last == n - 1)
        .then(BINS)  # the best value
        .otherwise(middle_bin)
        .cast(pl.Int8)
    )


def rfm(
    summary: Any,
    *,
    customer_col: str = "customer_id",
    recency_col: str = "recency_days",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
    rules: Sequence[Rule] = DEFAULT_SEGMENT_RULES,
) -> RFMResult:
    """Score customers 1–5 on recency (lower is better), frequency and monetary; name a segment.

    ``summary`` is a polars DataFrame (or a mapping of columns) with one row per customer, e.g.
    ``with_rfm_recency(summarize(...))``. ``monetary_col`` may be ``"monetary"`` (mean repeat spend)
    or ``"total_revenue"``. ``rules`` is checked to give every one of the 125 cells a segment.
    """
    rules = _validate_rules(rules)
    cols = {"recency": recency_col, "frequency": frequency_col, "monetary": monetary_col}
    df = _validated_summary(summary, customer_col, cols)
    n = df.height
    table = df.with_columns(
        _score(recency_col, lower_is_better=True, n=n).alias("r_score"),
        _score(frequency_col, lower_is_better=False, n=n).alias("f_score"),
        _score(monetary_col, lower_is_better=False, n=n).alias("m_score"),
    ).with_columns(
        ((pl.col("f_score") + pl.col("m_score")) / 2).alias("fm_score"),
        pl.concat_str(
            pl.col("r_score").cast(pl.String),
            pl.col("f_score").cast(pl.String),
            pl.col("m_score").cast(pl.String),
        ).alias("rfm_cell"),
    )
    # 125 cells at most: map each cell once rather than every row.
    cell_segment = {
        f"{r}{f}{m}": _segment_of(rules, r, (f + m) / 2)
        for r, f, m in product(range(1, BINS + 1), repeat=3)
    }
    table = table.with_columns(
        pl.col("rfm_cell").replace_strict(cell_segment, return_dtype=pl.String).alias("segment")
    )
    bins_used, warnings = _bins_used(df, table, cols)
    return RFMResult(table=table, bins_used=bins_used, warnings=warnings)


def _validated_summary(summary: Any, customer_col: str, cols: dict[str, str]) -> pl.DataFrame:
    """The customer and R, F, M columns (``cols``: dimension → column), refusing what cannot be
    ranked: no customers, repeated or empty ids, non-numeric, empty, NaN or negative values."""
    df = summary if isinstance(summary, pl.DataFrame) else pl.DataFrame(dict(summary))
    wanted = [customer_col, *cols.values()]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        hint = (
            " (summarize()'s 'recency' is first-to-last purchase: add recency_days with "
            "with_rfm_recency())"
            if cols["recency"] in missing and "recency" in df.columns
            else ""
        )
        raise ValueError(
            f"Missing column(s): {', '.join(missing)} (available: {', '.join(df.columns)}){hint}."
        )
    df = df.select(wanted)
    if df.height == 0:
        raise ValueError("No customers: the data is empty.")
    if df[customer_col].null_count():
        raise ValueError(
            f"Column '{customer_col}' has {df[customer_col].null_count()} empty id(s)."
        )
    if df[customer_col].n_unique() != df.height:
        raise ValueError(f"Column '{customer_col}' repeats customers; give one row per customer.")
    for col in cols.values():
        if not df.schema[col].is_numeric():
            raise ValueError(f"Column '{col}' must be numeric, not {df.schema[col]}.")
        if df[col].null_count():
            raise ValueError(f"Column '{col}' has {df[col].null_count()} empty value(s).")
        if df.schema[col].is_float() and df[col].is_nan().any():
            raise ValueError(f"Column '{col}' has NaN value(s).")
        negative = int((df[col] < 0).sum())
        if negative:
            raise ValueError(f"Column '{col}' has {negative} negative value(s); must be ≥ 0.")
    return df


def _bins_used(
    df: pl.DataFrame, table: pl.DataFrame, cols: dict[str, str]
) -> tuple[dict[str, int], list[str]]:
    """Distinct scores given per dimension, and a warning for each dimension that uses fewer
    than ``BINS``: too few distinct values, or ties that skip a score."""
    bins_used: dict[str, int] = {}
    warnings: list[str] = []
    for dim, score in (("recency", "r_score"), ("frequency", "f_score"), ("monetary", "m_score")):
        used = sorted(table[score].unique().to_list())
        bins_used[dim] = len(used)
        distinct = df[cols[dim]].n_unique()
        if distinct < BINS:
            message = (
                f"{dim} ('{cols[dim]}') has only {distinct} distinct value(s), fewer than "
                f"{BINS} bins: scores used are {used}."
            )
            warnings.append(
                Note(
                    "rfm_few_values",
                    message,
                    dimension=dim,
                    distinct=distinct,
                    bins=BINS,
                    used=used,
                )  # fmt: skip
            )
        elif len(used) < BINS:
            message = (
                f"{dim} ('{cols[dim]}') has ties that leave scores unused: scores used are {used}."
            )
            warnings.append(Note("rfm_ties", message, dimension=dim, used=used))
    return bins_used, warnings
