"""Gamma-Gamma spend model with the scikit-learn estimator contract.

`GammaGamma` models spend per transaction (Fader & Hardie); it takes the frequency and monetary
columns of `guanxi.analytics.summary.summarize`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.special import digamma, gammaln

from guanxi.analytics.base import (
    FloatArray,
    NotFittedError,
    _as_1d,
    _dot,
    _Estimator,
    _standard_errors,
    _weights,
)


class _GGData(NamedTuple):
    """Gamma-Gamma fit inputs with per-distinct-frequency weights and constant sums."""

    x: FloatArray
    w: FloatArray
    wx: FloatArray
    xm: FloatArray
    w_total: float
    xu: FloatArray
    w_u: FloatArray
    w_log_m: float
    w_log_xm: float


class GammaGamma(_Estimator):
    """Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma model of
    monetary value", 2013; Colombo & Jiang 1999).

    A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, so
    a customer's mean spend zbar over x repeat transactions is shrunk towards the population mean
    pγ/(q−1). Fit it on customers with at least one repeat purchase (frequency > 0) and positive
    monetary value; the model assumes spend is independent of purchase frequency.

    Fitted attributes: ``params_`` (dict p, q, gamma), ``log_likelihood_``, ``standard_errors_``,
    ``n_customers_`` and ``converged_``.
    """

    param_names = ("p", "q", "gamma")

    @staticmethod
    def _validate(frequency: ArrayLike, monetary: ArrayLike) -> tuple[FloatArray, FloatArray]:
        x, m = _as_1d("frequency", frequency), _as_1d("monetary", monetary)
        if len(x) != len(m):
            raise ValueError(
                f"frequency and monetary must have the same length (got {len(x)}, {len(m)})."
            )
        if np.any(x != np.round(x)):
            raise ValueError("frequency must hold whole numbers (counts of repeat purchases).")
        bad = int((x <= 0).sum())
        if bad:
            raise ValueError(
                f"{bad} customer(s) have frequency 0 (or less); the Gamma-Gamma model uses repeat "
                "customers only, so pass the rows with frequency > 0."
            )
        bad = int((m <= 0).sum())
        if bad:
            raise ValueError(f"{bad} customer(s) have monetary ≤ 0; spend must be positive.")
        return x, m

    @staticmethod
    def _prepare(x: FloatArray, m: FloatArray, w: FloatArray) -> _GGData:
        xu, inv = np.unique(x, return_inverse=True)
        xm = x * m
        return _GGData(
            x=x,
            w=w,
            wx=w * x,
            xm=xm,
            w_total=float(w.sum()),
            xu=xu,
            w_u=np.bincount(inv, weights=w, minlength=xu.size),
            # Parameter-free sums, computed once.
            w_log_m=float(_dot(w, np.log(m))),
            w_log_xm=float(_dot(w, np.log(xm))),
        )

    @staticmethod
    def _total_loglik(params: FloatArray, d: _GGData) -> tuple[float, FloatArray]:
        """Weighted total log f(zbar | x; p, q, γ) and its gradient w.r.t. (p, q, γ).

        log f = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ+xm).
        The special functions depend on x alone, which takes few distinct values: they are
        evaluated once per distinct x; per customer only ln(γ + x·m) remains.
        """
        p, q, gamma = params
        pxu = p * d.xu
        # ln(γ + xm) = ln(xm) + ln(1 + γ/(xm)): the second part is what the parameters move, and
        # keeping it apart avoids the cancellation of large ln(xm) terms between the sums.
        shrink = np.log1p(gamma / d.xm)
        s_shrink = float(_dot(d.w, shrink))
        sx_shrink = float(_dot(d.wx, shrink))
        s_log_total = d.w_log_xm + s_shrink
        total = (
            float(_dot(d.w_u, gammaln(pxu + q) - gammaln(pxu)))
            - d.w_total * (gammaln(q) - q * np.log(gamma))
            - p * sx_shrink
            - d.w_log_m
            - q * s_log_total
        )
        dpq_u = digamma(pxu + q)
        g = np.empty(3)
        g[0] = float(_dot(d.w_u * d.xu, dpq_u - digamma(pxu))) - sx_shrink
        g[1] = float(_dot(d.w_u, dpq_u)) - d.w_total * (digamma(q) - np.log(gamma)) - s_log_total
        g[2] = d.w_total * q / gamma - float(_dot(d.w, (p * d.x + q) / (gamma + d.xm)))
        return total, g

    def _negloglik(self, log_params: FloatArray, d: _GGData) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        total, g = self._total_loglik(params, d)
        if not np.isfinite(total):
            return np.inf, np.zeros(3)
        return -total / d.w_total, -g * params / d.w_total

    def fit(
        self, frequency: ArrayLike, monetary: ArrayLike, weights: ArrayLike | None = None
    ) -> GammaGamma:
        """Fit by maximum likelihood on repeat customers' frequency and mean repeat spend."""
        x, m = self._validate(frequency, monetary)
        w = _weights(weights, len(x))
        keep = w > 0
        x, m, w = x[keep], m[keep], w[keep]
        if w.sum() < 2 or np.unique(m).size < 2:
            raise ValueError(
                "The Gamma-Gamma model needs at least two repeat customers with different spend."
            )
        # Start from the method of moments on the customer means (scaled so the optimiser starts
        # near the right magnitude of γ, which carries the currency unit).
        start = np.log([1.0, 2.0, float(np.average(m, weights=w))])
        data = self._prepare(x, m, w)
        result = optimize.minimize(
            self._negloglik,
            x0=start,
            args=(data,),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-11},
        )
        params = np.exp(result.x)
        if not np.all(np.isfinite(params)) or not np.isfinite(result.fun) or params.max() > 1e8:
            raise ValueError(
                "Gamma-Gamma fit did not converge: spend varies too little across customers "
                "for the model to separate within- and between-customer variation."
            )
        self.params_ = dict(zip(self.param_names, (float(v) for v in params), strict=True))
        self.log_likelihood_ = float(-result.fun * w.sum())
        self.converged_ = bool(result.success)
        self.n_customers_ = float(w.sum())

        self.standard_errors_ = _standard_errors(
            lambda point: -self._total_loglik(point, data)[1], params, self.param_names
        )
        return self

    def _fitted(self) -> tuple[float, float, float]:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                "This GammaGamma model is not fitted yet; call fit(frequency, monetary) first."
            )
        p = self.params_
        return p["p"], p["q"], p["gamma"]

    def population_mean_spend(self) -> float:
        """E[Z] = pγ/(q−1) for a new customer; infinite when q ≤ 1."""
        p, q, gamma = self._fitted()
        return p * gamma / (q - 1.0) if q > 1.0 else float("inf")

    def conditional_expected_average_spend(
        self, frequency: ArrayLike, monetary: ArrayLike
    ) -> FloatArray:
        """E[Z | x, zbar] = p(γ + x·zbar)/(px + q − 1): zbar shrunk towards the population mean.

        Customers without repeat purchases (x = 0) get the population mean.
        """
        p, q, gamma = self._fitted()
        x, m = _as_1d("frequency", frequency), _as_1d("monetary", monetary)
        if len(x) != len(m):
            raise ValueError(
                f"frequency and monetary must have the same length (got {len(x)}, {len(m)})."
            )
        if np.any(x < 0) or np.any(m < 0):
            raise ValueError("frequency and monetary must not be negative.")
        return p * (gamma + x * m) / (p * x + q - 1.0)
