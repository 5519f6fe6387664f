"""The maths of customer surveys: NPS, CSAT, SERVQUAL gaps and Cronbach's α.

Pure numpy, no Django: `guanxi.surveys` feeds it the scores it read.

* **NPS** (Reichheld): the share of promoters (9–10) less the share of detractors (0–6), in
  percentage points, from −100 (all detractors) to +100 (all promoters); passives (7–8) count
  in the total only. No answers: no NPS (None), never 0.
* **CSAT**: the mean score on 1–5 and the share of satisfied answers (4 or 5), in percent.
* **SERVQUAL gap**: perceived − expected, item by item, averaged per dimension. A negative gap
  means the service falls short of what the customer expects (seed 001 writes the gap the other
  way round, expected − perceived, where positive means a shortfall).
* **Cronbach's α** of k items answered by n respondents (rows):
  α = k / (k − 1) · (1 − Σ var(item) / var(total)), sample variances (ddof = 1). Undefined
  (None) with fewer than two items or two respondents, or when the totals do not vary.

Bad input raises ``ValueError`` naming the argument at fault, as `analytics.agreements` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from guanxi.analytics.base import FloatArray


def _scores(name: str, values: ArrayLike, low: int, high: int) -> FloatArray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers, got {values!r}.") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity).")
    if np.any(array != np.round(array)):
        raise ValueError(f"{name} must be whole numbers.")
    if array.size and (array.min() < low or array.max() > high):
        raise ValueError(f"{name} must lie between {low} and {high}.")
    return array


@dataclass(frozen=True)
class NpsSummary:
    nps: float | None  # promoters % − detractors %, −100..100
    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps_summary(scores: ArrayLike) -> NpsSummary:
    array = _scores("scores", scores, 0, 10)
    promoters = int(np.count_nonzero(array >= 9))
    detractors = int(np.count_nonzero(array <= 6))
    passives = int(array.size) - promoters - detractors
    value = None if not array.size else 100.0 * (promoters - detractors) / array.size
    return NpsSummary(value, promoters, passives, detractors)


def nps(scores: ArrayLike) -> float | None:
    """Promoters % − detractors % of 0–10 scores; None when there are none."""
    return nps_summary(scores).nps


def nps_from_counts(promoters: int, passives: int, detractors: int) -> float | None:
    """The NPS from counts (as a database returns them)."""
    counts = _scores("counts", [promoters, passives, detractors], 0, np.iinfo(np.int64).max)
    total = counts.sum()
    return None if total == 0 else float(100.0 * (counts[0] - counts[2]) / total)


@dataclass(frozen=True)
class CsatSummary:
    mean: float | None  # 1..5
    satisfied_pct: float | None  # share of 4 and 5, percent
    answers: int


def csat_summary(scores: ArrayLike) -> CsatSummary:
    array = _scores("scores", scores, 1, 5)
    if not array.size:
        return CsatSummary(None, None, 0)
    satisfied = np.count_nonzero(array >= 4)
    return CsatSummary(float(array.mean()), 100.0 * satisfied / array.size, int(array.size))


def _matrix(name: str, values: ArrayLike) -> FloatArray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers, got {values!r}.") from exc
    if array.ndim != 2:
        raise ValueError(f"{name} must be a table (respondents × items), got {array.ndim} dims.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity).")
    return array


def cronbach_alpha(answers: ArrayLike) -> float | None:
    """Cronbach's α of a respondents × items table; None where it is undefined."""
    table = _matrix("answers", answers)
    n, k = table.shape
    if k < 2 or n < 2:
        return None
    total_var = table.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return None
    item_var = table.var(axis=0, ddof=1).sum()
    return float(k / (k - 1) * (1 - item_var / total_var))


def servqual_gap(expected: ArrayLike, perceived: ArrayLike) -> float | None:
    """The mean of perceived − expected over paired 1–7 ratings: negative = falls short."""
    e = _scores("expected", np.ravel(np.asarray(expected, dtype=object)), 1, 7)
    p = _scores("perceived", np.ravel(np.asarray(perceived, dtype=object)), 1, 7)
    if e.shape != p.shape:
        raise ValueError(f"expected and perceived must pair up, got {e.size} and {p.size}.")
    return None if not e.size else float((p - e).mean())
