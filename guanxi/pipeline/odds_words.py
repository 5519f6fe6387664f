"""Deal odds in words: one deal's predicted probability and the reasons, in points.

`deal_odds_explained(opportunity)` reads the deal's features now (`odds.deal_features`), asks
the newest trained model for the probability and each feature's points against the base rate,
and says each reason in a sentence ("+18 points: the best relationship with a decision maker is
at trust"). The stored `Opportunity.predicted_probability` is the nightly figure; this one is
read live, so it is what the reasons add up to. The caller applies the access rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.leads.models import LeadSource
from guanxi.pipeline.models import OddsModel, Opportunity, OpportunityType, Stage
from guanxi.pipeline.odds import (
    FEATURES,
    deal_features,
    latest_odds_model,
    stored_model,
)
from guanxi.relationships.models import RelationshipStage
from guanxi.tiers.models import Tier

MISSING = "(missing)"  # analytics.deal_odds.MISSING (not imported: it would load scipy)
UNSEEN = "(unseen)"  # analytics.deal_odds.UNSEEN
SHOWN = 6  # reasons shown at most; the rest are summed up
MIN_POINTS = 0.5  # a reason worth less than half a point is not worth a line

FEATURE_LABELS = {
    "decision_maker": gettext_lazy("Decision maker mapped"),
    "decision_maker_stage": gettext_lazy("Relationship stage with a decision maker"),
    "single_threaded": gettext_lazy("Single-threaded"),
    "account_plan": gettext_lazy("Account plan"),
    "tier": gettext_lazy("Tier"),
    "p_alive": gettext_lazy("P(alive)"),
    "opportunity_type": gettext_lazy("Deal type"),
    "source": gettext_lazy("Source"),
    "amount": gettext_lazy("Amount"),
    "stage_reached": gettext_lazy("Stage reached"),
}
FIXED = {
    ("decision_maker", "mapped"): gettext_lazy(
        "a decision maker or approver is mapped on the buying centre"
    ),
    ("decision_maker", "not_mapped"): gettext_lazy(
        "no decision maker or approver is mapped on the buying centre"
    ),
    ("decision_maker", "no_map"): gettext_lazy("nobody is mapped on the buying centre yet"),
    ("decision_maker_stage", "none"): gettext_lazy(
        "no decision maker or approver has a relationship stage recorded"
    ),
    ("single_threaded", "yes"): gettext_lazy(
        "single-threaded: the relationship runs through one person"
    ),
    ("single_threaded", "no"): gettext_lazy("several people on the buying centre speak for us"),
    ("single_threaded", "no_map"): gettext_lazy("no buying centre to spread the relationship"),
    ("account_plan", "active"): gettext_lazy("the account has an account plan for the year"),
    ("account_plan", "none"): gettext_lazy("no account plan for the year"),
    ("p_alive", "high"): gettext_lazy("the account is very likely still buying (P(alive) high)"),
    ("p_alive", "medium"): gettext_lazy("the account may have stopped buying (P(alive) medium)"),
    ("p_alive", "low"): gettext_lazy("the account has probably stopped buying (P(alive) low)"),
    ("p_alive", "unknown"): gettext_lazy("no P(alive) score for the account yet"),
    ("tier", MISSING): gettext_lazy("the account has no tier"),
    ("source", MISSING): gettext_lazy("no source recorded"),
    ("stage_reached", MISSING): gettext_lazy("no open stage in the stage log"),
}


def points_words(points: float) -> str:
    return _("%(points)s points") % {"points": f"{points:+.0f}"}


@dataclass(frozen=True)
class Reason:
    feature: str
    level: str
    points: float  # percentage points against the base rate (+18.0 = 18 points up)
    text: str  # the sentence, in the active language

    @property
    def points_text(self) -> str:
        return points_words(self.points)


@dataclass(frozen=True)
class DealOddsView:
    probability: float  # %
    base_rate: float  # %
    stage_probability: int  # % (the stage's default or the owner's)
    trained_at: dt.datetime
    n_deals: int
    reasons: list[Reason] = field(default_factory=list)
    rest_points: float = 0.0  # the reasons not shown, summed

    @property
    def rest_text(self) -> str:
        return points_words(self.rest_points)


def _in_words(pk: str, model: type) -> str:
    obj = model.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    return str(obj) if obj is not None else pk


def _amount_words(level: str, edges: list[float]) -> str:
    i = int(level)
    if not edges:
        return _("any amount")
    if i == 0:
        return _("an amount under %(high)s") % {"high": f"{edges[0]:,.0f}"}
    if i >= len(edges):
        return _("an amount of %(low)s or more") % {"low": f"{edges[-1]:,.0f}"}
    return _("an amount from %(low)s to %(high)s") % {
        "low": f"{edges[i - 1]:,.0f}",
        "high": f"{edges[i]:,.0f}",
    }


def _stage_words(level: str) -> str:
    try:
        stage = str(RelationshipStage(level).label)
    except ValueError:
        return level
    return _("the best relationship with a decision maker is at %(stage)s") % {"stage": stage}


VALUE_WORDS: dict[str, Callable[[str], str]] = {
    "decision_maker_stage": _stage_words,
    "tier": lambda lv: _("the account's tier is %(tier)s") % {"tier": _in_words(lv, Tier)},
    "opportunity_type": lambda lv: (
        _("a deal of the type %(type)s")
        % {"type": OpportunityType(lv).label if lv in OpportunityType.values else lv}
    ),
    "source": lambda lv: _("the deal came from %(source)s") % {"source": _in_words(lv, LeadSource)},
    "stage_reached": lambda lv: (
        _("the deal has reached %(stage)s") % {"stage": _in_words(lv, Stage)}
    ),
}


def reason_text(feature: str, level: str, bin_edges: dict[str, list[float]]) -> str:
    """One feature's value in words (a clause; the template puts the points before it)."""
    if level == UNSEEN:
        return _("%(feature)s: a value not seen among the closed deals") % {
            "feature": FEATURE_LABELS.get(feature, feature)
        }
    if (feature, level) in FIXED:
        return str(FIXED[(feature, level)])
    if feature == "amount" and level.isdigit():
        return _amount_words(level, bin_edges.get("amount", []))
    words = VALUE_WORDS.get(feature)
    return words(level) if words else f"{FEATURE_LABELS.get(feature, feature)}: {level}"


#: Features that all read "nobody is mapped on the buying centre" when no one is: one fact, so
#: one reason (with their points together), said by the first.
NO_MAP_FEATURES = ("decision_maker", "single_threaded")


def merge_no_map(reasons: list[Reason]) -> list[Reason]:
    """The reasons with the empty buying centre counted once (it showed twice: "no buying
    centre to spread the relationship" and "nobody is mapped on the buying centre yet")."""
    empty = [r for r in reasons if r.feature in NO_MAP_FEATURES and r.level == "no_map"]
    if len(empty) < 2:
        return reasons
    first = next(r for r in empty if r.feature == NO_MAP_FEATURES[0])
    merged = Reason(first.feature, first.level, sum(r.points for r in empty), first.text)
    rest = [r for r in reasons if r not in empty]
    return sorted([*rest, merged], key=lambda r: -abs(r.points))


def deal_odds_explained(
    opportunity: Opportunity, *, record: OddsModel | None = None
) -> DealOddsView | None:
    """The deal's predicted probability with its reasons, or None without a trained model."""
    record = record or latest_odds_model()
    if record is None:
        return None
    model = stored_model(record)
    deal = deal_features([opportunity.pk])[0]
    explanation = model.explain(deal.current_row)
    reasons = [
        Reason(
            c.feature, c.level, c.points * 100, reason_text(c.feature, c.level, model.bin_edges_)
        )
        for c in explanation.contributions
        if c.feature in FEATURES
    ]
    reasons = merge_no_map(reasons)
    shown = [r for r in reasons if abs(r.points) >= MIN_POINTS][:SHOWN]
    return DealOddsView(
        probability=explanation.probability * 100,
        base_rate=explanation.base_rate * 100,
        stage_probability=opportunity.probability,
        trained_at=record.trained_at,
        n_deals=record.n_deals,
        reasons=shown,
        rest_points=sum(r.points for r in reasons if r not in shown),
    )
