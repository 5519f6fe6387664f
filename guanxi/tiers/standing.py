"""One account's standing for its 360° page: its tiers and lifecycle stages in every active
scheme, their recent moves and the privileges they grant, read once for both cards (the tier
card and the lifecycle card) in a fixed handful of queries, whatever the number of schemes,
stages or moves. The lifecycle alone (`account_lifecycle`, for the API) is built the same way
from fewer reads: the moves cut per set alike (`recent_moves`), the sets by `lifecycles_of`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.tiers.models import (
    AccountTier,
    Tier,
    TierChange,
    TierCondition,
    TierScheme,
)
from guanxi.tiers.selectors import (
    LIFECYCLE,
    AccountLifecycle,
    EffectivePolicy,
    account_tiers,
    active_schemes,
    combine_policies,
    last_run_as_of,
    lifecycle_order,
    tier_held,
)

#: Moves kept per scheme (the lifecycle timeline's length; the tier card shows fewer).
HISTORY_PER_SCHEME = 20


@dataclass
class AccountStanding:
    schemes: list[TierScheme]  # active, both purposes, code order
    last_run: dt.date | None  # `last_run_on`
    rows: dict[int, AccountTier]  # scheme id → the account's row
    history: list[TierChange]  # newest first, at most HISTORY_PER_SCHEME per scheme
    stages: dict[int, list[Tier]] = field(default_factory=dict)  # lifecycle set → its stages
    policy: EffectivePolicy | None = None  # None: no tier in force

    def of(self, purpose: str) -> list[TierScheme]:
        return [s for s in self.schemes if s.purpose == purpose]

    def moves(self, purpose: str, limit: int) -> list[TierChange]:
        return [c for c in self.history if c.scheme.purpose == purpose][:limit]

    def lifecycle(self, history_limit: int = HISTORY_PER_SCHEME) -> list[AccountLifecycle]:
        """`account_lifecycle` from what was read."""
        return lifecycles_of(self.of(LIFECYCLE), self.stages, self.rows, self.history,
                             history_limit)  # fmt: skip


def account_lifecycle(
    account: Account | int, *, history_limit: int = HISTORY_PER_SCHEME
) -> list[AccountLifecycle]:
    """The account's stage in every active lifecycle stage set, with the stages in lifecycle
    order and the set's stage changes (the account's lifecycle timeline). A few queries for the
    whole page, whatever the number of sets."""
    account_id = account if isinstance(account, int) else account.pk
    sets = active_schemes(LIFECYCLE)
    if not sets:
        return []
    rows = {r.scheme_id: r for r in account_tiers(account_id, purpose=LIFECYCLE)}
    stages: dict[int, list[Tier]] = defaultdict(list)
    for tier in Tier.objects.filter(scheme__in=sets).prefetch_related(
        Prefetch("conditions", TierCondition.objects.order_by("id"))
    ):
        stages[tier.scheme_id].append(tier)
    history = recent_moves(account_id, per_scheme=history_limit, purpose=LIFECYCLE)
    return lifecycles_of(sets, stages, rows, history, history_limit)


def recent_moves(
    account_id: int, *, per_scheme: int, purpose: str | None = None
) -> list[TierChange]:
    """The account's newest ``per_scheme`` moves in each scheme (of ``purpose``; None: every
    scheme), newest first, in one query."""
    qs = TierChange.objects.filter(account_id=account_id)
    if purpose is not None:
        qs = qs.filter(scheme__purpose=purpose)
    return list(
        qs.annotate(
            nth=Window(
                RowNumber(),
                partition_by=[F("scheme_id")],
                order_by=[F("effective_on").desc(), F("changed_at").desc(), F("id").desc()],
            )
        )
        .filter(nth__lte=per_scheme)
        .select_related("scheme", "from_tier", "to_tier", "changed_by", "run")
        .order_by("-effective_on", "-changed_at", "-id")
    )


def lifecycles_of(
    sets: list[TierScheme],
    stages: dict[int, list[Tier]],
    rows: dict[int, AccountTier],
    history: list[TierChange],
    history_limit: int,
) -> list[AccountLifecycle]:
    """The account's place in each of ``sets`` from its rows read (set id → its stages, set id
    → the account's row, its moves newest first), at most ``history_limit`` moves a set."""
    return [
        AccountLifecycle(
            stage_set=s,
            stages=lifecycle_order(stages.get(s.pk, [])),
            row=rows.get(s.pk),
            history=[c for c in history if c.scheme_id == s.pk][:history_limit],
        )
        for s in sets
    ]


def _row_in_force(row: AccountTier, on: dt.date) -> int | None:
    """The row's tier in force on ``on`` (`tiers.selectors.tier_held`)."""
    return tier_held(row.tier_id, row.computed_tier_id, row.override_tier_id,
                     row.override_until, on)  # fmt: skip


def account_standing(account_id: int, *, on: dt.date | None = None) -> AccountStanding:
    """Six queries: the active schemes (with the last run's day), the account's rows, its
    moves, and the tiers both cards need (every lifecycle stage and the tiers in force, with
    their conditions, policies and the policies' excluded categories)."""
    on = on or timezone.localdate()
    schemes = list(
        TierScheme.objects.filter(is_active=True)
        .annotate(last_run_as_of=last_run_as_of())
        .order_by("code")
    )
    rows = {
        r.scheme_id: r
        for r in AccountTier.objects.filter(account_id=account_id, scheme__is_active=True)
        .select_related("scheme", "tier", "computed_tier", "override_tier", "override_by")
        .order_by("scheme__code")
    }
    history = recent_moves(account_id, per_scheme=HISTORY_PER_SCHEME)
    in_force = {t for r in rows.values() if (t := _row_in_force(r, on)) is not None}
    sets = [s.pk for s in schemes if s.purpose == LIFECYCLE]
    tiers = {
        t.pk: t
        for t in Tier.objects.filter(Q(scheme_id__in=sets) | Q(pk__in=in_force))
        .select_related("scheme", "policy")
        .prefetch_related(
            Prefetch("conditions", TierCondition.objects.order_by("id")),
            "policy__discount_exclusions",
        )
    }
    for row in rows.values():  # the rows' stages with their conditions read above
        if row.tier_id in tiers:
            row.tier = tiers[row.tier_id]
        if row.computed_tier_id in tiers:
            row.computed_tier = tiers[row.computed_tier_id]
    stages: dict[int, list[Tier]] = defaultdict(list)
    for tier in tiers.values():
        if tier.scheme_id in sets:
            stages[tier.scheme_id].append(tier)
    policy = combine_policies([tiers[t] for t in in_force if t in tiers]) if in_force else None
    last_run = schemes[0].last_run_as_of if schemes else None
    return AccountStanding(schemes, last_run, rows, history, dict(stages), policy)
