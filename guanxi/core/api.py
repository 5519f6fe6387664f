"""/api/auth/token and /api/me. The shapes every API module shares are in `core.schemas`."""

import datetime as dt

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.throttling import AnonRateThrottle

from guanxi.core.models import User
from guanxi.core.schemas import InputSchema
from guanxi.core.services import api_token_create

# --- Tokens and the current user ------------------------------------------------------------

router = Router(tags=["auth"])


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
    throttle=[AnonRateThrottle("10/m")],
    response={201: TokenOut},
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
