from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from guanxi.core.selectors import user_for_api_key


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gx_…` with a key made by `guanxi token` or the admin."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_api_key(token)
        if user is None:
            return None
        # Services and the audit trail read the acting user from the request.
        request.user = user
        return user
