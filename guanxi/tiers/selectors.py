"""Reads of tier schemes, account tiers and the policies they grant. Callers apply the account
access rule (`guanxi.accounts.selectors.visible_to`) to what they show; these functions are
also used by the nightly jobs, which see everything."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Subquery
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.core.idlists import ids_in
from guanxi.tiers.models import (
    AccountTier,
    SchemePurpose,
    Tier,
    TierChange,
    TierCondition,
    TierPolicy,
    TierRun,
    TierRunStatus,
    TierScheme,
)
from guanxi.tiers.rules import Condition


def condition_as_rule(cond: TierCondition) -> Condition:
    return {
        "metric": cond.metric,
        "min": cond.min_value,
        "max": cond.max_value,
        "values": list(cond.values or []),
    }


def rules_for_scheme(scheme: TierScheme | int) -> tuple[list[Tier], list[list[Condition]]]:
    """The scheme's tiers in rank order and, for each, its conditions as `rules` dicts."""
    scheme_id = scheme if isinstance(scheme, int) else scheme.pk
    tiers = list(
        Tier.objects.filter(scheme_id=scheme_id)
        .order_by("rank")
        .prefetch_related(Prefetch("conditions", TierCondition.objects.order_by("id")))
    )
    return tiers, [[condition_as_rule(c) for c in t.conditions.all()] for t in tiers]


TIERS = SchemePurpose.TIERS.value
LIFECYCLE = SchemePurpose.LIFECYCLE.value
#: The account list's tier filter value for the accounts without a tier in one scheme
#: (``?tier=none-<scheme id>``): the distribution report's "no tier" rows link to it.
NO_TIER = "none-"


def no_tier_value(scheme: TierScheme) -> str:
    return f"{NO_TIER}{scheme.pk}"


def active_schemes(purpose: str | None = None) -> list[TierScheme]:
    """Active schemes, code order; ``purpose``: only tier schemes ("tiers") or only lifecycle
    stage sets ("lifecycle"); None = both (the tiering run evaluates both)."""
    qs = TierScheme.objects.filter(is_active=True)
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    return list(qs.order_by("code"))


# --- effective policy ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FloorRule:
    """One floor-giving policy: its floor, the categories it excludes and the tier behind it."""

    floor: Decimal
    excluded_category_ids: frozenset[int]
    tier: Tier


@dataclass(frozen=True)
class DiscountFloor:
    floor: Decimal
    tier: Tier | None
    # True when every floor-giving policy excludes the category: no discount allowed at all.
    category_excluded: bool = False


@dataclass(frozen=True)
class EffectivePolicy:
    """What an account's current tiers (in all active schemes) grant, combined.

    Cadence and banquet interval: the shortest; gift values, banquet and trip budgets: the
    largest; groups: the union; greeting and banquet host: the highest-ranked tier that names
    one. ``driver[field]`` is the tier that gave each field ("visit every 10 days — A quality").
    The discount floor depends on the category: use `floor_for(category_id)`.
    """

    tiers: tuple[Tier, ...] = ()
    call_every_days: int | None = None
    visit_every_days: int | None = None
    greeting_role: str = ""
    birthday_gift_value: Decimal | None = None
    anniversary_gift_value: Decimal | None = None
    gift_lead_days: int | None = None
    banquet_every_months: int | None = None
    banquet_budget_per_table: Decimal | None = None
    banquet_host_role: str = ""
    trip_budget_per_person: Decimal | None = None
    groups: tuple[str, ...] = ()
    floors: tuple[FloorRule, ...] = ()
    driver: dict[str, Tier] = field(default_factory=dict)

    @property
    def discount_floor(self) -> Decimal | None:
        """The lowest floor of any policy, ignoring exclusions (for display)."""
        return min((f.floor for f in self.floors), default=None)

    def floor_for(self, category_id: int | None) -> DiscountFloor | None:
        """The floor for a transaction in ``category_id``; None = no floor, no check."""
        if not self.floors:
            return None
        eligible = [f for f in self.floors if category_id not in f.excluded_category_ids]
        if not eligible:
            # Excluded by every floor-giving policy: the category allows no discount at all.
            best = min(self.floors, key=lambda f: f.floor)
            return DiscountFloor(floor=Decimal("1.000"), tier=best.tier, category_excluded=True)
        best = min(eligible, key=lambda f: f.floor)
        return DiscountFloor(floor=best.floor, tier=best.tier)


_MIN_FIELDS = ("call_every_days", "visit_every_days", "banquet_every_months")
_MAX_FIELDS = (
    "birthday_gift_value",
    "anniversary_gift_value",
    "banquet_budget_per_table",
    "trip_budget_per_person",
)
_ROLE_FIELDS = ("greeting_role", "banquet_host_role")


def combine_policies(tiers: list[Tier]) -> EffectivePolicy:
    """Combine the policies of ``tiers`` (each with ``policy`` loaded or missing)."""
    # Highest-ranked first; ties between schemes broken by scheme code so results are stable.
    tiers = sorted(tiers, key=lambda t: (t.rank, t.scheme.code if t.scheme_id else "", t.pk))
    values: dict[str, Any] = {}
    driver: dict[str, Tier] = {}
    groups: list[str] = []
    floors: list[FloorRule] = []
    for tier in tiers:
        policy: TierPolicy | None = getattr(tier, "policy", None)
        if policy is None:
            continue
        for name in _MIN_FIELDS:
            value = getattr(policy, name)
            if value is not None and (values.get(name) is None or value < values[name]):
                values[name], driver[name] = value, tier
        for name in (*_MAX_FIELDS, "gift_lead_days"):
            value = getattr(policy, name)
            if name == "gift_lead_days" and not (
                policy.birthday_gift_value or policy.anniversary_gift_value
            ):
                continue  # lead time only matters for a tier that gives gifts
            if value is not None and (values.get(name) is None or value > values[name]):
                values[name], driver[name] = value, tier
        for name in _ROLE_FIELDS:
            value = getattr(policy, name)
            if value and not values.get(name):
                values[name], driver[name] = value, tier
        for group in policy.groups or []:
            if group not in groups:
                groups.append(group)
                driver.setdefault(f"group:{group}", tier)
        if policy.discount_floor is not None:
            excluded = frozenset(c.pk for c in policy.discount_exclusions.all())
            floors.append(FloorRule(policy.discount_floor, excluded, tier))
    if groups:
        driver["groups"] = driver[f"group:{groups[0]}"]
    if floors:
        driver["discount_floor"] = min(floors, key=lambda f: f.floor).tier
    return EffectivePolicy(
        tiers=tuple(tiers),
        groups=tuple(groups),
        floors=tuple(floors),
        driver=driver,
        **values,
    )


def _tiers_with_policies(tier_ids: set[int]) -> dict[int, Tier]:
    tiers = (
        Tier.objects.filter(pk__in=tier_ids)
        .select_related("scheme", "policy")
        .prefetch_related("policy__discount_exclusions")
    )
    return {t.pk: t for t in tiers}


def current_tier_ids(
    account_ids=None, *, on: dt.date | None = None, purpose: str | None = TIERS
) -> dict[int, list[int]]:
    """account id → ids of its tiers in force in the active schemes on ``on`` (default today).

    ``purpose``: tier schemes only by default (an account's standing: a lifecycle stage is no
    tier, and its rank 1 is decline); None = lifecycle stages too (their policies count).
    An override past its expiry no longer counts even before the nightly run has cleared it."""
    result: dict[int, list[int]] = defaultdict(list)
    for account_id, _purpose, tier_id, _stored, _since in _rows_in_force(account_ids, on, purpose):
        if tier_id is not None:
            result[account_id].append(tier_id)
    return result


#: A row of `_rows_in_force`: account id, purpose, the tier it holds on the day (None: none),
#: the stored tier, since when it holds it.
RowInForce = tuple[int, str, int | None, int | None, dt.date | None]


def _rows_in_force(
    account_ids: Iterable[int] | None, on: dt.date | None, purpose: str | None
) -> Iterator[RowInForce]:
    """The rows of ``account_ids`` (None: every account) in the active schemes of ``purpose``
    (None: every purpose), with the tier each holds on ``on`` (default today)."""
    on = on or timezone.localdate()
    qs = AccountTier.objects.filter(scheme__is_active=True)
    if purpose is not None:
        qs = qs.filter(scheme__purpose=purpose)
    keep: set[int] | None = None
    if account_ids is not None:
        account_ids = list(account_ids)
        if len(account_ids) > 5000:
            keep = set(account_ids)  # too many for an IN list (SQLite): filter here instead
        else:
            qs = qs.filter(ids_in("account_id", account_ids))
    rows = qs.values_list("account_id", "scheme__purpose", "tier_id", "computed_tier_id",
                          "override_tier_id", "override_until", "since")  # fmt: skip
    # The whole table streams through a server-side cursor; a list of ids reads in one go, as
    # psycopg binds a cursor's parameters client-side and splitting a query of 2,000
    # placeholders costs ~0.2 s.
    rows = rows.iterator(chunk_size=5000) if account_ids is None or keep is not None else rows
    for account_id, row_purpose, stored, computed, override, until, since in rows:
        if keep is None or account_id in keep:
            held = tier_held(stored, computed, override, until, on)
            yield account_id, row_purpose, held, stored, since


def tier_held(
    tier_id: int | None, computed_id: int | None, override_id: int | None,
    until: dt.date | None, on: dt.date,
) -> int | None:  # fmt: skip
    """The tier a row holds on ``on``: an override past its expiry no longer counts."""
    if override_id is not None and until is not None and until < on:
        return computed_id
    return tier_id


@dataclass
class TiersInForce:
    """Some accounts' rows in the active schemes (every purpose), read once for a page that
    needs them several ways (Today: the standing, the policies, since when a tier holds)."""

    #: purpose → account id → its tiers in force (as `current_tier_ids` answers per purpose)
    by_purpose: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    #: account id → the earliest ``since`` of its rows that hold a tier
    since: dict[int, dt.date] = field(default_factory=dict)

    def tier_ids(self, purpose: str | None = TIERS) -> dict[int, list[int]]:
        """`current_tier_ids(…, purpose=purpose)` of these accounts, from the rows read."""
        if purpose is not None:
            return self.by_purpose.get(purpose, {})
        merged: dict[int, list[int]] = defaultdict(list)
        for per_account in self.by_purpose.values():
            for account_id, ids in per_account.items():
                merged[account_id] += ids
        return merged


def tiers_in_force(account_ids: Sequence[int], *, on: dt.date | None = None) -> TiersInForce:
    """The tier rows of ``account_ids`` in the active schemes, one query (`TiersInForce`)."""
    result = TiersInForce()
    if not account_ids:
        return result
    for account_id, purpose, tier_id, stored, since in _rows_in_force(account_ids, on, None):
        if tier_id is not None:
            result.by_purpose.setdefault(purpose, defaultdict(list))[account_id].append(tier_id)
        if stored is not None and since is not None:
            result.since[account_id] = min(since, result.since.get(account_id, since))
    return result


def effective_policies(
    account_ids=None, *, on: dt.date | None = None
) -> dict[int, EffectivePolicy]:
    """account id → its combined policy, for accounts with at least one tier in an active scheme
    (lifecycle stages included: a stage may carry a policy, e.g. a win-back call in decline).

    Accounts sharing the same set of tiers share one (immutable) EffectivePolicy object, so this
    stays cheap for 100k accounts: one query for the tier rows, one for the few tiers."""
    return policies_of(current_tier_ids(account_ids, on=on, purpose=None))


def policies_of(per_account: dict[int, list[int]]) -> dict[int, EffectivePolicy]:
    """`effective_policies` from the tiers in force already read (account id → tier ids, every
    purpose): one query for the few tiers."""
    tiers = _tiers_with_policies({t for ids in per_account.values() for t in ids})
    combos: dict[frozenset[int], EffectivePolicy] = {}
    result: dict[int, EffectivePolicy] = {}
    for account_id, ids in per_account.items():
        key = frozenset(ids)
        if key not in combos:
            combos[key] = combine_policies([tiers[i] for i in key if i in tiers])
        result[account_id] = combos[key]
    return result


def effective_policy(account: Account | int, *, on: dt.date | None = None) -> EffectivePolicy:
    account_id = account if isinstance(account, int) else account.pk
    return effective_policies([account_id], on=on).get(account_id) or EffectivePolicy()


# --- display reads ------------------------------------------------------------------------------


def last_run_on() -> dt.date | None:
    """The day the latest successful tiering run evaluated (its ``as_of``): every account's row
    in every scheme active then was checked that day, though a run writes only the rows whose tier
    changed (so a row's ``evaluated_on`` is the last day it CHANGED). One query: read it once per
    page, not per row."""
    return _last_runs().values_list("as_of", flat=True).first()


def last_run_as_of() -> Subquery:
    """`last_run_on` as a subquery, to read it with another query."""
    return Subquery(_last_runs().values("as_of")[:1])


def _last_runs() -> QuerySet[TierRun]:
    return TierRun.objects.filter(status=TierRunStatus.SUCCEEDED).order_by("-finished_at", "-pk")


def with_last_run(rows: QuerySet[AccountTier]) -> QuerySet[AccountTier]:
    """Account-tier rows, each with ``last_run_on`` (`last_run_on`, in the same query): a list
    shows when each row was last checked (`checked_on`) without asking once per row."""
    return rows.annotate(last_run_on=last_run_as_of())


def checked_on(row: AccountTier | None, last_run: dt.date | None) -> dt.date | None:
    """When the rules last checked ``row``: the latest run's day when that run is newer than the
    row's own ``evaluated_on`` and the row's scheme is active (inactive schemes are not run),
    else ``evaluated_on``."""
    if row is None:
        return None
    evaluated = row.evaluated_on
    if evaluated is None or last_run is None or not row.scheme.is_active:
        return evaluated  # never evaluated (set by hand before any run): nothing to claim
    return max(evaluated, last_run)


def account_tiers(account: Account | int, *, purpose: str = TIERS) -> list[AccountTier]:
    """The account's rows in the active schemes of ``purpose`` (for the 360° page), code order."""
    account_id = account if isinstance(account, int) else account.pk
    return list(
        AccountTier.objects.filter(
            account_id=account_id, scheme__is_active=True, scheme__purpose=purpose
        )
        .select_related("scheme", "tier", "computed_tier", "override_tier", "override_by")
        .order_by("scheme__code")
    )


def account_tier_history(
    account: Account | int, *, limit: int = 50, purpose: str = TIERS, scheme_ids=None
) -> list[TierChange]:
    """The account's moves in schemes of ``purpose`` (optionally only ``scheme_ids``), newest
    first."""
    account_id = account if isinstance(account, int) else account.pk
    qs = TierChange.objects.filter(account_id=account_id, scheme__purpose=purpose)
    if scheme_ids is not None:
        qs = qs.filter(scheme_id__in=list(scheme_ids))
    return list(
        qs.select_related("scheme", "from_tier", "to_tier", "changed_by", "run").order_by(
            "-effective_on", "-changed_at", "-id"
        )[:limit]
    )


# --- lifecycle stages ---------------------------------------------------------------------------


def lifecycle_order(stages: list[Tier]) -> list[Tier]:
    """Stages as the lifecycle runs (first stage first): the reverse of the rank order, since
    the rules check the last stage of the lifecycle (rank 1) first."""
    return sorted(stages, key=lambda t: t.rank, reverse=True)


@dataclass
class AccountLifecycle:
    """An account's place in one active lifecycle stage set."""

    stage_set: TierScheme
    stages: list[Tier]  # in lifecycle order, first stage first
    row: AccountTier | None  # None: not evaluated yet
    history: list[TierChange]  # newest first

    @property
    def stage(self) -> Tier | None:
        return self.row.tier if self.row else None

    def override_active(self, on: dt.date) -> bool:
        return bool(self.row and self.row.override_active(on))


def current_stages(account_ids) -> dict[int, list[AccountTier]]:
    """account id → its rows (with stage and set loaded) in the active lifecycle sets that have
    a stage, set code order: for badges and exports."""
    ids = list(account_ids)
    result: dict[int, list[AccountTier]] = defaultdict(list)
    if not ids:
        return result
    qs = AccountTier.objects.filter(
        scheme__is_active=True, scheme__purpose=LIFECYCLE, tier__isnull=False
    ).select_related("tier", "scheme")
    if len(ids) <= 5000:
        qs = qs.filter(account_id__in=ids)
    wanted = set(ids)
    for row in qs.order_by("scheme__code"):
        if row.account_id in wanted:
            result[row.account_id].append(row)
    return result


def tier_distribution(scheme: TierScheme | int, *, accounts=None) -> list[tuple[Tier | None, int]]:
    """(tier, number of accounts) for every tier of the scheme in rank order, plus (None, n) for
    accounts evaluated without a tier. ``accounts``: an optional Account queryset to limit to
    (e.g. the ones the user may see)."""
    scheme_id = scheme if isinstance(scheme, int) else scheme.pk
    qs = AccountTier.objects.filter(scheme_id=scheme_id)
    if accounts is not None:
        qs = qs.filter(account_id__in=accounts.values("id"))
    counts = dict(qs.values_list("tier_id").annotate(n=Count("id")).values_list("tier_id", "n"))
    rows: list[tuple[Tier | None, int]] = [
        (tier, counts.get(tier.pk, 0)) for tier in Tier.objects.filter(scheme_id=scheme_id)
    ]
    if counts.get(None):
        rows.append((None, counts[None]))
    return rows


def attach_distribution(
    schemes: Sequence[TierScheme], *, accounts: QuerySet[Account] | None = None
) -> None:
    """Give each scheme of a page its `tier_distribution` in two queries (one GROUP BY over the
    tier assignments, one for the tiers) instead of a count per tier, which scanned every
    assignment of a tier to find a KAM's few: each tier in ``scheme.counted_tiers`` carries
    ``n_accounts``, and ``scheme.n_without_tier`` counts the accounts evaluated without one.
    ``accounts``: only these count (the ones the viewer may see); None: all. Read it back with
    `distribution_of`."""
    ids = [scheme.pk for scheme in schemes]
    rows = AccountTier.objects.filter(scheme_id__in=ids)
    if accounts is not None:
        rows = rows.filter(account_id__in=accounts.values("id"))
    grouped = rows.order_by().values_list("scheme_id", "tier_id").annotate(n=Count("id"))
    counts = {(scheme_id, tier_id): n for scheme_id, tier_id, n in grouped}
    tiers: dict[int, list[Tier]] = {pk: [] for pk in ids}
    for tier in Tier.objects.filter(scheme_id__in=ids).order_by("scheme_id", "rank"):
        tier.n_accounts = counts.get((tier.scheme_id, tier.pk), 0)
        tiers[tier.scheme_id].append(tier)
    for scheme in schemes:
        scheme.counted_tiers = tiers[scheme.pk]
        scheme.n_without_tier = counts.get((scheme.pk, None), 0)


def distribution_of(scheme: TierScheme) -> list[tuple[Tier | None, int]]:
    """`tier_distribution` of a scheme given by `attach_distribution`."""
    rows: list[tuple[Tier | None, int]] = [(t, t.n_accounts) for t in scheme.counted_tiers]
    if scheme.n_without_tier:
        rows.append((None, scheme.n_without_tier))
    return rows


@dataclass
class MigrationPeriod:
    """Tier moves in one period: counts per (from tier id, to tier id) (None = no tier)."""

    period: dt.date
    moves: Counter = field(default_factory=Counter)
    upgrades: int = 0
    downgrades: int = 0
    new: int = 0
    lost: int = 0


def tier_migration_counts(
    *,
    scheme: TierScheme | int,
    start: dt.date,
    end: dt.date,
    period: str = "month",
    accounts=None,
) -> list[MigrationPeriod]:
    """Tier moves of the scheme between ``start`` and ``end`` (inclusive), per month (``period``
    "month") or per ISO week ("week"), oldest first. Upgrades move to a better (lower) rank;
    "new" = from no tier, "lost" = to no tier."""
    scheme_id = scheme if isinstance(scheme, int) else scheme.pk
    ranks = dict(Tier.objects.filter(scheme_id=scheme_id).values_list("id", "rank"))
    qs = TierChange.objects.filter(
        scheme_id=scheme_id, effective_on__gte=start, effective_on__lte=end
    )
    if accounts is not None:
        qs = qs.filter(account_id__in=accounts.values("id"))
    rows = (
        qs.values("effective_on", "from_tier_id", "to_tier_id")
        .annotate(n=Count("id"))
        .values_list("effective_on", "from_tier_id", "to_tier_id", "n")
    )
    periods: dict[dt.date, MigrationPeriod] = {}
    for day, from_id, to_id, n in rows:
        if from_id == to_id:
            continue  # an override ending on the tier the rules give: not a move
        key = day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)
        bucket = periods.setdefault(key, MigrationPeriod(period=key))
        bucket.moves[(from_id, to_id)] += n
        if from_id is None:
            bucket.new += n
        elif to_id is None:
            bucket.lost += n
        elif ranks.get(to_id, 0) < ranks.get(from_id, 0):
            bucket.upgrades += n
        else:
            bucket.downgrades += n
    return [periods[k] for k in sorted(periods)]
