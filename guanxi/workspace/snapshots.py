"""The dashboard's charts stored per scope by the nightly run, so the director's page (100,000
accounts) and a team lead's read one row instead of grouping every account's months per request.
A KAM's few hundred accounts are computed on the page from the same rollups (`charts_compute`).

Scopes follow the access rule: "all" for whoever sees every account, "user:<id>" for a team lead
(their team's accounts and the ones they own or co-own, `accounts_visible_to`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.models import Role, StoredSnapshot, User
from guanxi.workspace.charts import charts_compute

NAME = "dashboard"
#: A snapshot older than this many days is not used (the nightly run has not run since).
FRESH_DAYS = 1


def scope_of(actor: User) -> str | None:
    """The stored scope whose figures are ``actor``'s, or None (a KAM: computed on the page)."""
    if actor.sees_all_accounts:
        return "all"
    if actor.leads_team:
        return f"user:{actor.pk}"
    return None


def dashboard_charts(actor: User | None, *, today: dt.date | None = None) -> dict[str, Any]:
    """The charts over the accounts ``actor`` sees: the stored snapshot of their scope when the
    nightly run wrote one since yesterday, else computed now from the rollups."""
    today = today or timezone.localdate()
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return charts_compute(accounts_visible_to(None), today)
    scope = scope_of(actor)
    if scope is not None:
        stored = (
            StoredSnapshot.objects.filter(
                name=NAME, scope=scope, as_of__gte=today - dt.timedelta(days=FRESH_DAYS)
            )
            .values_list("data", flat=True)
            .first()
        )
        if stored:
            return stored
    return charts_compute(accounts_visible_to(actor), today)


def scope_users() -> list[User]:
    """One user per stored scope: a manager or admin (for "all"), and every active team lead."""
    users = User.objects.filter(is_active=True)
    everyone = users.filter(role__in=[Role.MANAGER, Role.ADMIN]).order_by("id").first()
    leads = list(users.filter(role=Role.TEAM_LEAD, team__isnull=False).order_by("id"))
    return ([everyone] if everyone else []) + leads


def dashboard_snapshots_store(*, as_of: dt.date) -> dict[str, int]:
    """Compute and store the charts of every scope as of ``as_of`` (the nightly step)."""
    stored = 0
    for user in scope_users():
        scope = scope_of(user)
        if scope is None:
            continue
        StoredSnapshot.objects.update_or_create(
            name=NAME,
            scope=scope,
            defaults={"as_of": as_of, "data": charts_compute(accounts_visible_to(user), as_of)},
        )
        stored += 1
    return {"scopes": stored}
