"""What a merged account would be: its tier in each active tier scheme, read the way the tiering
run decides it (the scheme's rules over the account's metrics), for the dry-run preview. The
real tiers are written by the re-evaluation job the merge enqueues; a tier set by hand stays."""

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
