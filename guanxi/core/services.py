from __future__ import annotations

from datetime import datetime

from django.db import transaction

from guanxi.core.models import ApiToken, User


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
