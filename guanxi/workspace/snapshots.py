"""The home dashboard's figures stored per viewer's scope by the nightly run, so a page reads one
row instead of grouping a book of accounts, tasks, deals and answers per request: the charts over
the accounts (`workspace.charts`), the figures other pages own and the summary counts
(`workspace.figures`). The page shows them "as of" the day they were stored.

Scopes follow the access rule: "all" for whoever sees every account, "user:<id>" for everyone
else (a team lead's team and the accounts they own or co-own, a KAM's own: `accounts_visible_to`
and each selector's own rule for that user).

Before the first nightly run (a fresh install), when the night has not stored a scope since
yesterday, or when a stored row is of an older shape (`VERSION`), the first page that needs the
scope computes it and stores it for the day: every later page that day reads the row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.models import StoredSnapshot, User, sees_all_accounts_q
from guanxi.workspace.charts import charts_compute
from guanxi.workspace.figures import section_figures

NAME = "dashboard"
#: A snapshot older than this many days is not used (the nightly run has not run since).
FRESH_DAYS = 1
#: The shape of the stored figures; a row of another version is computed again.
VERSION = 2


def figures_compute(actor: User, today: dt.date) -> dict[str, Any]:
    """Every figure of ``actor``'s dashboard as of ``today`` (JSON-ready)."""
    charts = charts_compute(accounts_visible_to(actor), today)
    return {**charts, **section_figures(actor, today), "version": VERSION}


def _store(actor: User, as_of: dt.date) -> dict[str, Any]:
    data = figures_compute(actor, as_of)
    StoredSnapshot.objects.update_or_create(
        name=NAME, scope=actor.figures_scope, defaults={"as_of": as_of, "data": data}
    )
    return data


def dashboard_figures(actor: User, *, today: dt.date | None = None) -> dict[str, Any]:
    """The figures of ``actor``'s dashboard: their scope's stored row when it is of this
    version and the nightly run wrote it since yesterday, else computed now and stored (once a
    day at most: the next page reads the row). ``as_of`` says the day they were computed."""
    today = today or timezone.localdate()
    stored = (
        StoredSnapshot.objects.filter(
            name=NAME, scope=actor.figures_scope, as_of__gte=today - dt.timedelta(days=FRESH_DAYS)
        )
        .values_list("data", flat=True)
        .first()
    )
    if stored and stored.get("version") == VERSION:
        return stored
    return _store(actor, today)


def scope_users() -> list[User]:
    """One user per stored scope: a manager or admin (for "all"), then every other active
    user who sees accounts of their own (team leads and KAMs)."""
    users = User.objects.filter(is_active=True)
    sees_all = sees_all_accounts_q()
    everyone = users.filter(sees_all).order_by("id").first()
    others = users.exclude(sees_all)
    return ([everyone] if everyone else []) + list(others.select_related("team").order_by("id"))


def dashboard_snapshots_store(*, as_of: dt.date) -> dict[str, int]:
    """Compute and store every scope's figures as of ``as_of`` (the nightly step); rows of
    scopes nobody has any more (a user deactivated, a KAM made a manager) are removed."""
    scopes = []
    for user in scope_users():
        _store(user, as_of)
        scopes.append(user.figures_scope)
    StoredSnapshot.objects.filter(name=NAME).exclude(scope__in=scopes).delete()
    return {"scopes": len(scopes)}
