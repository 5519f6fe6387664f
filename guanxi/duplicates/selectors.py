"""Reads of the review queue."""

from __future__ import annotations

from django.db.models import QuerySet

from guanxi.duplicates.models import Candidate, Kind, Status


def review_queue(*, kind: str = Kind.ACCOUNT, status: str = Status.OPEN) -> QuerySet[Candidate]:
    """Pairs to review, best score first, with both records (managers only: the door checks
    `services.may_review`)."""
    related = (
        ("account_a__owner", "account_b__owner")
        if kind == Kind.ACCOUNT
        else ("contact_a__account", "contact_b__account")
    )
    return (
        Candidate.objects.filter(kind=kind, status=status)
        .select_related(*related)
        .order_by("-score", "pk")
    )
