"""/api/auth/token and /api/me. The shapes every API module shares are in `core.schemas`."""

import datetime as dt
import hashlib
import json

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.throttling import AnonRateThrottle, SimpleRateThrottle

from guanxi.core.models import User
from guanxi.core.schemas import ErrorOut, InputSchema
from guanxi.core.services import api_token_create

# --- Tokens and the current user ------------------------------------------------------------

router = Router(tags=["auth"])


class AddressAndUserThrottle(SimpleRateThrottle):
    """Login attempts counted per client address AND username, right or wrong.

    Counting per user alone would let anyone lock a real user out by guessing wrong from
    elsewhere; counting per address alone would let one address behind a shared proxy lock out
    everybody behind it. Correct passwords count too: otherwise a brute force learns the password
    from the one attempt that does not come back 401 even while throttled."""

    scope = "login"

    def get_cache_key(self, request: HttpRequest) -> str:
        try:
            body = json.loads(request.body or b"{}")
            username = body.get("username", "") if isinstance(body, dict) else ""
        except (ValueError, UnicodeDecodeError):
            username = ""  # the schema refuses the body with a 422 after this check
        who = hashlib.sha256(str(username).strip().casefold().encode()).hexdigest()[:32]
        return self.cache_format % {
            "scope": self.scope,
            "ident": f"{self.get_ident(request)}:{who}",
        }


# Per address and user: 10 attempts a minute; per address over every username (spraying one
# password over many accounts): 30 a minute.
LOGIN_THROTTLES = [AddressAndUserThrottle("10/m"), AnonRateThrottle("30/m")]


class TokenIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=1000)
    name: str = Field("api", min_length=1, max_length=100, description="A label for the token")


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown only once.")
    name: str
    user: str
    expires_at: dt.datetime | None = None


class TeamOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    team: TeamOut | None = None
    sees_all_accounts: bool


@router.post(
    "/auth/token",
    auth=None,
    throttle=LOGIN_THROTTLES,
    response={201: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Create an API token from a username and password",
)
def token_create(request: HttpRequest, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        # One message for unknown user and wrong password: do not reveal which accounts exist.
        raise HttpError(401, _("Wrong username or password."))
    token, key = api_token_create(user=user, name=payload.name)
    body = {"token": key, "name": token.name, "user": user.username, "expires_at": None}
    return Status(201, body)


@router.get("/me", response=MeOut, summary="The user the token belongs to")
def me(request: HttpRequest):
    user: User = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "email": user.email,
        "role": user.role,
        "team": user.team,
        "sees_all_accounts": user.sees_all_accounts,
    }
