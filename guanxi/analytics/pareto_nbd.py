"""The Pareto/NBD model with the scikit-learn estimator contract.

Schmittlein, Morrison & Colombo (1987), "Counting your customers: who are they and what will they
do next?", in the form derived by Fader & Hardie (2005), "A note on deriving the Pareto/NBD model
and related expressions". While alive a customer buys at Poisson rate λ ~ Gamma(r, α); they stay
alive for an exponential lifetime with rate μ ~ Gamma(s, β). Inputs are the summary columns of
`guanxi.analytics.summary.summarize`: frequency x, recency t_x and age T.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize
from scipy.special import digamma, gammaln, logsumexp

from guanxi.analytics.base import (
    FloatArray,
    NotFittedError,
    _Estimator,
    _purchase_fit_inputs,
    _standard_errors,
    _validate_summary,
)

# The series below stops once its remaining tail is below this fraction of its sum.
_SERIES_RTOL = 1e-16
_SERIES_MAX_TERMS = 100_000
# Above this z the series needs more than a few hundred terms (it needs ~ 37/(1−z)), so those rows
# are integrated numerically instead. z → 1 is common, not exotic: when the fit drifts along the
# flat ridge s, β → ∞ (homogeneous drop-out rates), β ≫ α + T and 1 − z ~ 1e-4.
_SERIES_Z_MAX = 0.9
# Quadrature: the integrand is cut where it is e^-40 below its peak, and the node spacing in
# log τ is at most 0.5 and shrinks like 1/sqrt(exponents) as the peak sharpens. Checked against
# mpmath (50 digits) over exponents 0.05–500 and scales 1e-2–1e8: values agree to 4e-16, the
# gradient to 1e-12 relative.
_QUAD_DROP = 40.0
_QUAD_MAX_STEP = 0.5
_QUAD_MAX_CELLS = 4_000_000  # rows × nodes evaluated at once, to bound memory
# A row needing more nodes only arises at absurd trial parameters (a line search overshooting);
# it is left NaN, the likelihood there is infinite, and the optimiser steps back.
_QUAD_MAX_NODES = 1 << 16


class _Series(NamedTuple):
    """S = 2F1(1, u; v; z) = Σ_k (u)_k / (v)_k z^k and its partial derivatives."""

    s: FloatArray
    ds_dz: FloatArray
    ds_du: FloatArray
    ds_dv: FloatArray


def _hyp2f1_1(u: FloatArray, v: FloatArray, z: FloatArray) -> _Series:
    """2F1(1, u; v; z) for 0 ≤ z < 1 and 0 < u < v, with its derivatives in z, u and v.

    Every term is positive and each is at most z times the previous one (the ratio is
    z(u+k)/(v+k) < z), so the sum is free of cancellation, lies in [1, 1/(1−z)] and cannot
    overflow. The loop is vectorised over customers; customers whose tail has become negligible
    are written out and dropped from the working arrays every few passes, so the cost is set by
    the largest z, which the caller keeps at or below _SERIES_Z_MAX.
    """
    n = z.size
    out = np.empty((4, n))
    # At z = 0 (α = β) the sum is 1 and its slope in z is the first coefficient u/v.
    out[0] = 1.0
    out[1] = u / v
    out[2:] = 0.0
    idx = np.flatnonzero(z > 0)
    uu, vv, zz = u[idx], v[idx], z[idx]
    s = np.ones(idx.size)
    kterm = np.zeros(idx.size)  # Σ (k+1)·term_k+1, i.e. z·dS/dz
    su = np.zeros(idx.size)
    sv = np.zeros(idx.size)
    term = np.ones(idx.size)  # (u)_k / (v)_k z^k
    h_u = np.zeros(idx.size)  # Σ_{j<k} 1/(u+j): d log (u)_k / du
    h_v = np.zeros(idx.size)

    def flush(done: NDArray[np.bool_]) -> None:
        j = idx[done]
        out[0, j] = s[done]
        out[1, j] = kterm[done] / zz[done]
        out[2, j] = su[done]
        out[3, j] = -sv[done]

    for k in range(_SERIES_MAX_TERMS):
        if idx.size == 0:
            break
        h_u += 1.0 / (uu + k)
        h_v += 1.0 / (vv + k)
        term *= zz * ((uu + k) / (vv + k))
        s += term
        kterm += (k + 1) * term
        su += term * h_u
        sv += term * h_v
        if k % 4 == 3:
            # The tail after this term is at most term·z/(1−z); the derivative sums carry an
            # extra factor that grows like k or log k, hence the (k + 2)(1 + h_v) margin.
            done = term * ((k + 2) * (1.0 + h_v)) <= _SERIES_RTOL * (1.0 - zz) * s
            if done.any():
                flush(done)
                keep = ~done
                idx, uu, vv, zz = idx[keep], uu[keep], vv[keep], zz[keep]
                s, kterm, su, sv = s[keep], kterm[keep], su[keep], sv[keep]
                term, h_u, h_v = term[keep], h_u[keep], h_v[keep]
    flush(np.ones(idx.size, dtype=bool))
    return _Series(out[0], out[1], out[2], out[3])


class _LogIntegral(NamedTuple):
    """log I(y) and its gradient w.r.t. (r, α, s, β), one row per parameter."""

    value: FloatArray
    grad: FloatArray


def _log_tail_integral(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, y: FloatArray
) -> _LogIntegral:
    """log I(y), I(y) = ∫_y^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ, with its gradient.

    I(y) is the Gauss hypergeometric part of the likelihood: Fader & Hardie's A0 equals
    (r+s+x)/s · (I(t_x) − I(T)). With A = r+x, B = s+1 and (p1, A1, p2, B1) = (α, A, β, B) when
    α ≥ β, or the roles swapped when α < β (the standard choice of parametrisation, which keeps z
    in [0, 1)),

        I(y) = (p1+y)^−A1 (p2+y)^(1−B1) / (A+B−1) · 2F1(1, A1; A+B; z),  z = (p1−p2)/(p1+y),

    which is the usual 2F1(r+s+x, ·; r+s+x+1; z) after an Euler transformation. The powers are
    kept as logs so large frequencies and ages cannot overflow. Rows with z > _SERIES_Z_MAX,
    where the series converges slowly, are integrated by quadrature instead.
    """
    a_big = r + x
    b_big = s + 1.0
    swap = alpha < beta
    p1, p2 = (beta, alpha) if swap else (alpha, beta)
    z = (p1 - p2) / (p1 + y)
    far = z > _SERIES_Z_MAX
    near = ~far
    a_big = np.broadcast_to(a_big, x.shape).astype(np.float64)
    value = np.empty(x.shape)
    grad = np.empty((4, *x.shape))
    if far.any():
        q = _log_integral_quadrature(a_big[far], alpha + y[far], s + 1.0, beta + y[far])
        value[far], grad[:, far] = q.value, q.grad
    if not near.any():
        return _LogIntegral(value, grad)
    a_big, y, z = a_big[near], y[near], z[near]
    a1, b1 = (b_big, a_big) if swap else (a_big, b_big)
    a1 = np.broadcast_to(a1, y.shape).astype(np.float64)
    b1 = np.broadcast_to(b1, y.shape).astype(np.float64)
    v = a_big + b_big
    ser = _hyp2f1_1(a1, v, z)
    log_p1y = np.log(p1 + y)
    log_p2y = np.log(p2 + y)
    value[near] = -a1 * log_p1y + (1.0 - b1) * log_p2y - np.log(v - 1.0) + np.log(ser.s)
    inv_s = 1.0 / ser.s
    d_a1 = -log_p1y - 1.0 / (v - 1.0) + (ser.ds_du + ser.ds_dv) * inv_s
    d_b1 = -log_p2y - 1.0 / (v - 1.0) + ser.ds_dv * inv_s
    dz = ser.ds_dz * inv_s
    d_p1 = -a1 / (p1 + y) + dz * (p2 + y) / (p1 + y) ** 2
    d_p2 = (1.0 - b1) / (p2 + y) - dz / (p1 + y)
    # Rows in (r, α, s, β) order; with the roles swapped A1 is s+1's partner and p1 is β.
    order = [d_b1, d_p2, d_a1, d_p1] if swap else [d_a1, d_p1, d_b1, d_p2]
    grad[:, near] = np.stack(order)
    return _LogIntegral(value, grad)


def _log_integral_quadrature(a: FloatArray, p: FloatArray, b: float, q: FloatArray) -> _LogIntegral:
    """log ∫_0^∞ (p+t)^−a (q+t)^−b dt and its gradient in (a, p, b, q), by quadrature.

    With t = e^σ the log-integrand φ(σ) = σ − a log(p+e^σ) − b log(q+e^σ) is concave and
    analytic within |Im σ| < π, so the trapezoid rule over the range where φ is within
    _QUAD_DROP of its peak converges geometrically, whatever 1 − z is. The peak solves a
    quadratic in e^σ. The gradient is exact for the discretised integral: d log I/da is the
    integrand-weighted mean of −log(p+t), and so on, so value and gradient stay consistent.
    """
    b_arr = np.full(a.shape, b)
    m = a + b_arr - 1.0
    # Peak: (a+b−1)t² − ((1−b)p + (1−a)q)t − pq = 0, solved in units of q to avoid overflow.
    rho = p / q
    lin = rho * (1.0 - b_arr) + (1.0 - a)
    disc = np.sqrt(lin * lin + 4.0 * m * rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        peak_t = np.where(lin > 0, (lin + disc) / (2.0 * m), 2.0 * rho / (disc - lin))
    log_p, log_q = np.log(p), np.log(q)

    def phi(sig: FloatArray) -> FloatArray:
        return sig - a * np.logaddexp(log_p, sig) - b_arr * np.logaddexp(log_q, sig)

    def dphi(sig: FloatArray) -> FloatArray:
        return 1.0 - a / (1.0 + np.exp(log_p - sig)) - b_arr / (1.0 + np.exp(log_q - sig))

    goal = phi(log_q + np.log(peak_t)) - _QUAD_DROP
    # Start from where the bounds φ ≤ σ − a log p − b log q and φ ≤ (1−a−b)σ reach the goal:
    # both lie outside the range, and Newton steps on a concave function never cross the root.
    left = goal + a * log_p + b_arr * log_q
    right = -goal / m
    with np.errstate(over="ignore"):
        for _ in range(8):
            left = left - (phi(left) - goal) / dphi(left)
            right = right - (phi(right) - goal) / dphi(right)
    step = np.minimum(_QUAD_MAX_STEP, _quadrature_step(a, log_p, b_arr, log_q, left, right, goal))
    need = np.ceil((right - left) / step)
    value = np.full(a.shape, np.nan)
    grad = np.full((4, *a.shape), np.nan)
    ok = np.isfinite(need) & np.isfinite(goal) & (need < _QUAD_MAX_NODES)
    # Rows are grouped by node count (rounded up to a power of two) so one awkward row does not
    # set the cost of all the others.
    nodes = np.where(ok, 2 ** np.ceil(np.log2(np.maximum(need, 16.0) + 1.0)), 0).astype(np.int64)
    for n in np.unique(nodes[ok]):
        rows = np.flatnonzero(nodes == n)
        for chunk in np.array_split(rows, -(-rows.size * n // _QUAD_MAX_CELLS)):
            lo, hi = left[chunk, None], right[chunk, None]
            width = (hi - lo) / (n - 1)
            sig = lo + width * np.arange(n)
            log_pt = np.logaddexp(log_p[chunk, None], sig)
            log_qt = np.logaddexp(log_q[chunk, None], sig)
            f = sig - a[chunk, None] * log_pt - b * log_qt
            total = logsumexp(f, axis=1, keepdims=True)
            weight = np.exp(f - total)
            value[chunk] = total[:, 0] + np.log(width[:, 0])
            grad[0, chunk] = -(weight * log_pt).sum(axis=1)
            grad[1, chunk] = -a[chunk] * (weight * np.exp(-log_pt)).sum(axis=1)
            grad[2, chunk] = -(weight * log_qt).sum(axis=1)
            grad[3, chunk] = -b * (weight * np.exp(-log_qt)).sum(axis=1)
    return _LogIntegral(value, grad)


def _quadrature_step(
    a: FloatArray,
    log_p: FloatArray,
    b: FloatArray,
    log_q: FloatArray,
    left: FloatArray,
    right: FloatArray,
    goal: FloatArray,
) -> FloatArray:
    """Trapezoid spacing for _log_integral_quadrature, from the curvature of φ.

    Off the real axis Re φ(σ+iy) ≈ φ(σ) + |φ''(σ)| y²/2, so a point where the integrand is
    e^−d below its peak contributes an error of about e^(−d − 2π²/(h²|φ''|)) (optimising over
    y), i.e. h ≤ π·sqrt(2 / (|φ''|·(37 − d))) keeps it below e^−37. |φ''| peaks near σ = log p
    and σ = log q, so those points join an even grid over the range.
    """
    grid = np.linspace(0.0, 1.0, 33)
    sig = np.concatenate(
        [
            left[:, None] + (right - left)[:, None] * grid,
            np.clip(log_p, left, right)[:, None],
            np.clip(log_q, left, right)[:, None],
        ],
        axis=1,
    )
    with np.errstate(over="ignore"):
        in_p = 1.0 / (1.0 + np.exp(log_p[:, None] - sig))  # t/(p+t)
        in_q = 1.0 / (1.0 + np.exp(log_q[:, None] - sig))
    phi = sig - a[:, None] * np.logaddexp(log_p[:, None], sig)
    phi = phi - b[:, None] * np.logaddexp(log_q[:, None], sig)
    curv = a[:, None] * in_p * (1.0 - in_p) + b[:, None] * in_q * (1.0 - in_q)
    drop = (goal + _QUAD_DROP)[:, None] - phi
    need = (curv * np.maximum(37.0 - drop, 0.0)).max(axis=1)
    with np.errstate(divide="ignore"):
        return np.pi * np.sqrt(2.0 / need)


class _PData(NamedTuple):
    x: FloatArray
    t_x: FloatArray
    age: FloatArray
    w: FloatArray


class ParetoNBD(_Estimator):
    """Pareto/NBD model fitted by maximum likelihood, with an analytic gradient.

    Fitted attributes: ``params_`` (dict r, alpha, s, beta), ``log_likelihood_`` (weighted
    total), ``standard_errors_`` (dict, NaN where the Hessian is not positive definite),
    ``n_customers_`` and ``converged_``.
    """

    param_names = ("r", "alpha", "s", "beta")
    # Upper bound on s. When drop-out rates barely differ between customers the likelihood keeps
    # rising, ever more slowly, along s/β = const as s, β → ∞ (the limit is one common rate
    # μ = s/β), and the optimiser would wander out along that ridge. At s = 1e3 the Gamma(s, β)
    # rates have a coefficient of variation of 3%, and the log-likelihood is within ~0.01 of
    # that limit on such data (Guanxi's demo data: −15793.39 either way).
    _S_MAX = 1e3
    _WARM_START_ABOVE = 200_000
    _WARM_START_ROWS = 50_000

    # -- likelihood ----------------------------------------------------------------------------
    @staticmethod
    def _loglik_terms(params: FloatArray, d: _PData) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per-customer log-likelihood, its gradient (4 × n) and the log odds of being alive.

        L = Γ(r+x) α^r β^s / Γ(r) · [(α+T)^−(r+x) (β+T)^−s + s (I(t_x) − I(T))]: the customer
        is either still alive at T, or died at some τ in (t_x, T] (Fader & Hardie 2005, eq. 19).
        """
        r, alpha, s, beta = params
        x, t_x, age = d.x, d.t_x, d.age
        log_at, log_bt = np.log(alpha + age), np.log(beta + age)
        l_alive = -(r + x) * log_at - s * log_bt
        i_tx = _log_tail_integral(r, alpha, s, beta, x, t_x)
        i_t = _log_tail_integral(r, alpha, s, beta, x, age)
        log_s = np.log(s)
        l_dead_tx = log_s + i_tx.value
        top = np.maximum(l_alive, l_dead_tx)
        e_alive = np.exp(l_alive - top)
        e_tx = np.exp(l_dead_tx - top)
        e_t = np.exp(log_s + i_t.value - top)
        # The dead term I(t_x) − I(T) ≥ 0; clip the rounding error when t_x is close to T.
        e_dead = np.maximum(e_tx - e_t, 0.0)
        bracket = e_alive + e_dead
        ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        ll = ll + top + np.log(bracket)
        g_alive = np.stack([-log_at, -(r + x) / (alpha + age), -log_bt, -s / (beta + age)])
        g_dead = e_tx * i_tx.grad - e_t * i_t.grad
        g = (e_alive * g_alive + g_dead) / bracket
        g[0] += digamma(r + x) - digamma(r) + np.log(alpha)
        g[1] += r / alpha
        g[2] += np.log(beta) + e_dead / (bracket * s)  # d/ds of the factor s in s·(I − I)
        g[3] += s / beta
        return ll, g, np.log(e_alive) - np.log(bracket)

    def _total_loglik(self, params: FloatArray, d: _PData) -> tuple[float, FloatArray]:
        ll, g, _ = self._loglik_terms(params, d)
        return float(d.w @ ll), g @ d.w

    def _negloglik(self, log_params: FloatArray, d: _PData) -> tuple[float, FloatArray]:
        # A line search may try absurd parameters; the non-finite result below sends it back.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            params = np.exp(log_params)
            total, g = self._total_loglik(params, d)
        scale = d.w.sum()
        if not np.isfinite(total) or not np.all(np.isfinite(g)):
            return np.inf, np.zeros(4)
        # Chain rule for the log parametrisation: d/d log θ = θ d/dθ.
        return -total / scale, -g * params / scale

    # -- estimator contract --------------------------------------------------------------------
    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> ParetoNBD:
        """Fit by maximum likelihood; ``weights`` count identical (x, t_x, T) rows."""
        x, t_x, age, w = _purchase_fit_inputs("Pareto/NBD", frequency, recency, T, weights)

        data = _PData(x, t_x, age, w)
        log_params, converged = None, False
        if x.size > self._WARM_START_ABOVE:
            log_params = self._fit_large(data)
            converged = log_params is not None
        if log_params is None:
            result = optimize.minimize(
                self._negloglik,
                x0=np.zeros(4),
                args=(data,),
                jac=True,
                method="L-BFGS-B",
                bounds=self._bounds(),
                options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-11},
            )
            log_params, converged = result.x, bool(result.success)
        fun = self._negloglik(log_params, data)[0]
        params = np.exp(log_params)
        if not np.all(np.isfinite(params)) or not np.isfinite(fun):
            raise ValueError("Pareto/NBD fit did not converge to finite parameters on this data.")
        self.params_ = dict(zip(self.param_names, (float(p) for p in params), strict=True))
        self.log_likelihood_ = float(-fun * w.sum())
        self.converged_ = converged
        self.n_customers_ = float(w.sum())
        self.standard_errors_ = _standard_errors(
            lambda point: -self._total_loglik(point, data)[1], params, self.param_names
        )
        return self

    def _fit_large(self, data: _PData) -> FloatArray | None:
        """Fit a large sample: optimise on an evenly strided subsample, then Newton steps on all.

        Every full-data evaluation is expensive, and L-BFGS from a warm start still spends
        dozens of them rebuilding curvature. The subsample's Hessian (of the mean negative
        log-likelihood, so on the same scale as the full data's) is a close approximation, so a
        few Newton steps with it reach the full-data optimum. Returns None (the caller then runs
        the plain optimiser) if the steps do not settle.
        """
        step = max(1, data.x.size // self._WARM_START_ROWS)
        sub = _PData(*(arr[::step] for arr in data))
        if not np.any(sub.x > 0):
            return None
        warm = optimize.minimize(
            self._negloglik,
            x0=np.zeros(4),
            args=(sub,),
            jac=True,
            method="L-BFGS-B",
            bounds=self._bounds(),
        )
        point = warm.x
        # Newton steps ignore the bound on s, so a subsample optimum on it goes the plain way.
        if not np.all(np.isfinite(point)) or point[2] >= np.log(self._S_MAX) - 1e-6:
            return None
        hess = np.empty((4, 4))
        h = 1e-5
        for j in range(4):
            up, down = point.copy(), point.copy()
            up[j] += h
            down[j] -= h
            hess[:, j] = (self._negloglik(up, sub)[1] - self._negloglik(down, sub)[1]) / (2 * h)
        hess = (hess + hess.T) / 2
        try:
            np.linalg.cholesky(hess)
        except np.linalg.LinAlgError:
            return None
        _, grad = self._negloglik(point, data)
        for _ in range(30):
            move = -np.linalg.solve(hess, grad)
            if not np.all(np.isfinite(move)) or np.abs(move).max() > 1.0:
                return None
            point = point + move
            if np.abs(move).max() < 1e-9:
                return point
            _, new_grad = self._negloglik(point, data)
            # BFGS update: the subsample's curvature is least accurate along the flat s–β
            # ridge, and each secant step corrects it there.
            change = new_grad - grad
            grad = new_grad
            curv = float(change @ move)
            if curv > 0:
                h_move = hess @ move
                hess = (
                    hess
                    + np.outer(change, change) / curv
                    - np.outer(h_move, h_move) / float(move @ h_move)
                )
        return None

    def _bounds(self) -> list[tuple[float | None, float | None]]:
        """Bounds on the log parameters: only s is capped (see _S_MAX)."""
        return [(None, None), (None, None), (None, float(np.log(self._S_MAX))), (None, None)]

    def _fitted(self) -> FloatArray:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                "This ParetoNBD model is not fitted yet; call fit(frequency, recency, T) first."
            )
        return np.array([self.params_[k] for k in self.param_names])

    # -- predictions ---------------------------------------------------------------------------
    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """P(still active at T | x, t_x, T) (Fader & Hardie 2005, eq. 18)."""
        params = self._fitted()
        x, t_x, age = _validate_summary(frequency, recency, T)
        _, _, log_alive = self._loglik_terms(params, _PData(x, t_x, age, np.ones_like(x)))
        return np.minimum(np.exp(log_alive), 1.0)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """E[X(T, T+t) | x, t_x, T]: expected purchases in the next t periods.

        (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive), with the s → 1
        limit taken smoothly (Fader & Hardie 2005, eq. 22).
        """
        r, alpha, s, beta = self._fitted()
        x, t_x, age = _validate_summary(frequency, recency, T)
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0):
            raise ValueError("t must not be negative.")
        alive = self.conditional_probability_alive(x, t_x, age)
        return (r + x) * (beta + age) / (alpha + age) * _lifetime_factor(s, t, beta + age) * alive

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> FloatArray:
        """E[X(t)]: expected repeat purchases of a new customer in t periods.

        rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)] (Fader & Hardie 2005, eq. 17).
        """
        r, alpha, s, beta = self._fitted()
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0):
            raise ValueError("t must not be negative.")
        return r * beta / alpha * _lifetime_factor(s, t, beta)


def _lifetime_factor(s: float, t: FloatArray, base: FloatArray | float) -> FloatArray:
    """[1 − (base/(base+t))^(s−1)] / (s−1), i.e. ∫_0^t (base/(base+u))^s du / base.

    Written with expm1/log1p so it stays accurate as s → 1, where it tends to log1p(t/base).
    """
    log_ratio = np.log1p(t / base)
    if abs(s - 1.0) < 1e-12:
        return log_ratio
    return -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
