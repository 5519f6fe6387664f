"""The per-account rollups of the ledger (`AccountLedgerRollup`, `AccountMonth`): rebuilt
set-wise in SQL, never row by row in Python.

One function, `ledger_rollups_refresh`, keeps both tables:

- with ``account_ids``: the rows of those accounts are deleted and written again from their
  transactions, in the caller's database transaction (the transaction services and the admin
  call it after each write, the import after its batches), so what a page shows after a write
  is what the ledger holds;
- without: every row, as of ``as_of``, then ANALYZE on PostgreSQL, so the planner knows the
  fresh rows. The nightly run rebuilds the per-account rows this way (the 12-month window,
  "this year" and "this month" slide with the calendar even when nothing is written); the
  month rows stay exact by the writes alone, so it leaves them (a full rebuild of them reads
  the whole ledger: minutes at 10M transactions; the migration and the demo do it once).

Both paths are one ``INSERT INTO … SELECT … GROUP BY`` per table, built by the ORM (so the
local-month truncation and the filtered sums read the same on SQLite and PostgreSQL). Which
figures are exact and which "as of the last refresh" is said on the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db import transaction as db_transaction
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from guanxi.core import bulk
from guanxi.core.dates import local_midnight
from guanxi.transactions.models import (
    AccountLedgerRollup,
    AccountMonth,
    Transaction,
    TransactionKind,
)

#: Above this many touched accounts one full rebuild is cheaper than looking each one up.
FULL_REBUILD_ABOVE = 20_000
#: Account ids per statement (SQLite caps the parameters of one query).
IN_CHUNK = {"sqlite": 900}

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_ZERO = Value(0, output_field=_MONEY)


def _money(expr: Any) -> Coalesce:
    return Coalesce(expr, _ZERO, output_field=_MONEY)


def _rollup_select(ledger: QuerySet, as_of: dt.date) -> QuerySet:
    """One row per account: the columns of AccountLedgerRollup."""
    since_12m = local_midnight(as_of - dt.timedelta(days=365))
    month = as_of.replace(day=1)
    year = local_midnight(as_of.replace(month=1, day=1))
    next_year = local_midnight(dt.date(as_of.year + 1, 1, 1))
    next_month = local_midnight((month + dt.timedelta(days=32)).replace(day=1))
    in_12m = Q(occurred_at__gte=since_12m)
    # Revenue is net of refunds (their amounts are negative); a refund is no purchase, so the
    # counts and the first and last purchase read the sales only.
    sale = Q(kind=TransactionKind.SALE)
    return (
        ledger.values("account_id")
        .annotate(
            as_of=Value(as_of, output_field=DateField()),
            revenue_12m=_money(Sum("amount", filter=in_12m)),
            count_12m=Count("id", filter=in_12m & sale),
            revenue_year=_money(
                Sum("amount", filter=Q(occurred_at__gte=year, occurred_at__lt=next_year))
            ),
            revenue_month=_money(
                Sum(
                    "amount",
                    filter=Q(occurred_at__gte=local_midnight(month), occurred_at__lt=next_month),
                )
            ),
            revenue_lifetime=_money(Sum("amount")),
            count_lifetime=Count("id", filter=sale),
            first_purchase_at=Min("occurred_at", filter=sale),
            last_purchase_at=Max("occurred_at", filter=sale),
        )
        .order_by()
    )


def _month_select(ledger: QuerySet) -> QuerySet:
    """One row per account, local month and category: the columns of AccountMonth. Revenue
    and margin are net of refunds (a refund lowers the margin by what it gives back, its cost
    counted as 0 unless given); ``count`` counts the sales."""
    refund = Q(kind=TransactionKind.REFUND)
    costed = Q(cost__isnull=False) | refund
    margin = ExpressionWrapper(
        F("amount") - Coalesce(F("cost"), _ZERO, output_field=_MONEY), output_field=_MONEY
    )
    return (
        ledger.annotate(
            month=TruncMonth(
                "occurred_at", output_field=DateField(), tzinfo=timezone.get_current_timezone()
            )
        )
        .values("account_id", "month", "category_id")
        .annotate(
            revenue=_money(Sum("amount")),
            margin=_money(Sum(margin, filter=costed)),
            count=Count("id", filter=~refund),
            costed=Count("id", filter=costed & ~refund),
            heads=Coalesce(Sum("head_count"), 0),
            headed_revenue=_money(Sum("amount", filter=Q(head_count__gt=0))),
            # Last: once named, "cost" means this sum to the expressions after it.
            cost=_money(Sum("cost")),
        )
        .order_by()
    )


def _insert_select(model: type[Model], select: QuerySet) -> int:
    """INSERT INTO the model's table the rows of ``select``; the column names are the select's
    own (its values() fields, then its annotations, in that order, as the ORM writes them)."""
    query = select.query
    if query.selected is not None:  # Django ≥ 5.2 keeps the order values() was given
        columns = list(query.selected)
    else:
        columns = [*query.values_select, *query.annotation_select]
    sql, params = query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) {sql}", params)
        return cursor.rowcount


def _rebuild(ledger: QuerySet, as_of: dt.date, rollups: QuerySet, months: QuerySet | None) -> int:
    rollups.delete()
    n = _insert_select(AccountLedgerRollup, _rollup_select(ledger, as_of))
    if months is not None:
        months.delete()
        _insert_select(AccountMonth, _month_select(ledger))
    return n


def _room_to_group() -> None:
    # One GROUP BY over the whole ledger: let PostgreSQL hash it in memory rather than sort
    # millions of rows on disk (for this transaction only).
    if bulk.is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


@db_transaction.atomic
def ledger_rollups_refresh(
    account_ids: Iterable[int] | None = None,
    *,
    as_of: dt.date | None = None,
    months: bool = True,
) -> dict[str, int]:
    """Rewrite the rollups of ``account_ids`` (None: of every account) from the ledger, as of
    ``as_of`` (default today, local time). ``months=False`` leaves the month rows alone (the
    nightly run: they do not move with the calendar, and every write keeps them exact).
    Returns the number of accounts with rows."""
    as_of = as_of or timezone.localdate()
    ids = None if account_ids is None else sorted({int(i) for i in account_ids if i is not None})
    if ids is not None and len(ids) <= FULL_REBUILD_ABOVE:
        written = 0
        for chunk in bulk.chunks(ids, IN_CHUNK.get(connection.vendor, 10_000)):
            written += _rebuild(
                Transaction.objects.filter(account_id__in=chunk),
                as_of,
                AccountLedgerRollup.objects.filter(account_id__in=chunk),
                AccountMonth.objects.filter(account_id__in=chunk) if months else None,
            )
        return {"accounts": written}
    _room_to_group()
    written = _rebuild(
        Transaction.objects.all(),
        as_of,
        AccountLedgerRollup.objects.all(),
        AccountMonth.objects.all() if months else None,
    )
    # A full rebuild rewrites every row: fresh statistics, or PostgreSQL plans the pages' joins
    # on the old estimates.
    bulk.analyze(AccountLedgerRollup, *([AccountMonth] if months else []))
    return {"accounts": written}
