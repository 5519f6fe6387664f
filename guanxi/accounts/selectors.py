"""Reads of accounts. Every list, page, search, export and API call goes through
`accounts_visible_to`, so the access rule lives in one place:

- a KAM sees the accounts they own or co-own;
- a team lead also sees every account of their team;
- managers, admins and superusers see all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.core.dates import local_midnight
from guanxi.core.models import User
from guanxi.core.selectors import filter_given, ordered

if TYPE_CHECKING:
    from guanxi.accounts.schemas import AccountFilters


def account_access_q(user: User) -> Q | None:
    """The filter over accounts that `user` may see; None means no limit."""
    if user.sees_all_accounts:
        return None
    q = Q(owner=user) | Q(co_owners=user)
    if user.leads_team:
        q |= Q(team_id=user.team_id)
    return q


def visible_to(queryset: QuerySet, user: User | None, prefix: str = "") -> QuerySet:
    """Apply the account access rule to any queryset whose rows hang off an account (reached
    via `prefix`, e.g. "account__")."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    q = account_access_q(user)
    if q is None:
        return queryset
    # co_owners is many-to-many: filter by id subquery so rows are not duplicated.
    ids = Account.objects.filter(q).values("id")
    return queryset.filter(**{f"{prefix}id__in": ids})


def accounts_visible_to(user: User | None) -> QuerySet[Account]:
    return visible_to(Account.objects.all(), user)


def account_is_visible(user: User | None, account: Account | int) -> bool:
    account_id = account if isinstance(account, int) else account.pk
    return accounts_visible_to(user).filter(pk=account_id).exists()


def users_who_see(account: Account | int) -> QuerySet[User]:
    """Active staff users who may see `account`: `account_access_q` read the other way round
    (managers and admins, its owner and co-owners, the lead of its team). For choosing owners
    of work on the account (plan actions, relationships)."""
    from guanxi.core.models import Role

    if not isinstance(account, Account):
        account = Account.objects.get(pk=account)
    q = (
        Q(is_superuser=True)
        | Q(role__in=[Role.MANAGER, Role.ADMIN])
        | Q(pk=account.owner_id)
        | Q(pk__in=account.co_owners.values("pk"))
    )
    if account.team_id is not None:
        q |= Q(role=Role.TEAM_LEAD, team_id=account.team_id)
    return User.objects.filter(q, is_active=True, is_staff=True).order_by("username")


# --- Account 360° page, roll-up and dashboard reads (admin UI) ---------------------------------

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


def period_totals(qs: QuerySet, **period: Q) -> dict[str, PeriodTotals]:
    """Revenue, cost, margin and counts of the transactions in ``qs`` for each named period
    (a Q over the transactions), in one query."""
    margin_expr = ExpressionWrapper(F("amount") - F("cost"), output_field=DecimalField())
    aggs = {}
    for name, q in period.items():
        aggs[f"{name}_revenue"] = Sum("amount", filter=q)
        aggs[f"{name}_cost"] = Sum("cost", filter=q)
        aggs[f"{name}_margin"] = Sum(margin_expr, filter=q & Q(cost__isnull=False))
        aggs[f"{name}_count"] = Count("id", filter=q)
        aggs[f"{name}_costed"] = Count("id", filter=q & Q(cost__isnull=False))
    row = qs.aggregate(**aggs)
    return {
        name: PeriodTotals(
            revenue=row[f"{name}_revenue"] or ZERO,
            cost=row[f"{name}_cost"] or ZERO,
            margin=row[f"{name}_margin"] or ZERO,
            count=row[f"{name}_count"] or 0,
            costed=row[f"{name}_costed"] or 0,
        )
        for name in period
    }


def monthly_revenue(
    transactions: QuerySet, *, today: dt.date, months: int = 24
) -> list[tuple[dt.date, Decimal]]:
    """Revenue per local calendar month for the last `months` months, oldest first, with
    empty months as zero."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = (
        transactions.filter(occurred_at__gte=local_midnight(first))
        .annotate(month=TruncMonth("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_month = {}
    for row in rows:
        m = row["month"]
        m = m.date() if isinstance(m, dt.datetime) else m
        by_month[(m.year, m.month)] = by_month.get((m.year, m.month), ZERO) + row["total"]
    series = []
    month = first
    for _ in range(months):
        series.append((month, by_month.get((month.year, month.month), ZERO)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return series


def account_360(account: Account, *, today: dt.date | None = None) -> Account360:
    """Everything the 360° page shows about one account. The caller has already checked that
    the account is visible (selectors never see a request)."""
    from guanxi.contacts.models import Contact, ProfileFact
    from guanxi.transactions.models import Payment, Transaction

    today = today or timezone.localdate()
    p = period_starts(today)
    txns = Transaction.objects.filter(account=account)
    totals = period_totals(
        txns,
        month=Q(occurred_at__gte=p["month"], occurred_at__lt=p["next_month"]),
        year=Q(occurred_at__gte=p["year"], occurred_at__lt=p["next_year"]),
        lifetime=Q(),
    )
    pay = Payment.objects.filter(account=account).aggregate(
        lifetime=Sum("amount"),
        year=Sum("amount", filter=Q(received_at__gte=p["year"], received_at__lt=p["next_year"])),
        last=Max("received_at"),
    )
    received = pay["lifetime"] or ZERO
    contact_ids = list(Contact.objects.filter(account=account).values_list("id", flat=True))
    last_contact_change = Contact.history.filter(account_id=account.pk).aggregate(
        m=Max("history_date")
    )["m"]
    last_fact_change = ProfileFact.history.filter(contact_id__in=contact_ids).aggregate(
        m=Max("history_date")
    )["m"]
    profile_updates = [d for d in (last_contact_change, last_fact_change) if d is not None]
    return Account360(
        account=account,
        today=today,
        month=totals["month"],
        year=totals["year"],
        lifetime=totals["lifetime"],
        received_lifetime=received,
        received_year=pay["year"] or ZERO,
        outstanding=totals["lifetime"].revenue - received,
        last_transaction_at=txns.aggregate(m=Max("occurred_at"))["m"],
        last_payment_at=pay["last"],
        last_profile_update_at=max(profile_updates) if profile_updates else None,
        contacts=list(
            Contact.objects.filter(account=account).order_by("-is_active", "-is_primary", "name")
        ),
        recent_transactions=list(
            txns.select_related("category", "contact").order_by("-occurred_at", "-id")[:20]
        ),
        monthly_revenue=monthly_revenue(txns, today=today),
    )


def account_descendant_ids(account: Account) -> list[int]:
    """All subsidiaries at any depth (集团 → 子公司 → …), one query per level."""
    found: list[int] = []
    frontier = [account.pk]
    seen = {account.pk}
    while frontier:
        children = [
            pk
            for pk in Account.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            if pk not in seen  # a cycle saved around clean() must not loop forever
        ]
        seen.update(children)
        found.extend(children)
        frontier = children
    return found


@dataclass
class AccountRollup:
    subsidiaries: list[Account]  # direct children the user may see
    descendant_count: int
    revenue_year: Decimal  # the account itself plus its (visible) descendants
    revenue_lifetime: Decimal
    transaction_count: int


def account_rollup(
    account: Account, *, today: dt.date | None = None, user: User | None = None
) -> AccountRollup:
    """Group totals over the account and all its descendants. With `user`, only descendants
    that user may see are counted, so the roll-up never reveals another team's revenue."""
    from guanxi.transactions.models import Transaction

    today = today or timezone.localdate()
    p = period_starts(today)
    ids = account_descendant_ids(account)
    descendants = Account.objects.filter(pk__in=ids)
    if user is not None:
        descendants = visible_to(descendants, user)
    desc_ids = list(descendants.values_list("id", flat=True))
    row = Transaction.objects.filter(account_id__in=[account.pk, *desc_ids]).aggregate(
        year=Sum("amount", filter=Q(occurred_at__gte=p["year"], occurred_at__lt=p["next_year"])),
        lifetime=Sum("amount"),
        count=Count("id"),
    )
    return AccountRollup(
        subsidiaries=list(descendants.filter(parent=account).order_by("name")),
        descendant_count=len(desc_ids),
        revenue_year=row["year"] or ZERO,
        revenue_lifetime=row["lifetime"] or ZERO,
        transaction_count=row["count"] or 0,
    )


def account_history(account: Account, *, limit: int = 15) -> list:
    """The latest audit entries of the account itself (who changed what, old → new)."""
    from guanxi.core.history import history_entries

    return history_entries(Account.history.filter(id=account.pk), limit=limit)


def with_revenue(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Annotate accounts with 12-month revenue and last transaction date, as correlated
    subqueries so a paginated list computes them only for the rows it shows."""
    from guanxi.transactions.models import Transaction

    today = today or timezone.localdate()
    since = local_midnight(today - dt.timedelta(days=365))
    per_account = Transaction.objects.filter(account=OuterRef("pk")).order_by().values("account")
    return queryset.annotate(
        revenue_12m=Subquery(
            per_account.filter(occurred_at__gte=since).annotate(s=Sum("amount")).values("s")[:1]
        ),
        last_transaction_at=Subquery(per_account.annotate(m=Max("occurred_at")).values("m")[:1]),
    )


def accounts_with_revenue(user: User | None, *, today: dt.date | None = None) -> QuerySet:
    return with_revenue(accounts_visible_to(user), today=today)


@dataclass
class Dashboard:
    accounts_total: int
    accounts_by_type: list[tuple[str, int]]
    revenue_month: Decimal
    revenue_year: Decimal
    top_accounts: list[tuple[Account, Decimal]]
    dormant_count: int
    dormant_accounts: list[Account]  # annotated with last_transaction_at


def dashboard_summary(
    user: User | None, *, today: dt.date | None = None, dormant_days: int = 180, top: int = 10
) -> Dashboard:
    """The home page figures over the user's visible accounts, in a handful of indexed queries."""
    from guanxi.accounts.models import AccountStatus, AccountType
    from guanxi.transactions.models import Transaction

    today = today or timezone.localdate()
    p = period_starts(today)
    accounts = accounts_visible_to(user)
    type_labels = dict(AccountType.choices)
    by_type = [
        (str(type_labels.get(row["account_type"], row["account_type"])), row["n"])
        for row in accounts.values("account_type").annotate(n=Count("id")).order_by("-n")
    ]
    txns = visible_to(Transaction.objects.all(), user, prefix="account__")
    rev = txns.filter(occurred_at__gte=p["year"], occurred_at__lt=p["next_year"]).aggregate(
        year=Sum("amount"),
        month=Sum("amount", filter=Q(occurred_at__gte=p["month"], occurred_at__lt=p["next_month"])),
    )
    since_12m = local_midnight(today - dt.timedelta(days=365))
    top_rows = list(
        txns.filter(occurred_at__gte=since_12m)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .order_by("-total")[:top]
    )
    names = Account.objects.in_bulk([r["account_id"] for r in top_rows])
    top_accounts = [(names[r["account_id"]], r["total"]) for r in top_rows]

    cutoff = local_midnight(today - dt.timedelta(days=dormant_days))
    dormant = (
        accounts.exclude(status=AccountStatus.LOST)
        .filter(Exists(Transaction.objects.filter(account=OuterRef("pk"))))
        .exclude(
            Exists(Transaction.objects.filter(account=OuterRef("pk"), occurred_at__gte=cutoff))
        )
    )
    dormant_list = list(
        dormant.annotate(
            last_transaction_at=Subquery(
                Transaction.objects.filter(account=OuterRef("pk"))
                .order_by("-occurred_at")
                .values("occurred_at")[:1]
            )
        ).order_by("-last_transaction_at")[:top]
    )
    return Dashboard(
        accounts_total=sum(n for _label, n in by_type),
        accounts_by_type=by_type,
        revenue_month=rev["month"] or ZERO,
        revenue_year=rev["year"] or ZERO,
        top_accounts=top_accounts,
        dormant_count=dormant.count(),
        dormant_accounts=dormant_list,
    )


def account_list(*, user: User | None, filters: AccountFilters) -> QuerySet[Account]:
    """The API's account list: visible accounts narrowed by the given filters."""
    qs = accounts_visible_to(user).select_related("owner").prefetch_related("tags", "co_owners")
    f = filters
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q)
            | Q(short_name__icontains=f.q)
            | Q(english_name__icontains=f.q)
            | Q(code__iexact=f.q)
        )
    qs = filter_given(
        qs,
        f,
        {
            "account_type": "account_type",
            "status": "status",
            "industry": "industry",
            "kind": "kind",
            "city": "city",
            "owner": "owner_id",
            "team": "team_id",
            "parent": "parent_id",
        },
    )
    if f.tag:
        qs = qs.filter(
            pk__in=Account.tags.through.objects.filter(tag__name=f.tag).values("account")
        )
    return ordered(qs)
