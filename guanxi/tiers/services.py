"""Writes for tiers: the tiering run, manual overrides, presets and the discount-floor check."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction as db_transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.core.bulk import analyze, insert_rows, update_rows
from guanxi.core.errors import ApplicationError, InvalidInput, PermissionDenied
from guanxi.core.models import User
from guanxi.tiers import rules as tier_rules
from guanxi.tiers.metrics import MONTH_METRICS, account_metrics
from guanxi.tiers.models import (
    AccountTier,
    ChangeReason,
    DiscountReview,
    DiscountReviewStatus,
    Metric,
    Tier,
    TierChange,
    TierRun,
    TierRunStatus,
    TierScheme,
)
from guanxi.tiers.presets import PRESETS, load_preset
from guanxi.tiers.selectors import (
    EffectivePolicy,
    active_schemes,
    effective_policies,
    rules_for_scheme,
)
from guanxi.transactions.models import Transaction

# Every shipped preset (tier schemes and lifecycle stage sets), for `guanxi tiers presets`.
PRESET_CODES = tuple(PRESETS)
Progress = Callable[[str], None] | None


# --- the tiering run ----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """Metric values as stored in AccountTier/TierChange.metrics (JSON)."""
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


@dataclass
class _Row:
    """An AccountTier row as read once from the database (values_list, not model instances)."""

    id: int
    tier_id: int | None
    computed_tier_id: int | None
    since: dt.date | None
    override_tier_id: int | None
    override_until: dt.date | None
    override_reason: str
    override_by_id: int | None


_ROW_FIELDS = (
    "id",
    "tier_id",
    "computed_tier_id",
    "since",
    "override_tier_id",
    "override_until",
    "override_reason",
    "override_by_id",
)
# Columns the run writes (rows are plain tuples, not model instances: 100k of those cost more
# than the SQL). Updates find the row by id and set every other column in _TIER_UPDATE, so one
# statement fits all rows.
_TIER_INSERT = (
    "account_id",
    "scheme_id",
    "tier_id",
    "computed_tier_id",
    "since",
    "metrics",
    "evaluated_on",
    "override_reason",
)
_TIER_UPDATE = (
    "id",
    "tier_id",
    "computed_tier_id",
    "since",
    "metrics",
    "evaluated_on",
    "override_tier_id",
    "override_until",
    "override_reason",
    "override_by_id",
)
_CHANGE_INSERT = (
    "account_id",
    "scheme_id",
    "from_tier_id",
    "to_tier_id",
    "effective_on",
    "changed_at",
    "reason",
    "metrics",
    "note",
    "run_id",
)


_REVIEW_INSERT = (
    "transaction_id",
    "account_id",
    "discount_rate",
    "floor",
    "tier_id",
    "status",
    "flagged_at",
    "review_note",
)


def _evaluate_scheme(
    scheme: TierScheme,
    *,
    run: TierRun,
    as_of: dt.date,
    values: dict[int, dict[str, Any]],
    account_order: list[int],
    columns: dict,
) -> int:
    """Evaluate one scheme for every account; write only the differences. Returns the number of
    tier changes recorded."""
    tiers, rules = rules_for_scheme(scheme)
    used = sorted(tier_rules.metrics_used(rules))
    index = tier_rules.first_match_columns(rules, columns, len(account_order))
    tier_ids = [t.pk for t in tiers]

    existing: dict[int, _Row] = {}
    rows = AccountTier.objects.filter(scheme=scheme).values_list("account_id", *_ROW_FIELDS)
    for account_id, *fields in rows.iterator(chunk_size=5000):
        existing[account_id] = _Row(*fields)

    day, now = as_of, timezone.now()
    creates: list[tuple] = []
    updates: list[tuple] = []
    changes: list[tuple] = []
    scheme_id, run_id = scheme.pk, run.pk

    def decided_by(account_id: int) -> str:
        metrics = values.get(account_id, {})
        return json.dumps({m: _json_value(metrics.get(m)) for m in used}, ensure_ascii=False)

    for pos, account_id in enumerate(account_order):
        i = int(index[pos])
        computed = tier_ids[i] if i >= 0 else None
        row = existing.get(account_id)
        if row is None:
            if computed is None:
                continue  # never had a tier and still has none: nothing to store
            metrics = decided_by(account_id)
            creates.append((account_id, scheme_id, computed, computed, day, metrics, day, ""))
            changes.append(
                (account_id, scheme_id, None, computed, day, now, ChangeReason.RULES.value,
                 metrics, "", run_id)
            )  # fmt: skip
            continue

        override_id, until = row.override_tier_id, row.override_until
        override_ended = override_id is not None and until is not None and until < as_of
        if override_ended:
            override_id = None
        new_tier = override_id if override_id is not None else computed
        if not override_ended and new_tier == row.tier_id and computed == row.computed_tier_id:
            continue  # unchanged: write nothing

        metrics = decided_by(account_id)
        since = day if new_tier != row.tier_id else row.since
        if override_ended:
            kept_override = (None, None, "", None)
        else:
            kept_override = (
                row.override_tier_id,
                row.override_until,
                row.override_reason,
                row.override_by_id,
            )
        updates.append((row.id, new_tier, computed, since, metrics, day, *kept_override))
        if new_tier != row.tier_id or override_ended:
            reason = ChangeReason.OVERRIDE_ENDED if override_ended else ChangeReason.RULES
            note = _("Override until %(until)s ended.") % {"until": until} if override_ended else ""
            changes.append(
                (account_id, scheme_id, row.tier_id, new_tier, day, now, reason.value, metrics,
                 note, run_id)
            )  # fmt: skip

    insert_rows(AccountTier._meta.db_table, _TIER_INSERT, creates)
    update_rows(AccountTier._meta.db_table, _TIER_UPDATE, updates)
    insert_rows(TierChange._meta.db_table, _CHANGE_INSERT, changes)
    return len(changes)


def tiering_run(
    *, as_of: dt.date | None = None, actor: User | None = None, progress: Progress = None
) -> TierRun:
    """Evaluate every active scheme for every account (all statuses: a lost account keeps, or
    loses, its tier by the same rules) and record the run.

    The TierRun row is written first (status running) so a failure is visible; every tier write
    then happens in ONE transaction: an exception rolls all of it back, marks the run failed with
    the error and is re-raised. Only differences are written, so a second run on unchanged data
    writes nothing but its TierRun row.
    """
    as_of = as_of or timezone.localdate()
    run = TierRun.objects.create(as_of=as_of, status=TierRunStatus.RUNNING, triggered_by=actor)
    try:
        with db_transaction.atomic():
            n_accounts, n_changes = _tiering(run, as_of, progress)
            run.status = TierRunStatus.SUCCEEDED
            run.n_accounts = n_accounts
            run.n_changes = n_changes
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "n_accounts", "n_changes", "finished_at"])
    except Exception as exc:
        TierRun.objects.filter(pk=run.pk).update(
            status=TierRunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        raise
    # The run may have written a tier and a change for every account: fresh planner statistics
    # (PostgreSQL) before the pages and the policy sync query them.
    analyze(AccountTier, TierChange)
    return run


def _tiering(run: TierRun, as_of: dt.date, progress: Progress) -> tuple[int, int]:
    schemes = active_schemes()
    known = set(Metric.values)
    # A condition on a metric this version does not know (data from elsewhere) never holds.
    needed_by = {s.pk: tier_rules.metrics_used(rules_for_scheme(s)[1]) & known for s in schemes}
    # Month metrics count only the scheme's categories (TierScheme.categories; empty = all), so
    # they are computed once per distinct set of categories; the other metrics once for all.
    category_sets = {s.pk: frozenset(s.categories.values_list("pk", flat=True)) for s in schemes}
    month_needed: dict[frozenset, set[str]] = {}
    for scheme in schemes:
        month_needed.setdefault(category_sets[scheme.pk], set()).update(
            needed_by[scheme.pk] & MONTH_METRICS
        )
    base_needed = set().union(*needed_by.values()) - MONTH_METRICS if needed_by else set()
    if progress:
        every = base_needed.union(*month_needed.values()) if month_needed else base_needed
        progress(_("Computing metrics: %(metrics)s") % {"metrics": ", ".join(sorted(every))})
    values = account_metrics(as_of=as_of, metrics=base_needed)
    account_order = list(values)
    base_columns = tier_rules.to_columns([values[a] for a in account_order], base_needed)
    by_categories: dict[frozenset, tuple[dict, dict]] = {}
    for key, wanted in month_needed.items():
        if not wanted:
            by_categories[key] = (values, base_columns)
            continue
        month = account_metrics(
            as_of=as_of, metrics=wanted, categories=key or None, account_ids=None
        )
        merged = {a: {**values[a], **month.get(a, {})} for a in account_order}
        columns = {
            **base_columns,
            **tier_rules.to_columns([merged[a] for a in account_order], wanted),
        }
        by_categories[key] = (merged, columns)
    n_changes = 0
    for scheme in schemes:
        if progress:
            progress(_("Evaluating %(scheme)s") % {"scheme": scheme})
        scheme_values, columns = by_categories[category_sets[scheme.pk]]
        n_changes += _evaluate_scheme(
            scheme,
            run=run,
            as_of=as_of,
            values=scheme_values,
            account_order=account_order,
            columns=columns,
        )
    return len(account_order), n_changes


# --- manual overrides ---------------------------------------------------------------------------


def override_permission_check(*, actor: User | None) -> None:
    """Only managers and admins set or clear a tier (a lifecycle stage) by hand (手动设置): an
    override changes what the account is granted. ``None`` is the system (a command, a data fix),
    not a person. Doors call this before they look anything else up, so a KAM hears "no" before
    "unknown scheme"."""
    if actor is not None and not actor.sees_all_accounts:
        raise PermissionDenied(_("Only managers and admins set tiers by hand."))


@db_transaction.atomic
def account_tier_override(
    *,
    account: Account,
    scheme: TierScheme,
    tier: Tier,
    reason: str,
    until: dt.date | None,
    actor: User | None,
) -> AccountTier:
    """Put ``account`` in ``tier`` by hand until ``until`` (inclusive; None = until cleared).

    The one place for the override's rules, checked in this order (the API's status codes follow
    it): the role (403), a tier of this scheme (400), a reason (400, kept in the tier history),
    an end date not in the past (422)."""
    override_permission_check(actor=actor)
    if tier.scheme_id != scheme.pk:
        raise ApplicationError(_("The tier belongs to another scheme."), field="tier")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the override."), field="reason")
    if until is not None and until < timezone.localdate():
        raise InvalidInput(errors={"until": _("The end date is in the past.")})
    row, _created = AccountTier.objects.select_for_update().get_or_create(
        account=account, scheme=scheme
    )
    before = row.tier_id
    row.override_tier = tier
    row.override_reason = reason[:300]
    row.override_until = until
    row.override_by = actor
    row.tier = tier
    _save_by_hand(row, before=before, reason=ChangeReason.OVERRIDE, note=reason, actor=actor)
    return row


@db_transaction.atomic
def account_tier_override_clear(
    *, account: Account, scheme: TierScheme, actor: User | None
) -> AccountTier | None:
    """End an override now: the account goes back to the tier the rules gave it. Managers and
    admins only, as setting it (`override_permission_check`)."""
    override_permission_check(actor=actor)
    row = (
        AccountTier.objects.select_for_update()
        .filter(account=account, scheme=scheme, override_tier__isnull=False)
        .first()
    )
    if row is None:
        return None
    before = row.tier_id
    row.override_tier = None
    row.override_reason = ""
    row.override_until = None
    row.override_by = None
    row.tier_id = row.computed_tier_id
    _save_by_hand(
        row,
        before=before,
        reason=ChangeReason.OVERRIDE_ENDED,
        note=_("Override cleared by hand."),
        actor=actor,
    )
    return row


def _save_by_hand(
    row: AccountTier, *, before: int | None, reason: str, note: str, actor: User | None
) -> None:
    """Save a tier set or cleared by hand and record the move (the figures are the last ones the
    rules saw, kept so the history shows what the override went against)."""
    if before != row.tier_id:
        row.since = timezone.localdate()
    row.save()
    TierChange.objects.create(
        account_id=row.account_id,
        scheme_id=row.scheme_id,
        from_tier_id=before,
        to_tier_id=row.tier_id,
        effective_on=timezone.localdate(),
        reason=reason,
        note=str(note)[:300],
        changed_by=actor,
        metrics=row.metrics or {},
    )


# --- presets ------------------------------------------------------------------------------------


def scheme_load_preset(*, code: str) -> TierScheme:
    """Create the preset scheme ``code`` (see `guanxi.tiers.presets`). Idempotent; see there."""
    return load_preset(code)


# --- discount floor -----------------------------------------------------------------------------


def _review_note(floor) -> str:
    if floor.category_excluded:
        return _("No discount is allowed on this category for tier %(tier)s.") % {
            "tier": floor.tier
        }
    return ""


@db_transaction.atomic
def discount_check(*, transaction) -> DiscountReview | None:
    """Flag ``transaction`` for review when its discount is below the account's tier floor for
    its category. Returns the (new or existing) review, or None when the discount is allowed.

    A pending review of a transaction that was corrected to an allowed discount is removed;
    reviewed ones stay as they are (the decision is history).
    """
    rate = transaction.discount_rate
    policy: EffectivePolicy | None = None
    floor = None
    if rate is not None and rate < 1:
        policy = effective_policies([transaction.account_id]).get(transaction.account_id)
        floor = policy.floor_for(transaction.category_id) if policy else None
    existing = DiscountReview.objects.filter(transaction_id=transaction.pk).first()
    if floor is None or rate >= floor.floor:
        if existing is not None and existing.status == DiscountReviewStatus.PENDING:
            existing.delete()
        return None
    if existing is not None:
        if existing.status == DiscountReviewStatus.PENDING:
            existing.discount_rate = rate
            existing.floor = floor.floor
            existing.tier = floor.tier
            existing.save(update_fields=["discount_rate", "floor", "tier"])
        return existing
    return DiscountReview.objects.create(
        transaction_id=transaction.pk,
        account_id=transaction.account_id,
        discount_rate=rate,
        floor=floor.floor,
        tier=floor.tier,
        review_note=_review_note(floor),
    )


@db_transaction.atomic
def discount_review_decide(
    *, review: DiscountReview, status: str, note: str, actor: User | None
) -> DiscountReview:
    """Record a manager's decision on a flagged discount (who, when, why): approved or
    rejected; the KAM reads the note."""
    if status not in (DiscountReviewStatus.APPROVED, DiscountReviewStatus.REJECTED):
        raise InvalidInput(_("Unknown review decision: %(s)s.") % {"s": status}, field="status")
    review.status = status
    review.review_note = (note or "").strip()[:300]
    review.reviewed_by = actor
    review.reviewed_at = timezone.now()
    review.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    return review


#: Flagging at least this many refreshes the reviews' planner statistics.
ANALYZE_REVIEWS = 1000


@db_transaction.atomic
def discount_reviews_flag(
    *,
    since: dt.datetime | None = None,
    occurred_since: dt.datetime | None = None,
    account_ids=None,
) -> int:
    """Flag, set-based, every transaction below its floor that has no review yet (after an
    import, and in the nightly run). ``since``: only transactions created since then;
    ``occurred_since``: only transactions that took place since then (the nightly run looks at
    recent business only: today's tier says nothing about a discount given two years ago).
    Returns the number of reviews created."""
    policies = effective_policies(account_ids)
    floored = [a for a, p in policies.items() if p.floors]
    if not floored:
        return 0
    qs = Transaction.objects.filter(discount_rate__lt=1).exclude(
        Exists(DiscountReview.objects.filter(transaction_id=OuterRef("pk")))
    )
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if occurred_since is not None:
        qs = qs.filter(occurred_at__gte=occurred_since)
    if len(floored) <= 5000:  # else: no IN list (SQLite caps parameters); skip others below
        qs = qs.filter(account_id__in=floored)
    rows = qs.values_list("id", "account_id", "category_id", "discount_rate")
    cache: dict[tuple[int, int], Any] = {}
    reviews: list[tuple] = []
    now = timezone.now()
    pending = DiscountReviewStatus.PENDING.value
    for tx_id, account_id, category_id, rate in rows.iterator(chunk_size=5000):
        policy = policies.get(account_id)
        if policy is None or not policy.floors:
            continue
        key = (id(policy), category_id)
        if key not in cache:
            found = policy.floor_for(category_id)
            cache[key] = (found, _review_note(found) if found else "")
        floor, note = cache[key]
        if floor is None or rate >= floor.floor:
            continue
        reviews.append(
            (tx_id, account_id, str(rate), str(floor.floor), floor.tier.pk, pending, now, note)
        )
    insert_rows(DiscountReview._meta.db_table, _REVIEW_INSERT, reviews)
    if len(reviews) >= ANALYZE_REVIEWS:  # a night's batch: the queue's plan must know of it
        analyze(DiscountReview)
    return len(reviews)
