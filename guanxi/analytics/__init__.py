"""Customer analytics (C3): transaction summaries and buy-till-you-die models.

Pure Python on numpy, scipy and polars. Nothing here imports Django, so the library can be used,
tested and benchmarked on its own; `guanxi/insights` (the Django side) calls into it.
"""

from guanxi.analytics.deal_odds import DealOdds, brier_score, reliability_table
from guanxi.analytics.diagnostics import CalibrationResult, calibration_holdout
from guanxi.analytics.models import BetaGeo, GammaGamma, NotFittedError
from guanxi.analytics.pareto import ParetoResult, pareto
from guanxi.analytics.pareto_nbd import ParetoNBD
from guanxi.analytics.pipeline import PipelineResult, PipelineSettings, run_pipeline
from guanxi.analytics.rfm import DEFAULT_SEGMENT_RULES, RFMResult, rfm, with_rfm_recency
from guanxi.analytics.simulate import simulate_beta_geo, simulate_gamma_gamma, simulate_pareto_nbd
from guanxi.analytics.summary import summarize
from guanxi.analytics.value import (
    CLPResult,
    clv,
    historic_clp,
    historic_margin_rate,
    per_step_rate,
    predictive_clp,
)

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "BetaGeo",
    "CLPResult",
    "CalibrationResult",
    "DealOdds",
    "GammaGamma",
    "NotFittedError",
    "ParetoNBD",
    "ParetoResult",
    "PipelineResult",
    "PipelineSettings",
    "RFMResult",
    "brier_score",
    "calibration_holdout",
    "clv",
    "historic_clp",
    "historic_margin_rate",
    "pareto",
    "per_step_rate",
    "predictive_clp",
    "reliability_table",
    "rfm",
    "run_pipeline",
    "simulate_beta_geo",
    "simulate_gamma_gamma",
    "simulate_pareto_nbd",
    "summarize",
    "with_rfm_recency",
]
