from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.optimize import approx_fprime
from scipy.special import betaln, gammaln

from guanxi.analytics import BetaGeo, NotFittedError
from guanxi.analytics.simulate import simulate_beta_geo

DATA = Path(__file__).parent / "data"
# Fader, Hardie & Lee (2005), CDNOW 39-week calibration.
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow() -> pl.DataFrame:
    return pl.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def cdnow_model(cdnow) -> BetaGeo:
    return BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_cdnow_has_the_published_sample(cdnow):
    assert cdnow.height == 2357
    assert cdnow["T"].max() == pytest.approx(38.86)


def test_cdnow_fit_reproduces_published_parameters_and_log_likelihood(cdnow_model):
    for name, value in PUBLISHED.items():
        assert round(cdnow_model.params_[name], 3) == value, name
        # Published to three decimals: within half a unit of the last digit.
        assert cdnow_model.params_[name] == pytest.approx(value, abs=5e-4)
    assert round(cdnow_model.log_likelihood_, 1) == -9582.4
    assert cdnow_model.converged_
    for name, se in cdnow_model.standard_errors_.items():
        assert 0 < se < cdnow_model.params_[name], name


def test_cdnow_conditional_expectation_for_the_published_customer(cdnow_model):
    expected = cdnow_model.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
    assert round(float(expected[0]), 3) == 1.226


def test_weights_collapse_identical_rows_to_the_same_fit(cdnow, cdnow_model):
    grouped = cdnow.group_by("frequency", "recency", "T").len()
    assert grouped.height < cdnow.height
    model = BetaGeo().fit(grouped["frequency"], grouped["recency"], grouped["T"], grouped["len"])
    for name, value in cdnow_model.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-5)
    assert model.log_likelihood_ == pytest.approx(cdnow_model.log_likelihood_, rel=1e-9)


def test_warm_start_on_a_subsample_reaches_the_same_optimum(cdnow, cdnow_model):
    model = BetaGeo()
    model._WARM_START_ABOVE, model._WARM_START_ROWS = 1000, 500  # what large data gets
    model.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for name, value in cdnow_model.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-5)
    assert model.log_likelihood_ == pytest.approx(cdnow_model.log_likelihood_, rel=1e-10)


def test_analytic_gradient_matches_finite_differences(cdnow):
    x, t_x, age = (cdnow[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))
    data = BetaGeo._prepare(x, t_x, age, np.ones_like(x))
    model = BetaGeo()
    point = np.log([0.4, 3.0, 1.2, 1.7])
    _, grad = model._negloglik(point, data)
    numeric = approx_fprime(point, lambda p: model._negloglik(p, data)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-7)


def test_analytic_hessian_matches_finite_differences_of_the_gradient(cdnow):
    x, t_x, age = (cdnow[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))
    w = np.random.default_rng(5).uniform(0.5, 2.0, x.size)
    data = BetaGeo._prepare(x, t_x, age, w)
    point = np.array([0.4, 3.0, 1.2, 1.7])
    _, _, hess = BetaGeo._loglik_parts(point, data, hessian=True)
    numeric = np.empty((4, 4))
    for j in range(4):
        h = 1e-6 * point[j]
        up, down = point.copy(), point.copy()
        up[j] += h
        down[j] -= h
        numeric[:, j] = (
            BetaGeo._total_loglik(up, data)[1] - BetaGeo._total_loglik(down, data)[1]
        ) / (2 * h)
    np.testing.assert_allclose(hess, numeric, rtol=1e-6)


def test_without_newton_the_fit_falls_back_to_lbfgs_and_reaches_the_same_optimum(
    cdnow, cdnow_model
):
    model = BetaGeo()
    model._WARM_START_ABOVE, model._WARM_START_ROWS = 1000, 500
    model._NEWTON_MAX_STEPS = 0  # Newton gives up at once
    model.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    for name, value in cdnow_model.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-5)
    assert model.converged_


def test_log_likelihood_equals_the_textbook_formula(cdnow):
    # FHL (2005) eq. 6, written out directly per customer.
    x, t_x, age = (cdnow[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))
    r, alpha, a, b = 0.4, 3.0, 1.2, 1.7
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    first = np.exp(common + betaln(a, b + x) - (r + x) * np.log(alpha + age))
    second = np.where(
        x > 0,
        np.exp(common + betaln(a + 1, np.maximum(b + x - 1, 1e-9)) - (r + x) * np.log(alpha + t_x)),
        0.0,
    )
    expected = np.log(first + second).sum()
    data = BetaGeo._prepare(x, t_x, age, np.ones_like(x))
    total, _ = BetaGeo._total_loglik(np.array([r, alpha, a, b]), data)
    assert total == pytest.approx(expected, rel=1e-12)


def test_log_likelihood_with_a_very_large_frequency(cdnow):
    # A frequency far above the number of customers takes the np.unique path of _prepare.
    x = np.array([0.0, 1.0, 3.0, 20_000.0])
    t_x = np.array([0.0, 5.0, 20.0, 29.0])
    age = np.array([10.0, 30.0, 30.0, 30.0])
    r, alpha, a, b = 0.4, 3.0, 1.2, 1.7
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    first = common + betaln(a, b + x) - (r + x) * np.log(alpha + age)
    second = np.where(
        x > 0,
        common + betaln(a + 1, np.maximum(b + x - 1, 1e-9)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    expected = np.logaddexp(first, second).sum()
    data = BetaGeo._prepare(x, t_x, age, np.ones_like(x))
    total, _ = BetaGeo._total_loglik(np.array([r, alpha, a, b]), data)
    assert total == pytest.approx(expected, rel=1e-12)


def test_parameters_are_recovered_from_simulated_data():
    true = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5}
    rng = np.random.default_rng(20260101)
    x, t_x, age = simulate_beta_geo(rng.uniform(26, 52, 5000), rng=rng, **true)
    model = BetaGeo().fit(x, t_x, age)
    for name, value in true.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 4 * se, (name, model.params_[name], se)
        assert model.params_[name] == pytest.approx(value, rel=0.35), name


def test_unconditional_expectation_matches_simulation():
    true = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5}
    model = BetaGeo()
    model.params_ = true
    rng = np.random.default_rng(3)
    x, _, _ = simulate_beta_geo(np.full(200_000, 30.0), rng=rng, **true)
    formula = float(model.expected_number_of_purchases_up_to_time(30.0))
    assert x.mean() == pytest.approx(formula, rel=0.02)


def test_probability_alive_falls_as_recency_falls(cdnow_model):
    recency = np.linspace(38.0, 1.0, 20)
    alive = cdnow_model.conditional_probability_alive(np.full(20, 4), recency, np.full(20, 38.86))
    assert np.all(np.diff(alive) < 0)
    assert np.all((alive > 0) & (alive < 1))
    # No repeat purchase: alive by definition in BG/NBD.
    assert cdnow_model.conditional_probability_alive([0], [0], [38.86])[0] == 1.0


def test_predictions_are_monotone(cdnow_model):
    t = np.array([1.0, 10.0, 39.0, 78.0])
    assert np.all(np.diff(cdnow_model.expected_number_of_purchases_up_to_time(t)) > 0)
    conditional = cdnow_model.conditional_expected_number_of_purchases_up_to_time(
        t, np.full(4, 3), np.full(4, 30.0), np.full(4, 38.86)
    )
    assert np.all(np.diff(conditional) > 0)
    by_recency = cdnow_model.conditional_expected_number_of_purchases_up_to_time(
        39, np.full(3, 3), np.array([5.0, 20.0, 38.0]), np.full(3, 38.86)
    )
    assert np.all(np.diff(by_recency) > 0)


def test_unfitted_model_raises_a_clear_error():
    model = BetaGeo()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.conditional_probability_alive([1], [1], [2])
    with pytest.raises(ValueError):
        model.expected_number_of_purchases_up_to_time(10)
    with pytest.raises(AttributeError):
        model.conditional_expected_number_of_purchases_up_to_time(10, [1], [1], [2])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [1.0], [3.0, 3.0]), "same length"),
        (([1, -1], [1.0, 0.0], [3.0, 3.0]), "frequency has 1 negative"),
        (([1, 1], [4.0, 1.0], [3.0, 3.0]), "recency greater than T"),
        (([0, 1], [1.0, 1.0], [3.0, 3.0]), "frequency 0 but recency > 0"),
        (([1.5, 1], [1.0, 1.0], [3.0, 3.0]), "whole numbers"),
        (([1, np.nan], [1.0, 1.0], [3.0, 3.0]), "missing or infinite"),
        (([0, 0, 0], [0.0, 0.0, 0.0], [3.0, 5.0, 9.0]), "all frequencies are 0"),
        (([2], [1.0], [3.0]), "at least two customers"),
        (([1, 2], [3.0, 5.0], [3.0, 5.0]), "recency equals T"),
    ],
)
def test_fit_rejects_bad_or_degenerate_data(args, message):
    with pytest.raises(ValueError) as info:
        BetaGeo().fit(*args)
    assert message in str(info.value)


def test_fit_rejects_bad_weights():
    with pytest.raises(ValueError, match="weights has length 1"):
        BetaGeo().fit([1, 0], [1.0, 0.0], [3.0, 3.0], weights=[1])
    with pytest.raises(ValueError, match="must not be negative"):
        BetaGeo().fit([1, 0], [1.0, 0.0], [3.0, 3.0], weights=[1, -1])


def test_fit_returns_self_and_repr_shows_parameters(cdnow):
    model = BetaGeo()
    assert model.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]) is model
    assert repr(model).startswith("BetaGeo(r=0.2426")
    assert repr(BetaGeo()) == "BetaGeo(unfitted)"
