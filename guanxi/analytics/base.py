"""What the models share: input validation, the estimator base class and standard errors.

`BetaGeo`, `ParetoNBD` and `GammaGamma` (one module each) all take the per-customer summary of
`guanxi.analytics.summary.summarize`, validate it the same way and follow the same estimator
contract; keeping that here lets each model module hold only its own likelihood.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


class NotFittedError(ValueError, AttributeError):
    """A prediction was asked of a model that has not been fitted yet."""


def _as_1d(name: str, values: ArrayLike) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has missing or infinite values.")
    return arr


def _validate_summary(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x, t_x, age = _as_1d("frequency", frequency), _as_1d("recency", recency), _as_1d("T", T)
    if not len(x) == len(t_x) == len(age):
        raise ValueError(
            f"frequency, recency and T must have the same length "
            f"(got {len(x)}, {len(t_x)}, {len(age)})."
        )
    for name, arr in (("frequency", x), ("recency", t_x), ("T", age)):
        bad = int((arr < 0).sum())
        if bad:
            raise ValueError(f"{name} has {bad} negative value(s).")
    if np.any(x != np.round(x)):
        raise ValueError("frequency must hold whole numbers (counts of repeat purchases).")
    bad = int((t_x > age).sum())
    if bad:
        raise ValueError(
            f"{bad} customer(s) have recency greater than T (last purchase after the end)."
        )
    bad = int(((x == 0) & (t_x > 0)).sum())
    if bad:
        raise ValueError(
            f"{bad} customer(s) have frequency 0 but recency > 0; "
            "recency must be 0 without repeat purchases."
        )
    return x, t_x, age


def _standard_errors(
    total_grad: Callable[[FloatArray], FloatArray], params: FloatArray, names: tuple[str, ...]
) -> dict[str, float]:
    """Square roots of the diagonal of the inverse observed information at the optimum.

    The Hessian of the negative log-likelihood is taken by central differences of the analytic
    gradient. Where it is not positive definite (a boundary or flat optimum) the errors are NaN
    rather than a misleading number.
    """
    k = params.size
    hess = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        hess[:, j] = (total_grad(up) - total_grad(down)) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return dict.fromkeys(names, float("nan"))
    return dict(zip(names, (float(s) for s in np.sqrt(np.diag(cov))), strict=True))


def _weights(w: ArrayLike | None, n: int) -> FloatArray:
    if w is None:
        return np.ones(n)
    arr = _as_1d("weights", w)
    if len(arr) != n:
        raise ValueError(f"weights has length {len(arr)}, expected {n}.")
    if np.any(arr < 0):
        raise ValueError("weights must not be negative.")
    return arr


def _dot(u: FloatArray, v: FloatArray) -> float:
    """Σ u·v over customers without BLAS: OpenBLAS threads a long dot product, and on a busy
    machine waiting for those threads made a likelihood evaluation up to ten times slower."""
    return float(np.einsum("i,i->", u, v))


class _Estimator:
    """What every model here shares: its optimiser settings, repr and `get_params`."""

    def __init__(self, *, tol: float = 1e-14, max_iter: int = 2000) -> None:
        self.tol = tol
        self.max_iter = max_iter

    def __repr__(self) -> str:
        name = type(self).__name__
        if hasattr(self, "params_"):
            inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{name}({inner})"
        return f"{name}(unfitted)"

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"tol": self.tol, "max_iter": self.max_iter}


def _purchase_fit_inputs(
    model: str, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, weights: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validated (x, t_x, T, weights) without zero-weight rows, refusing data from which a
    purchase model (``model`` names it in the messages) cannot be estimated."""
    x, t_x, age = _validate_summary(frequency, recency, T)
    w = _weights(weights, len(x))
    keep = w > 0
    if not keep.all():
        x, t_x, age, w = x[keep], t_x[keep], age[keep], w[keep]
    if w.sum() < 2:
        raise ValueError(f"{model} needs at least two customers to fit.")
    if not np.any(x > 0):
        raise ValueError(
            f"No customer made a repeat purchase (all frequencies are 0); the {model} "
            "parameters cannot be estimated from such data."
        )
    if np.all(x > 0) and np.all(t_x == age):
        raise ValueError(
            "Every customer bought in the last period (recency equals T for all); the "
            "drop-out process cannot be estimated from such data."
        )
    if not np.any(age > 0):
        raise ValueError("Every customer has T = 0; there is no observation time to fit on.")
    return x, t_x, age, w
