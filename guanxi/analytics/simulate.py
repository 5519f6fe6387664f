"""Draw customer summaries from a known BG/NBD process (for tests, benchmarks and demos)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from guanxi.analytics.base import FloatArray


def simulate_beta_geo(
    T: ArrayLike,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Frequency, recency and T for customers observed ``T`` periods after their first purchase.

    Each customer draws λ ~ Gamma(r, rate α) and p ~ Beta(a, b), buys at Poisson rate λ, and
    after every repeat purchase drops out with probability p (the first purchase, at time 0, is
    not a repeat).
    """
    for name, value in (("r", r), ("alpha", alpha), ("a", a), ("b", b)):
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value}.")
    age = np.asarray(T, dtype=np.float64).ravel()
    if np.any(age < 0) or not np.all(np.isfinite(age)):
        raise ValueError("T must be finite and not negative.")
    n = age.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    clock = np.zeros(n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    active = np.flatnonzero(lam > 0)
    # Vectorised over customers, one purchase per pass; the active set shrinks every pass.
    while active.size:
        clock[active] += rng.exponential(1.0 / lam[active])
        bought = clock[active] <= age[active]
        active = active[bought]
        x[active] += 1
        t_x[active] = clock[active]
        active = active[rng.random(active.size) >= p[active]]
    return x, t_x, age


def _check_positive(**params: float) -> None:
    for name, value in params.items():
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value}.")


def simulate_pareto_nbd(
    T: ArrayLike,
    *,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Frequency, recency and T for customers observed ``T`` periods after their first purchase.

    Each customer draws λ ~ Gamma(r, rate α) and μ ~ Gamma(s, rate β), stays alive for an
    Exp(μ) lifetime τ and buys at Poisson rate λ until min(τ, T) (the first purchase, at time
    0, is not a repeat).
    """
    _check_positive(r=r, alpha=alpha, s=s, beta=beta)
    age = np.asarray(T, dtype=np.float64).ravel()
    if np.any(age < 0) or not np.all(np.isfinite(age)):
        raise ValueError("T must be finite and not negative.")
    n = age.size
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    span = np.minimum(rng.exponential(1.0, n) / mu, age)
    # Exact in one pass: the count in (0, span] is Poisson(λ·span) and, given the count k, the
    # purchase times are k uniforms on (0, span], so the last one is span·U^(1/k).
    x = rng.poisson(lam * span).astype(np.float64)
    rep = x > 0
    t_x = np.zeros(n)
    t_x[rep] = span[rep] * rng.random(int(rep.sum())) ** (1.0 / x[rep])
    return x, t_x, age


def simulate_gamma_gamma(
    frequency: ArrayLike,
    *,
    p: float,
    q: float,
    gamma: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Mean repeat spend per customer under the Gamma-Gamma model (0 where frequency is 0).

    Each customer draws ν ~ Gamma(q, rate γ); each of their x transactions is Gamma(p, rate ν).
    """
    _check_positive(p=p, q=q, gamma=gamma)
    x = np.asarray(frequency, dtype=np.float64).ravel()
    if not np.all(np.isfinite(x)) or np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must hold whole, non-negative numbers.")
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    rep = x > 0
    spend = np.zeros(x.size)
    # The sum of x independent Gamma(p, ν) values is Gamma(px, ν): one draw per customer.
    spend[rep] = rng.gamma(p * x[rep], 1.0 / nu[rep]) / x[rep]
    return spend
