from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

from guanxi.core.models import ApiToken, User, UserPreference


def preference(user: User, key: str, default: Any = None) -> Any:
    """The value ``user`` chose under ``key`` (`services.preference_set`), or ``default``."""
    if user is None or not user.pk:
        return default
    row = UserPreference.objects.filter(user=user, key=key).values_list("value", flat=True)
    value = row.first()
    return default if value is None else value


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


def estimated_count(model: type[Model], *, exact_below: int = 100_000) -> int:
    """The number of rows of ``model``'s table: from PostgreSQL's planner statistics when the
    table is large (a ``COUNT(*)`` over 10M ledger rows takes a second), exact otherwise and on
    SQLite. The estimate is as fresh as the table's last ANALYZE."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [model._meta.db_table],
            )
            row = cursor.fetchone()
        if row and row[0] >= exact_below:
            return int(row[0])
    return model._default_manager.count()
