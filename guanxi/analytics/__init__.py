"""Customer analytics (C3): transaction summaries and buy-till-you-die models.

Pure Python on numpy, scipy and polars. Nothing here imports Django, so the library can be used,
tested and benchmarked on its own; `guanxi/insights` (the Django side) calls into it.
"""

from guanxi.analytics.models import BetaGeo, GammaGamma, NotFittedError
from guanxi.analytics.pareto import ParetoResult, pareto
from guanxi.analytics.rfm import DEFAULT_SEGMENT_RULES, RFMResult, rfm, with_rfm_recency
from guanxi.analytics.summary import summarize

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "BetaGeo",
    "GammaGamma",
    "NotFittedError",
    "ParetoResult",
    "RFMResult",
    "pareto",
    "rfm",
    "summarize",
    "with_rfm_recency",
]
