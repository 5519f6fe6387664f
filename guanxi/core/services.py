from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError, Conflict, InvalidInput
from guanxi.core.models import ApiToken, User, UserPreference


@transaction.atomic
def api_token_create(
    *, user: User, name: str = "default", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain key, which is never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        key_hint=key[: len(ApiToken.PREFIX) + 5],
        expires_at=expires_at,
    )
    return token, key


def preference_set(*, actor: User, key: str, value: Any) -> UserPreference:
    """Remember ``actor``'s choice ``value`` (JSON) under ``key``, replacing the earlier one."""
    preference, _created = UserPreference.objects.update_or_create(
        user=actor, key=key, defaults={"value": value}
    )
    return preference


# --- Shared by the services of every app --------------------------------------------------

#: "Argument not given" in partial updates, distinct from an explicit None.
UNSET: Any = object()

M = TypeVar("M", bound=Model)


def check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    """Refuse a field the client may not set, naming it."""
    unknown = set(fields) - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise ApplicationError(_("Unknown field '%(name)s'.") % {"name": name}, field=name)


def check_no_clash(clash: QuerySet, *, exclude_pk: int | None, field: str, message: str) -> None:
    """Conflict on `field` when `clash` (rows with the same key) holds a row other than ours."""
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Conflict(message, field=field)


def validated(obj: Model, **options: Any) -> None:
    """`obj.full_clean(**options)`, a refusal raised as InvalidInput naming each field (422):
    services answer in the one error family, whatever rule of the model refused."""
    try:
        obj.full_clean(**options)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None


def save_as(obj: M, *, actor: User | None, **full_clean: Any) -> M:
    """Validate and save `obj`, recording `actor` in its audit history."""
    validated(obj, **full_clean)
    obj._history_user = actor
    obj.save()
    return obj


def delete_as(obj: Model, *, actor: User | None) -> None:
    """Delete `obj`, recording `actor` in its audit history."""
    obj._history_user = actor
    obj.delete()
