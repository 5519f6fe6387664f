"""Account metrics that tier conditions test, computed set-based: one GROUP BY account query per
family of metrics, and only for the metrics a scheme uses.

Windows (local time, settings.TIME_ZONE):
- month metrics: the last COMPLETE calendar month before ``as_of`` (`month_window`);
- revenue_12m / profit_12m: the 365 days ending with ``as_of`` (inclusive);
- revenue_lifetime: everything up to the end of ``as_of``.
- purchases_12m / purchases_lifetime: the number of transactions in the same windows;
- tenure_months: whole months from the local date of the first transaction to ``as_of``;
  days_since_purchase: days from the local date of the last transaction to ``as_of`` (both None
  without a transaction up to ``as_of``);
- revenue_trend: revenue of the 365 days ending with ``as_of`` against the 365 days before, as a
  percentage change (−100 = stopped buying); None when the earlier period has no (or negative)
  revenue, as no percentage can be taken of it;
- attitude: the account's attitude to our products (None when not recorded).
- strategic_agreement ("yes"/"no") and commitment_attained (%, None without a commitment): the
  agreement facts the agreements' nightly step stored last (`AccountAgreementFact`).
Analytics metrics come from the latest successful analysis run; percentiles are the share of
scored accounts with a strictly lower value, 0–100 (the best account gets 100).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.core.dates import add_months, local_midnight
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.tiers.models import AccountAgreementFact, Metric, YesNo
from guanxi.touchpoints.selectors import cost_to_serve
from guanxi.transactions.models import Transaction

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

MONTH_METRICS = frozenset({Metric.MONTH_VISITS, Metric.MONTH_SPEND, Metric.MONTH_PER_HEAD})
WINDOW_METRICS = frozenset(
    {Metric.REVENUE_12M, Metric.PROFIT_12M, Metric.PURCHASES_12M, Metric.REVENUE_TREND}
)
LIFETIME_METRICS = frozenset(
    {
        Metric.REVENUE_LIFETIME,
        Metric.PURCHASES_LIFETIME,
        Metric.TENURE_MONTHS,
        Metric.DAYS_SINCE_PURCHASE,
    }
)
# Account columns read as they are ("" = not recorded = None).
ACCOUNT_FIELDS = {Metric.ACCOUNT_TYPE: "account_type", Metric.ATTITUDE: "attitude"}
# metric → AccountScore field
SCORE_FIELDS = {
    Metric.CLV: "clv",
    Metric.CLP_HISTORIC: "historic_clp",
    Metric.CLP_PREDICTIVE: "predictive_clp",
    Metric.P_ALIVE: "p_alive",
    Metric.RFM_SEGMENT: "segment",
    Metric.ABC_CLASS: "abc_class",
}
PERCENTILE_OF = {Metric.CLV_PERCENTILE: "clv", Metric.CLP_PERCENTILE: "predictive_clp"}
AGREEMENT_METRICS = frozenset({Metric.STRATEGIC_AGREEMENT, Metric.COMMITMENT_ATTAINED})


def month_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """First and LAST day (both inclusive) of the last complete calendar month before ``as_of``."""
    first_of_this = as_of.replace(day=1)
    last = first_of_this - dt.timedelta(days=1)
    return last.replace(day=1), last


def twelve_month_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the 365 days ending with ``as_of``."""
    return as_of - dt.timedelta(days=364), as_of


def _span(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of first, local midnight after last)."""
    return local_midnight(first), local_midnight(last + dt.timedelta(days=1))


# Above this many ids, read every account's row and drop the others in Python instead of sending
# a huge IN list (SQLite caps the number of query parameters).
MAX_IN = 5000


def _limit(qs, account_ids: Collection[int] | None, field: str = "account_id"):
    if account_ids is None or len(account_ids) > MAX_IN:
        return qs
    return qs.filter(**{f"{field}__in": list(account_ids)})


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percentile_ranks(values: dict[int, Any]) -> dict[int, float]:
    """Percentile rank 0–100 of each value among all values: the share of the others that are
    strictly lower (ties share a rank; a single value gets 100)."""
    if not values:
        return {}
    ids = list(values)
    arr = np.array([float(values[i]) for i in ids], dtype=float)
    n = len(arr)
    if n == 1:
        return {ids[0]: 100.0}
    below = np.searchsorted(np.sort(arr), arr, side="left")
    pct = np.round(below * 100.0 / (n - 1), 2)
    return dict(zip(ids, pct.tolist(), strict=True))


def account_metrics(
    *,
    as_of: dt.date,
    metrics: Iterable[str],
    account_ids: Collection[int] | None = None,
    categories: Collection[int] | None = None,
) -> dict[int, dict[str, Any]]:
    """Every account (or those in ``account_ids``) → {metric: value} for the requested metrics.

    ``categories``: product category ids the MONTH metrics (visits, spend, per head) count; a
    scheme's `TierScheme.categories` (a restaurant's tiers count meals, not room nights). None
    or empty: every category. The other metrics always read every category.

    Counts and sums are 0 for an account without transactions; per-head spend is None without a
    head count; analytics metrics are None for an account the latest run did not score (or with
    no run at all), which makes conditions on them false. Money is Decimal (2 dp), percentiles
    and P(alive) floats, tags a frozenset of tag names.
    """
    wanted = {str(m) for m in metrics}
    unknown = wanted - set(Metric.values)
    if unknown:
        raise ValueError(f"unknown metrics: {sorted(unknown)}")
    if account_ids is not None:
        account_ids = list(account_ids)
    accounts = _limit(Account.objects.all(), account_ids, "id")
    columns = [(m.value, f) for m, f in ACCOUNT_FIELDS.items() if m in wanted]
    if columns:
        rows = accounts.values_list("id", *(f for _m, f in columns))
        result = {
            pk: {m: (v if v != "" else None) for (m, _f), v in zip(columns, vals, strict=True)}
            for pk, *vals in rows.iterator(chunk_size=5000)
        }
    else:
        result = {pk: {} for pk in accounts.values_list("id", flat=True).iterator(chunk_size=5000)}
    if account_ids is not None and len(account_ids) > MAX_IN:
        wanted_ids = set(account_ids)
        result = {pk: v for pk, v in result.items() if pk in wanted_ids}

    if wanted & MONTH_METRICS:
        _month_metrics(result, as_of, wanted, account_ids, categories)
    if wanted & WINDOW_METRICS:
        _window_metrics(result, as_of, wanted, account_ids)
    if wanted & LIFETIME_METRICS:
        _lifetime_metrics(result, as_of, wanted, account_ids)
    if wanted & (set(SCORE_FIELDS) | set(PERCENTILE_OF)):
        _score_metrics(result, wanted, account_ids)
    if wanted & AGREEMENT_METRICS:
        _agreement_metrics(result, wanted, account_ids)
    if Metric.TAG in wanted:
        tags: dict[int, set[str]] = {}
        rows = _limit(Account.tags.through.objects.all(), account_ids).values_list(
            "account_id", "tag__name"
        )
        for account_id, name in rows.iterator(chunk_size=5000):
            tags.setdefault(account_id, set()).add(name)
        for account_id, values in result.items():
            values[Metric.TAG.value] = frozenset(tags.get(account_id, ()))
    return result


def _month_metrics(result, as_of, wanted, account_ids, categories=None) -> None:
    start, end = _span(*month_window(as_of))
    qs = _limit(
        Transaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end), account_ids
    )
    if categories:
        qs = qs.filter(category_id__in=list(categories))
    rows = (
        qs.values("account_id")
        .annotate(
            n=Count("id"),
            spend=Sum("amount"),
            spend_counted=Sum("amount", filter=Q(head_count__isnull=False, head_count__gt=0)),
            heads=Sum("head_count", filter=Q(head_count__gt=0)),
        )
        .values_list("account_id", "n", "spend", "spend_counted", "heads")
    )
    found = {r[0]: r[1:] for r in rows}
    for account_id, values in result.items():
        n, spend, spend_counted, heads = found.get(account_id, (0, ZERO, None, None))
        if Metric.MONTH_VISITS in wanted:
            values[Metric.MONTH_VISITS.value] = n
        if Metric.MONTH_SPEND in wanted:
            values[Metric.MONTH_SPEND.value] = _round(spend)
        if Metric.MONTH_PER_HEAD in wanted:
            # Spend of the visits with a head count, over those heads (a visit without a head
            # count would otherwise inflate the per-head figure).
            values[Metric.MONTH_PER_HEAD.value] = (
                _round(Decimal(spend_counted) / heads) if heads else None
            )


def _window_metrics(result, as_of, wanted, account_ids) -> None:
    """The 12-month family in one GROUP BY: revenue, cost and purchases of the 365 days ending
    with ``as_of`` and, for the trend, the revenue of the 365 days before them."""
    first, last = twelve_month_window(as_of)
    start, end = _span(first, last)
    trend = Metric.REVENUE_TREND in wanted
    earlier = local_midnight(first - dt.timedelta(days=365))
    recent = Q(occurred_at__gte=start)
    qs = _limit(
        Transaction.objects.filter(
            occurred_at__gte=earlier if trend else start, occurred_at__lt=end
        ),
        account_ids,
    )
    aggregates = {
        "rev": Sum("amount", filter=recent),
        "cost": Sum("cost", filter=recent),
        "n": Count("id", filter=recent),
    }
    if trend:
        aggregates["before"] = Sum("amount", filter=Q(occurred_at__lt=start))
    names = list(aggregates)
    found = {
        row[0]: dict(zip(names, row[1:], strict=True))
        for row in qs.values("account_id").annotate(**aggregates).values_list("account_id", *names)
    }
    serve = cost_to_serve(as_of=last, since=first) if Metric.PROFIT_12M in wanted else {}
    for account_id, values in result.items():
        row = found.get(account_id, {})
        rev, cost = row.get("rev") or ZERO, row.get("cost") or ZERO
        if Metric.REVENUE_12M in wanted:
            values[Metric.REVENUE_12M.value] = _round(rev)
        if Metric.PROFIT_12M in wanted:
            values[Metric.PROFIT_12M.value] = _round(rev - cost - (serve.get(account_id) or ZERO))
        if Metric.PURCHASES_12M in wanted:
            values[Metric.PURCHASES_12M.value] = row.get("n") or 0
        if trend:
            before = row.get("before")
            values[Metric.REVENUE_TREND.value] = (
                _round((Decimal(rev) - before) * 100 / before)
                if before is not None and before > 0
                else None
            )


def whole_months(first: dt.date, last: dt.date) -> int:
    """Whole calendar months from ``first`` to ``last`` (31 Jan → 28 Feb is one month: the month
    step lands on the end of a shorter month)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    while months > 0 and add_months(first, months) > last:
        months -= 1
    return max(months, 0)


def _lifetime_metrics(result, as_of, wanted, account_ids) -> None:
    """The lifetime family in one GROUP BY: revenue, number, first and last purchase up to the
    end of ``as_of``."""
    _start, end = _span(as_of, as_of)
    qs = _limit(Transaction.objects.filter(occurred_at__lt=end), account_ids)
    found = {
        a: (rev, n, first, last)
        for a, rev, n, first, last in qs.values("account_id")
        .annotate(
            rev=Sum("amount"), n=Count("id"), first=Min("occurred_at"), last=Max("occurred_at")
        )
        .values_list("account_id", "rev", "n", "first", "last")
    }
    for account_id, values in result.items():
        rev, n, first, last = found.get(account_id, (ZERO, 0, None, None))
        if Metric.REVENUE_LIFETIME in wanted:
            values[Metric.REVENUE_LIFETIME.value] = _round(rev or ZERO)
        if Metric.PURCHASES_LIFETIME in wanted:
            values[Metric.PURCHASES_LIFETIME.value] = n or 0
        if Metric.TENURE_MONTHS in wanted:
            values[Metric.TENURE_MONTHS.value] = (
                None if first is None else whole_months(timezone.localdate(first), as_of)
            )
        if Metric.DAYS_SINCE_PURCHASE in wanted:
            values[Metric.DAYS_SINCE_PURCHASE.value] = (
                None if last is None else (as_of - timezone.localdate(last)).days
            )


def _score_metrics(result, wanted, account_ids) -> None:
    run = latest_run()
    fields = {SCORE_FIELDS[m] for m in wanted if m in SCORE_FIELDS}
    fields |= {PERCENTILE_OF[m] for m in wanted if m in PERCENTILE_OF}
    fields = sorted(fields)
    scores: dict[int, dict[str, Any]] = {}
    if run is not None:
        # Percentiles rank among ALL scored accounts, even when only some are asked for.
        qs = AccountScore.objects.filter(run=run)
        if account_ids is not None and not (wanted & set(PERCENTILE_OF)):
            qs = _limit(qs, account_ids)
        for row in qs.values_list("account_id", *fields).iterator(chunk_size=5000):
            scores[row[0]] = dict(zip(fields, row[1:], strict=True))
    percentiles = {
        metric: percentile_ranks(
            {a: s[source] for a, s in scores.items() if s.get(source) is not None}
        )
        for metric, source in PERCENTILE_OF.items()
        if metric in wanted
    }
    for account_id, values in result.items():
        score = scores.get(account_id, {})
        for metric, source in SCORE_FIELDS.items():
            if metric in wanted:
                value = score.get(source)
                if value in ("",):
                    value = None
                values[metric.value] = value
        for metric, ranks in percentiles.items():
            values[metric.value] = ranks.get(account_id)


def _agreement_metrics(result, wanted, account_ids) -> None:
    """The facts the agreements' nightly step stored: an account without a row has no active
    strategic agreement ("no") and no commitment attained (None)."""
    rows = _limit(AccountAgreementFact.objects.all(), account_ids).values_list(
        "account_id", "strategic_active", "commitment_attained_pct"
    )
    found = {a: (s, pct) for a, s, pct in rows.iterator(chunk_size=5000)}
    for account_id, values in result.items():
        strategic, pct = found.get(account_id, (False, None))
        if Metric.STRATEGIC_AGREEMENT in wanted:
            values[Metric.STRATEGIC_AGREEMENT.value] = YesNo.YES if strategic else YesNo.NO
        if Metric.COMMITMENT_ATTAINED in wanted:
            values[Metric.COMMITMENT_ATTAINED.value] = _round(pct)
