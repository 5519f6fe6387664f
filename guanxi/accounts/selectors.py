"""Reads of accounts. Every list, page, search, export and API call goes through
`accounts_visible_to`, so the access rule lives in one place:

- a KAM sees the accounts they own or co-own;
- a team lead also sees every account of their team;
- managers, admins and superusers see all.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from guanxi.accounts.models import Account
from guanxi.core.models import User


def account_access_q(user: User, prefix: str = "") -> Q | None:
    """The filter that limits rows (reached via `prefix`, e.g. "account__") to what `user` may
    see; None means no limit."""
    if user.sees_all_accounts:
        return None
    q = Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}co_owners": user})
    if user.leads_team:
        q |= Q(**{f"{prefix}team_id": user.team_id})
    return q


def visible_to(queryset: QuerySet, user: User | None, prefix: str = "") -> QuerySet:
    """Apply the account access rule to any queryset whose rows hang off an account."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    q = account_access_q(user, prefix)
    if q is None:
        return queryset
    # co_owners is many-to-many: filter by id subquery so rows are not duplicated.
    ids = Account.objects.filter(account_access_q(user)).values("id")
    return queryset.filter(**{f"{prefix}id__in" if prefix else "id__in": ids})


def accounts_visible_to(user: User | None) -> QuerySet[Account]:
    return visible_to(Account.objects.all(), user)


def account_is_visible(user: User | None, account: Account | int) -> bool:
    account_id = account if isinstance(account, int) else account.pk
    return accounts_visible_to(user).filter(pk=account_id).exists()
