"""Reads of the review queue."""

from __future__ import annotations

from django.db.models import F, QuerySet

from guanxi.duplicates.models import Candidate, Kind, Status


def review_queue(*, kind: str = Kind.ACCOUNT, status: str = Status.OPEN) -> QuerySet[Candidate]:
    """Pairs to review, best score first, with both records (managers only: the door checks
    `services.may_review`). A merge re-points the pair it settles like any row that points at
    the merged-away record, so it becomes a record paired with itself: not shown (its undo
    points it back, and the pair is in the queue again; the next full run drops it)."""
    related = (
        ("account_a__owner", "account_b__owner")
        if kind == Kind.ACCOUNT
        else ("contact_a__account", "contact_b__account")
    )
    same = (
        {"account_a": F("account_b")} if kind == Kind.ACCOUNT else {"contact_a": F("contact_b")}
    )
    return (
        Candidate.objects.filter(kind=kind, status=status)
        .exclude(**same)
        .select_related(*related)
        .order_by("-score", "pk")
    )
