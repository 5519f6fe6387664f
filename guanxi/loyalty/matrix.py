"""The nightly loyalty matrix (`loyalty_matrix` step): every account's cell, written to
`AccountLoyalty` so the matrix page, the account-list filter and the API read a table.

Behaviour from the latest analysis run's scores (repeat purchases, P(alive)); attitude from
`surveys.selectors.latest_scores`, asked only for the accounts that have answered a survey;
the rules are in `matrix_rules`, their cut-offs in `LoyaltyThresholds` (managers edit them).
The table is replaced in one transaction (bulk insert: COPY on PostgreSQL), a few queries
whatever the number of accounts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.core import bulk
from guanxi.core.dates import local_midnight
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.loyalty.matrix_rules import (
    Cuts,
    attitude_of,
    behaviour_high,
    behaviour_label,
    cell_of,
    current_cuts,
)
from guanxi.loyalty.models import AccountLoyalty, LoyaltyCell
from guanxi.surveys.models import SurveyResponse
from guanxi.surveys.selectors import latest_scores

COLUMNS = (
    "account_id", "behavioural", "repeat_purchases", "p_alive", "attitudinal_high",
    "attitude_source", "attitude_value", "attitude_on", "cell", "as_of",
)  # fmt: skip


def _behaviour(account_ids: list[int] | None = None) -> dict[int, tuple[int, float | None]]:
    """Repeat purchases and P(alive) per account from the latest run (of ``account_ids`` only,
    when given)."""
    run = latest_run()
    if run is None:
        return {}
    rows = AccountScore.objects.filter(run=run)
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    rows = rows.values_list("account_id", "frequency", "p_alive").order_by()
    return {account_id: (frequency, p_alive) for account_id, frequency, p_alive in rows}


def _surveyed_ids(as_of: dt.date) -> list[int]:
    rows = SurveyResponse.objects.filter(
        answered_at__lt=local_midnight(as_of + dt.timedelta(days=1))
    ).values_list("account_id", flat=True)
    return sorted(set(rows.order_by().distinct()))


def _row(
    account_id: int, behaviour: tuple[int, float | None], scores: Any, as_of: dt.date, cuts: Cuts
) -> tuple:
    repeats, p_alive = behaviour
    high = behaviour_high(repeats, p_alive, cuts)
    attitude = attitude_of(scores, cuts)
    return (
        account_id,
        behaviour_label(high),
        repeats,
        p_alive,
        attitude.high if attitude else None,
        attitude.source if attitude else "",
        attitude.value if attitude else None,
        attitude.on if attitude else None,
        cell_of(high, attitude),
        as_of,
    )


def loyalty_rows(as_of: dt.date) -> list[tuple]:
    behaviour = _behaviour()
    attitudes = latest_scores(_surveyed_ids(as_of))
    cuts = current_cuts()
    return [
        _row(
            account_id, behaviour.get(account_id, (0, None)), attitudes.get(account_id), as_of, cuts
        )
        for account_id in Account.objects.order_by().values_list("pk", flat=True)
    ]


#: A refresh of this many cells or more asks the planner to count the table again.
ANALYZE_FROM = 1000
CHUNK = 2000


def loyalty_cells_refresh(*, account_ids: list[int], as_of: dt.date | None = None) -> int:
    """These accounts' cells again, now (new survey answers change their attitude): the rows
    the nightly step would write, replacing the stored ones; a few queries per 2,000 accounts,
    whatever their number (an import of answers). Returns how many."""
    as_of = as_of or timezone.localdate()
    ids = sorted(set(account_ids))
    cuts = current_cuts()
    rows = []
    for chunk in bulk.chunks(ids, CHUNK):
        behaviour = _behaviour(list(chunk))
        attitudes = latest_scores(list(chunk))
        known = Account.objects.filter(pk__in=chunk).order_by().values_list("pk", flat=True)
        rows += [
            _row(account_id, behaviour.get(account_id, (0, None)), attitudes.get(account_id),
                 as_of, cuts)
            for account_id in known
        ]  # fmt: skip
    with transaction.atomic():
        for chunk in bulk.chunks(ids, CHUNK):
            AccountLoyalty.objects.filter(account_id__in=chunk).delete()
        bulk.insert_rows(AccountLoyalty._meta.db_table, COLUMNS, rows)
    if len(rows) >= ANALYZE_FROM:  # a big import: new cells may change the planner's counts
        bulk.analyze(AccountLoyalty)
    return len(rows)


def loyalty_cell_refresh(*, account_id: int, as_of: dt.date | None = None) -> AccountLoyalty:
    """One account's cell again, now (a new survey answer changes its attitude)."""
    loyalty_cells_refresh(account_ids=[account_id], as_of=as_of)
    return AccountLoyalty.objects.get(account_id=account_id)


def loyalty_matrix_refresh(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """Every account's loyalty cell as of ``as_of`` (default today), replacing the table."""
    as_of = as_of or timezone.localdate()
    rows = loyalty_rows(as_of)
    with transaction.atomic():
        AccountLoyalty.objects.all().delete()
        bulk.insert_rows(AccountLoyalty._meta.db_table, COLUMNS, rows)
    bulk.analyze(AccountLoyalty)  # the table was replaced whole: the planner's counts are stale
    counts: dict[str, Any] = {cell: 0 for cell in LoyaltyCell.values}
    for row in rows:
        counts[row[8]] += 1
    return {"as_of": as_of, "accounts": len(rows), "cells": counts}
