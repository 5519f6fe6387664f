"""Draw customer summaries from a known BG/NBD process (for tests, benchmarks and demos)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from guanxi.analytics.models import FloatArray


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
