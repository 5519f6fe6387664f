"""The distribution of the customer base (seed 003 基础信息: 行业, 规模, 价值, 地域分布): how
many accounts, and how much revenue, by industry, enterprise nature, scale, province,
account type, ABC class and tier — over the accounts the actor sees, optionally one team's.

Read from stored figures only, never the ledger: one grouped query over the accounts and their
per-account rollup (`transactions.AccountLedgerRollup`: 12-month revenue, this year's) serves
the five account fields at once (the groups of every combination, summed here per field); the
value classes read the latest analysis run's scores and the active tier schemes' rows. A chosen
range of months reads the month rollups (`transactions.AccountMonth`). Every table's accounts
add up to the total: blanks are a row of their own (``key == ""``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, FilteredRelation, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account, AccountType, EnterpriseNature, Industry, Scale
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.formatting import localised
from guanxi.core.models import User
from guanxi.insights.models import AbcClass, AccountScore
from guanxi.insights.selectors import NOT_SCORED, latest_run
from guanxi.tiers.models import AccountTier, SchemePurpose, Tier, TierScheme
from guanxi.tiers.selectors import no_tier_value
from guanxi.transactions.models import AccountMonth

ZERO = Decimal("0")

#: The account fields reported, with their choices (None: free text, ranked by count).
FIELDS: dict[str, Any] = {
    "industry": Industry,
    "enterprise_nature": EnterpriseNature,
    "scale": Scale,
    "province": None,
    "account_type": AccountType,
}
#: The latest run's ABC class, read in the same grouped query.
ABC = "latest_score__abc_class"
#: Tables in an order of their own (the choices' order): sizes and classes, not names.
ORDINAL = {"scale"}


@dataclass
class Row:
    key: str  # "" for not set
    label: str
    accounts: int = 0
    revenue_12m: Decimal = ZERO
    revenue_period: Decimal = ZERO
    filter: dict[str, str] = field(default_factory=dict)  # the account list's query, {} if none


@dataclass
class Table:
    code: str  # "industry", "abc", "tier-<scheme code>"
    title: str
    rows: list[Row]

    @property
    def accounts(self) -> int:
        return sum(r.accounts for r in self.rows)

    @property
    def revenue_12m(self) -> Decimal:
        return sum((r.revenue_12m for r in self.rows), ZERO)

    @property
    def revenue_period(self) -> Decimal:
        return sum((r.revenue_period for r in self.rows), ZERO)


@dataclass(frozen=True)
class Period:
    """A range of local months, [start, end): ``start``'s month up to ``end``'s, exclusive.
    None: this calendar year, read from the rollups."""

    start: dt.date
    end: dt.date


@dataclass
class Distribution:
    total: int
    revenue_12m: Decimal
    revenue_period: Decimal
    tables: list[Table]


def distribution_accounts(actor: User | None, *, team_id: int | None = None) -> QuerySet[Account]:
    """The accounts reported on: those the actor sees, of one team if given."""
    accounts = accounts_visible_to(actor)
    if team_id is not None:
        accounts = accounts.filter(team_id=team_id)
    return accounts


def _measures(prefix: str, today: dt.date) -> dict[str, Any]:
    """The sums read from the per-account rollup reached by ``prefix`` (``ledger_rollup__``)."""
    year = today.replace(month=1, day=1)
    this_year = Q(
        **{f"{prefix}as_of__gte": year, f"{prefix}as_of__lt": dt.date(today.year + 1, 1, 1)}
    )
    return {
        "rev12": Sum(f"{prefix}revenue_12m", filter=Q(**{f"{prefix}count_12m__gt": 0})),
        "revyear": Sum(f"{prefix}revenue_year", filter=this_year),
    }


def _add(row: Row, values: dict[str, Any], period: bool) -> None:
    row.accounts += values.get("n") or 0
    row.revenue_12m += values.get("rev12") or ZERO
    if not period:
        row.revenue_period += values.get("revyear") or ZERO


def _field_tables(
    accounts: QuerySet, today: dt.date, period: Period | None, run_id: int | None
) -> tuple[list[Table], dict[str, Row]]:
    """The account fields' tables, and the ABC classes' rows (from the same scan: the latest
    run's score is one LEFT JOIN on its (run, account) index)."""
    rows: dict[str, dict[str, Row]] = {name: {} for name in FIELDS}
    abc: dict[str, Row] = {}
    scored = accounts.annotate(
        latest_score=FilteredRelation("scores", condition=Q(scores__run_id=run_id))
    )
    cube = (
        scored.order_by()
        .values(*FIELDS, ABC)
        .annotate(n=Count("id"), **_measures("ledger_rollup__", today))
    )
    for group in cube:
        for name in FIELDS:
            key = group[name] or ""
            row = rows[name].setdefault(key, Row(key=key, label=key))
            _add(row, group, period is not None)
        key = group[ABC] or ""
        _add(abc.setdefault(key, Row(key=key, label=key)), group, period is not None)
    if period is not None:
        months = AccountMonth.objects.filter(month__gte=period.start, month__lt=period.end)
        if accounts.query.where:
            months = months.filter(account__in=accounts.values("id"))
        lookups = {f"account__{name}": name for name in FIELDS}
        for group in months.order_by().values(*lookups).annotate(rev=Sum("revenue")):
            for lookup, name in lookups.items():
                key = group[lookup] or ""
                row = rows[name].setdefault(key, Row(key=key, label=key))
                row.revenue_period += group["rev"] or ZERO
    titles = {name: str(Account._meta.get_field(name).verbose_name) for name in FIELDS}
    tables = [
        Table(code=name, title=titles[name], rows=_ordered(name, rows[name])) for name in FIELDS
    ]
    return tables, abc


def _ordered(name: str, rows: dict[str, Row]) -> list[Row]:
    choices = FIELDS[name]
    labels = dict(choices.choices) if choices is not None else {}
    lookup = "province" if choices is None else f"{name}__exact"
    for row in rows.values():
        row.label = str(labels.get(row.key, row.key)) if row.key else _("Not set")
        row.filter = {lookup: row.key} if row.key else {"unset": name}
    known = [r for r in rows.values() if r.key]
    if name in ORDINAL:
        order = {value: i for i, value in enumerate(choices.values)}
        known.sort(key=lambda r: order.get(r.key, len(order)))
    else:
        known.sort(key=lambda r: (-r.accounts, -r.revenue_12m, r.label))
    return known + [r for r in rows.values() if not r.key]


def _class_rows(rows_qs: QuerySet, key: str, accounts: QuerySet, today: dt.date) -> dict[Any, Row]:
    """Counts and revenue of ``rows_qs`` (rows hanging off an account: tiers) grouped by
    ``key``."""
    out: dict[Any, Row] = {}
    grouped = (
        _reported(rows_qs, accounts)
        .order_by()
        .values(key)
        .annotate(n=Count("account_id"), **_measures("account__ledger_rollup__", today))
    )
    for group in grouped:
        _add(out.setdefault(group[key], Row(key=str(group[key]), label="")), group, False)
    return out


def _class_period(
    rows: dict[Any, Row], rows_qs: QuerySet, key: str, accounts: QuerySet, period: Period
) -> None:
    """Add the period's revenue (the month rollups) to ``rows`` of ``rows_qs`` by ``key``."""
    months = _reported(rows_qs, accounts).filter(
        account__ledger_months__month__gte=period.start,
        account__ledger_months__month__lt=period.end,
    )
    grouped = months.order_by().values(key).annotate(rev=Sum("account__ledger_months__revenue"))
    for group in grouped:
        row = rows.setdefault(group[key], Row(key=str(group[key]), label=""))
        row.revenue_period += group["rev"] or ZERO


def _reported(rows_qs: QuerySet, accounts: QuerySet) -> QuerySet:
    """``rows_qs`` (rows with an account) of the reported accounts."""
    if accounts.query.where:  # not every account: limit the rows to the reported ones
        return rows_qs.filter(account__in=accounts.values("id"))
    return rows_qs


def _rest(table_rows: list[Row], whole: Table, label: str) -> Row:
    """The accounts (and revenue) of the whole not in any of ``table_rows``."""
    return Row(
        key="",
        label=label,
        accounts=whole.accounts - sum(r.accounts for r in table_rows),
        revenue_12m=whole.revenue_12m - sum((r.revenue_12m for r in table_rows), ZERO),
        revenue_period=whole.revenue_period - sum((r.revenue_period for r in table_rows), ZERO),
    )


def _abc_table(
    found: dict[str, Row],
    whole: Table,
    accounts: QuerySet,
    period: Period | None,
    run_id: int | None,
) -> Table:
    if period is not None and run_id is not None:
        scores = AccountScore.objects.filter(run_id=run_id)
        _class_period(found, scores, "abc_class", accounts, period)
    rows = []
    for value, label in AbcClass.choices:
        row = found.get(value, Row(key=value, label=""))
        row.label, row.filter = str(label), {"abc_class": value}
        rows.append(row)
    rest = _rest(rows, whole, _("Not scored"))  # not scored (no sales before the run)
    rest.filter = {"abc_class": NOT_SCORED}
    rows.append(rest)
    return Table(code="abc", title=_("ABC class"), rows=rows)


def _tier_tables(
    accounts: QuerySet, whole: Table, today: dt.date, period: Period | None
) -> list[Table]:
    schemes = list(
        TierScheme.objects.filter(is_active=True, purpose=SchemePurpose.TIERS).order_by("code")
    )
    # Every scheme's tiers in one grouped scan, and the period's in one more: a tier belongs to
    # one scheme, so the rows keyed by tier id are picked per scheme below.
    held = AccountTier.objects.filter(scheme__in=schemes, tier__isnull=False)
    found = _class_rows(held, "tier_id", accounts, today)
    if period is not None:
        _class_period(found, held, "tier_id", accounts, period)
    tiers = list(Tier.objects.filter(scheme__in=schemes).order_by("rank"))
    tables = []
    for scheme in schemes:
        rows = []
        for tier in (t for t in tiers if t.scheme_id == scheme.pk):
            row = found.get(tier.pk, Row(key=str(tier.pk), label=""))
            row.label, row.filter = str(tier), {"tier": str(tier.pk)}
            rows.append(row)
        rest = _rest(rows, whole, _("No tier"))
        rest.filter = {"tier": no_tier_value(scheme)}
        rows.append(rest)
        title = localised(scheme.name, scheme.name_en)
        tables.append(Table(code=f"tier-{scheme.code}", title=title, rows=rows))
    return tables


def distribution(
    actor: User | None,
    *,
    today: dt.date,
    team_id: int | None = None,
    period: Period | None = None,
) -> Distribution:
    """The distribution tables over the actor's accounts (one team's, if given): accounts,
    12-month revenue and the period's revenue (this calendar year unless ``period``)."""
    accounts = distribution_accounts(actor, team_id=team_id)
    run = latest_run()
    run_id = run.pk if run is not None else None
    tables, abc = _field_tables(accounts, today, period, run_id)
    whole = tables[0]
    tables.append(_abc_table(abc, whole, accounts, period, run_id))
    tables.extend(_tier_tables(accounts, whole, today, period))
    return Distribution(
        total=whole.accounts,
        revenue_12m=whole.revenue_12m,
        revenue_period=whole.revenue_period,
        tables=tables,
    )


@dataclass
class Computed:
    """A report and when it was computed (shown on the page: the figures may be minutes old)."""

    report: Distribution
    computed_at: dt.datetime


def distribution_recent(
    actor: User,
    *,
    today: dt.date,
    team_id: int | None = None,
    period: Period | None = None,
    refresh: bool = False,
) -> Computed:
    """`distribution`, kept in the shared cache for GUANXI_DISTRIBUTION_CACHE_SECONDS per
    viewer's scope, filters and language: at 100,000 accounts each computation groups every
    account and tier row (250–400 ms), while the figures move little within minutes.
    ``refresh``: compute now (the page's "recompute" link) and keep that."""
    seconds = settings.GUANXI_DISTRIBUTION_CACHE_SECONDS
    span = f"{period.start}..{period.end}" if period is not None else "year"
    key = f"guanxi:distribution:{actor.figures_scope}:{team_id}:{span}:{get_language()}:{today}"
    found = cache.get(key) if seconds > 0 and not refresh else None
    if isinstance(found, Computed):
        return found
    computed = Computed(
        distribution(actor, today=today, team_id=team_id, period=period), timezone.now()
    )
    if seconds > 0:
        cache.set(key, computed, seconds)
    return computed


def share(part: int | Decimal, whole: int | Decimal) -> float:
    return round(float(part) / float(whole) * 100, 1) if whole else 0.0
