"""Reads of transactions and payments, limited by the account access rule, and the ledger's
figures per account: period totals, monthly revenue, 12-month revenue, a group's roll-up."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.accounts.normalise import simplified
from guanxi.accounts.selectors import account_descendant_ids, accounts_visible_to, visible_to
from guanxi.core.dates import local_midnight
from guanxi.core.models import User
from guanxi.core.selectors import filter_given, ordered
from guanxi.transactions.models import (
    AccountLedgerRollup,
    AccountMonth,
    Payment,
    ProductCategory,
    Transaction,
    TransactionKind,
)

if TYPE_CHECKING:
    from guanxi.transactions.schemas import PaymentFilters, TransactionFilters


def transactions_visible_to(actor: User | None) -> QuerySet[Transaction]:
    return visible_to(Transaction.objects.all(), actor, prefix="account__")


def payments_visible_to(actor: User | None) -> QuerySet[Payment]:
    return visible_to(Payment.objects.all(), actor, prefix="account__")


def _moment(value: dt.datetime | dt.date, *, end: bool) -> dt.datetime:
    """A filter bound as an aware datetime; a date `to` bound covers that whole day."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    day = value + dt.timedelta(days=1) if end else value
    return local_midnight(day)


def _within(
    qs: QuerySet,
    field: str,
    start: dt.datetime | dt.date | None,
    end: dt.datetime | dt.date | None,
) -> QuerySet:
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": _moment(start, end=False)})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": _moment(end, end=True)})
    return qs


def ledger_count_visible_to(actor: User | None) -> int:
    """How many transactions ``actor`` sees, from the per-account rollups (exact: every write
    refreshes its account's count) instead of COUNT(*) over the ledger."""
    rollups = visible_to(AccountLedgerRollup.objects.all(), actor, prefix="account__")
    return rollups.aggregate(n=Sum("count_lifetime"))["n"] or 0


def planned_count(queryset: QuerySet, *, exact_below: int = 50_000) -> int:
    """The number of rows of ``queryset``: exact when PostgreSQL's planner expects fewer than
    ``exact_below`` (or on SQLite), else the planner's estimate — a filtered ledger list
    ("source = pms": millions of rows) is paged without counting every row it matches."""
    if connection.vendor == "postgresql":
        try:
            sql, params = queryset.order_by().query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (pk__in=[]): no SQL to plan
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate >= exact_below:
            return estimate
    return queryset.count()


def ledger_sources(model: type = Transaction) -> list[str]:
    """The distinct sources of ``model``'s rows (transactions or payments), sorted: one index
    probe per source (a "skip scan" on the (source, …) index) instead of SELECT DISTINCT over
    the whole ledger. Every source, visible rows or not: a source system's name is not
    customer data."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"WITH RECURSIVE s(source) AS (SELECT MIN(source) FROM {table} UNION ALL "
        f"SELECT (SELECT MIN(source) FROM {table} WHERE source > s.source) "
        f"FROM s WHERE s.source IS NOT NULL) SELECT source FROM s WHERE source IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


# Both lists share these filters: the account and the amount range.
_COMMON_LOOKUPS = {
    "account": "account_id",
    "source": "source",
    "min_amount": "amount__gte",
    "max_amount": "amount__lte",
}


def transaction_list(*, actor: User | None, filters: TransactionFilters) -> QuerySet[Transaction]:
    """The API's transaction list: visible rows narrowed by the given filters."""
    # as_list: the newest rows of a KAM's book from the time index (see visible_to)
    qs = visible_to(
        Transaction.objects.select_related("account", "category"),
        actor,
        prefix="account__",
        as_list=True,
    )
    qs = filter_given(
        qs,
        filters,
        {
            **_COMMON_LOOKUPS,
            "contact": "contact_id",
            "category": "category__code",
            "kind": "kind",
            "channel": "channel",
            "external_id": "external_id",
        },
    )
    return ordered(_within(qs, "occurred_at", filters.occurred_from, filters.occurred_to))


def payment_list(*, actor: User | None, filters: PaymentFilters) -> QuerySet[Payment]:
    """The API's payment list: visible rows narrowed by the given filters."""
    qs = visible_to(
        Payment.objects.select_related("account"), actor, prefix="account__", as_list=True
    )
    qs = filter_given(qs, filters, {**_COMMON_LOOKUPS, "method": "method"})
    return ordered(_within(qs, "received_at", filters.received_from, filters.received_to))


ZERO = Decimal("0.00")


def period_starts(today: dt.date) -> dict[str, dt.datetime]:
    """Boundaries in the configured time zone (Asia/Shanghai by default): what a KAM calls
    "this month" is the local month, not the UTC one."""
    month = today.replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    return {
        "month": local_midnight(month),
        "next_month": local_midnight(next_month),
        "year": local_midnight(today.replace(month=1, day=1)),
        "next_year": local_midnight(dt.date(today.year + 1, 1, 1)),
    }


@dataclass
class PeriodTotals:
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    margin: Decimal = ZERO  # revenue − cost over transactions whose cost is known
    count: int = 0
    costed: int = 0  # transactions whose cost is known (the ones margin counts)


def period_totals(qs: QuerySet, **period: Q) -> dict[str, PeriodTotals]:
    """Revenue, cost, margin and counts of the transactions in ``qs`` for each named period
    (a Q over the transactions), in one query; as `AccountMonth` counts them: revenue and
    margin net of refunds, the counts of sales."""
    margin_expr = ExpressionWrapper(
        F("amount") - Coalesce(F("cost"), Value(ZERO)), output_field=DecimalField()
    )
    refund = Q(kind=TransactionKind.REFUND)
    aggs = {}
    for name, q in period.items():
        aggs[f"{name}_revenue"] = Sum("amount", filter=q)
        aggs[f"{name}_cost"] = Sum("cost", filter=q)
        aggs[f"{name}_margin"] = Sum(margin_expr, filter=q & (Q(cost__isnull=False) | refund))
        aggs[f"{name}_count"] = Count("id", filter=q & ~refund)
        aggs[f"{name}_costed"] = Count("id", filter=q & Q(cost__isnull=False) & ~refund)
    row = qs.aggregate(**aggs)
    return _period_totals_of(row, period)


def _period_totals_of(row: dict[str, Any], names: Iterable[str]) -> dict[str, PeriodTotals]:
    """`PeriodTotals` per period name from one aggregate row keyed ``<name>_revenue`` …"""
    return {
        name: PeriodTotals(
            revenue=row[f"{name}_revenue"] or ZERO,
            cost=row[f"{name}_cost"] or ZERO,
            margin=row[f"{name}_margin"] or ZERO,
            count=row[f"{name}_count"] or 0,
            costed=row[f"{name}_costed"] or 0,
        )
        for name in names
    }


MonthRange = tuple[dt.date | None, dt.date | None]


def month_totals(account_ids: list[int], **periods: MonthRange) -> dict[str, PeriodTotals]:
    """``period_totals`` for whole local months, from the month rollups (`AccountMonth`, exact)
    instead of the ledger: each period is (first month, first month after), None for open,
    in one query over at most one row per account, month and category."""
    aggs = {}
    for name, (start, end) in periods.items():
        q = Q()
        if start is not None:
            q &= Q(month__gte=start)
        if end is not None:
            q &= Q(month__lt=end)
        aggs[f"{name}_revenue"] = Sum("revenue", filter=q)
        aggs[f"{name}_cost"] = Sum("cost", filter=q)
        aggs[f"{name}_margin"] = Sum("margin", filter=q)
        aggs[f"{name}_count"] = Sum("count", filter=q)
        aggs[f"{name}_costed"] = Sum("costed", filter=q)
    row = AccountMonth.objects.filter(account_id__in=account_ids).aggregate(**aggs)
    return _period_totals_of(row, periods)


@dataclass
class CategorySeries:
    category: ProductCategory
    values: list[Decimal | None]  # per month; None: nothing recorded that month


def month_reached(month_counts: Iterable[tuple[dt.date, int]], rows: int) -> dt.date | None:
    """The month the ``rows`` latest transactions reach back to, given the account's (month,
    transactions) newest first; None when they count fewer."""
    seen = 0
    for month, n in month_counts:
        seen += n
        if seen >= rows:
            return month
    return None


def months_holding(account_id: int, rows: int) -> dt.date | None:
    """The first day of the oldest local month the account's ``rows`` latest transactions
    reach back to, from the month rollups' counts (one row per month and category, no ledger
    read); None when the rollups count fewer (the read needs every month). The counts are of
    sales, so a month's refunds only move the bound earlier: never too late."""
    months = (
        AccountMonth.objects.filter(account_id=account_id)
        .values_list("month")
        .annotate(n=Sum("count"))
        .order_by("-month")
    )
    return month_reached(months.iterator(chunk_size=24), rows)


def newest_first_page(
    queryset: QuerySet[Transaction],
    *,
    account_id: int,
    offset: int,
    limit: int,
    month_counts: Iterable[tuple[dt.date, int]] | None = None,
) -> list[Transaction]:
    """Rows ``offset`` … ``offset + limit`` of ``queryset`` (one account's transactions, ordered
    newest first by ``occurred_at``), read only from the months that hold them: the query
    carries ``occurred_at >= <local midnight of the month months_holding gives>``, a bound on
    the partition key itself, so on a partitioned ledger only those months' partitions are
    read (the unbounded list visited every partition's index). The rows are the same as the
    unbounded read's: when the bounded read fills the page, every older row comes after it in
    that order; when it does not (the last page, other filters, rollups that overcount after a
    raw bulk write), the unbounded read gives the page. ``month_counts``: the account's
    (month, transactions) newest first, when the caller has read them already."""
    if limit <= 0:
        return []
    if month_counts is None:
        since = months_holding(account_id, offset + limit)
    else:
        since = month_reached(month_counts, offset + limit)
    if since is not None:
        bounded = queryset.filter(occurred_at__gte=local_midnight(since))
        rows = list(bounded[offset : offset + limit])
        if len(rows) == limit:
            return rows
    return list(queryset[offset : offset + limit])


def latest_transactions(
    account_id: int, limit: int = 20, *, month_counts: Iterable[tuple[dt.date, int]] | None = None
) -> list[Transaction]:
    """The account's ``limit`` latest transactions (with category and contact), read only from
    the months that hold them (`newest_first_page`): on a partitioned ledger the query visits
    those months' partitions, not every one. ``month_counts``: the account's (month,
    transactions) newest first, when the caller has read them already (one query then)."""
    qs = (
        Transaction.objects.filter(account_id=account_id)
        .select_related("category", "contact")
        .order_by("-occurred_at", "-id")
    )
    return newest_first_page(
        qs, account_id=account_id, offset=0, limit=limit, month_counts=month_counts
    )


@dataclass
class AccountRollup:
    subsidiaries: list[Account]  # direct children the user may see
    descendant_count: int
    revenue_year: Decimal  # the account itself plus its (visible) descendants
    revenue_lifetime: Decimal
    transaction_count: int


def account_rollup(
    account: Account, *, today: dt.date | None = None, actor: User | None = None
) -> AccountRollup:
    """Group totals over the account and all its descendants, from the month rollups (exact).
    With `actor`, only descendants that user may see are counted, so the roll-up never
    reveals another team's revenue."""

    today = today or timezone.localdate()
    ids = account_descendant_ids(account)
    descendants = Account.objects.filter(pk__in=ids)
    if actor is not None:
        descendants = visible_to(descendants, actor)
    # One read: the ids counted, and the children among them (by name) listed.
    found = list(descendants.only("pk", "name", "parent_id").order_by("name", "pk"))
    desc_ids = [a.pk for a in found]
    year = today.replace(month=1, day=1)
    totals = month_totals(
        [account.pk, *desc_ids], year=(year, dt.date(today.year + 1, 1, 1)), lifetime=(None, None)
    )
    return AccountRollup(
        subsidiaries=[a for a in found if a.parent_id == account.pk],
        descendant_count=len(desc_ids),
        revenue_year=totals["year"].revenue,
        revenue_lifetime=totals["lifetime"].revenue,
        transaction_count=totals["lifetime"].count,
    )


def with_revenue(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Annotate accounts with 12-month revenue and last transaction time from the per-account
    rollups (a join on one row per account, so a list can sort by them without aggregating
    the ledger). ``last_transaction_at`` is exact; ``revenue_12m`` is as of the rollup's
    last refresh (its ``as_of``: the nightly run, or the last write of the account's
    transactions), so ``today`` no longer changes it. None where the account bought nothing in
    that window, as before."""
    return queryset.annotate(
        revenue_12m=Case(
            When(ledger_rollup__count_12m__gt=0, then=F("ledger_rollup__revenue_12m")),
            default=None,
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
        last_transaction_at=F("ledger_rollup__last_purchase_at"),
    )


def accounts_with_revenue(actor: User | None, *, today: dt.date | None = None) -> QuerySet:
    return with_revenue(accounts_visible_to(actor), today=today)


def categories_matching(
    queryset: QuerySet[ProductCategory], text: str
) -> QuerySet[ProductCategory]:
    """The categories whose code or name holds ``text``, traditional characters read as
    simplified both ways (餐飲 finds 餐饮 and the other way round), any case. Categories are a
    short configured list: their names are compared here rather than stored twice."""
    word = category_key(text)
    if not word:
        return queryset
    ids = [
        cat.pk
        for cat in ProductCategory.objects.only("pk", "code", "name", "name_en")
        if any(word in category_key(v) for v in (cat.code, cat.name, cat.name_en))
    ]
    return queryset.filter(pk__in=ids)


def category_key(name: str | None) -> str:
    """How a category's code or name is matched (the search above, the imports): half-width,
    traditional characters read as simplified (餐飲 is 餐饮, as accounts' names are), any case."""
    return simplified(name).strip().lower()
