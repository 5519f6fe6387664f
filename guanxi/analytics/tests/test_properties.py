"""Property tests: the estimators recover the parameters they simulate from, and predictions are
monotone where the theory says so. Derandomized, so every run checks the same examples."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics import BetaGeo, GammaGamma
from guanxi.analytics.simulate import simulate_beta_geo, simulate_gamma_gamma
from guanxi.analytics.value import clv, predictive_clp

# Recovery tests simulate and fit tens of thousands of customers: few examples.
FIT = settings(max_examples=3, derandomize=True, deadline=None)
# Monotonicity tests evaluate closed forms only.
CHEAP = settings(max_examples=25, derandomize=True, deadline=None)
# Within this many standard errors: 4 SE keeps a false alarm below 1 in 10,000 per parameter.
WITHIN_SE = 4.0
# A looser stop than the default halves the fit time and moves the estimates by about 1 % of a
# standard error, which is irrelevant against a 4-SE band.
LOOSE = 1e-8

seeds = st.integers(min_value=0, max_value=2**32 - 1)
# Sensible BG/NBD ranges (CDNOW: r=0.24, α=4.4, a=0.79, b=2.4; weekly data). a stays off 1,
# where the conditional expectation's (a − 1) denominator vanishes.
bg_params = st.fixed_dictionaries(
    {
        "r": st.floats(0.2, 2.0),
        "alpha": st.floats(1.0, 15.0),
        "a": st.one_of(st.floats(0.5, 0.9), st.floats(1.2, 3.0)),
        "b": st.floats(1.5, 8.0),
    }
)
gg_params = st.fixed_dictionaries(
    {"p": st.floats(2.0, 10.0), "q": st.floats(2.0, 6.0), "gamma": st.floats(5.0, 50.0)}
)


def _model(params: dict[str, float]) -> BetaGeo:
    model = BetaGeo()
    model.params_ = dict(params)  # a known model without fitting (fitted attribute set directly)
    return model


def _spend_model(params: dict[str, float]) -> GammaGamma:
    model = GammaGamma()
    model.params_ = dict(params)
    return model


def _assert_recovered(model, truth: dict[str, float]) -> None:
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert np.isfinite(se) and se > 0, (name, se)
        assert abs(model.params_[name] - value) <= WITHIN_SE * se, (name, model.params_, truth)


@FIT
@given(params=bg_params, n=st.integers(20_000, 40_000), seed=seeds)
def test_beta_geo_recovers_simulated_parameters(params, n, seed):
    rng = np.random.default_rng(seed)
    # Customers acquired over half a year, observed for 39 to 65 weeks.
    age = rng.uniform(39.0, 65.0, n)
    x, t_x, age = simulate_beta_geo(age, **params, rng=rng)
    model = BetaGeo(tol=LOOSE).fit(x, t_x, age)
    assert model.converged_
    _assert_recovered(model, params)


@FIT
@given(params=gg_params, n=st.integers(20_000, 50_000), seed=seeds)
def test_gamma_gamma_recovers_simulated_parameters(params, n, seed):
    rng = np.random.default_rng(seed)
    frequency = 1.0 + rng.poisson(2.0, n)  # repeat customers only, as the model is fitted on
    monetary = simulate_gamma_gamma(frequency, **params, rng=rng)
    model = GammaGamma(tol=LOOSE).fit(frequency, monetary)
    assert model.converged_
    _assert_recovered(model, params)


@CHEAP
@given(
    params=bg_params,
    x=st.integers(0, 30),
    t_x=st.floats(0.0, 50.0),
    extra=st.lists(st.floats(0.0, 200.0), min_size=2, max_size=10),
)
def test_probability_alive_does_not_rise_with_time_since_last_purchase(params, x, t_x, extra):
    t_x = t_x if x > 0 else 0.0
    ages = t_x + np.sort(np.asarray(extra))
    n = ages.size
    alive = _model(params).conditional_probability_alive(np.full(n, x), np.full(n, t_x), ages)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.diff(alive) <= 1e-12)


@CHEAP
@given(
    params=bg_params,
    x=st.integers(0, 30),
    t_x=st.floats(0.0, 50.0),
    gap=st.floats(0.0, 50.0),
    ts=st.lists(st.floats(0.0, 500.0), min_size=2, max_size=10),
)
def test_conditional_expected_purchases_do_not_fall_with_the_window(params, x, t_x, gap, ts):
    t_x = t_x if x > 0 else 0.0
    model = _model(params)
    ts = np.sort(np.asarray(ts))
    expected = np.array(
        [
            model.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, t_x + gap)[0]
            for t in ts
        ]
    )
    assert np.all(expected >= -1e-12)
    assert np.all(np.diff(expected) >= -1e-9 * (1 + expected[1:]))


def _customers(draw_x, draw_tx, draw_gap):
    x = np.asarray(draw_x, dtype=float)
    t_x = np.where(x > 0, np.asarray(draw_tx), 0.0)
    return x, t_x, t_x + np.asarray(draw_gap)


customers = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 20), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n),
        st.lists(st.floats(1.0, 500.0), min_size=n, max_size=n),
    )
)


@CHEAP
@given(
    bg=bg_params,
    gg=gg_params,
    data=customers,
    horizons=st.lists(st.floats(0.0, 200.0), min_size=2, max_size=5),
    rates=st.lists(st.floats(0.0, 0.2), min_size=2, max_size=5),
    step=st.sampled_from([1.0, 4.0, 4.345, 30.0]),
)
def test_clv_grows_with_the_horizon_and_falls_with_the_discount_rate(
    bg, gg, data, horizons, rates, step
):
    x, t_x, age = _customers(*data[:3])
    monetary = np.where(x > 0, np.asarray(data[3]), 0.0)
    purchase, spend = _model(bg), _spend_model(gg)
    tol = 1e-9

    by_horizon = [
        clv(purchase, spend, x, t_x, age, monetary, horizon=h, discount_rate=0.01, step=step)
        for h in sorted(horizons)
    ]
    for shorter, longer in zip(by_horizon, by_horizon[1:], strict=False):
        assert np.all(longer >= shorter - tol * (1 + np.abs(longer)))

    by_rate = [
        clv(purchase, spend, x, t_x, age, monetary, horizon=104, discount_rate=d, step=step)
        for d in sorted(rates)
    ]
    for lower, higher in zip(by_rate, by_rate[1:], strict=False):
        assert np.all(higher <= lower + tol * (1 + np.abs(lower)))


@CHEAP
@given(
    bg=bg_params,
    gg=gg_params,
    data=customers,
    margin=st.floats(0.0, 1.0),
    # Whole amounts: steps far above float resolution (a 1e-38 rise is no rise in practice).
    per_period=st.lists(st.integers(0, 100), min_size=2, max_size=4, unique=True),
    per_purchase=st.lists(st.integers(0, 100), min_size=2, max_size=4, unique=True),
)
def test_predictive_clp_falls_as_the_cost_to_serve_grows(
    bg, gg, data, margin, per_period, per_purchase
):
    x, t_x, age = _customers(*data[:3])
    monetary = np.where(x > 0, np.asarray(data[3]), 0.0)
    purchase, spend = _model(bg), _spend_model(gg)

    def clp(period_cost: float, purchase_cost: float) -> np.ndarray:
        return predictive_clp(
            purchase,
            spend,
            x,
            t_x,
            age,
            monetary,
            horizon=52,
            discount_rate=0.01,
            step=4,
            margin_rate=margin,
            cost_to_serve_per_period=period_cost,
            cost_to_serve_per_purchase=purchase_cost,
        ).clp

    # Every customer is served some time and buys a little in a year, so more cost is always
    # strictly less profit.
    values = [clp(c, 0.0) for c in sorted(per_period)]
    for cheaper, dearer in zip(values, values[1:], strict=False):
        assert np.all(dearer < cheaper)
    values = [clp(0.0, c) for c in sorted(per_purchase)]
    for cheaper, dearer in zip(values, values[1:], strict=False):
        assert np.all(dearer < cheaper)
