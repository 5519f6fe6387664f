"""Buy-till-you-die models with the scikit-learn estimator contract: the public import path.

Each model family has its own module: `beta_geo` (BG/NBD, `BetaGeo`), `pareto_nbd`
(`ParetoNBD`) and `gamma_gamma` (spend per transaction, `GammaGamma`), with what they share
(input validation, the estimator base class, standard errors) in `base`. This module keeps
``from guanxi.analytics.models import BetaGeo`` and the like working.
"""

from guanxi.analytics.base import FloatArray, NotFittedError
from guanxi.analytics.beta_geo import BetaGeo
from guanxi.analytics.gamma_gamma import GammaGamma

__all__ = ["BetaGeo", "FloatArray", "GammaGamma", "NotFittedError"]
