from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.optimize import approx_fprime

from guanxi.analytics import GammaGamma, NotFittedError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def repeat_customers() -> pl.DataFrame:
    data = pl.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    return data.filter(pl.col("x") > 0)


@pytest.fixture(scope="module")
def cdnow_model(repeat_customers) -> GammaGamma:
    return GammaGamma().fit(repeat_customers["x"], repeat_customers["zbar"])


def test_cdnow_fit_reproduces_published_parameters(repeat_customers, cdnow_model):
    # Fader & Hardie, "The Gamma-Gamma model of monetary value": p=6.25, q=3.74, γ=15.44 on the
    # 946 CDNOW customers with repeat purchases. The maximum of the likelihood on the shipped
    # data (zbar rounded to cents) is γ=15.4477, so γ is checked to within 0.01.
    assert repeat_customers.height == 946
    assert round(cdnow_model.params_["p"], 2) == 6.25
    assert round(cdnow_model.params_["q"], 2) == 3.74
    assert cdnow_model.params_["gamma"] == pytest.approx(15.44, abs=0.01)
    assert cdnow_model.converged_
    for name, se in cdnow_model.standard_errors_.items():
        assert 0 < se < cdnow_model.params_[name], name


def test_expected_spend_shrinks_observed_mean_towards_population_mean(cdnow_model):
    population = cdnow_model.population_mean_spend()
    p, q, gamma = (cdnow_model.params_[k] for k in ("p", "q", "gamma"))
    assert population == pytest.approx(p * gamma / (q - 1))
    frequency = np.array([1, 2, 5, 20, 200])
    high = cdnow_model.conditional_expected_average_spend(frequency, np.full(5, 100.0))
    # Above the population mean, below the observed mean, and closer to it the more purchases.
    assert np.all((high > population) & (high < 100.0))
    assert np.all(np.diff(high) > 0)
    low = cdnow_model.conditional_expected_average_spend(frequency, np.full(5, 5.0))
    assert np.all((low < population) & (low > 5.0))
    assert np.all(np.diff(low) < 0)
    assert cdnow_model.conditional_expected_average_spend([0], [0.0])[0] == pytest.approx(
        population
    )


def test_analytic_gradient_matches_finite_differences(repeat_customers):
    x = repeat_customers["x"].to_numpy().astype(float)
    m = repeat_customers["zbar"].to_numpy()
    w = np.ones_like(x)
    model = GammaGamma()
    point = np.log([3.0, 2.0, 20.0])
    data = model._prepare(x, m, w)
    _, grad = model._negloglik(point, data)
    numeric = approx_fprime(point, lambda v: model._negloglik(v, data)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-7)


def test_parameters_are_recovered_from_simulated_spend():
    true = {"p": 5.0, "q": 4.0, "gamma": 20.0}
    rng = np.random.default_rng(11)
    n = 4000
    rate = rng.gamma(true["q"], 1.0 / true["gamma"], n)  # ν per customer
    x = 1 + rng.poisson(3.0, n)
    # The mean of x Gamma(p, ν) draws is Gamma(p·x, x·ν).
    zbar = rng.gamma(true["p"] * x, 1.0 / (x * rate))
    model = GammaGamma().fit(x, zbar)
    for name, value in true.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 4 * se, (name, model.params_[name], se)
        assert model.params_[name] == pytest.approx(value, rel=0.35), name


def test_weights_collapse_identical_rows(repeat_customers, cdnow_model):
    grouped = repeat_customers.group_by("x", "zbar").len()
    assert grouped.height < repeat_customers.height
    model = GammaGamma().fit(grouped["x"], grouped["zbar"], weights=grouped["len"])
    for name, value in cdnow_model.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [1.0]), "same length"),
        (([0, 2], [0.0, 3.0]), "frequency 0"),
        (([1, 2], [-1.0, 3.0]), "monetary ≤ 0"),
        (([1.5, 2], [1.0, 3.0]), "whole numbers"),
        (([2], [3.0]), "at least two repeat customers"),
        (([2, 3, 1], [3.0, 3.0, 3.0]), "at least two repeat customers"),
    ],
)
def test_fit_rejects_bad_or_degenerate_data(args, message):
    with pytest.raises(ValueError) as info:
        GammaGamma().fit(*args)
    assert message in str(info.value)


def test_unfitted_model_raises_a_clear_error():
    with pytest.raises(NotFittedError, match="GammaGamma model is not fitted yet"):
        GammaGamma().conditional_expected_average_spend([1], [10.0])
    with pytest.raises(NotFittedError):
        GammaGamma().population_mean_spend()
