from pathlib import Path

import numpy as np
import polars as pl
import pytest

from guanxi.analytics import BetaGeo, GammaGamma
from guanxi.analytics.value import (
    CLPResult,
    PurchaseModel,
    SpendModel,
    clv,
    historic_clp,
    historic_margin_rate,
    per_step_rate,
    predictive_clp,
)

DATA = Path(__file__).parent / "data"
# lifetimes README (Quickstart), CDNOW with monetary value: ggf.customer_lifetime_value(bgf, …,
# time=12, discount_rate=0.01) with its default freq="D", i.e. 12 steps of 30 periods (weeks here).
LIFETIMES_CLV = [
    140.096211,
    18.943467,
    38.180574,
    38.180574,
    38.180574,
    1003.868107,
    28.109683,
    38.180574,
    167.418216,
    38.180574,
]


@pytest.fixture(scope="module")
def cdnow() -> pl.DataFrame:
    return pl.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def models(cdnow) -> tuple[BetaGeo, GammaGamma]:
    bg = BetaGeo().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    repeat = cdnow.filter(pl.col("x") > 0)
    return bg, GammaGamma().fit(repeat["x"], repeat["zbar"])


def _summary(cdnow):
    return cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]


def test_models_satisfy_the_protocols(models):
    bg, gg = models
    assert isinstance(bg, PurchaseModel)
    assert isinstance(gg, SpendModel)


def test_clv_matches_the_formula_recomputed_independently(cdnow, models):
    bg, gg = models
    x, t_x, age, zbar = (c.to_numpy() for c in _summary(cdnow))
    got = clv(bg, gg, x, t_x, age, zbar, horizon=360, step=30, discount_rate=0.01)

    p, q, gamma = (gg.params_[k] for k in ("p", "q", "gamma"))
    spend = p * (gamma + x * zbar) / (p * x + q - 1)
    ends = np.arange(0, 361, 30.0)[:, None]  # 0, 30, …, 360 against every customer
    cumulative = bg.conditional_expected_number_of_purchases_up_to_time(ends, x, t_x, age)
    per_step = np.diff(cumulative, axis=0)
    discount = 1.01 ** -np.arange(1, 13)
    expected = spend * (discount @ per_step)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_clv_reproduces_the_lifetimes_documentation_values(cdnow, models):
    got = clv(*models, *_summary(cdnow), horizon=360, step=30, discount_rate=0.01)
    np.testing.assert_allclose(got[:10], LIFETIMES_CLV, rtol=1e-6)
    assert got.shape == (2357,)
    assert np.all(got > 0)


def test_last_partial_step_is_discounted_at_its_fractional_end(cdnow, models):
    bg, gg = models
    x, t_x, age, zbar = _summary(cdnow)
    got = clv(bg, gg, x, t_x, age, zbar, horizon=45, step=30, discount_rate=0.02)
    e30 = bg.conditional_expected_number_of_purchases_up_to_time(30, x, t_x, age)
    e45 = bg.conditional_expected_number_of_purchases_up_to_time(45, x, t_x, age)
    spend = gg.conditional_expected_average_spend(x, zbar)
    expected = spend * (e30 / 1.02 + (e45 - e30) / 1.02**1.5)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_undiscounted_clv_is_expected_purchases_times_expected_spend(cdnow, models):
    bg, gg = models
    x, t_x, age, zbar = _summary(cdnow)
    got = clv(bg, gg, x, t_x, age, zbar, horizon=52, step=1, discount_rate=0.0)
    expected = bg.conditional_expected_number_of_purchases_up_to_time(
        52, x, t_x, age
    ) * gg.conditional_expected_average_spend(x, zbar)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_zero_horizon_is_worth_nothing(cdnow, models):
    got = clv(*models, *_summary(cdnow), horizon=0, discount_rate=0.01)
    assert np.all(got == 0)


class _Wrapped:
    """A purchase model that is not a BetaGeo: only the protocol methods, scalar t."""

    def __init__(self, inner: BetaGeo) -> None:
        self.inner = inner
        self.calls: list[float] = []

    def conditional_probability_alive(self, frequency, recency, T):
        return self.inner.conditional_probability_alive(frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        assert np.ndim(t) == 0
        self.calls.append(float(t))
        return self.inner.conditional_expected_number_of_purchases_up_to_time(
            t, frequency, recency, T
        )


def test_any_model_with_the_protocol_methods_works(cdnow, models):
    bg, gg = models
    wrapped = _Wrapped(bg)
    got = clv(wrapped, gg, *_summary(cdnow), horizon=360, step=30, discount_rate=0.01)
    np.testing.assert_allclose(got[:10], LIFETIMES_CLV, rtol=1e-6)
    # 360 / 30 must give exactly 12 intervals, without a sliver from rounding.
    assert wrapped.calls == [30.0 * i for i in range(1, 13)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": -1, "discount_rate": 0.01}, "horizon"),
        ({"horizon": float("nan"), "discount_rate": 0.01}, "horizon"),
        ({"horizon": 12, "discount_rate": -0.01}, "discount_rate"),
        ({"horizon": 12, "discount_rate": 0.01, "step": 0}, "step"),
    ],
)
def test_clv_rejects_bad_schedules(cdnow, models, kwargs, message):
    with pytest.raises(ValueError, match=message):
        clv(*models, *_summary(cdnow), **kwargs)


def test_clv_rejects_inputs_of_different_lengths_or_negative_spend(models):
    with pytest.raises(ValueError, match="monetary has length 1, expected 2"):
        clv(*models, [1, 2], [3, 4], [5, 6], [10.0], horizon=1, discount_rate=0)
    with pytest.raises(ValueError, match="same length"):
        clv(*models, [1, 2], [3], [5, 6], [10.0, 1.0], horizon=1, discount_rate=0)
    with pytest.raises(ValueError, match="monetary has 1 negative"):
        clv(*models, [1, 2], [3, 4], [5, 6], [10.0, -1.0], horizon=1, discount_rate=0)
    with pytest.raises(ValueError, match="recency greater than T"):
        clv(*models, [1], [7], [5], [10.0], horizon=1, discount_rate=0)


def test_unfitted_models_raise_a_clear_error():
    with pytest.raises(ValueError, match="not fitted"):
        clv(BetaGeo(), GammaGamma(), [1], [1], [2], [1.0], horizon=1, discount_rate=0)


def test_per_step_rate_compounds_an_annual_rate():
    assert per_step_rate(0.12, 1, 12) == pytest.approx(1.12 ** (1 / 12) - 1)
    assert per_step_rate(0.1268, 30, 365) == pytest.approx(0.00987, abs=1e-5)
    # Twelve monthly steps compound back to the annual rate.
    assert (1 + per_step_rate(0.1, 1, 12)) ** 12 == pytest.approx(1.1)
    assert per_step_rate(0.0, 7, 365) == 0.0
    with pytest.raises(ValueError, match="annual_rate"):
        per_step_rate(-0.1, 1, 12)
    with pytest.raises(ValueError, match="periods_per_year"):
        per_step_rate(0.1, 1, 0)


# -- historic lifetime profit ------------------------------------------------------------------


def test_historic_clp_is_revenue_minus_goods_minus_service():
    got = historic_clp([1000.0, 500.0, 80.0], [600.0, 200.0, 50.0], [100.0, 50.0, 60.0])
    np.testing.assert_allclose(got, [300.0, 250.0, -30.0])


def test_historic_clp_broadcasts_scalars():
    np.testing.assert_allclose(historic_clp([100.0, 200.0], [40.0, 90.0], 10.0), [50.0, 100.0])
    np.testing.assert_allclose(historic_clp(100.0, 40.0, 10.0), [50.0])
    np.testing.assert_allclose(
        historic_clp(pl.Series([100.0, 200.0]), pl.Series([10, 20]), 0), [90.0, 180.0]
    )


@pytest.mark.parametrize(
    ("revenue", "cost_of_goods", "cost_to_serve", "message"),
    [
        ([100.0, None], [1.0, 2.0], 0.0, "revenue has 1 missing"),
        ([100.0, 200.0], [1.0, float("nan")], 0.0, "cost_of_goods has 1 missing"),
        (pl.Series([100.0, 200.0]), 1.0, pl.Series([1.0, None]), "cost_to_serve has 1 missing"),
        ([100.0, -5.0], 0.0, 0.0, "revenue has 1 negative"),
        ([100.0, 200.0], [1.0, 2.0, 3.0], 0.0, "incompatible lengths"),
        (["a"], 0.0, 0.0, "revenue must hold numbers"),
        ([[1.0]], 0.0, 0.0, "one-dimensional"),
    ],
)
def test_historic_clp_rejects_missing_negative_or_mismatched_amounts(
    revenue, cost_of_goods, cost_to_serve, message
):
    with pytest.raises(ValueError, match=message):
        historic_clp(revenue, cost_of_goods, cost_to_serve)


def test_historic_margin_rate_falls_back_to_the_portfolio_rate():
    got = historic_margin_rate([100.0, 300.0, 0.0], [50.0, 50.0, 0.0])
    np.testing.assert_allclose(got, [0.5, 1 / 6, 0.25])
    np.testing.assert_allclose(
        historic_margin_rate([100.0, 0.0], [10.0, 0.0], fallback=0.3), [0.1, 0.3]
    )
    with pytest.raises(ValueError, match="fallback"):
        historic_margin_rate([0.0], [0.0])


# -- predictive lifetime profit ----------------------------------------------------------------


def test_predictive_clp_without_costs_is_margin_times_clv(cdnow, models):
    summary = _summary(cdnow)
    value = clv(*models, *summary, horizon=360, step=30, discount_rate=0.01)
    result = predictive_clp(
        *models, *summary, horizon=360, step=30, discount_rate=0.01, margin_rate=0.3
    )
    assert isinstance(result, CLPResult)
    np.testing.assert_allclose(result.expected_revenue, value, rtol=1e-12)
    np.testing.assert_allclose(result.expected_margin, 0.3 * value, rtol=1e-12)
    assert np.all(result.expected_cost_to_serve == 0)
    np.testing.assert_allclose(result.clp, result.expected_margin)
    frame = result.to_polars()
    assert frame.columns == [
        "expected_purchases",
        "expected_active_periods",
        "expected_revenue",
        "expected_margin",
        "expected_cost_to_serve",
        "clp",
    ]
    assert frame.height == 2357


def test_per_purchase_cost_follows_the_discounted_expected_purchases(cdnow, models):
    bg, gg = models
    x, t_x, age, zbar = _summary(cdnow)
    result = predictive_clp(
        bg,
        gg,
        x,
        t_x,
        age,
        zbar,
        horizon=52,
        discount_rate=0.0,
        margin_rate=0.4,
        cost_to_serve_per_purchase=5.0,
    )
    purchases = bg.conditional_expected_number_of_purchases_up_to_time(52, x, t_x, age)
    np.testing.assert_allclose(result.expected_purchases, purchases, rtol=1e-10)
    np.testing.assert_allclose(result.expected_cost_to_serve, 5.0 * purchases, rtol=1e-10)
    np.testing.assert_allclose(result.clp, result.expected_margin - 5.0 * purchases)


def test_per_period_cost_accrues_only_while_the_customer_is_expected_active(cdnow, models):
    bg, gg = models
    x, t_x, age, zbar = _summary(cdnow)
    alive = bg.conditional_probability_alive(x, t_x, age)
    # Over a short window the expected active time is P(alive at T) × its length.
    short = predictive_clp(
        bg, gg, x, t_x, age, zbar, horizon=0.01, discount_rate=0.0, margin_rate=0.3
    )
    np.testing.assert_allclose(short.expected_active_periods, 0.01 * alive, rtol=1e-3)
    # Over two years it is below P(alive) × length (customers keep dropping out) and positive.
    long = predictive_clp(
        bg,
        gg,
        x,
        t_x,
        age,
        zbar,
        horizon=104,
        discount_rate=0.0,
        margin_rate=0.3,
        cost_to_serve_per_period=2.0,
    )
    active = long.expected_active_periods
    assert np.all(active > 0)
    assert np.all(active <= 104 * alive + 1e-9)
    np.testing.assert_allclose(long.expected_cost_to_serve, 2.0 * active)
    # Customer 2 (x=1, last bought in week 1.7) is likely gone: far less service than customer 1.
    assert alive[1] < 0.25 < 0.7 < alive[0]
    assert active[1] < 0.5 * active[0]


def test_predictive_clp_takes_per_customer_rates_and_costs(cdnow, models):
    x, t_x, age, zbar = (c.head(3) for c in _summary(cdnow))
    result = predictive_clp(
        *models,
        x,
        t_x,
        age,
        zbar,
        horizon=52,
        discount_rate=0.01,
        step=4,
        margin_rate=[0.5, 0.2, -0.1],
        cost_to_serve_per_period=[1.0, 0.0, 0.5],
        cost_to_serve_per_purchase=np.array([0.0, 3.0, 1.0]),
    )
    np.testing.assert_allclose(
        result.expected_margin, result.expected_revenue * [0.5, 0.2, -0.1], rtol=1e-12
    )
    assert result.clp[2] < 0  # loss-making at a negative margin, with service on top


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"margin_rate": 1.5}, "margin_rate must not exceed 1"),
        ({"margin_rate": [0.3, 0.3]}, "margin_rate has length 2, expected 3"),
        ({"margin_rate": float("nan")}, "margin_rate must be a finite number"),
        ({"margin_rate": 0.3, "cost_to_serve_per_period": -1.0}, "cost_to_serve_per_period"),
        (
            {"margin_rate": 0.3, "cost_to_serve_per_purchase": [1.0, None, 2.0]},
            "cost_to_serve_per_purchase has missing",
        ),
        ({"margin_rate": 0.3, "discount_rate": -0.5}, "discount_rate"),
    ],
)
def test_predictive_clp_rejects_bad_inputs(cdnow, models, kwargs, message):
    x, t_x, age, zbar = (c.head(3) for c in _summary(cdnow))
    arguments = {"horizon": 52, "discount_rate": 0.01} | kwargs
    with pytest.raises(ValueError, match=message):
        predictive_clp(*models, x, t_x, age, zbar, **arguments)


def test_repeated_summary_rows_are_predicted_once_and_mapped_back_in_order(cdnow, models):
    bg, gg = models
    x, t_x, age, zbar = (c.to_numpy() for c in _summary(cdnow))
    wrapped = _Wrapped(bg)
    order = np.random.default_rng(1).permutation(x.size)
    shuffled = clv(
        wrapped, gg, x[order], t_x[order], age[order], zbar[order], horizon=52, discount_rate=0.0
    )
    direct = bg.conditional_expected_number_of_purchases_up_to_time(52, x, t_x, age)
    expected = direct * gg.conditional_expected_average_spend(x, zbar)
    np.testing.assert_allclose(shuffled, expected[order], rtol=1e-12)
