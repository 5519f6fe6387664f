"""The volume of covered accounts over a period, read set-based from the ledger.

A period runs from local midnight of its first day to local midnight after its last
(`core.dates.local_midnight`, Asia/Shanghai by default): a sale at 23:30 Shanghai time on the
last day counts, one at 00:10 the next morning does not. Refunds (negative lines) reduce the
volume, since lines are summed as they are.

Amounts of whole local months come from the monthly rollup (`transactions.AccountMonth`, exact
at any time), so only the partial months at the edges of a period touch the transactions
themselves; quantities (room nights, covers, units) are not in the rollup and are summed from
the transactions over the period. Many periods are read together: one query per distinct range
of whole months and per distinct edge window, over all the accounts that share it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from guanxi.agreements.models import VolumeBasis
from guanxi.core.dates import add_months, local_midnight
from guanxi.transactions.models import AccountMonth, Transaction

CHUNK = 5000  # accounts per IN list (SQLite's limit on parameters, PostgreSQL's plan size)
ZERO = Decimal(0)


@dataclass(frozen=True)
class VolumeQuery:
    """What to sum: ``key`` names the answer; ``category_ids`` None counts every category;
    ``first`` and ``last`` are local days, both counted."""

    key: Hashable
    account_ids: tuple[int, ...]
    category_ids: frozenset[int] | None
    basis: str
    first: dt.date
    last: dt.date


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _pieces(q: VolumeQuery) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """(whole months [from, to) read from the rollup or None, raw windows [from, to) in days)."""
    end = q.last + dt.timedelta(days=1)
    if q.basis == VolumeBasis.QUANTITY:
        return None, [(q.first, end)]
    months_from = (
        q.first if q.first.day == 1 else add_months(_month_start(q.first), 1)
    )  # first whole month
    months_to = _month_start(end)  # whole months end before this one
    if months_from >= months_to:
        return None, [(q.first, end)]
    windows = [(q.first, months_from), (months_to, end)]
    return (months_from, months_to), [w for w in windows if w[0] < w[1]]


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


Cell = dict[int, dict[int, Decimal]]  # account → category → volume


def _month_sums(months: tuple[dt.date, dt.date], account_ids: set[int]) -> Cell:
    out: Cell = defaultdict(dict)
    for chunk in _chunks(account_ids):
        rows = (
            AccountMonth.objects.filter(
                account_id__in=chunk, month__gte=months[0], month__lt=months[1]
            )
            .order_by()
            .values_list("account_id", "category_id")
            .annotate(total=Sum("revenue"))
        )
        for account, category, total in rows:
            if total:
                out[account][category] = total
    return out


def _raw_sums(window: tuple[dt.date, dt.date], account_ids: set[int]) -> dict[str, Cell]:
    """basis → account → category → sum of the transactions in the window."""
    out: dict[str, Cell] = {
        VolumeBasis.AMOUNT: defaultdict(dict),
        VolumeBasis.QUANTITY: defaultdict(dict),
    }
    for chunk in _chunks(account_ids):
        rows = (
            Transaction.objects.filter(
                account_id__in=chunk,
                occurred_at__gte=local_midnight(window[0]),
                occurred_at__lt=local_midnight(window[1]),
            )
            .order_by()
            .values_list("account_id", "category_id")
            .annotate(amount=Sum("amount"), quantity=Sum("quantity"))
        )
        for account, category, amount, quantity in rows:
            if amount:
                out[VolumeBasis.AMOUNT][account][category] = amount
            if quantity:
                out[VolumeBasis.QUANTITY][account][category] = quantity
    return out


def volumes_by_account(queries: Iterable[VolumeQuery]) -> dict[Hashable, dict[int, Decimal]]:
    """key → account id → volume (every account of the query, 0 where nothing counted)."""
    queries = list(queries)
    plans = {q.key: _pieces(q) for q in queries}
    month_accounts: dict[tuple[dt.date, dt.date], set[int]] = defaultdict(set)
    window_accounts: dict[tuple[dt.date, dt.date], set[int]] = defaultdict(set)
    for q in queries:
        months, windows = plans[q.key]
        if months:
            month_accounts[months].update(q.account_ids)
        for window in windows:
            window_accounts[window].update(q.account_ids)
    month_cells = {m: _month_sums(m, ids) for m, ids in month_accounts.items()}
    raw_cells = {w: _raw_sums(w, ids) for w, ids in window_accounts.items()}

    result: dict[Hashable, dict[int, Decimal]] = {}
    for q in queries:
        months, windows = plans[q.key]
        cells = [month_cells[months]] if months else []
        cells += [raw_cells[w][q.basis] for w in windows]
        per_account = dict.fromkeys(q.account_ids, ZERO)
        for cell in cells:
            for account in per_account:
                for category, value in cell.get(account, {}).items():
                    if q.category_ids is None or category in q.category_ids:
                        per_account[account] += value
        result[q.key] = per_account
    return result


def volumes(queries: Iterable[VolumeQuery]) -> dict[Hashable, Decimal]:
    """key → the query's volume over all its accounts."""
    return {k: sum(v.values(), ZERO) for k, v in volumes_by_account(queries).items()}
