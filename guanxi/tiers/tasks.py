"""Background jobs: re-evaluate every account's tiers (`guanxi tier`), flag discounts below the
tier floor. Both are steps of the nightly chain (guanxi.workspace.tasks)."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from typing import Any

from django.db.models import Count
from django.utils import timezone

from guanxi.core.dates import local_midnight
from guanxi.core.jobs import recorded_task
from guanxi.tiers.metrics import month_window
from guanxi.tiers.models import AccountTier, DiscountReview, DiscountReviewStatus, TierChange
from guanxi.tiers.services import discount_reviews_flag, tiering_run


def _say(message: str) -> None:
    print(f"tiering: {message}", file=sys.stderr, flush=True)


def tier_changes_by_scheme(run_id: int) -> dict[str, dict[str, int]]:
    """Moves recorded by one tier run, per scheme code: up, down, new (no tier → a tier) and
    lost (a tier → none). Rank 1 is the top, so a smaller rank is an upgrade."""
    out: dict[str, Counter] = {}
    rows = (
        TierChange.objects.filter(run_id=run_id)
        .values_list("scheme__code", "from_tier__rank", "to_tier__rank")
        .annotate(n=Count("id"))
        .order_by()
    )
    for code, before, after, n in rows:
        if before is None:
            kind = "new"
        elif after is None:
            kind = "lost"
        else:
            kind = "up" if after < before else "down"
        out.setdefault(code, Counter())[kind] += n
    return {code: dict(counts) for code, counts in sorted(out.items())}


def tier_distribution() -> dict[str, dict[str, int]]:
    """Accounts per tier in every active scheme, tiers in rank order (one query)."""
    rows = (
        AccountTier.objects.filter(scheme__is_active=True, tier__isnull=False)
        .values_list("scheme__code", "tier__code", "tier__rank")
        .annotate(n=Count("id"))
        .order_by("scheme__code", "tier__rank")
    )
    out: dict[str, dict[str, int]] = {}
    for scheme, tier, _rank, n in rows:
        out.setdefault(scheme, {})[tier] = n
    return out


def tiering_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Evaluate every active scheme for every account, as of ``as_of`` (default today)."""
    run = tiering_run(as_of=as_of, progress=_say if progress else None)
    return {
        "run": run.pk,
        "as_of": run.as_of,
        "accounts": run.n_accounts,
        "changes": run.n_changes,
        "by_scheme": tier_changes_by_scheme(run.pk),
        "tiers": tier_distribution(),
    }


def discount_reviews_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Hold for review the transactions priced below their account's tier floor, from the start
    of the last complete month on (the months today's tiers speak for). New and edited
    transactions are checked as they are saved or imported; this catches what a tier change puts
    below the floor, and reads only recent rows (the occurred_at index), never the whole ledger."""
    first, _last = month_window(as_of or timezone.localdate())
    flagged = discount_reviews_flag(occurred_since=local_midnight(first))
    pending = DiscountReview.objects.filter(status=DiscountReviewStatus.PENDING).count()
    return {"flagged": flagged, "pending": pending}


tiering = recorded_task("tiering")(tiering_job)
discount_reviews = recorded_task("discount_reviews")(discount_reviews_job)
