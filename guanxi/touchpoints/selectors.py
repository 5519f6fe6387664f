"""Reads of the touchpoint ledger: cost to serve and the last touchpoint of each kind.

Days are local days in the configured time zone (Asia/Shanghai): a call at 23:30 Shanghai
time (15:30 UTC) counts on that Shanghai day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from guanxi.core.dates import local_midnight
from guanxi.core.idlists import ids_in
from guanxi.touchpoints.models import ServeCost, Touchpoint


def cost_to_serve(*, as_of: dt.date, since: dt.date | None = None) -> dict[int, Decimal]:
    """account id → what serving it cost on local days up to and including ``as_of`` (from
    ``since`` when given): the touchpoints' costs (gifts, banquets, trips …) plus the costs to
    serve posted by other apps (`ServeCost`: the rebate an agreement has accrued, dated the
    last day its volume counts). Accounts without costs are left out. This is the cost to
    serve the analytics' lifetime profit (CLP) subtracts."""
    qs = Touchpoint.objects.filter(
        cost__isnull=False, occurred_at__lt=local_midnight(as_of + dt.timedelta(days=1))
    )
    other = ServeCost.objects.filter(day__lte=as_of)
    if since is not None:
        qs = qs.filter(occurred_at__gte=local_midnight(since))
        other = other.filter(day__gte=since)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for rows in (
        qs.order_by().values_list("account_id").annotate(total=Sum("cost")),
        other.order_by().values_list("account_id").annotate(total=Sum("amount")),
    ):
        for account_id, total in rows:
            totals[account_id] += total or 0
    return {a: t for a, t in totals.items() if t}


def last_touchpoints(
    account_ids: Iterable[int] | None = None,
    *,
    kinds: Iterable[str] | None = None,
    as_of: dt.date | None = None,
) -> dict[int, dict[str, dt.date]]:
    """account id → {touchpoint kind → local day of the latest one}, in one aggregate query.
    Only touchpoints up to the end of ``as_of`` count (default: all)."""
    qs = Touchpoint.objects.all()
    if account_ids is not None:
        qs = qs.filter(ids_in("account_id", account_ids))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if as_of is not None:
        qs = qs.filter(occurred_at__lt=local_midnight(as_of + dt.timedelta(days=1)))
    # The local day is computed in SQL: converting 100k+ datetimes in Python takes seconds.
    local_day = TruncDate("occurred_at", tzinfo=timezone.get_current_timezone())
    rows = qs.order_by().values_list("account_id", "kind").annotate(last=Max(local_day))
    result: dict[int, dict[str, dt.date]] = defaultdict(dict)
    # A server-side cursor only for the whole table: psycopg binds a cursor's parameters
    # client-side, and splitting a query of 2,000 ids costs more than the read.
    rows = rows.iterator(chunk_size=5000) if account_ids is None else rows
    for account_id, kind, last in rows:
        result[account_id][kind] = last
    return dict(result)
