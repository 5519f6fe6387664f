"""Customer lifetime value (CLV) and customer lifetime profit (CLP, 客户终生利润).

* `clv`: discounted expected revenue over a horizon, from a purchase model (BG/NBD, Pareto/NBD —
  anything with the `PurchaseModel` methods) and a spend model (Gamma-Gamma). Same definition as
  `lifetimes`' ``customer_lifetime_value``, so numbers are comparable.
* `historic_clp`: what a customer has earned so far, revenue − cost of goods − cost to serve.
* `predictive_clp`: what a customer is expected to earn, discounted expected margin − discounted
  expected cost to serve. Cost to serve is always an input: the tier policies (gifts, banquets,
  visits, discounts) decide it, not this module.

Time is in the unit of the summary (days for a daily summary, weeks for CDNOW). Discounting is per
``step`` periods: with a daily summary and a monthly discount rate use ``step=30`` and the monthly
rate, e.g. ``clv(..., horizon=365, step=30, discount_rate=per_step_rate(0.10, 30, 365))`` for one
year at 10 % a year.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from guanxi.analytics.base import FloatArray, _as_1d, _validate_summary
from guanxi.analytics.beta_geo import BetaGeo
from guanxi.analytics.pareto_nbd import ParetoNBD


@runtime_checkable
class PurchaseModel(Protocol):
    """What `clv` and `predictive_clp` need of a fitted purchase model (BetaGeo, ParetoNBD)."""

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray: ...


@runtime_checkable
class SpendModel(Protocol):
    """What `clv` and `predictive_clp` need of a fitted spend model (GammaGamma)."""

    def conditional_expected_average_spend(
        self, frequency: ArrayLike, monetary: ArrayLike
    ) -> FloatArray: ...


def per_step_rate(annual_rate: float, step: float, periods_per_year: float) -> float:
    """The discount rate per ``step`` periods equivalent to ``annual_rate`` (compounded).

    ``(1 + annual_rate) ** (step / periods_per_year) − 1``; e.g. 12.68 % a year is 1 % per
    30-day step of a daily summary: ``per_step_rate(0.1268, 30, 365) ≈ 0.0099``.
    """
    for name, value in (("step", step), ("periods_per_year", periods_per_year)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value}.")
    if not (math.isfinite(annual_rate) and annual_rate >= 0):
        raise ValueError(f"annual_rate must be a number ≥ 0, got {annual_rate}.")
    return (1.0 + annual_rate) ** (step / periods_per_year) - 1.0


def _check_schedule(horizon: float, discount_rate: float, step: float) -> None:
    if not (math.isfinite(horizon) and horizon >= 0):
        raise ValueError(f"horizon must be a number ≥ 0 (periods), got {horizon}.")
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive number of periods, got {step}.")
    if not (math.isfinite(discount_rate) and discount_rate >= 0):
        raise ValueError(f"discount_rate must be a number ≥ 0 (per step), got {discount_rate}.")


def _schedule(horizon: float, step: float) -> list[float]:
    """Ends of the discounting intervals: step, 2·step, …, and ``horizon`` if it is not a multiple.

    A tolerance keeps 12 × 30.0 from producing a spurious sliver after the last full step.
    """
    n_full = math.floor(horizon / step + 1e-9)
    ends = [i * step for i in range(1, n_full + 1)]
    if horizon - n_full * step > 1e-9 * step:
        ends.append(horizon)
    return ends


def _intervals(
    purchase_model: PurchaseModel,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
    horizon: float,
    discount_rate: float,
    step: float,
) -> Iterator[tuple[float, FloatArray]]:
    """(discount factor, expected purchases in the interval) for each discounting interval.

    One scalar ``t`` per call, so any model with the `PurchaseModel` methods works (no reliance
    on a model broadcasting a 2-D ``t``).
    """
    previous = np.zeros(x.size)
    for end in _schedule(horizon, step):
        cumulative = np.asarray(
            purchase_model.conditional_expected_number_of_purchases_up_to_time(end, x, t_x, age),
            dtype=np.float64,
        )
        # Cash flows of an interval are discounted from its end, in steps (fractional for a
        # last partial step): (1 + rate) ** -(end / step).
        yield (1.0 + discount_rate) ** -(end / step), cumulative - previous
        previous = cumulative


def _distinct(
    x: FloatArray, t_x: FloatArray, age: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.intp]]:
    """Distinct (x, t_x, T) rows and the inverse index back to customers.

    Summaries in whole periods repeat the same triple many times (a million customers hold far
    fewer distinct ones), and every step calls the model's special functions, so predictions are
    made once per distinct row.
    """
    if x.size == 0:
        return x, t_x, age, np.zeros(0, dtype=np.intp)
    key = _packed_key(x, t_x, age)
    # Sorting one integer key is several times faster than a lexicographic sort of three float
    # columns (itself several times faster than np.unique(axis=0)); both give the same order.
    order = np.argsort(key) if key is not None else np.lexsort((age, t_x, x))
    xs, ts, ages = x[order], t_x[order], age[order]
    new = np.empty(x.size, dtype=bool)
    new[0] = True
    new[1:] = (np.diff(xs) != 0) | (np.diff(ts) != 0) | (np.diff(ages) != 0)
    inverse = np.empty(x.size, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return xs[new], ts[new], ages[new], inverse


def _packed_key(x: FloatArray, t_x: FloatArray, age: FloatArray) -> NDArray[np.int64] | None:
    """(x, t_x, T) packed into one int64 in the same lexicographic order, when all three hold
    whole numbers ≥ 0 small enough to fit (always so for whole-period summaries); else None."""
    sizes = []
    for arr in (x, t_x, age):
        top = float(arr.max())
        if arr.min() < 0 or top >= 2**20 or not np.array_equal(arr, np.floor(arr)):
            return None
        sizes.append(int(top) + 1)
    key = x.astype(np.int64) * sizes[1] + t_x.astype(np.int64)
    key *= sizes[2]
    key += age.astype(np.int64)
    return key


# Models whose E[X(T, T+t) | x, t_x, T] is P(alive | x, t_x, T) · E[X(T, T+t) | alive, x, T]:
# recency enters only through P(alive) (FHL 2005 eq. 10 for BG/NBD, Fader & Hardie 2005 eq. 22
# for Pareto/NBD). Exact types: a subclass may predict differently.
_ALIVE_FACTOR_MODELS = (BetaGeo, ParetoNBD)


def _evaluation_rows(
    purchase_model: PurchaseModel, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.intp], FloatArray | None]:
    """Rows to evaluate the purchase model on over the horizon, the index from customers to rows,
    and a per-customer scale (None for 1): customer value = scale · row value[index].

    Any model: the distinct (x, t_x, T) rows. BG/NBD and Pareto/NBD: the distinct (x, T) pairs
    at a reference recency (T, or 0 without repeats), scaled by P(alive | own recency) /
    P(alive | reference recency). A million customers have ~10⁵ distinct triples but ~10⁴ pairs,
    and each of the horizon's steps evaluates the model's special functions on every row.
    """
    if type(purchase_model) in _ALIVE_FACTOR_MODELS and x.size:
        ref_t = np.where(x > 0, age, 0.0)
        px, pt, page, pair = _distinct(x, ref_t, age)
        ref_alive = np.asarray(
            purchase_model.conditional_probability_alive(px, pt, page), dtype=np.float64
        )
        # The reference P(alive) is (b+x−1)/(a+b+x−1) or 1 for BG/NBD, 1 for repeat buyers under
        # Pareto/NBD; only a degenerate fit could make it vanish, so then take the general path.
        if np.all(np.isfinite(ref_alive)) and ref_alive.min() > 1e-200:
            ux, ut_x, uage, triple = _distinct(x, t_x, age)
            alive = np.asarray(
                purchase_model.conditional_probability_alive(ux, ut_x, uage), dtype=np.float64
            )
            scale = alive[triple] / ref_alive[pair]
            return px, pt, page, pair, scale
    ux, ut_x, uage, inverse = _distinct(x, t_x, age)
    return ux, ut_x, uage, inverse, None


def _per_customer(name: str, value: ArrayLike, n: int) -> FloatArray:
    """A scalar or per-customer input as an array of length n (finite values only)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        if not np.isfinite(arr):
            raise ValueError(f"{name} must be a finite number, got {float(arr)}.")
        return np.full(n, float(arr))
    arr = _as_1d(name, arr)
    if arr.size != n:
        raise ValueError(f"{name} has length {arr.size}, expected {n} (one per customer).")
    return arr


def _inputs(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, monetary: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    x, t_x, age = _validate_summary(frequency, recency, T)
    m = _as_1d("monetary", monetary)
    if m.size != x.size:
        raise ValueError(
            f"monetary has length {m.size}, expected {x.size} (the length of frequency)."
        )
    if np.any(m < 0):
        raise ValueError(f"monetary has {int((m < 0).sum())} negative value(s).")
    return x, t_x, age, m


def clv(
    purchase_model: PurchaseModel,
    spend_model: SpendModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary: ArrayLike,
    *,
    horizon: float,
    discount_rate: float,
    step: float = 1.0,
) -> FloatArray:
    """Discounted expected revenue of each customer over the next ``horizon`` periods.

    CLV = Σ_i (E[X(T, T+t_i)] − E[X(T, T+t_{i−1})]) · E[Z | x, zbar] / (1 + d)^(t_i / step)

    with t_i = i·step (t_0 = 0), E[X(T, T+t)] the purchase model's conditional expected purchases,
    E[Z | x, zbar] the spend model's expected spend per purchase and d = ``discount_rate`` per
    ``step`` periods. ``horizon``, ``step`` and ``T`` share the summary's unit. When ``horizon`` is
    not a multiple of ``step`` the last interval is the partial one ending at ``horizon``,
    discounted at the fractional exponent horizon/step.

    Example: a daily summary, one year, 1 % a month → ``horizon=360, step=30,
    discount_rate=0.01`` (12 monthly intervals). For an annual rate use `per_step_rate`.
    This is `lifetimes`' ``customer_lifetime_value(time=12, discount_rate=0.01, freq="D")``,
    which sums 12 steps of 30 periods.
    """
    _check_schedule(horizon, discount_rate, step)
    x, t_x, age, m = _inputs(frequency, recency, T, monetary)
    spend = np.asarray(spend_model.conditional_expected_average_spend(x, m), dtype=np.float64)
    ux, ut_x, uage, inverse, scale = _evaluation_rows(purchase_model, x, t_x, age)
    total = np.zeros(ux.size)
    for factor, purchases in _intervals(
        purchase_model, ux, ut_x, uage, horizon, discount_rate, step
    ):
        total += factor * purchases
    per_customer = total[inverse] if scale is None else total[inverse] * scale
    return per_customer * spend


def historic_clp(
    revenue: ArrayLike, cost_of_goods: ArrayLike, cost_to_serve: ArrayLike
) -> FloatArray:
    """Historic lifetime profit: revenue − cost of goods − cost to serve, per customer.

    Scalars and arrays broadcast (e.g. one cost to serve for everyone). All amounts must be
    present and ≥ 0; the result may be negative (a customer who cost more than they brought).
    """
    arrays = []
    for name, value in (
        ("revenue", revenue),
        ("cost_of_goods", cost_of_goods),
        ("cost_to_serve", cost_to_serve),
    ):
        raw = np.asarray(value)
        if raw.dtype == object:
            missing = sum(v is None for v in raw.ravel())
            if missing:
                raise ValueError(f"{name} has {missing} missing value(s); fill them first.")
        try:
            arr = np.atleast_1d(raw.astype(np.float64))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers.") from exc
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a number or one-dimensional, got shape {arr.shape}.")
        missing = int(np.isnan(arr).sum())
        if missing:
            raise ValueError(f"{name} has {missing} missing value(s); fill them first.")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} has infinite values.")
        if np.any(arr < 0):
            raise ValueError(f"{name} has {int((arr < 0).sum())} negative value(s).")
        arrays.append(arr)
    try:
        rev, cogs, cts = np.broadcast_arrays(*arrays)
    except ValueError as exc:
        sizes = ", ".join(str(a.size) for a in arrays)
        raise ValueError(
            f"revenue, cost_of_goods and cost_to_serve have incompatible lengths ({sizes})."
        ) from exc
    return rev - cogs - cts


def historic_margin_rate(
    revenue: ArrayLike, margin: ArrayLike, *, fallback: float | None = None
) -> FloatArray:
    """Each customer's margin / revenue, the ``margin_rate`` input of `predictive_clp`.

    Customers without revenue get ``fallback`` (by default the portfolio rate Σ margin / Σ
    revenue), so a newcomer is costed like the average customer rather than at zero margin.
    """
    rev, mar = _as_1d("revenue", revenue), _as_1d("margin", margin)
    if rev.size != mar.size:
        raise ValueError(f"revenue and margin have different lengths ({rev.size}, {mar.size}).")
    if np.any(rev < 0):
        raise ValueError(f"revenue has {int((rev < 0).sum())} negative value(s).")
    if fallback is None:
        if rev.sum() <= 0:
            raise ValueError("No customer has revenue; give a fallback margin rate.")
        fallback = float(mar.sum() / rev.sum())
    has_revenue = rev > 0
    return np.where(has_revenue, mar / np.where(has_revenue, rev, 1.0), fallback)


@dataclass(frozen=True)
class CLPResult:
    """Predictive lifetime profit per customer; money amounts are discounted to T.

    ``expected_purchases`` and ``expected_active_periods`` are undiscounted over the horizon.
    """

    expected_purchases: FloatArray
    expected_active_periods: FloatArray
    expected_revenue: FloatArray
    expected_margin: FloatArray
    expected_cost_to_serve: FloatArray
    clp: FloatArray

    def to_polars(self) -> pl.DataFrame:
        return pl.DataFrame({name: getattr(self, name) for name in self.__dataclass_fields__})


def _purchase_rate_now(
    purchase_model: PurchaseModel,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
    step: float,
) -> FloatArray:
    """E[λ | alive at T, data]: the expected purchase rate of the customer if still alive.

    The derivative at t = 0 of E[X(T, T+t)] is P(alive) · E[λ | alive]; it is taken as a forward
    difference over a tiny t (relative error of order t / (α + T), far below anything that
    matters here).
    """
    h = 1e-6 * step
    slope = (
        np.asarray(
            purchase_model.conditional_expected_number_of_purchases_up_to_time(h, x, t_x, age),
            dtype=np.float64,
        )
        / h
    )
    alive = np.asarray(purchase_model.conditional_probability_alive(x, t_x, age), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(alive > 0, slope / alive, 0.0)


def _profit_inputs(
    margin_rate: ArrayLike,
    cost_to_serve_per_period: ArrayLike,
    cost_to_serve_per_purchase: ArrayLike,
    n: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Margin rate and the two costs to serve as per-customer arrays, refusing a margin above
    revenue and negative costs."""
    rate = _per_customer("margin_rate", margin_rate, n)
    if np.any(rate > 1):
        raise ValueError("margin_rate must not exceed 1 (margin cannot exceed revenue).")
    per_period = _per_customer("cost_to_serve_per_period", cost_to_serve_per_period, n)
    per_purchase = _per_customer("cost_to_serve_per_purchase", cost_to_serve_per_purchase, n)
    for name, arr in (
        ("cost_to_serve_per_period", per_period),
        ("cost_to_serve_per_purchase", per_purchase),
    ):
        if np.any(arr < 0):
            raise ValueError(f"{name} has {int((arr < 0).sum())} negative value(s).")
    return rate, per_period, per_purchase


def _horizon_sums(
    purchase_model: PurchaseModel,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
    horizon: float,
    discount_rate: float,
    step: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Expected purchases and active periods over the horizon, undiscounted and discounted, per
    row: one pass over the discounting intervals for all four."""
    lam = _purchase_rate_now(purchase_model, x, t_x, age, step)
    purchases = np.zeros(x.size)
    discounted_purchases = np.zeros(x.size)
    active = np.zeros(x.size)
    discounted_active = np.zeros(x.size)
    for factor, delta in _intervals(purchase_model, x, t_x, age, horizon, discount_rate, step):
        with np.errstate(divide="ignore", invalid="ignore"):
            periods = np.where(lam > 0, delta / lam, 0.0)
        purchases += delta
        discounted_purchases += factor * delta
        active += periods
        discounted_active += factor * periods
    return purchases, discounted_purchases, active, discounted_active


def predictive_clp(
    purchase_model: PurchaseModel,
    spend_model: SpendModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary: ArrayLike,
    *,
    horizon: float,
    discount_rate: float,
    step: float = 1.0,
    margin_rate: ArrayLike,
    cost_to_serve_per_period: ArrayLike = 0.0,
    cost_to_serve_per_purchase: ArrayLike = 0.0,
) -> CLPResult:
    """Predictive lifetime profit: discounted expected margin − discounted expected cost to serve.

    Over the same intervals and discounting as `clv` (see there for ``horizon``, ``step`` and
    ``discount_rate``), per interval i with expected purchases ΔE_i:

    * revenue_i = ΔE_i · E[spend]; margin_i = revenue_i · ``margin_rate`` (per customer or one
      rate, e.g. `historic_margin_rate`);
    * cost_i = ΔE_i · ``cost_to_serve_per_purchase`` + A_i · ``cost_to_serve_per_period``, where
      A_i is the expected number of periods of the interval the customer is still active.

    A customer is served only while active, so the per-period cost must decay as the model
    expects the customer to drop out. We take A_i = ΔE_i / E[λ | alive at T]: purchases happen at
    the customer's rate λ while alive, so expected purchases divided by the expected rate of an
    alive customer is their expected active time. At the start A_i / length_i equals P(alive at T)
    and it then falls exactly as the model's expected purchase rate falls. (It treats λ among
    customers alive later as it is among those alive at T — the only quantity every purchase
    model exposes — which is what keeps this usable with BG/NBD and Pareto/NBD alike.)

    Cost-to-serve inputs are per customer or one amount, in money per period / per purchase; they
    come from the tier policies (gifts, banquets, visits), never from a constant here.
    """
    _check_schedule(horizon, discount_rate, step)
    x, t_x, age, m = _inputs(frequency, recency, T, monetary)
    rate, per_period, per_purchase = _profit_inputs(
        margin_rate, cost_to_serve_per_period, cost_to_serve_per_purchase, x.size
    )
    spend = np.asarray(spend_model.conditional_expected_average_spend(x, m), dtype=np.float64)
    ux, ut_x, uage, inverse, scale = _evaluation_rows(purchase_model, x, t_x, age)
    purchases, discounted_purchases, active, discounted_active = _horizon_sums(
        purchase_model, ux, ut_x, uage, horizon, discount_rate, step
    )
    purchases, discounted_purchases = purchases[inverse], discounted_purchases[inverse]
    active, discounted_active = active[inverse], discounted_active[inverse]
    # With a scale, rows are at a reference recency: the scale multiplies expected purchases
    # (P(alive) ratio) but not E[λ | alive], so active periods scale the same way.
    if scale is not None:
        purchases, discounted_purchases = purchases * scale, discounted_purchases * scale
        active, discounted_active = active * scale, discounted_active * scale

    revenue = discounted_purchases * spend
    margin = revenue * rate
    cost = discounted_purchases * per_purchase + discounted_active * per_period
    return CLPResult(
        expected_purchases=purchases,
        expected_active_periods=active,
        expected_revenue=revenue,
        expected_margin=margin,
        expected_cost_to_serve=cost,
        clp=margin - cost,
    )
