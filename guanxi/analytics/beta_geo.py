"""BG/NBD purchase model with the scikit-learn estimator contract.

`BetaGeo` is the BG/NBD model of Fader, Hardie & Lee (2005), "Counting your customers the easy
way". While alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each repeat purchase they
drop out with probability p ~ Beta(a, b). Inputs are the summary columns of
`guanxi.analytics.summary.summarize`: frequency x, recency t_x and age T.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize
from scipy.special import betaln, digamma, gammaln, hyp2f1, polygamma

from guanxi.analytics.base import (
    FloatArray,
    NotFittedError,
    _dot,
    _Estimator,
    _purchase_fit_inputs,
    _validate_summary,
)


class _BGData(NamedTuple):
    """Fit inputs split once by frequency, so each likelihood evaluation does the least work.

    Customers without a repeat purchase (often most of them) contribute only −r·ln(α+T): they
    are kept apart from the repeat buyers, whose terms need logs, an exponential and a log1p.
    """

    xu: FloatArray  # distinct frequencies (0 included when present)
    w_u: FloatArray  # total weight per distinct frequency
    age0: FloatArray  # T of the customers with x = 0
    w0: FloatArray
    x1: FloatArray  # repeat buyers (x > 0): frequency, recency, T, weight
    t_x1: FloatArray
    age1: FloatArray
    w1: FloatArray
    inv1: NDArray[np.intp]  # index of each repeat buyer's frequency in xu
    w_total: float


class _BGTerms(NamedTuple):
    """What one evaluation at (r, α, a, b) computes once for the value, gradient and Hessian.

    Arrays named *_u have one entry per distinct frequency, ``inv_at0`` one per customer without
    a repeat purchase, the other arrays one per repeat buyer.
    """

    sum_log0: float  # Σ w ln(α+T) over customers with x = 0
    sum_inv0: float  # Σ w/(α+T) over customers with x = 0
    inv_at0: FloatArray  # their 1/(α+T)
    rx: FloatArray  # r + x
    log_at: FloatArray  # ln(α+T)
    inv_T: FloatArray  # 1/(α+T)
    inv_t: FloatArray  # 1/(α+t_x)
    gap: FloatArray  # ln(α+T) − ln(α+t_x)
    h: FloatArray  # ∂ gap/∂α
    e: FloatArray  # exp(−|δ|)
    inv_1pe: FloatArray  # 1/(1+e)
    sum_softplus: float  # Σ w softplus(δ)
    wrx: FloatArray  # w·(r+x)
    ws: FloatArray  # w·σ(δ)
    ws_rx: FloatArray  # w·σ(δ)·(r+x)
    s_u: FloatArray  # Σ w·σ(δ) per distinct frequency
    inv_a_u: FloatArray  # 1/a, 0 where x = 0
    inv_b_u: FloatArray  # 1/(b+x−1), 0 where x = 0


def _bg_terms(params: FloatArray, d: _BGData) -> _BGTerms:
    """The per-customer logs, reciprocals and logistic terms of `BetaGeo._loglik_parts`, each
    computed once (mostly in place: these arrays are as long as the data) and shared by the
    value, gradient and Hessian."""
    r, alpha, a, b = params
    xu = d.xu
    rep_u = xu > 0
    xm1_u = np.where(rep_u, xu - 1.0, 1.0)  # placeholder keeps logs finite where masked

    # Customers without a repeat purchase: −r ln(α+T).
    at0 = d.age0 + alpha
    sum_log0 = _dot(d.w0, np.log(at0))
    np.reciprocal(at0, out=at0)
    sum_inv0 = _dot(d.w0, at0)

    # Repeat buyers.
    w1 = d.w1
    rx = d.x1 + r
    inv_t = d.t_x1 + alpha
    log_at = d.age1 + alpha
    inv_T = np.reciprocal(log_at)
    np.log(log_at, out=log_at)
    gap = np.log(inv_t)  # becomes ln(α+T) − ln(α+t_x) below
    np.subtract(log_at, gap, out=gap)
    np.reciprocal(inv_t, out=inv_t)
    c_u = np.log(a) - np.log(b + xm1_u)
    delta = rx * gap
    delta += c_u[d.inv1]
    e = np.abs(delta)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e = exp(−|δ|) ∈ (0, 1]
    inv_1pe = 1.0 + e
    # softplus(δ) = max(δ, 0) + ln(1 + e); σ(δ) = 1/(1+e) for δ ≥ 0, e/(1+e) otherwise.
    # ln(1 + e) rather than log1p(e): e ≤ 1, so the absolute error stays below 1e-16, and
    # numpy's log is several times faster than its log1p.
    sum_softplus = _dot(w1, np.log(inv_1pe)) + _dot(w1, np.maximum(delta, 0.0))
    np.reciprocal(inv_1pe, out=inv_1pe)
    s = e * inv_1pe
    np.copyto(s, inv_1pe, where=delta >= 0)
    ws = w1 * s
    return _BGTerms(
        sum_log0=sum_log0,
        sum_inv0=sum_inv0,
        inv_at0=at0,
        rx=rx,
        log_at=log_at,
        inv_T=inv_T,
        inv_t=inv_t,
        gap=gap,
        h=inv_T - inv_t,
        e=e,
        inv_1pe=inv_1pe,
        sum_softplus=sum_softplus,
        wrx=w1 * rx,
        ws=ws,
        ws_rx=ws * rx,
        s_u=np.bincount(d.inv1, weights=ws, minlength=xu.size),
        inv_a_u=np.where(rep_u, 1.0 / a, 0.0),
        inv_b_u=np.where(rep_u, 1.0 / (b + xm1_u), 0.0),
    )


def _bg_total(params: FloatArray, d: _BGData, t: _BGTerms) -> float:
    """The weighted total log-likelihood: the terms in x per distinct x, the rest per customer."""
    r, alpha, a, b = params
    xu = d.xu
    base_u = gammaln(r + xu) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xu) - betaln(a, b)
    return float(d.w_u @ base_u) - r * t.sum_log0 - _dot(t.wrx, t.log_at) + t.sum_softplus


def _bg_gradient(params: FloatArray, d: _BGData, t: _BGTerms) -> FloatArray:
    """Gradient of the weighted total log-likelihood in (r, α, a, b)."""
    r, alpha, a, b = params
    xu, w_u = d.xu, d.w_u
    dab = digamma(a + b)
    dabx_u = digamma(a + b + xu)
    g = np.empty(4)
    g[0] = (
        w_u @ (digamma(r + xu) - digamma(r) + np.log(alpha))
        - t.sum_log0
        - _dot(d.w1, t.log_at)
        + _dot(t.ws, t.gap)
    )
    g[1] = r / alpha * d.w_total - r * t.sum_inv0 - _dot(t.wrx, t.inv_T) + _dot(t.ws_rx, t.h)
    # d/da and d/db: the two mixture components differ only in the Beta-function terms.
    g[2] = w_u @ (dab - dabx_u) + t.s_u @ t.inv_a_u
    g[3] = w_u @ (digamma(b + xu) - digamma(b) + dab - dabx_u) - t.s_u @ t.inv_b_u
    return g


def _bg_hessian(params: FloatArray, d: _BGData, t: _BGTerms) -> FloatArray:
    """Hessian of the weighted total log-likelihood in (r, α, a, b), for Newton's method and the
    standard errors."""
    r, alpha, a, b = params
    xu, w_u, nu = d.xu, d.w_u, d.xu.size
    inv_a_u, inv_b_u, s_u = t.inv_a_u, t.inv_b_u, t.s_u
    # Second derivatives: d²softplus(δ) = s(1−s) ∇δ∇δᵀ + s ∇²δ, with s(1−s) = e/(1+e)².
    wq = d.w1 * t.e
    wq *= t.inv_1pe
    wq *= t.inv_1pe
    rx_h = t.rx * t.h
    qg = wq * t.gap
    qh = wq * rx_h
    q_u = np.bincount(d.inv1, weights=wq, minlength=nu)
    qg_u = np.bincount(d.inv1, weights=qg, minlength=nu)
    qh_u = np.bincount(d.inv1, weights=qh, minlength=nu)
    # ∂²gap/∂α² = 1/(α+t_x)² − 1/(α+T)²
    k = t.inv_t * t.inv_t
    k -= t.inv_T * t.inv_T
    sum_inv0_sq = _dot(d.w0, t.inv_at0 * t.inv_at0)
    trig_ab = polygamma(1, a + b) - polygamma(1, a + b + xu)
    hess = np.empty((4, 4))
    hess[0, 0] = w_u @ (polygamma(1, r + xu) - polygamma(1, r)) + _dot(qg, t.gap)
    hess[0, 1] = (
        d.w_total / alpha - t.sum_inv0 - _dot(d.w1, t.inv_T) + _dot(qg, rx_h) + _dot(t.ws, t.h)
    )
    hess[1, 1] = (
        -r / alpha**2 * d.w_total
        + r * sum_inv0_sq
        + _dot(t.wrx, t.inv_T * t.inv_T)
        + _dot(qh, rx_h)
        + _dot(t.ws_rx, k)
    )
    hess[0, 2] = qg_u @ inv_a_u
    hess[0, 3] = -(qg_u @ inv_b_u)
    hess[1, 2] = qh_u @ inv_a_u
    hess[1, 3] = -(qh_u @ inv_b_u)
    hess[2, 2] = w_u @ trig_ab + (q_u - s_u) @ (inv_a_u * inv_a_u)
    hess[2, 3] = w_u @ trig_ab - q_u @ (inv_a_u * inv_b_u)
    hess[3, 3] = w_u @ (polygamma(1, b + xu) - polygamma(1, b) + trig_ab) + (q_u + s_u) @ (
        inv_b_u * inv_b_u
    )
    upper = np.triu_indices(4, 1)
    hess[upper[1], upper[0]] = hess[upper]
    return hess


class BetaGeo(_Estimator):
    """BG/NBD model fitted by maximum likelihood.

    Fitted attributes: ``params_`` (dict r, alpha, a, b), ``log_likelihood_`` (weighted total),
    ``standard_errors_`` (dict, NaN where the Hessian is not positive definite),
    ``n_customers_`` and ``converged_``.
    """

    param_names = ("r", "alpha", "a", "b")
    _WARM_START_ABOVE = 200_000
    _WARM_START_ROWS = 50_000
    _NEWTON_MAX_STEPS = 20

    # -- likelihood ----------------------------------------------------------------------------
    @staticmethod
    def _prepare(x: FloatArray, t_x: FloatArray, age: FloatArray, w: FloatArray) -> _BGData:
        top = float(x.max()) if x.size else 0.0
        if top <= 4 * x.size + 1024:
            # Counting instead of np.unique: frequencies are small whole numbers, and a sort of
            # a million floats costs more than the rest of the preparation.
            xi = x.astype(np.intp)
            present = np.bincount(xi) > 0
            xu = np.flatnonzero(present).astype(np.float64)
            inv = (np.cumsum(present) - 1)[xi]
        else:
            xu, inv = np.unique(x, return_inverse=True)
        w_u = np.bincount(inv, weights=w, minlength=xu.size)
        rep = x > 0
        norep = ~rep
        return _BGData(
            xu=xu,
            w_u=w_u,
            age0=age[norep],
            w0=w[norep],
            x1=x[rep],
            t_x1=t_x[rep],
            age1=age[rep],
            w1=w[rep],
            inv1=inv[rep],
            w_total=float(w_u.sum()),
        )

    @staticmethod
    def _loglik_parts(
        params: FloatArray, d: _BGData, hessian: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        """Weighted total log-likelihood, its gradient and (optionally) Hessian in (r, α, a, b).

        L = Γ(r+x)α^r/Γ(r) · B(a,b+x)/B(a,b) (α+T)^-(r+x) · [1 + e^δ], with
        δ = ln(a/(b+x−1)) + (r+x) ln((α+T)/(α+t_x)) for x > 0 (δ = −∞ otherwise), so
        ln L = (terms in x) − (r+x) ln(α+T) + softplus(δ). The special functions depend on x
        alone, which takes few distinct values: they are evaluated once per distinct x, and the
        sums over customers of their derivatives become sums over distinct x weighted by
        bincounts. Customers with x = 0 only need ln(α+T); for repeat buyers softplus(δ), the
        logistic s = σ(δ) and s(1−s) all come from one e = exp(−|δ|).
        """
        terms = _bg_terms(params, d)
        total = _bg_total(params, d, terms)
        g = _bg_gradient(params, d, terms)
        if not hessian:
            return total, g, None
        return total, g, _bg_hessian(params, d, terms)

    @staticmethod
    def _total_loglik(params: FloatArray, d: _BGData) -> tuple[float, FloatArray]:
        """Weighted total log-likelihood and its gradient w.r.t. (r, α, a, b)."""
        total, g, _ = BetaGeo._loglik_parts(params, d, hessian=False)
        return total, g

    def _negloglik(self, log_params: FloatArray, d: _BGData) -> tuple[float, FloatArray]:
        # A line search may try absurd parameters; the non-finite result below sends it back.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            params = np.exp(log_params)
            total, g = self._total_loglik(params, d)
        scale = d.w_total
        if not np.isfinite(total):
            return np.inf, np.zeros(4)
        # Chain rule for the log parametrisation: d/d log θ = θ d/dθ.
        return -total / scale, -g * params / scale

    def _newton(self, start: FloatArray, d: _BGData) -> tuple[FloatArray, float, FloatArray] | None:
        """Newton's method on the log-likelihood in log parameters, from a start near the optimum.

        From the subsample fit it converges quadratically, so the full data is evaluated about
        four times instead of the dozens of times a quasi-Newton method needs. Steps are halved
        until the likelihood does not fall. Returns the optimum with its log-likelihood and
        Hessian (in the natural parameters), or None when it cannot get there (a Hessian that
        is not negative definite, no improving step, too many steps): the caller then falls
        back to L-BFGS.
        """
        point = start
        total, g, hess = self._loglik_parts(np.exp(point), d, hessian=True)
        for _ in range(self._NEWTON_MAX_STEPS):
            if not np.isfinite(total) or hess is None:
                return None
            params = np.exp(point)
            grad = -g * params  # of −LL in log parameters
            curv = -(hess * np.outer(params, params) + np.diag(g * params))
            try:
                np.linalg.cholesky(curv)
                step = -np.linalg.solve(curv, grad)
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(step)):
                return None
            if np.max(np.abs(step)) < 1e-9:
                return point, total, hess
            for _halving in range(30):
                trial = point + step
                t_total, t_g, t_hess = self._loglik_parts(np.exp(trial), d, hessian=True)
                # Accept any point that is no worse, up to rounding of the sum.
                if np.isfinite(t_total) and t_total >= total - 1e-12 * abs(total):
                    break
                step = step / 2
            else:
                return None
            point, total, g, hess = trial, t_total, t_g, t_hess
        return None

    @staticmethod
    def _errors_from_hessian(hess: FloatArray, names: tuple[str, ...]) -> dict[str, float]:
        """Square roots of the diagonal of the inverse observed information (−Hessian of the
        log-likelihood), NaN where it is not positive definite (a boundary or flat optimum)."""
        info = -hess
        try:
            np.linalg.cholesky(info)
            cov = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            return dict.fromkeys(names, float("nan"))
        return dict(zip(names, (float(s) for s in np.sqrt(np.diag(cov))), strict=True))

    # -- estimator contract --------------------------------------------------------------------
    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> BetaGeo:
        """Fit by maximum likelihood; ``weights`` count identical (x, t_x, T) rows."""
        x, t_x, age, w = _purchase_fit_inputs("BG/NBD", frequency, recency, T, weights)

        data = self._prepare(x, t_x, age, w)
        start = np.zeros(4)
        newton = None
        if x.size > self._WARM_START_ABOVE:
            # Warm start from an evenly strided subsample, then Newton steps on the full data
            # with the analytic Hessian: about four full-data evaluations in all, where L-BFGS
            # from the subsample optimum needed about thirty.
            step = max(1, x.size // self._WARM_START_ROWS)
            sub = self._prepare(x[::step], t_x[::step], age[::step], w[::step])
            if np.any(sub.xu > 0):
                warm = optimize.minimize(
                    self._negloglik, x0=start, args=(sub,), jac=True, method="L-BFGS-B"
                )
                if np.all(np.isfinite(warm.x)):
                    start = warm.x
                    newton = self._newton(start, data)
        if newton is not None:
            point, total, hess = newton
            converged = True
        else:
            # Tight tolerances: the likelihood is flat along α, and a looser stop leaves α off
            # in the third decimal (4.4135 is the CDNOW optimum; ftol=1e-10 stops at 4.4134).
            result = optimize.minimize(
                self._negloglik,
                x0=start,
                args=(data,),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-11},
            )
            point, converged = result.x, bool(result.success)
            total, hess = np.nan, None
            if np.all(np.isfinite(point)) and np.isfinite(result.fun):
                total, _, hess = self._loglik_parts(np.exp(point), data, hessian=True)
        params = np.exp(point)
        if not np.all(np.isfinite(params)) or not np.isfinite(total) or hess is None:
            raise ValueError("BG/NBD fit did not converge to finite parameters on this data.")
        self.params_ = dict(zip(self.param_names, (float(p) for p in params), strict=True))
        self.log_likelihood_ = float(total)
        self.converged_ = converged
        self.n_customers_ = float(w.sum())
        self.standard_errors_ = self._errors_from_hessian(hess, self.param_names)
        return self

    def _fitted(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                "This BetaGeo model is not fitted yet; call fit(frequency, recency, T) first."
            )
        p = self.params_
        return p["r"], p["alpha"], p["a"], p["b"]

    # -- predictions ---------------------------------------------------------------------------
    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """P(still active at T | x, t_x, T); customers without repeats are alive by definition."""
        r, alpha, a, b = self._fitted()
        x, t_x, age = _validate_summary(frequency, recency, T)
        rep = x > 0
        log_odds = np.where(
            rep,
            np.log(a)
            - np.log(np.where(rep, b + x - 1.0, 1.0))
            + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)),
            -np.inf,
        )
        return 1.0 / (1.0 + np.exp(log_odds))

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """E[X(T, T+t) | x, t_x, T]: expected purchases in the next t periods (FHL 2005, eq. 10)."""
        r, alpha, a, b = self._fitted()
        x, t_x, age = _validate_summary(frequency, recency, T)
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0):
            raise ValueError("t must not be negative.")
        rx = r + x
        z = t / (alpha + age + t)
        head = (a + b + x - 1.0) / (a - 1.0)
        tail = 1.0 - hyp2f1(rx, b + x, a + b + x - 1.0, z) * np.exp(
            rx * (np.log(alpha + age) - np.log(alpha + age + t))
        )
        return head * tail * self.conditional_probability_alive(x, t_x, age)

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> FloatArray:
        """E[X(t)]: expected repeat purchases of a new customer in t periods (FHL 2005 eq. 9)."""
        r, alpha, a, b = self._fitted()
        t = np.asarray(t, dtype=np.float64)
        if np.any(t < 0):
            raise ValueError("t must not be negative.")
        return (
            (a + b - 1.0)
            / (a - 1.0)
            * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, t / (alpha + t)))
        )
