"""The home dashboard's charts over a set of accounts (C13): the customer pyramid, the Pareto
curve, the RFM grid, tier migration, cohort retention and revenue by category over time.

Every figure is read from the rollups the nightly run keeps — tier assignments
(`tiers.AccountTier`), tier moves (`tiers.TierChange`), the latest scores
(`insights.AccountScore`), the per-account rollup (`transactions.AccountLedgerRollup`) and the
per-account month (`transactions.AccountMonth`) — never from the ledger. The results are plain
JSON (ids, numbers, ISO months) so the director's and each team lead's can be stored by the
nightly step (`workspace.snapshots`) and read back in either language: names and links are the
page's business (`workspace.dashboard`).

A month without any row is ``None`` ("no data"), never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import add_months
from guanxi.core.models import User
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.relationships.health import coverage_distribution
from guanxi.tiers.models import AccountTier, SchemePurpose, TierChange, TierScheme
from guanxi.transactions.models import AccountLedgerRollup, AccountMonth

#: Months shown by the charts over time (cohort retention, revenue by category).
MONTHS = 12
#: The Pareto curve's points: every 5 % of the accounts.
PARETO_STEPS = 20


def _money(value: Any) -> float:
    return round(float(value or 0), 2)


def _share(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 2) if whole else None


def active_scheme() -> TierScheme | None:
    """The tier scheme the pyramid and the migration show: the first active one (code order)."""
    return (
        TierScheme.objects.filter(is_active=True, purpose=SchemePurpose.TIERS)
        .order_by("code")
        .first()
    )


def pyramid(accounts: QuerySet[Account], scheme: TierScheme | None) -> dict[str, Any]:
    """Accounts and 12-month revenue per tier of ``scheme``; the accounts without a tier (not
    evaluated yet, or in none) are one more row (``tier`` None), so the counts add up to all of
    ``accounts`` and the revenue shares to 100 %."""
    total_accounts = accounts.count()
    total_revenue = _money(
        AccountLedgerRollup.objects.filter(account__in=accounts.values("id")).aggregate(
            s=Sum("revenue_12m")
        )["s"]
    )
    rows: list[dict[str, Any]] = []
    if scheme is not None:
        grouped = (
            AccountTier.objects.filter(scheme=scheme, account__in=accounts.values("id"))
            .exclude(tier=None)
            .order_by()
            .values("tier_id")
            .annotate(n=Count("id"), revenue=Sum("account__ledger_rollup__revenue_12m"))
        )
        found = {r["tier_id"]: r for r in grouped}
        for tier in scheme.tiers.order_by("rank", "id"):
            r = found.get(tier.pk, {})
            rows.append(
                {"tier": tier.pk, "accounts": r.get("n", 0), "revenue": _money(r.get("revenue"))}
            )
    tiered = sum(r["accounts"] for r in rows)
    rest_revenue = round(total_revenue - sum(r["revenue"] for r in rows), 2)
    if total_accounts - tiered:
        rows.append({"tier": None, "accounts": total_accounts - tiered, "revenue": rest_revenue})
    for r in rows:
        r["account_share"] = _share(r["accounts"], total_accounts)
        r["revenue_share"] = _share(r["revenue"], total_revenue)
    return {
        "scheme": scheme.pk if scheme else None,
        "accounts": total_accounts,
        "revenue": total_revenue,
        "rows": rows,
    }


def pareto(accounts: QuerySet[Account]) -> dict[str, Any]:
    """Cumulative share of 12-month revenue against the share of buying accounts, best first,
    every 5 %; ``top20_share`` is the revenue share of the best 20 % and ``threshold`` the
    12-month revenue of the last account inside them (the list behind the mark)."""
    values = [
        float(v)
        for v in AccountLedgerRollup.objects.filter(
            account__in=accounts.values("id"), count_12m__gt=0, revenue_12m__gt=0
        )
        .order_by("-revenue_12m")
        .values_list("revenue_12m", flat=True)
    ]
    total, n = sum(values), len(values)
    points, top20, threshold = [], None, None
    if n and total:
        running, cumulative = 0.0, []
        for v in values:
            running += v
            cumulative.append(running)
        for step in range(1, PARETO_STEPS + 1):
            k = max(1, math.ceil(n * step / PARETO_STEPS))
            points.append({"x": step * 100 // PARETO_STEPS, "y": _share(cumulative[k - 1], total),
                           "threshold": round(values[k - 1], 2)})  # fmt: skip
        k20 = max(1, math.ceil(n * 0.2))
        top20, threshold = _share(cumulative[k20 - 1], total), round(values[k20 - 1], 2)
    return {"accounts": n, "revenue": round(total, 2), "points": points,
            "top20_share": top20, "threshold": threshold}  # fmt: skip


def rfm_grid(accounts: QuerySet[Account]) -> dict[str, Any]:
    """Accounts and revenue to date per (R, F) score of the latest analysis run: a 5 × 5 grid
    (5 = most recent / most frequent). Cells without accounts are left out."""
    run = latest_run()
    if run is None:
        return {"run": None, "cells": []}
    rows = (
        AccountScore.objects.filter(run=run, account__in=accounts.values("id"))
        .order_by()
        .values("r_score", "f_score")
        .annotate(n=Count("id"), value=Sum("total_revenue"))
    )
    cells = [
        {"r": r["r_score"], "f": r["f_score"], "accounts": r["n"], "value": _money(r["value"])}
        for r in rows
    ]
    cells.sort(key=lambda c: (-c["r"], -c["f"]))
    return {"run": run.pk, "as_of": run.observation_end.isoformat(), "cells": cells}


def tier_migration(
    accounts: QuerySet[Account], scheme: TierScheme | None, today: dt.date, counts: dict
) -> dict[str, Any]:
    """Where the accounts of each tier at the end of last month are now: flows (from tier, to
    tier, accounts) for the scheme; an account that moved this month flows from the tier it left
    first to the tier it holds now, every other account stays. ``counts``: accounts per tier id
    now (the pyramid's), so the stays are counted without reading every assignment again."""
    if scheme is None:
        return {"scheme": None, "flows": []}
    start = today.replace(day=1)
    moves = (
        TierChange.objects.filter(
            scheme=scheme, effective_on__gte=start, effective_on__lte=today,
            account__in=accounts.values("id"),
        )
        .order_by("account_id", "effective_on", "id")
        .values_list("account_id", "from_tier_id")
    )  # fmt: skip
    first_from: dict[int, int | None] = {}
    for account_id, from_id in moves:
        first_from.setdefault(account_id, from_id)
    now = dict(
        AccountTier.objects.filter(scheme=scheme, account_id__in=list(first_from)).values_list(
            "account_id", "tier_id"
        )
    )
    flows: dict[tuple, int] = {}
    moved_into: dict[Any, int] = {}
    for account_id, from_id in first_from.items():
        to_id = now.get(account_id)
        flows[(from_id, to_id)] = flows.get((from_id, to_id), 0) + 1
        moved_into[to_id] = moved_into.get(to_id, 0) + 1
    for tier_id, n in counts.items():
        stayed = n - moved_into.get(tier_id, 0)
        if stayed > 0:
            flows[(tier_id, tier_id)] = flows.get((tier_id, tier_id), 0) + stayed
    return {
        "scheme": scheme.pk,
        "since": start.isoformat(),
        "flows": [{"from": f, "to": t, "accounts": n} for (f, t), n in sorted(
            flows.items(), key=lambda kv: (-kv[1], str(kv[0])))],
    }  # fmt: skip


def month_span(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``months`` months, oldest first, this month last."""
    this = today.replace(day=1)
    return [add_months(this, -i) for i in range(months - 1, -1, -1)]


def cohort_retention(accounts: QuerySet[Account], today: dt.date) -> dict[str, Any]:
    """Accounts by the month of their first purchase (the last 12 cohorts) and, for each month
    since, how many of them bought again in it: a triangle. A cohort without any account is
    "no data" (size None)."""
    span = month_span(today)
    first = AccountMonth.objects.filter(account=OuterRef("account_id")).order_by("month")
    rows = (
        AccountMonth.objects.filter(account__in=accounts.values("id"), month__gte=span[0])
        .annotate(cohort=Subquery(first.values("month")[:1]))
        .filter(cohort__gte=span[0])
        .order_by()
        .values("cohort", "month")
        .annotate(n=Count("account_id", distinct=True))
    )
    active = {(r["cohort"], r["month"]): r["n"] for r in rows}
    cohorts = []
    for i, cohort in enumerate(span):
        size = active.get((cohort, cohort))
        since = []
        for k in range(len(span) - i):
            n = active.get((cohort, add_months(cohort, k)), 0) if size else None
            since.append({"k": k, "accounts": n, "share": _share(n, size) if size else None})
        cohorts.append({"cohort": cohort.isoformat(), "size": size, "months": since})
    return {"cohorts": cohorts}


#: At most this many accounts behind a cohort cell go into the account list's link.
COHORT_LINK_MAX = 2000


def cohort_account_ids(actor: User | None, cohort: dt.date, k: int) -> list[int]:
    """The accounts ``actor`` sees whose first purchase fell in the month ``cohort`` and who
    bought in the month ``k`` months later (a cell of the retention heat map), at most
    `COHORT_LINK_MAX`, lowest ids first."""
    first = AccountMonth.objects.filter(account=OuterRef("account_id")).order_by("month")
    rows = (
        visible_to(AccountMonth.objects.all(), actor, prefix="account__")
        .filter(month=add_months(cohort, k))
        .annotate(cohort=Subquery(first.values("month")[:1]))
        .filter(cohort=cohort)
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .distinct()
    )
    return list(rows[:COHORT_LINK_MAX])


def category_revenue(accounts: QuerySet[Account], today: dt.date) -> dict[str, Any]:
    """Revenue per product category and month (the last 12 months). A month in which none of
    the accounts has a row is None for every category ("no data"); a category without sales in
    a month that has data is 0."""
    span = month_span(today)
    rows = (
        AccountMonth.objects.filter(account__in=accounts.values("id"), month__gte=span[0])
        .order_by()
        .values("month", "category_id")
        .annotate(revenue=Sum("revenue"))
    )
    by: dict[tuple, float] = {(r["month"], r["category_id"]): _money(r["revenue"]) for r in rows}
    months_with_data = {m for m, _c in by}
    categories = sorted({c for _m, c in by})
    series = [
        {
            "category": c,
            "values": [by.get((m, c), 0.0) if m in months_with_data else None for m in span],
        }
        for c in categories
    ]
    return {"months": [m.isoformat() for m in span], "series": series}


def charts_compute(accounts: QuerySet[Account], today: dt.date) -> dict[str, Any]:
    """Every chart of the dashboard over ``accounts`` as of ``today`` (JSON-ready)."""
    scheme = active_scheme()
    pyr = pyramid(accounts, scheme)
    counts = {r["tier"]: r["accounts"] for r in pyr["rows"]}
    return {
        "as_of": today.isoformat(),
        "pyramid": pyr,
        "pareto": pareto(accounts),
        "rfm": rfm_grid(accounts),
        "migration": tier_migration(accounts, scheme, today, counts),
        "cohorts": cohort_retention(accounts, today),
        "categories": category_revenue(accounts, today),
        "coverage": coverage_distribution(accounts),
    }
