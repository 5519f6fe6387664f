from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from guanxi.core.models import ApiToken, User


def user_for_api_key(key: str) -> User | None:
    """The active user a bearer key belongs to, or None for an unknown, expired or disabled key."""
    if not key or not key.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or token.is_expired or not token.user.is_active:
        return None
    # Touch at most once a minute so reads do not turn into writes on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Shared by the list selectors of every app ---------------------------------------------


def ordered(queryset: QuerySet) -> QuerySet:
    """The model's ordering plus pk, so pages never overlap or skip rows."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
    return queryset.order_by(*ordering, "pk")


def filter_given(queryset: QuerySet, filters: Any, lookups: dict[str, str]) -> QuerySet:
    """Narrow `queryset` by each filter the client gave; `lookups` maps a filter attribute to its
    ORM lookup. None and "" mean "not given"; 0 and False are real values."""
    for name, lookup in lookups.items():
        value = getattr(filters, name)
        if value is not None and value != "":
            queryset = queryset.filter(**{lookup: value})
    return queryset
