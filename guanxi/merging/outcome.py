"""What a merged account's tiers would be. The merge itself answers with the tier in each active
scheme read the way the tiering run decides it (the scheme's rules over the merged account's
metrics); the preview, which moves nothing, says each scheme's tier is recomputed after the merge
and shows both records' tiers now (`tiers_recomputed`: no ledger read). The real tiers are
written by the re-evaluation job the merge enqueues; a tier set by hand stays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from guanxi.tiers import rules as tier_rules
from guanxi.tiers.metrics import account_metrics
from guanxi.tiers.models import AccountTier, Metric, Tier, TierScheme
from guanxi.tiers.selectors import TIERS, active_schemes, rules_for_scheme


@dataclass
class TierOutcome:
    scheme: TierScheme
    before: Tier | None  # the survivor's tier now
    after: Tier | None  # by the rules, on the merged data
    by_hand: bool  # the survivor's tier is overridden: it stays
    other: Tier | None = None  # the merged-away record's tier now (preview)
    recomputed: bool = False  # the preview: after = recomputed after the merge


def tiers_after(account_id: int, *, as_of: dt.date | None = None) -> list[TierOutcome]:
    as_of = as_of or timezone.localdate()
    known = set(Metric.values)
    current = {
        row.scheme_id: row
        for row in AccountTier.objects.filter(account_id=account_id).select_related("tier")
    }
    outcomes = []
    for scheme in active_schemes(TIERS):
        tiers, rules = rules_for_scheme(scheme)
        wanted = tier_rules.metrics_used(rules) & known
        categories = list(scheme.categories.values_list("pk", flat=True)) or None
        values = account_metrics(
            as_of=as_of, metrics=wanted, account_ids=[account_id], categories=categories
        ).get(account_id, {})
        index = tier_rules.first_match(rules, values)
        row = current.get(scheme.pk)
        outcomes.append(
            TierOutcome(
                scheme=scheme,
                before=row.tier if row else None,
                after=tiers[index] if index is not None else None,
                by_hand=bool(row and row.override_tier_id),
            )
        )
    return outcomes


def tiers_recomputed(keep_id: int, other_id: int) -> list[TierOutcome]:
    """Per active scheme: both accounts' tiers now, and whether the merged account's stays by
    hand (the survivor's row is kept, or the other's moves where the survivor has none)."""
    rows = {
        (row.account_id, row.scheme_id): row
        for row in AccountTier.objects.filter(account_id__in=[keep_id, other_id]).select_related(
            "tier"
        )
    }
    outcomes = []
    for scheme in active_schemes(TIERS):
        mine, theirs = rows.get((keep_id, scheme.pk)), rows.get((other_id, scheme.pk))
        after = mine or theirs
        outcomes.append(
            TierOutcome(
                scheme=scheme,
                before=_tier(mine),
                after=None,
                by_hand=bool(after and after.override_tier_id),
                other=_tier(theirs),
                recomputed=True,
            )
        )
    return outcomes


def _tier(row: AccountTier | None) -> Tier | None:
    return row.tier if row else None
