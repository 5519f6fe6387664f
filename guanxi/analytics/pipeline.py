"""The whole customer-value pipeline in one call: transactions in, one scored row per customer out.

summary → RFM → Pareto/ABC → BG/NBD → Gamma-Gamma → CLV and lifetime profit (CLP), plus a
calibration-vs-holdout check of the purchase model on the same data. Each model step that cannot
run on the data (too few repeat buyers, say) is reported in ``errors`` and its columns are null;
the descriptive steps (summary, RFM, ABC, historic CLP) never depend on a model fitting.

``guanxi/insights`` feeds it the transaction table and stores the result; the benchmarks call it
directly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import polars as pl

from guanxi.analytics.base import FloatArray
from guanxi.analytics.beta_geo import BetaGeo
from guanxi.analytics.diagnostics import CalibrationResult, calibration_holdout
from guanxi.analytics.gamma_gamma import GammaGamma
from guanxi.analytics.notes import Note
from guanxi.analytics.pareto import ParetoResult, pareto
from guanxi.analytics.pareto_nbd import ParetoNBD
from guanxi.analytics.rfm import DEFAULT_SEGMENT_RULES, RFMResult, Rule, rfm, with_rfm_recency
from guanxi.analytics.streamed import Columns, Summaries, summaries_of_frame
from guanxi.analytics.summary import Period
from guanxi.analytics.value import _distinct, historic_clp, per_step_rate, predictive_clp

PIPELINE_VERSION = "guanxi-analytics 1"
# The steps run_pipeline reports to ``progress`` (and times), in order.
PIPELINE_STEPS = (
    "summary",
    "rfm_abc",
    "purchase_model",
    "spend_model",
    "predictions",
    "calibration",
)

# Purchase models the pipeline can fit, by the names settings use.
PURCHASE_MODELS: dict[str, type[BetaGeo] | type[ParetoNBD]] = {
    "BetaGeo": BetaGeo,
    "ParetoNBD": ParetoNBD,
}
PurchaseModel = BetaGeo | ParetoNBD

# Calendar length of one summary period, to place a holdout window and turn days into periods.
DAYS_PER_PERIOD = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


@dataclass(frozen=True)
class PipelineSettings:
    """What the numbers depend on. Horizons are in days so they read the same whatever the period.

    ``holdout_fraction`` of the observed span (at least ``min_holdout_periods``) is held out to
    check the purchase model; the check is skipped when the data span is shorter than three such
    windows.
    """

    period: Period = "W"
    clv_horizon_days: float = 365.0
    prediction_days: float = 90.0
    annual_discount_rate: float = 0.10
    abc_cutoffs: tuple[float, float] = (0.80, 0.95)
    rfm_rules: tuple[Rule, ...] = DEFAULT_SEGMENT_RULES
    holdout_fraction: float = 1 / 3
    min_holdout_periods: int = 4
    # Fitted in turn; the one with the highest likelihood is used (both have four parameters,
    # so the likelihood alone is a fair comparison). BG/NBD lets a customer drop out only right
    # after a purchase, so a one-off buyer stays "alive" for ever; Pareto/NBD does not.
    purchase_models: tuple[str, ...] = ("BetaGeo", "ParetoNBD")

    def __post_init__(self) -> None:
        unknown = [m for m in self.purchase_models if m not in PURCHASE_MODELS]
        if unknown or not self.purchase_models:
            raise ValueError(
                f"purchase_models must name one or more of {', '.join(PURCHASE_MODELS)}; "
                f"got {list(self.purchase_models)}."
            )
        if self.period not in DAYS_PER_PERIOD:
            raise ValueError(f"period must be one of 'D', 'W', 'M', not {self.period!r}.")
        for name in ("clv_horizon_days", "prediction_days"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}.")
        if not 0 <= self.annual_discount_rate < 1:
            raise ValueError(
                f"annual_discount_rate must be in [0, 1), got {self.annual_discount_rate}."
            )
        if not 0 < self.holdout_fraction < 1:
            raise ValueError(f"holdout_fraction must be in (0, 1), got {self.holdout_fraction}.")

    @property
    def days_per_period(self) -> float:
        return DAYS_PER_PERIOD[self.period]

    def periods(self, days: float) -> float:
        return days / self.days_per_period

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "clv_horizon_days": self.clv_horizon_days,
            "prediction_days": self.prediction_days,
            "annual_discount_rate": self.annual_discount_rate,
            "abc_cutoffs": list(self.abc_cutoffs),
            "holdout_fraction": self.holdout_fraction,
            "min_holdout_periods": self.min_holdout_periods,
            "purchase_models": list(self.purchase_models),
        }


@dataclass
class PipelineResult:
    """``scores``: one row per customer (see `run_pipeline`). Fitted models are None where the
    step failed; ``errors`` says why, keyed by step ("purchase_model", "spend_model",
    "calibration")."""

    scores: pl.DataFrame
    settings: PipelineSettings
    rfm: RFMResult
    pareto: ParetoResult
    purchase_model: PurchaseModel | None = None
    # Every purchase model tried: name → fitted model, or the reason it could not be fitted.
    purchase_candidates: dict[str, PurchaseModel | str] = field(default_factory=dict)
    spend_model: GammaGamma | None = None
    calibration: CalibrationResult | None = None
    holdout_periods: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def pareto_curve(self, points: int = 100) -> list[tuple[float, float]]:
        """(share of customers, cumulative share of revenue), largest customers first, at most
        ``points`` + 1 points from (0, 0): enough for a chart of any customer count."""
        cum = self.pareto.table["cum_share"].to_numpy()
        n = cum.size
        xs = np.linspace(0.0, 1.0, min(points, n) + 1)
        ys = np.interp(xs, np.arange(n + 1) / n, np.concatenate([[0.0], cum]))
        return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]


class _ObservedSpend:
    """Fallback spend model: each customer's own mean spend per purchase period.

    Used when Gamma-Gamma cannot be fitted (too few repeat buyers, or q ≤ 1 so the population
    mean is infinite); predictions then carry no shrinkage, which the run reports."""

    def __init__(self, mean_per_period: FloatArray) -> None:
        self._mean = mean_per_period

    def conditional_expected_average_spend(self, frequency: Any, monetary: Any) -> FloatArray:
        return self._mean


def _cost_to_serve_column(
    summary: pl.DataFrame, customer_col: str, cost_to_serve: Any
) -> pl.DataFrame:
    if cost_to_serve is None:
        return summary.with_columns(pl.lit(0.0).alias("cost_to_serve"))
    if isinstance(cost_to_serve, Mapping):
        frame = pl.DataFrame(
            {
                customer_col: list(cost_to_serve.keys()),
                "cost_to_serve": [float(v) for v in cost_to_serve.values()],
            },
            schema_overrides={customer_col: summary.schema[customer_col]},
        )
    elif isinstance(cost_to_serve, pl.DataFrame):
        missing = [c for c in (customer_col, "cost_to_serve") if c not in cost_to_serve.columns]
        if missing:
            raise ValueError(f"cost_to_serve is missing column(s): {', '.join(missing)}.")
        frame = cost_to_serve.select(customer_col, pl.col("cost_to_serve").cast(pl.Float64))
    else:
        raise TypeError(
            "cost_to_serve must be a mapping {customer: amount} or a polars DataFrame with "
            f"'{customer_col}' and 'cost_to_serve', not {type(cost_to_serve).__name__}."
        )
    values = frame["cost_to_serve"]
    if values.null_count() or not np.all(np.isfinite(values.to_numpy())):
        raise ValueError("cost_to_serve has empty, NaN or infinite amounts.")
    if (values < 0).any():
        raise ValueError("cost_to_serve has negative amounts; costs must be ≥ 0.")
    return summary.join(frame, on=customer_col, how="left").with_columns(
        pl.col("cost_to_serve").fill_null(0.0)
    )


def _collapsed(summary: pl.DataFrame) -> pl.DataFrame:
    # Collapse identical (x, t_x, T) rows: whole-period summaries repeat a lot, and the fit's cost
    # is per row. Sorted: group_by's order varies from run to run, and with it the order of the
    # fit's sums, which moved the fitted parameters (and scores) in the 7th–9th digit.
    return (
        summary.group_by("frequency", "recency", "T")
        .agg(pl.len().alias("_w"))
        .sort("frequency", "recency", "T")
    )


def _fit_purchase_model(
    summary: pl.DataFrame, name: str, grouped: pl.DataFrame | None = None
) -> PurchaseModel:
    grouped = _collapsed(summary) if grouped is None else grouped
    return PURCHASE_MODELS[name]().fit(
        grouped["frequency"].to_numpy(),
        grouped["recency"].to_numpy(),
        grouped["T"].to_numpy(),
        weights=grouped["_w"].to_numpy(),
    )


def _choose_purchase_model(
    summary: pl.DataFrame, names: tuple[str, ...]
) -> tuple[PurchaseModel | None, dict[str, PurchaseModel | str]]:
    """Fit each named model; return the best by log-likelihood and every attempt."""
    tried: dict[str, PurchaseModel | str] = {}
    grouped = _collapsed(summary)  # once for all candidates
    for name in names:
        try:
            tried[name] = _fit_purchase_model(summary, name, grouped)
        except ValueError as exc:
            tried[name] = str(exc)
    fitted = [m for m in tried.values() if not isinstance(m, str)]
    best = max(fitted, key=lambda m: m.log_likelihood_) if fitted else None
    return best, tried


def run_pipeline(
    transactions: Any,
    *,
    customer_col: str,
    time_col: str,
    amount_col: str,
    cost_col: str | None = None,
    observation_end: dt.date | dt.datetime | None = None,
    cost_to_serve: Mapping[Any, float] | pl.DataFrame | None = None,
    settings: PipelineSettings | None = None,
    progress: Callable[[str], None] | None = None,
) -> PipelineResult:
    """Score every customer in ``transactions`` (a polars DataFrame or a mapping of columns).

    ``cost_to_serve`` is each customer's historic cost of serving them (gifts, banquets,
    discounts, visits; 0 where absent). Its rate per period of customer age is assumed to continue
    while the customer is active, for predicted lifetime profit.

    ``scores`` columns: the customer column, frequency, recency, T, periods_since_last, monetary,
    total_revenue, total_cost, margin, cost_to_serve, r_score, f_score, m_score, rfm_cell,
    segment, abc_class, revenue_rank, p_alive, expected_purchases, expected_spend, clv,
    historic_clp, predictive_clp. Periods are ``settings.period``; money is in the input's unit.
    """
    settings = settings or PipelineSettings()
    clock = _StepClock(progress)
    df = transactions if isinstance(transactions, pl.DataFrame) else pl.DataFrame(transactions)
    cols = Columns(customer_col, time_col, amount_col, cost_col)
    summaries = summaries_of_frame(df, cols, observation_end, settings)
    del df
    return run_pipeline_on_summaries(
        summaries, cols, cost_to_serve=cost_to_serve, settings=settings, clock=clock
    )


def run_pipeline_on_summaries(
    summaries: Summaries,
    cols: Columns,
    *,
    cost_to_serve: Mapping[Any, float] | pl.DataFrame | None = None,
    settings: PipelineSettings | None = None,
    progress: Callable[[str], None] | None = None,
    clock: _StepClock | None = None,
) -> PipelineResult:
    """`run_pipeline` from the customer summaries (`streamed.summaries_of_slices` for a ledger
    read in slices, `streamed.summaries_of_frame` for one in memory)."""
    settings = settings or PipelineSettings()
    errors: dict[str, str] = {}
    warnings: list[str] = []
    step = clock or _StepClock(progress)
    customer_col = cols.customer
    summary = _customer_summary(summaries.summary, customer_col, cols.cost, cost_to_serve)
    step("summary")

    scores, rfm_result, pareto_result = _rfm_and_abc(summary, customer_col, settings)
    warnings.extend(rfm_result.warnings)
    step("rfm_abc")

    c = _CustomerArrays.of(scores)
    purchase_model, candidates = _choose_purchase_model(scores, settings.purchase_models)
    if purchase_model is None:
        errors["purchase_model"] = " / ".join(str(v) for v in dict.fromkeys(candidates.values()))
    step("purchase_model")

    spend_model, spend, spend_error = _fit_spend_model(c)
    if spend_error is not None:
        errors["spend_model"] = spend_error
        warnings.append(_OBSERVED_SPEND_WARNING)
    step("spend_model")

    p_alive, expected, value, clp = _predictions(purchase_model, spend_model, spend, c, settings)
    step("predictions")

    scores = _with_predictions(scores, c, p_alive, expected, spend, value, clp)
    calibration = holdout = None
    if purchase_model is not None:
        calibration, holdout, calibration_error = _check_calibration(summaries, purchase_model)
        if calibration_error is not None:
            errors["calibration"] = calibration_error
    step("calibration")

    return PipelineResult(
        scores=scores,
        settings=settings,
        rfm=rfm_result,
        pareto=pareto_result,
        purchase_model=purchase_model,
        purchase_candidates=candidates,
        spend_model=spend_model,
        calibration=calibration,
        holdout_periods=holdout,
        errors=errors,
        warnings=warnings,
        timings=step.timings,
    )


class _StepClock:
    """Seconds each step of `run_pipeline` took (since the previous one), reported to
    ``progress`` as each ends, so a caller can show where a long run is."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self._clock
        self._clock = now
        if self._progress is not None:
            self._progress(name)


def _customer_summary(
    summary: pl.DataFrame,
    customer_col: str,
    cost_col: str | None,
    cost_to_serve: Mapping[Any, float] | pl.DataFrame | None,
) -> pl.DataFrame:
    """The per-customer summary with RFM recency, cost of goods (0 without a cost column) and
    cost to serve: every column the descriptive steps and the models read."""
    summary = with_rfm_recency(summary, out_col="periods_since_last")
    if cost_col is None:
        summary = summary.with_columns(
            pl.lit(0.0).alias("total_cost"), pl.col("total_revenue").alias("margin")
        )
    return _cost_to_serve_column(summary, customer_col, cost_to_serve)


def _rfm_and_abc(
    summary: pl.DataFrame, customer_col: str, settings: PipelineSettings
) -> tuple[pl.DataFrame, RFMResult, ParetoResult]:
    """RFM scores and segments and the ABC class by revenue, joined to the summary: the
    descriptive scores, which never depend on a model fitting."""
    rfm_result = rfm(
        summary,
        customer_col=customer_col,
        recency_col="periods_since_last",
        monetary_col="total_revenue",
        rules=settings.rfm_rules,
    )
    pareto_result = pareto(
        summary,
        customer_col=customer_col,
        value_col="total_revenue",
        cutoffs=settings.abc_cutoffs,
    )
    scores = summary.join(
        rfm_result.table.select(
            customer_col, "r_score", "f_score", "m_score", "rfm_cell", "segment"
        ),
        on=customer_col,
    ).join(
        pareto_result.table.select(customer_col, "abc_class", pl.col("rank").alias("revenue_rank")),
        on=customer_col,
    )
    return scores, rfm_result, pareto_result


class _CustomerArrays(NamedTuple):
    """The score columns the models read, as numpy arrays in the order of the scores."""

    x: FloatArray
    t_x: FloatArray
    age: FloatArray
    monetary: FloatArray
    revenue: FloatArray
    cost: FloatArray
    serve: FloatArray

    @classmethod
    def of(cls, scores: pl.DataFrame) -> _CustomerArrays:
        return cls(
            x=scores["frequency"].to_numpy().astype(np.float64),
            t_x=scores["recency"].to_numpy(),
            age=scores["T"].to_numpy(),
            monetary=scores["monetary"].to_numpy(),
            revenue=scores["total_revenue"].to_numpy(),
            cost=scores["total_cost"].to_numpy(),
            serve=scores["cost_to_serve"].to_numpy(),
        )


_OBSERVED_SPEND_WARNING = Note(
    "spend_observed",
    "Expected spend is each customer's own mean spend per purchase period "
    "(Gamma-Gamma could not be used).",
)


def _fit_spend_model(c: _CustomerArrays) -> tuple[GammaGamma | None, FloatArray, str | None]:
    """Gamma-Gamma and each customer's expected spend per purchase; when it cannot be used, no
    model, each customer's own mean spend per purchase period and the reason."""
    x, monetary = c.x, c.monetary
    repeat = (x > 0) & (monetary > 0)
    try:
        if repeat.sum() < 2:
            raise ValueError(
                Note(
                    "spend_few_repeat",
                    "Gamma-Gamma needs at least two customers with repeat purchases.",
                )
            )
        spend_model = GammaGamma().fit(x[repeat], monetary[repeat])
        if not np.isfinite(spend_model.population_mean_spend()):
            raise ValueError(
                Note(
                    "spend_no_mean",
                    "The fitted spend distribution has no finite mean (q ≤ 1); spend per "
                    "purchase is too heavy-tailed to shrink towards it.",
                )
            )
        return spend_model, spend_model.conditional_expected_average_spend(x, monetary), None
    except ValueError as exc:
        reason = exc.args[0] if exc.args and isinstance(exc.args[0], Note) else str(exc)
        return None, c.revenue / (x + 1.0), reason


def _predictions(
    purchase_model: PurchaseModel | None,
    spend_model: GammaGamma | None,
    spend: FloatArray,
    c: _CustomerArrays,
    settings: PipelineSettings,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """P(alive), expected purchases over ``prediction_days``, CLV and predictive CLP per
    customer; NaN (null in the scores) without a purchase model."""
    x, t_x, age = c.x, c.t_x, c.age
    if purchase_model is None:
        nulls = np.full(x.size, np.nan)
        return nulls, nulls, nulls, nulls
    # Once per distinct (x, t_x, T): a million customers hold about a tenth as many.
    ux, ut_x, uage, inverse = _distinct(x, t_x, age)
    p_alive = purchase_model.conditional_probability_alive(ux, ut_x, uage)[inverse]
    expected = purchase_model.conditional_expected_number_of_purchases_up_to_time(
        settings.periods(settings.prediction_days), ux, ut_x, uage
    )[inverse]
    spend_source = spend_model if spend_model is not None else _ObservedSpend(spend)
    horizon = settings.periods(settings.clv_horizon_days)
    # Discount once per period of the summary; the annual rate is what users think in.
    rate = per_step_rate(
        settings.annual_discount_rate,
        step=1.0,
        periods_per_year=365.25 / settings.days_per_period,
    )
    profit = predictive_clp(
        purchase_model,
        spend_source,
        x,
        t_x,
        age,
        c.monetary,
        horizon=horizon,
        discount_rate=rate,
        margin_rate=_margin_rate(c.revenue, c.cost),
        cost_to_serve_per_period=c.serve / np.maximum(age, 1.0),
    )
    # Its discounted expected revenue is clv(...) with the same arguments, computed over the
    # same intervals: one pass over the horizon instead of two.
    return p_alive, expected, profit.expected_revenue, profit.clp


def _with_predictions(
    scores: pl.DataFrame,
    c: _CustomerArrays,
    p_alive: FloatArray,
    expected: FloatArray,
    spend: FloatArray,
    value: FloatArray,
    clp: FloatArray,
) -> pl.DataFrame:
    """The scores with the model columns (null where a model is missing) and historic CLP."""
    return scores.with_columns(
        pl.Series("p_alive", p_alive, nan_to_null=True),
        pl.Series("expected_purchases", expected, nan_to_null=True),
        pl.Series("expected_spend", spend, nan_to_null=True),
        pl.Series("clv", value, nan_to_null=True),
        pl.Series("historic_clp", historic_clp(c.revenue, c.cost, c.serve)),
        pl.Series("predictive_clp", clp, nan_to_null=True),
    )


def _margin_rate(revenue: FloatArray, cost: FloatArray) -> FloatArray:
    """Each customer's historic margin rate; the portfolio's for customers without revenue."""
    total_rev = revenue.sum()
    overall_margin = float((revenue - cost).sum() / total_rev) if total_rev > 0 else 0.0
    return np.where(
        revenue > 0, (revenue - cost) / np.where(revenue > 0, revenue, 1), overall_margin
    )


def _check_calibration(
    summaries: Summaries, purchase_model: PurchaseModel
) -> tuple[CalibrationResult | None, int | None, str | None]:
    """The calibration-vs-holdout check of the chosen purchase model, its holdout length in
    periods, or why it could not be made (the data too short, the model not fitting)."""
    split = summaries.split
    if split is None:
        return None, None, summaries.split_error
    try:
        model = _fit_purchase_model(split, type(purchase_model).__name__)
        calibration = calibration_holdout(
            model,
            split["frequency"].to_numpy(),
            split["recency"].to_numpy(),
            split["T"].to_numpy(),
            split["frequency_holdout"].to_numpy(),
            split["duration_holdout"].to_numpy(),
        )
    except ValueError as exc:
        return None, None, str(exc)
    return calibration, summaries.holdout, None
