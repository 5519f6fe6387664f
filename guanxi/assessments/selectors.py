"""Reads of assessments, through the account access rule."""

from __future__ import annotations

from django.db.models import QuerySet

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.assessments.models import Assessment
from guanxi.core.models import User


def assessments_visible_to(actor: User | None) -> QuerySet[Assessment]:
    return visible_to(Assessment.objects.all(), actor, prefix="account__")


def account_assessments(account: Account | int) -> QuerySet[Assessment]:
    """An account the caller checked: its assessments, newest first."""
    return (
        Assessment.objects.filter(account=account)
        .select_related("assessed_by")
        .order_by("-assessed_on", "-id")
    )


def accounts_in_band(kind: str, band: str) -> QuerySet:
    """The ids of the accounts whose latest assessment has ``band`` for ``kind``
    (willingness or quality)."""
    return Assessment.objects.filter(is_latest=True, **{f"{kind}_band": band}).values("account_id")
