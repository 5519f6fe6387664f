"""Where an account falls in the loyalty matrix (seed 001: 行为忠诚 × 态度忠诚), as plain rules
on its numbers and the cut-offs managers set (`models.LoyaltyThresholds`, read once per run as
`Cuts`), so the nightly refresh (`matrix.loyalty_matrix_refresh`), the page and the tests read
one definition.

- Behavioural loyalty is high with at least ``min_repeats`` repeat purchases and a P(alive) of
  at least ``min_p_alive`` (the latest analysis); an account the analysis has not scored has
  bought too little to count as loyal in behaviour.
- Attitudinal loyalty comes from the latest survey scores, the first available of: NPS (high
  from ``high_nps``, 9: a promoter), CSAT (high from ``high_csat`` of 5), the SERVQUAL gap
  (perceived − expected; high from ``high_servqual_gap``, 0: service meeting expectations).
  Without any score the account is "no survey yet": never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.loyalty.models import AttitudeSource, BehaviouralLoyalty, LoyaltyCell, LoyaltyThresholds


@dataclass(frozen=True)
class Cuts:
    """The matrix's cut-offs as plain numbers (the defaults are the migration's)."""

    min_repeats: int = 2
    min_p_alive: float = 0.5
    high_nps: int = 9
    high_csat: float = 4.0
    high_servqual_gap: float = 0.0


DEFAULT_CUTS = Cuts()


def current_cuts() -> Cuts:
    """The cut-offs managers set (one row, `LoyaltyThresholds`)."""
    row = LoyaltyThresholds.current()
    return Cuts(
        min_repeats=row.behaviour_min_repeats,
        min_p_alive=float(row.behaviour_min_p_alive),
        high_nps=row.attitude_high_nps,
        high_csat=float(row.attitude_high_csat),
        high_servqual_gap=float(row.attitude_high_servqual_gap),
    )


def behaviour_high(repeats: int | None, p_alive: float | None, cuts: Cuts = DEFAULT_CUTS) -> bool:
    if repeats is None or repeats < cuts.min_repeats:
        return False
    return p_alive is None or p_alive >= cuts.min_p_alive


@dataclass(frozen=True)
class Attitude:
    source: str  # AttitudeSource
    value: float
    high: bool
    on: object  # dt.date | None


def attitude_of(scores: object | None, cuts: Cuts = DEFAULT_CUTS) -> Attitude | None:
    """The attitude from a `surveys.selectors.LatestScores` (or None when never surveyed)."""
    if scores is None:
        return None
    nps = getattr(scores, "nps", None)
    if nps is not None:
        return Attitude(AttitudeSource.NPS, float(nps), nps >= cuts.high_nps, scores.nps_at)
    csat = getattr(scores, "csat", None)
    if csat is not None:
        return Attitude(AttitudeSource.CSAT, float(csat), csat >= cuts.high_csat, scores.csat_at)
    gap = getattr(scores, "servqual_gap", None)
    if gap is not None:
        high = gap >= cuts.high_servqual_gap
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
