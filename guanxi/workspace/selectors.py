"""Reads that put several apps together for one page: the account's 360° page and the home
page's dashboard. The caller has already checked that the account is visible (selectors never
see a request)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import Account, AccountStatus, AccountType
from guanxi.accounts.selectors import (
    accounts_visible_to,
    read_with,
    visible_among,
    visible_to,
)
from guanxi.contacts.models import Contact, ProfileFact
from guanxi.core.dates import add_months, local_midnight
from guanxi.core.models import User
from guanxi.pipeline.models import Opportunity, Outcome
from guanxi.relationships.models import BuyingCentreMember
from guanxi.surveys.models import SurveyInvitation
from guanxi.surveys.selectors import latest_score_annotations
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.account_ledger import account_months
from guanxi.transactions.models import AccountLedgerRollup, Payment
from guanxi.transactions.selectors import (
    ZERO,
    CategorySeries,
    PeriodTotals,
    latest_transactions,
    period_starts,
)


@dataclass
class Account360:
    account: Account
    today: dt.date
    month: PeriodTotals
    year: PeriodTotals
    lifetime: PeriodTotals
    received_lifetime: Decimal
    received_year: Decimal
    outstanding: Decimal  # invoiced (lifetime revenue) − received
    last_transaction_at: dt.datetime | None
    last_payment_at: dt.datetime | None
    last_profile_update_at: dt.datetime | None
    contacts: list = field(default_factory=list)
    recent_transactions: list = field(default_factory=list)
    monthly_revenue: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    #: the same 24 months per product category (rooms, F&B, meeting …), for the stacked chart
    revenue_months: list[dt.date] = field(default_factory=list)
    revenue_by_category: list[CategorySeries] = field(default_factory=list)


def _latest(qs: QuerySet, column: str, group: str = "account") -> Subquery:
    return Subquery(qs.order_by().values(group).annotate(m=Max(column)).values("m")[:1])


def _total(qs: QuerySet, column: str, group: str = "account") -> Subquery:
    return Subquery(qs.order_by().values(group).annotate(t=Sum(column)).values("t")[:1])


def _count(qs: QuerySet, group: str = "account") -> Coalesce:
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def account_360_queryset(queryset: QuerySet[Account], *, today: dt.date) -> QuerySet[Account]:
    """The accounts of ``queryset`` with what the 360° page and its cards show in one value
    each, read in the same query as the account: its stored one-row figures (ledger rollup,
    loyalty cell, relationship health, where we stand with the organisation) and one indexed
    subquery per figure (payments, last profile change, the buying centre's size, deals per
    outcome, survey links still open, the latest touchpoint, whether it has subsidiaries).
    The cards read these attributes when present (`cards_preread`), else ask themselves."""
    mine = OuterRef("pk")
    year = period_starts(today)
    payments = Payment.objects.filter(account_id=mine)
    facts = ProfileFact.history.filter(
        contact_id__in=Contact.objects.filter(account_id=OuterRef(OuterRef("pk"))).values("pk")
    )
    deals = Opportunity.objects.filter(account_id=mine)
    touchpoints = Touchpoint.objects.filter(account_id=mine).order_by("-occurred_at", "-id")
    links = SurveyInvitation.objects.filter(
        account_id=mine, answered_at__isnull=True, expires_at__gt=timezone.now()
    )
    return queryset.select_related(
        "owner", "team", "parent", "ledger_rollup", "loyalty", "relationship",
        "relationship_health",
    ).annotate(
        received_lifetime=_total(payments, "amount"),
        received_year=_total(
            payments.filter(received_at__gte=year["year"], received_at__lt=year["next_year"]),
            "amount",
        ),
        last_payment_at=_latest(payments, "received_at"),
        last_contact_change=_latest(Contact.history.filter(account_id=mine), "history_date"),
        last_fact_change=Subquery(
            facts.order_by("-history_date").values("history_date")[:1]
        ),
        buying_centre_size=_count(BuyingCentreMember.objects.filter(account_id=mine)),
        deals_open=_count(deals.filter(outcome=Outcome.OPEN)),
        deals_won=_count(deals.filter(outcome=Outcome.WON)),
        deals_lost=_count(deals.filter(outcome=Outcome.LOST)),
        survey_links_open=_count(links),
        last_touchpoint_id=Subquery(touchpoints.values("pk")[:1]),
        last_touchpoint_kind=Subquery(touchpoints.values("kind")[:1]),
        last_touchpoint_at=Subquery(touchpoints.values("occurred_at")[:1]),
        has_subsidiaries=Exists(Account.objects.filter(parent_id=mine)),
        **latest_score_annotations(),
    )  # fmt: skip


def account_360(account: Account, *, today: dt.date | None = None) -> Account360:
    """Everything the 360° page shows about one account. The caller has already checked that
    the account is visible (selectors never see a request); ``account`` comes from
    `account_360_queryset` (its figures are read with it; a plain account costs a few queries
    more). The ledger's figures come from the month rollups, read once (`account_months`)."""

    today = today or timezone.localdate()
    if not hasattr(account, "received_lifetime"):
        account = account_360_queryset(Account.objects.filter(pk=account.pk), today=today).get()
    months = account_months(account.pk)
    month, year = today.replace(day=1), today.replace(month=1, day=1)
    lifetime = months.totals()
    received = account.received_lifetime or ZERO
    profile_updates = [
        d for d in (account.last_contact_change, account.last_fact_change) if d is not None
    ]
    contacts = list(
        Contact.objects.filter(account=account).order_by("-is_active", "-is_primary", "name")
    )
    revenue_months, by_category = months.by_category(today=today)
    rollup = read_with(account, "ledger_rollup")[1]
    return Account360(
        account=account,
        today=today,
        month=months.totals(month, add_months(month, 1)),
        year=months.totals(year, dt.date(today.year + 1, 1, 1)),
        lifetime=lifetime,
        received_lifetime=received,
        received_year=account.received_year or ZERO,
        outstanding=lifetime.revenue - received,
        last_transaction_at=rollup.last_purchase_at if rollup else None,
        last_payment_at=account.last_payment_at,
        last_profile_update_at=max(profile_updates) if profile_updates else None,
        contacts=contacts,
        recent_transactions=latest_transactions(account.pk, month_counts=months.month_counts()),
        monthly_revenue=months.monthly_revenue(today=today),
        revenue_months=revenue_months,
        revenue_by_category=by_category,
    )


@dataclass
class Dashboard:
    accounts_total: int
    accounts_by_type: list[tuple[str, int]]  # (account type code, accounts), most first
    revenue_month: Decimal
    revenue_year: Decimal
    top_accounts: list[tuple[Account, Decimal]]
    dormant_count: int
    dormant_accounts: list[Account]  # annotated with last_transaction_at

    @property
    def types_labelled(self) -> list[tuple[str, int]]:
        """``accounts_by_type`` with each type's label in the page's language."""
        labels = dict(AccountType.choices)
        return [(str(labels.get(code, code)), n) for code, n in self.accounts_by_type]


def dashboard_summary(
    actor: User | None, *, today: dt.date | None = None, dormant_days: int = 180, top: int = 10
) -> Dashboard:
    """The home page figures over the user's visible accounts, from the per-account ledger
    rollups (`transactions.rollups`), never the ledger itself: a handful of indexed queries over
    at most one row per account. The nightly step stores them per viewer's scope
    (`workspace.figures.summary_figures`); the page reads them back with `stored_summary`.

    Exact: the dormant accounts (last purchase). As of each account's last refresh (the nightly
    run, or a write of that account's transactions): the top accounts by 12-month revenue, and
    this month's and this year's revenue — an account's figures count only when its refresh fell
    in the same month (year) as ``today``; the others bought nothing since that month (year)
    began, or a write would have refreshed them."""

    today = today or timezone.localdate()
    accounts = accounts_visible_to(actor)
    by_type = [
        (row["account_type"], row["n"])
        for row in accounts.values("account_type").annotate(n=Count("id")).order_by("-n")
    ]
    rollups = visible_to(AccountLedgerRollup.objects.all(), actor, prefix="account__")
    year, month = today.replace(month=1, day=1), today.replace(day=1)
    rev = rollups.filter(as_of__gte=year, as_of__lt=dt.date(today.year + 1, 1, 1)).aggregate(
        year=Sum("revenue_year"),
        month=Sum("revenue_month", filter=Q(as_of__gte=month, as_of__lt=add_months(month, 1))),
    )
    top_rows = list(
        rollups.filter(count_12m__gt=0)
        .select_related("account")
        .order_by("-revenue_12m", "account_id")[:top]
    )
    top_accounts = [(r.account, r.revenue_12m) for r in top_rows]

    cutoff = local_midnight(today - dt.timedelta(days=dormant_days))
    dormant = accounts.exclude(status=AccountStatus.LOST).filter(
        ledger_rollup__last_purchase_at__lt=cutoff
    )
    dormant_list = list(
        dormant.annotate(last_transaction_at=F("ledger_rollup__last_purchase_at")).order_by(
            "-last_transaction_at", "id"
        )[:top]
    )
    return Dashboard(
        accounts_total=sum(n for _code, n in by_type),
        accounts_by_type=by_type,
        revenue_month=rev["month"] or ZERO,
        revenue_year=rev["year"] or ZERO,
        top_accounts=top_accounts,
        dormant_count=dormant.count(),
        dormant_accounts=dormant_list,
    )


def stored_summary(actor: User | None, figures: dict) -> Dashboard:
    """The summary the nightly step stored (`workspace.figures.summary_figures`) with its
    accounts read back: the top and dormant accounts together (at most 20 ids), limited to
    those ``actor`` still sees (one moved out of sight since is left out): two small queries."""
    top = [(int(pk), Decimal(total)) for pk, total in figures["top"]]
    dormant = [(int(pk), dt.datetime.fromisoformat(at)) for pk, at in figures["dormant"]]
    ids = visible_among(actor, [pk for pk, _v in top] + [pk for pk, _at in dormant])
    found = Account.objects.select_related("owner").in_bulk(ids) if ids else {}
    dormant_accounts = []
    for pk, at in dormant:
        if pk in found:
            account = found[pk]
            account.last_transaction_at = at
            dormant_accounts.append(account)
    return Dashboard(
        accounts_total=figures["accounts_total"],
        accounts_by_type=[(code, n) for code, n in figures["accounts_by_type"]],
        revenue_month=Decimal(figures["revenue_month"]),
        revenue_year=Decimal(figures["revenue_year"]),
        top_accounts=[(found[pk], total) for pk, total in top if pk in found],
        dormant_count=figures["dormant_count"],
        dormant_accounts=dormant_accounts,
    )


def stored_birthdays(
    actor: User | None, rows: list, today: dt.date
) -> list[tuple[dt.date, Contact]]:
    """The birthdays the nightly step stored (`workspace.figures.birthday_figures`: [day,
    contact id], soonest first) with their contacts read back: those ``actor`` still sees and
    still active, from ``today`` on (a snapshot of yesterday lists yesterday's)."""
    days = [(dt.date.fromisoformat(day), int(pk)) for day, pk in rows]
    days = [(day, pk) for day, pk in days if day >= today]
    ids = [pk for _day, pk in days]
    found = Contact.objects.filter(is_active=True).select_related("account").in_bulk(ids)
    seen = visible_among(actor, [c.account_id for c in found.values()])
    return [(day, found[pk]) for day, pk in days if pk in found and found[pk].account_id in seen]
