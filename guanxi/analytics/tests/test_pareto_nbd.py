from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime
from scipy.special import gammaln, hyp2f1

from guanxi.analytics.models import NotFittedError
from guanxi.analytics.pareto_nbd import ParetoNBD, _PData
from guanxi.analytics.simulate import simulate_gamma_gamma, simulate_pareto_nbd

DATA = Path(__file__).parent / "data"
# Fader & Hardie's CDNOW Pareto/NBD estimates (39-week calibration), LL −9595.0. The exact MLE has
# β = 11.6679 (LL −9594.97393; the published point scores 8e-5 lower), so β is held to the
# published precision in the numpy "decimal=3" sense (|Δ| < 1.5e-3), as lifetimes' own test does.
PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}


@pytest.fixture(scope="module")
def cdnow() -> pl.DataFrame:
    return pl.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def arrays(cdnow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(cdnow[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))


@pytest.fixture(scope="module")
def cdnow_model(arrays) -> ParetoNBD:
    return ParetoNBD().fit(*arrays)


def test_cdnow_fit_reproduces_published_parameters_and_log_likelihood(cdnow_model):
    for name in ("r", "alpha", "s"):
        assert round(cdnow_model.params_[name], 3) == PUBLISHED[name], name
    assert cdnow_model.params_["beta"] == pytest.approx(PUBLISHED["beta"], abs=1.5e-3)
    assert cdnow_model.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert cdnow_model.converged_
    assert cdnow_model.n_customers_ == 2357
    for name, se in cdnow_model.standard_errors_.items():
        assert 0 < se < cdnow_model.params_[name], name
    assert repr(cdnow_model).startswith("ParetoNBD(r=0.5533")


def _textbook_loglik(params, x, t_x, age):
    # Fader & Hardie (2005) eq. 19 with scipy's hyp2f1, the A0 branch chosen by α ≥ β.
    r, a, s, b = params
    if a >= b:

        def a0(y):
            return hyp2f1(r + s + x, s + 1, r + s + x + 1, (a - b) / (a + y)) / (a + y) ** (
                r + s + x
            )
    else:

        def a0(y):
            return hyp2f1(r + s + x, r + x, r + s + x + 1, (b - a) / (b + y)) / (b + y) ** (
                r + s + x
            )

    head = np.exp(gammaln(r + x) - gammaln(r)) * a**r * b**s
    alive = 1 / ((a + age) ** (r + x) * (b + age) ** s)
    return np.log(head * (alive + s / (r + s + x) * (a0(t_x) - a0(age)))).sum()


@pytest.mark.parametrize(
    "params", [(0.553, 10.578, 0.606, 11.669), (0.4, 3.0, 1.2, 1.7), (2.0, 50.0, 0.3, 0.5)]
)
def test_log_likelihood_equals_the_textbook_formula(arrays, params):
    data = _PData(*arrays, np.ones_like(arrays[0]))
    total, _ = ParetoNBD()._total_loglik(np.array(params), data)
    assert total == pytest.approx(_textbook_loglik(params, *arrays), rel=1e-12)


@pytest.mark.parametrize(
    "params", [(0.4, 3.0, 1.2, 1.7), (0.5, 12.0, 0.6, 9.0), (1, 1, 1, 1), (2.0, 50.0, 0.3, 0.5)]
)
def test_analytic_gradient_matches_finite_differences(arrays, params):
    # Covers both 2F1 branches (α ≥ β and α < β) and the α = β boundary between them.
    data = _PData(*arrays, np.ones_like(arrays[0]))
    model = ParetoNBD()
    point = np.log(params)
    _, grad = model._negloglik(point, data)
    numeric = approx_fprime(point, lambda p: model._negloglik(p, data)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-7)


def test_weights_collapse_identical_rows_to_the_same_fit(cdnow, cdnow_model):
    grouped = cdnow.group_by("frequency", "recency", "T").len()
    assert grouped.height < cdnow.height
    model = ParetoNBD().fit(grouped["frequency"], grouped["recency"], grouped["T"], grouped["len"])
    for name, value in cdnow_model.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-5)
    assert model.log_likelihood_ == pytest.approx(cdnow_model.log_likelihood_, rel=1e-9)


def test_predictions_match_the_btyd_walkthrough():
    # BTYD's vignette: with its CDNOW estimates, P(alive | 26, 30.86, 31) = 0.9979 and 25.46
    # expected purchases in the next 52 weeks.
    model = ParetoNBD()
    model.params_ = {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}
    assert model.conditional_probability_alive(26, 30.86, 31)[0] == pytest.approx(0.9979, abs=1e-4)
    expected = model.conditional_expected_number_of_purchases_up_to_time(52, 26, 30.86, 31)
    assert expected[0] == pytest.approx(25.46, abs=0.01)


def test_expected_purchases_of_a_new_customer(cdnow_model):
    r, alpha, s, beta = (cdnow_model.params_[k] for k in ("r", "alpha", "s", "beta"))
    t = np.array([0.0, 1.0, 39.0, 78.0])
    closed = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    np.testing.assert_allclose(cdnow_model.expected_number_of_purchases_up_to_time(t), closed)
    # s = 1 is the log limit, not a division by zero.
    model = ParetoNBD()
    model.params_ = {"r": 1.0, "alpha": 2.0, "s": 1.0, "beta": 3.0}
    assert model.expected_number_of_purchases_up_to_time(3.0) == pytest.approx(1.5 * np.log(2))


def test_probability_alive_is_a_probability_even_for_extreme_inputs():
    model = ParetoNBD()
    model.params_ = {"r": 10.465, "alpha": 7.98565181e-03, "s": 3.0516, "beta": 2.820}
    p = model.conditional_probability_alive([40.0, 50, 50, 0], [5.0, 1, 4, 0], [6.0, 37, 37, 300])
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    # Large counts and ages neither overflow nor jump (lifetimes' underflow case).
    model.params_ = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
    left, right = model.conditional_expected_number_of_purchases_up_to_time(
        10, [132, 133], [200, 200], [200, 200]
    )
    assert abs(left - right) < 0.05


def test_predictions_are_monotone_on_cdnow_parameters(cdnow_model):
    ages = np.linspace(20, 200, 10)
    alive = cdnow_model.conditional_probability_alive(np.full(10, 3.0), np.full(10, 15.0), ages)
    assert np.all((alive >= 0) & (alive <= 1)) and np.all(np.diff(alive) < 0)
    ts = np.linspace(0, 100, 11)
    future = cdnow_model.conditional_expected_number_of_purchases_up_to_time(ts, 2, 20, 30)
    assert np.all(np.diff(future) > 0)
    xs = np.arange(1, 21.0)
    by_x = cdnow_model.conditional_expected_number_of_purchases_up_to_time(
        10, xs, np.full(20, 30.0), np.full(20, 30.0)
    )
    assert np.all(np.diff(by_x) > 0)


summaries = st.tuples(
    st.integers(0, 60),
    st.floats(0.0, 1.0),
    st.floats(0.5, 150.0),
    st.floats(0.0, 100.0),
)
parameters = st.tuples(*(st.floats(0.05, 30.0) for _ in range(4)))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(summaries, parameters)
def test_property_predictions_are_monotone_where_theory_says(summary, params):
    x, share, age, extra = summary
    t_x = 0.0 if x == 0 else share * age
    model = ParetoNBD()
    model.params_ = dict(zip(("r", "alpha", "s", "beta"), params, strict=True))
    alive = model.conditional_probability_alive([x, x], [t_x, t_x], [age, age + 1.0 + extra])
    assert np.all((alive >= 0) & (alive <= 1))
    assert alive[1] <= alive[0] + 1e-12
    expected = model.conditional_expected_number_of_purchases_up_to_time(
        np.array([1.0, 1.0 + extra]), [x, x], [t_x, t_x], [age, age]
    )
    assert np.all(np.isfinite(expected)) and expected[1] >= expected[0] - 1e-12
    # More purchases with recency at T: a busier customer who bought just now buys more.
    more = model.conditional_expected_number_of_purchases_up_to_time(
        5.0, [x + 1, x + 2], [age, age], [age, age]
    )
    assert more[1] >= more[0] - 1e-12


def test_parameters_are_recovered_from_simulated_data():
    rng = np.random.default_rng(7)
    true = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}
    x, t_x, age = simulate_pareto_nbd(rng.uniform(26, 52, 20_000), rng=rng, **true)
    model = ParetoNBD().fit(x, t_x, age)
    for name, value in true.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)


def test_large_samples_take_the_subsample_then_newton_path(arrays, cdnow_model):
    model = ParetoNBD()
    model._WARM_START_ABOVE, model._WARM_START_ROWS = 1000, 500  # what large data gets
    model.fit(*arrays)
    assert model.converged_
    for name, value in cdnow_model.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-6)


def test_simulated_purchases_match_the_closed_form_expectation():
    rng = np.random.default_rng(3)
    true = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}
    x, t_x, age = simulate_pareto_nbd(np.full(200_000, 39.0), rng=rng, **true)
    assert np.all(t_x <= age) and np.all(t_x[x == 0] == 0) and np.all(t_x[x > 0] > 0)
    model = ParetoNBD()
    model.params_ = true
    expected = model.expected_number_of_purchases_up_to_time(39.0)
    assert x.mean() == pytest.approx(expected, rel=0.02)


def test_simulate_gamma_gamma_mean_spend():
    rng = np.random.default_rng(5)
    freq = np.concatenate([np.zeros(5), np.full(200_000, 4.0)])
    spend = simulate_gamma_gamma(freq, p=6.25, q=3.74, gamma=15.44, rng=rng)
    assert np.all(spend[:5] == 0) and np.all(spend[5:] > 0)
    assert spend[5:].mean() == pytest.approx(6.25 * 15.44 / 2.74, rel=0.02)
    with pytest.raises(ValueError, match="q must be positive"):
        simulate_gamma_gamma(freq, p=1, q=0, gamma=1, rng=rng)
    with pytest.raises(ValueError, match="whole, non-negative"):
        simulate_gamma_gamma([1.5], p=1, q=1, gamma=1, rng=rng)
    with pytest.raises(ValueError, match="beta must be positive"):
        simulate_pareto_nbd([1.0], r=1, alpha=1, s=1, beta=-1, rng=rng)


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, 2], [1, 2], [3], "same length"),
        ([1, -1], [1, 0], [3, 3], "frequency has 1 negative"),
        ([1, 1.5], [1, 1], [3, 3], "whole numbers"),
        ([1, 1], [4, 1], [3, 3], "recency greater than T"),
        ([0, 1], [1, 1], [3, 3], "frequency 0 but recency > 0"),
        ([1, np.nan], [1, 1], [3, 3], "missing or infinite"),
        ([0, 0, 0], [0, 0, 0], [3, 4, 5], "No customer made a repeat purchase"),
        ([2], [1], [3], "at least two customers"),
        ([0, 0], [0, 0], [0, 0], "No customer made a repeat purchase"),
        ([1, 2], [3, 4], [3, 4], "recency equals T for all"),
    ],
)
def test_fit_rejects_bad_input_with_a_clear_message(frequency, recency, T, message):
    with pytest.raises(ValueError, match=message):
        ParetoNBD().fit(frequency, recency, T)


def test_all_ages_zero_is_a_clear_error():
    with pytest.raises(ValueError, match="no observation time"):
        ParetoNBD().fit([1, 0], [0, 0], [0, 0])


def test_weights_are_validated():
    with pytest.raises(ValueError, match="weights has length 1"):
        ParetoNBD().fit([1, 2], [1, 1], [3, 3], weights=[1])
    with pytest.raises(ValueError, match="must not be negative"):
        ParetoNBD().fit([1, 2], [1, 1], [3, 3], weights=[1, -1])


def test_unfitted_model_raises_not_fitted_error():
    model = ParetoNBD()
    assert repr(model) == "ParetoNBD(unfitted)"
    assert model.get_params() == {"tol": 1e-14, "max_iter": 2000}
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.conditional_probability_alive(1, 1, 2)
    with pytest.raises(NotFittedError):
        model.conditional_expected_number_of_purchases_up_to_time(1, 1, 1, 2)
    with pytest.raises(NotFittedError):
        model.expected_number_of_purchases_up_to_time(1)


def test_negative_horizon_is_rejected(cdnow_model):
    with pytest.raises(ValueError, match="t must not be negative"):
        cdnow_model.expected_number_of_purchases_up_to_time(-1)
    with pytest.raises(ValueError, match="t must not be negative"):
        cdnow_model.conditional_expected_number_of_purchases_up_to_time(-1, 1, 1, 2)


def test_demo_data_fit_stops_on_the_flat_drop_out_ridge():
    # Guanxi's demo data: drop-out rates barely differ, so the likelihood rises ever more slowly
    # along s/β = const as s, β → ∞ and the fit stops at the cap on s. Those rows have z near 1,
    # where the 2F1 series needed tens of thousands of terms per evaluation.
    demo = pl.read_csv(DATA / "demo_weekly_summary.csv")
    arrays = [demo[c].to_numpy().astype(float) for c in ("frequency", "recency", "T")]
    model = ParetoNBD()
    calls = []
    negloglik = model._negloglik
    model._negloglik = lambda p, d: calls.append(1) or negloglik(p, d)
    model.fit(*arrays)
    params = model.params_
    assert model.converged_ and len(calls) < 200
    assert all(np.isfinite(v) for v in params.values())
    assert params["s"] == pytest.approx(ParetoNBD._S_MAX)
    assert params["r"] == pytest.approx(1.198, abs=0.01)
    assert params["alpha"] == pytest.approx(6.75, abs=0.05)
    assert params["s"] / params["beta"] == pytest.approx(1.522e-3, rel=1e-3)
    # The unbounded optimum wanders off to s ≈ 2e4 with LL −15793.3908.
    assert model.log_likelihood_ == pytest.approx(-15793.39, abs=0.5)


@pytest.mark.parametrize("params", [(1.198, 6.75, 179.0, 11_751.0), (0.6, 2.0, 40.0, 900.0)])
def test_quadrature_rows_match_the_series(arrays, params):
    # z > 0.9 rows are integrated numerically; with the threshold lifted the series (slow there
    # but exact while z stays below about 1 − 4e-4) must give the same log-likelihood and gradient.
    rows = [a[::5] for a in arrays]  # the slow series makes the full file ~4 s
    data = _PData(*rows, np.ones_like(rows[0]))
    model = ParetoNBD()
    total, grad = model._total_loglik(np.array(params), data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("guanxi.analytics.pareto_nbd._SERIES_Z_MAX", 1.0)
        series_total, series_grad = model._total_loglik(np.array(params), data)
    assert total == pytest.approx(series_total, rel=1e-12)
    np.testing.assert_allclose(grad, series_grad, rtol=1e-9)
