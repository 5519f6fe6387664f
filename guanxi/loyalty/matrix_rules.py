"""Where an account falls in the loyalty matrix (seed 001: 行为忠诚 × 态度忠诚), as plain rules
on its numbers, so the nightly refresh (`matrix.loyalty_matrix_refresh`), the page and the tests
read one definition.

- Behavioural loyalty is high with at least ``BEHAVIOUR_MIN_REPEATS`` repeat purchases and a
  P(alive) of at least ``BEHAVIOUR_MIN_P_ALIVE`` (the latest analysis); an account the analysis
  has not scored has bought too little to count as loyal in behaviour.
- Attitudinal loyalty comes from the latest survey scores, the first available of: NPS (high
  from ``ATTITUDE_HIGH_NPS``, a promoter), CSAT (high from ``ATTITUDE_HIGH_CSAT`` of 5), the
  SERVQUAL gap (perceived − expected; high from 0, service meeting expectations). Without any
  score the account is "no survey yet": never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.loyalty.models import AttitudeSource, BehaviouralLoyalty, LoyaltyCell

BEHAVIOUR_MIN_REPEATS = 2
BEHAVIOUR_MIN_P_ALIVE = 0.5
ATTITUDE_HIGH_NPS = 9
ATTITUDE_HIGH_CSAT = 4.0
ATTITUDE_HIGH_SERVQUAL_GAP = 0.0


def behaviour_high(repeats: int | None, p_alive: float | None) -> bool:
    if repeats is None or repeats < BEHAVIOUR_MIN_REPEATS:
        return False
    return p_alive is None or p_alive >= BEHAVIOUR_MIN_P_ALIVE


@dataclass(frozen=True)
class Attitude:
    source: str  # AttitudeSource
    value: float
    high: bool
    on: object  # dt.date | None


def attitude_of(scores: object | None) -> Attitude | None:
    """The attitude from a `surveys.selectors.LatestScores` (or None when never surveyed)."""
    if scores is None:
        return None
    nps = getattr(scores, "nps", None)
    if nps is not None:
        return Attitude(AttitudeSource.NPS, float(nps), nps >= ATTITUDE_HIGH_NPS, scores.nps_at)
    csat = getattr(scores, "csat", None)
    if csat is not None:
        return Attitude(
            AttitudeSource.CSAT, float(csat), csat >= ATTITUDE_HIGH_CSAT, scores.csat_at
        )
    gap = getattr(scores, "servqual_gap", None)
    if gap is not None:
        high = gap >= ATTITUDE_HIGH_SERVQUAL_GAP
        return Attitude(AttitudeSource.SERVQUAL, float(gap), high, scores.servqual_at)
    return None


def cell_of(behaviour_is_high: bool, attitude: Attitude | None) -> str:
    if attitude is None:
        return LoyaltyCell.NO_SURVEY
    if behaviour_is_high:
        return LoyaltyCell.TRUE if attitude.high else LoyaltyCell.SPURIOUS
    return LoyaltyCell.LATENT if attitude.high else LoyaltyCell.NONE


def behaviour_label(high: bool) -> str:
    return BehaviouralLoyalty.HIGH if high else BehaviouralLoyalty.LOW
