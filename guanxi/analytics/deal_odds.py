"""Deal odds: P(win) of an open deal, learned from the organisation's own closed deals.

`DealOdds` is an L2-regularised logistic regression on one-hot encoded categorical features
(numeric ones are cut into quantile bins first), fitted by Newton's method on the distinct
feature patterns. Why logistic regression and not a naive-Bayes frequency table (Odoo's
predictive lead scoring): the features of a deal are far from independent — a decision maker
mapped on the buying centre, the relationship stage reached with them and a single-threaded map
say overlapping things — and naive Bayes multiplies overlapping evidence as if it were fresh,
which pushes probabilities to 0 and 1. That would make the calibration we report (Brier score,
reliability table) look bad for a reason of the method, not of the data. The logistic loss is a
proper scoring rule, the penalty shrinks rare values (a source seen on five deals) towards the
base rate like a frequency table's smoothing does, and the unpenalised intercept keeps the mean
prediction on the training deals equal to the observed win rate.

`explain(x)` splits one prediction into probability points per feature against the base rate:
exact Shapley values of the model's probability, where a feature "left out" sits at its
reference (its average effect on the training deals, shifted evenly so that a deal with every
feature at its reference gets exactly the base rate). The points therefore add up to
``probability − base_rate`` and do not depend on the order of the features.

`brier_score` and `reliability_table` measure calibration on a holdout. Pure numpy; no Django.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from guanxi.analytics.base import FloatArray, NotFittedError

MISSING = "(missing)"  # the level of a missing value (None, NaN, "")
UNSEEN = "(unseen)"  # a value met at prediction that training never saw: no effect of its own
EXACT_SHAPLEY_MAX = 14  # features; above, explain() averages over sampled feature orders


# --- input checks -------------------------------------------------------------------------------


def _as_2d(X: Any, n_features: int | None = None) -> np.ndarray:
    """X as an (n_samples, n_features) object array (a list of rows, or a 2-D array)."""
    if isinstance(X, Mapping):
        raise ValueError("X must be a 2-D table (a list of rows), not a mapping.")
    try:
        arr = np.asarray(X, dtype=object)
    except ValueError as exc:  # ragged rows
        raise ValueError(f"X must be a 2-D table with rows of equal length ({exc}).") from None
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, n_features or 0)
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {arr.shape}.")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"X has {arr.shape[1]} features, the model was fitted with {n_features}.")
    return arr


def _as_outcomes(y: ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {arr.shape}.")
    if len(arr) != n:
        raise ValueError(f"y has {len(arr)} values, X has {n} rows.")
    try:
        out = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError("y must hold 0 (lost) and 1 (won), or booleans.") from None
    if not np.all((out == 0) | (out == 1)):
        raise ValueError("y must hold 0 (lost) and 1 (won), or booleans.")
    return out


def _is_missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _level(value: Any) -> str:
    """The category key of a categorical value (a string, so the model stores as JSON)."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _numbers(name: str, column: np.ndarray) -> FloatArray:
    try:  # the fast path: numbers and None (which numpy reads as NaN)
        out = np.asarray(column, dtype=object).astype(np.float64)
    except (TypeError, ValueError):
        out = None
    if out is None:  # find the row at fault for the message
        for i, value in enumerate(column):
            if _is_missing(value):
                continue
            try:
                float(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"Feature {name!r} is numeric but row {i} holds {value!r}."
                ) from None
        raise ValueError(f"Feature {name!r} is numeric but holds values that are not numbers.")
    bad = np.flatnonzero(np.isinf(out))
    if bad.size:
        raise ValueError(f"Feature {name!r} has an infinite value in row {int(bad[0])}.")
    return out


def _categorical_levels(column: np.ndarray) -> list[str]:
    """The level of every value, converting each distinct value once (a dict lookup per row)."""
    seen: dict[Any, str] = {}
    out = []
    for value in column:
        try:
            level = seen[value]
        except KeyError:
            level = seen[value] = _level(value)
        except TypeError:  # unhashable: convert it each time
            level = _level(value)
        out.append(level)
    return out


# --- calibration --------------------------------------------------------------------------------


def _calibration_inputs(y_true: ArrayLike, p: ArrayLike) -> tuple[FloatArray, FloatArray]:
    prob = np.asarray(p, dtype=np.float64)
    if prob.ndim != 1:
        raise ValueError(f"Probabilities must be one-dimensional, got shape {prob.shape}.")
    y = _as_outcomes(y_true, len(prob))
    if len(prob) == 0:
        raise ValueError("No outcomes to measure calibration on.")
    if not np.all(np.isfinite(prob)) or np.any((prob < 0) | (prob > 1)):
        raise ValueError("Probabilities must lie between 0 and 1.")
    return y, prob


def brier_score(y_true: ArrayLike, p: ArrayLike) -> float:
    """Mean squared gap between the predicted probability and the outcome (0 is perfect; always
    predicting 50% scores 0.25; always predicting the base rate b scores b(1 − b))."""
    y, prob = _calibration_inputs(y_true, p)
    return float(np.mean((prob - y) ** 2))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float  # the bin covers predictions in [low, high) (the last bin includes 1)
    high: float
    predicted: float  # mean predicted probability of the deals in the bin
    observed: float  # share of them won
    count: int


def reliability_table(y_true: ArrayLike, p: ArrayLike, *, n_bins: int = 10) -> list[ReliabilityBin]:
    """Predictions cut into ``n_bins`` equal-width bins of probability; per non-empty bin the
    mean prediction, the observed win rate and the number of deals. A calibrated model has
    predicted ≈ observed in every bin."""
    if not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError("n_bins must be a whole number of at least 1.")
    y, prob = _calibration_inputs(y_true, p)
    index = np.minimum((prob * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    sum_p = np.bincount(index, weights=prob, minlength=n_bins)
    sum_y = np.bincount(index, weights=y, minlength=n_bins)
    return [
        ReliabilityBin(
            low=b / n_bins,
            high=(b + 1) / n_bins,
            predicted=float(sum_p[b] / counts[b]),
            observed=float(sum_y[b] / counts[b]),
            count=int(counts[b]),
        )
        for b in range(n_bins)
        if counts[b]
    ]


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    feature: str
    level: str  # the category (for a numeric feature: the bin's index, see bin_edges_)
    points: float  # probability points (0.18 = +18 points) against the base rate


@dataclass(frozen=True)
class Explanation:
    base_rate: float
    probability: float
    contributions: list[Contribution] = field(default_factory=list)  # largest |points| first


def _sigmoid(z: FloatArray) -> FloatArray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow warnings for large |z|


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class DealOdds:
    """P(win) from categorical deal features by L2-regularised logistic regression.

    Parameters: ``alpha`` (the L2 penalty on every level's coefficient; larger pulls rare
    values harder towards the base rate), ``numeric`` (names of numeric features, cut into
    ``n_bins`` quantile bins of the training data; a missing number gets its own level),
    ``max_iter`` and ``tol`` of Newton's method.

    ``fit(X, y, feature_names=…)``: X is a table (n_deals × n_features) of values; y is 1 for
    won, 0 for lost. Fitted attributes: ``feature_names_in_``, ``levels_`` (feature → its levels
    seen in training), ``bin_edges_`` (numeric feature → inner bin edges), ``intercept_``,
    ``coef_`` (feature → level → log-odds effect), ``reference_`` (feature → its reference
    effect, see `explain`), ``base_rate_``, ``n_samples_``, ``n_iter_`` and ``converged_``.
    """

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        numeric: Sequence[str] = (),
        n_bins: int = 5,
        max_iter: int = 50,
        tol: float = 1e-8,
    ) -> None:
        self.alpha = alpha
        self.numeric = tuple(numeric)
        self.n_bins = n_bins
        self.max_iter = max_iter
        self.tol = tol

    def __repr__(self) -> str:
        if hasattr(self, "coef_"):
            return f"DealOdds(features={len(self.feature_names_in_)}, n={self.n_samples_})"
        return "DealOdds(unfitted)"

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "numeric": self.numeric,
            "n_bins": self.n_bins,
            "max_iter": self.max_iter,
            "tol": self.tol,
        }

    # --- encoding --------------------------------------------------------------------------

    def _check_params(self, feature_names: Sequence[str]) -> None:
        if not (isinstance(self.alpha, (int, float)) and self.alpha > 0):
            raise ValueError("alpha must be a positive number.")
        if not isinstance(self.n_bins, int) or self.n_bins < 2:
            raise ValueError("n_bins must be a whole number of at least 2.")
        if len(set(feature_names)) != len(feature_names):
            raise ValueError("feature_names must be unique.")
        unknown = [n for n in self.numeric if n not in feature_names]
        if unknown:
            raise ValueError(f"numeric names unknown features: {', '.join(unknown)}.")

    def _bin(self, name: str, column: np.ndarray) -> list[str]:
        values = _numbers(name, column)
        edges = np.asarray(self.bin_edges_[name])
        index = np.searchsorted(edges, values, side="right")
        return [MISSING if np.isnan(v) else str(int(i)) for v, i in zip(values, index, strict=True)]

    def _levels_of(self, X: np.ndarray) -> list[list[str]]:
        """Per feature, the level of every row."""
        return [
            self._bin(name, X[:, j]) if name in self.bin_edges_ else _categorical_levels(X[:, j])
            for j, name in enumerate(self.feature_names_in_)
        ]

    def _codes(self, X: np.ndarray, levels: list[list[str]] | None = None) -> np.ndarray:
        """Column index of each row's level per feature in the coefficient vector (−1: unseen)."""
        codes = np.full(X.shape, -1, dtype=np.int64)
        for j, column in enumerate(levels if levels is not None else self._levels_of(X)):
            index = self._column_of[j]
            codes[:, j] = [index.get(level, -1) for level in column]
        return codes

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, y: ArrayLike, *, feature_names: Sequence[str] | None = None) -> DealOdds:
        table = _as_2d(X)
        n, k = table.shape
        names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(k)]
        if len(names) != k:
            raise ValueError(f"feature_names has {len(names)} names, X has {k} columns.")
        if k == 0:
            raise ValueError("X has no features.")
        self._check_params(names)
        outcome = _as_outcomes(y, n)
        won = int(outcome.sum())
        if n < 2 or won == 0 or won == n:
            raise ValueError(
                "Deal odds need both won and lost deals to learn from "
                f"(got {won} won and {n - won} lost)."
            )
        self.feature_names_in_ = names
        self.bin_edges_: dict[str, list[float]] = {}
        for name in self.numeric:
            values = _numbers(name, table[:, names.index(name)])
            finite = values[~np.isnan(values)]
            qs = (
                np.quantile(finite, np.linspace(0, 1, self.n_bins + 1)[1:-1]) if finite.size else []
            )
            self.bin_edges_[name] = [float(e) for e in np.unique(qs)]
        levels_by_feature = self._levels_of(table)
        self.levels_ = {
            name: sorted(set(levels)) for name, levels in zip(names, levels_by_feature, strict=True)
        }
        self._index_columns()
        codes = self._codes(table, levels_by_feature)
        beta, intercept = self._newton(codes, outcome)
        self._store(beta, intercept, codes, outcome)
        return self

    def _index_columns(self) -> None:
        self._column_of: list[dict[str, int]] = []
        start = 0
        for name in self.feature_names_in_:
            levels = self.levels_[name]
            self._column_of.append({lv: start + i for i, lv in enumerate(levels)})
            start += len(levels)
        self._n_columns = start

    def _newton(self, codes: np.ndarray, y: FloatArray) -> tuple[FloatArray, float]:
        """Penalised maximum likelihood on the distinct rows (a pattern seen m times with s wins
        is one binomial observation), so the cost grows with the patterns, not the deals."""
        patterns, inverse, counts = _distinct_rows(codes)
        wins = np.bincount(inverse, weights=y, minlength=len(patterns))
        m = counts.astype(np.float64)
        # One-hot columns, the intercept first: pattern i has a 1 in columns cols[i, :].
        cols = np.column_stack([np.zeros(len(patterns), dtype=np.int64), patterns + 1])
        size = self._n_columns + 1
        pairs = (cols[:, :, None] * size + cols[:, None, :]).reshape(len(cols), -1)
        penalty = np.full(size, float(self.alpha))
        penalty[0] = 0.0
        theta = np.zeros(size)
        theta[0] = _logit(float(y.mean()))
        self.converged_ = False
        self.n_iter_ = 0
        for iteration in range(1, self.max_iter + 1):
            self.n_iter_ = iteration
            # Xᵀr and XᵀWX of a one-hot design are sums over the set columns: bincounts, no
            # dense products (BLAS threads on a busy machine made those the slowest part).
            p = _sigmoid(theta[cols].sum(axis=1))
            residual = np.repeat(wins - m * p, cols.shape[1])
            grad = np.bincount(cols.ravel(), weights=residual, minlength=size) - penalty * theta
            curvature = np.repeat(m * p * (1 - p), pairs.shape[1])
            hess = np.bincount(pairs.ravel(), weights=curvature, minlength=size * size)
            hess = hess.reshape(size, size) + np.diag(penalty)
            step = np.linalg.solve(hess, grad)
            theta += step
            if np.max(np.abs(step)) < self.tol:
                self.converged_ = True
                break
        if not np.all(np.isfinite(theta)):
            raise ValueError("The deal-odds fit did not converge to finite coefficients.")
        return theta[1:], float(theta[0])

    def _store(self, beta: FloatArray, intercept: float, codes: np.ndarray, y: FloatArray) -> None:
        self.intercept_ = intercept
        self.coef_ = {
            name: {lv: float(beta[col]) for lv, col in self._column_of[j].items()}
            for j, name in enumerate(self.feature_names_in_)
        }
        self.n_samples_ = int(len(y))
        self.base_rate_ = float(y.mean())
        # Reference effect per feature: its mean over the training deals, then the gap between
        # the logit of the base rate and the intercept plus those means spread evenly, so the
        # all-reference deal is exactly the base rate (see explain).
        means = [float(beta[codes[:, j]].mean()) for j in range(codes.shape[1])]
        gap = (_logit(self.base_rate_) - intercept - sum(means)) / len(means)
        self.reference_ = {name: means[j] + gap for j, name in enumerate(self.feature_names_in_)}
        self._prepare()

    def _prepare(self) -> None:
        """The flat coefficient vector (with a 0 for unseen values) used by predictions."""
        self._index_columns()
        flat = np.zeros(self._n_columns + 1)  # the last slot: code −1, an unseen value
        for j, name in enumerate(self.feature_names_in_):
            for lv, col in self._column_of[j].items():
                flat[col] = self.coef_[name][lv]
        self._flat = flat

    # --- predicting and explaining ---------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("This DealOdds model is not fitted yet; call fit() first.")

    def _effects(self, X: Any) -> FloatArray:
        """Per row and feature, the log-odds effect of the row's level (unseen: 0)."""
        self._check_fitted()
        table = _as_2d(X, len(self.feature_names_in_))
        return self._flat[self._codes(table)]

    def decision_function(self, X: Any) -> FloatArray:
        """The log-odds of winning per row."""
        effects = self._effects(X)  # checks the model is fitted first
        return self.intercept_ + effects.sum(axis=1)

    def predict_proba(self, X: Any) -> FloatArray:
        """P(win) per row, a 1-D array (not scikit-learn's two columns: there is one outcome)."""
        return _sigmoid(self.decision_function(X))

    def explain(self, x: Sequence[Any]) -> Explanation:
        """One deal's P(win) split into probability points per feature against the base rate.

        Exact Shapley values of v(S) = σ(logit(base) + Σ_{j∈S} (effect_j − reference_j)): v(∅)
        is the base rate and v(all) the prediction, so the points add up to their difference."""
        effects = self._effects([list(x)])[0]
        names = self.feature_names_in_
        delta = effects - np.array([self.reference_[n] for n in names])
        start = _logit(self.base_rate_)
        points = _shapley(start, delta)
        levels = [lv[0] for lv in self._levels_of(_as_2d([list(x)], len(names)))]
        contributions = [
            Contribution(
                feature=name,
                level=level if level in self.levels_[name] else UNSEEN,
                points=float(pt),
            )
            for name, level, pt in zip(names, levels, points, strict=True)
        ]
        contributions.sort(key=lambda c: (-abs(c.points), c.feature))
        return Explanation(
            base_rate=self.base_rate_,
            probability=float(_sigmoid(np.array([start + delta.sum()]))[0]),
            contributions=contributions,
        )

    # --- storing ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """What predicting and explaining need, as JSON-ready data."""
        self._check_fitted()
        return {
            "params": {**self.get_params(), "numeric": list(self.numeric)},
            "feature_names": list(self.feature_names_in_),
            "levels": self.levels_,
            "bin_edges": self.bin_edges_,
            "intercept": self.intercept_,
            "coef": self.coef_,
            "reference": self.reference_,
            "base_rate": self.base_rate_,
            "n_samples": self.n_samples_,
            "n_iter": self.n_iter_,
            "converged": self.converged_,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DealOdds:
        try:
            model = cls(**data["params"])
            model.feature_names_in_ = list(data["feature_names"])
            model.levels_ = {k: list(v) for k, v in data["levels"].items()}
            model.bin_edges_ = {k: [float(e) for e in v] for k, v in data["bin_edges"].items()}
            model.intercept_ = float(data["intercept"])
            model.coef_ = {
                k: {lv: float(c) for lv, c in v.items()} for k, v in data["coef"].items()
            }
            model.reference_ = {k: float(v) for k, v in data["reference"].items()}
            model.base_rate_ = float(data["base_rate"])
            model.n_samples_ = int(data["n_samples"])
            model.n_iter_ = int(data.get("n_iter", 0))
            model.converged_ = bool(data.get("converged", True))
            model._prepare()
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"Not a stored DealOdds model ({exc!r}).") from None
        return model


def _distinct_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of a table of non-negative codes, each row's index among them and their
    counts. Rows are packed into one integer each (mixed radix) when that fits in 62 bits: sorting
    integers is far quicker than sorting rows."""
    radix = codes.max(axis=0) + 1
    if float(np.sum(np.log2(radix.astype(np.float64)))) < 62:
        key = np.zeros(len(codes), dtype=np.int64)
        for j in range(codes.shape[1]):
            key = key * int(radix[j]) + codes[:, j]
        _, first, inverse, counts = np.unique(
            key, return_index=True, return_inverse=True, return_counts=True
        )
        return codes[first], inverse.reshape(-1), counts
    patterns, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    return patterns, inverse.reshape(-1), counts


def _shapley(start: float, delta: FloatArray) -> FloatArray:
    """Shapley values of v(S) = σ(start + Σ_{j∈S} delta_j), exact over every subset when there
    are few features, else averaged over sampled orders (seeded: the same deal, same words)."""
    k = len(delta)
    if k <= EXACT_SHAPLEY_MAX:
        masks = np.array(list(itertools.product((0.0, 1.0), repeat=k)))  # 2^k × k
        size = masks.sum(axis=1).astype(int)
        weight_of_size = np.array(
            [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
        )
        base = start + masks @ delta
        values = np.empty(k)
        for j in range(k):
            without = masks[:, j] == 0
            gain = _sigmoid(base[without] + delta[j]) - _sigmoid(base[without])
            values[j] = float(weight_of_size[size[without]] @ gain)
        return values
    rng = np.random.default_rng(0)
    values = np.zeros(k)
    orders = 2000
    for _ in range(orders):
        order = rng.permutation(k)
        running = start + np.concatenate(([0.0], np.cumsum(delta[order])))
        values[order] += np.diff(_sigmoid(running))
    return values / orders
