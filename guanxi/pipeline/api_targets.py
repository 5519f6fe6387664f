"""/api/pipeline/targets: sales targets (目标) of a KAM or a team for a month or a quarter — the
figures the forecast is measured against (`pipeline.targets`). Everyone reads their own and their
team's; managers set any, a team lead those of the team's KAMs. Errors: 403 a subject the caller
may not set, 404 a target, user or team out of sight, 409 a second target for the same subject
and period, 422 bad input naming the field (a quarter that does not start a quarter)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.core.errors import InvalidInput, NotFound
from guanxi.core.models import Team, User
from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Pagination, patch_schema
from guanxi.pipeline import targets
from guanxi.pipeline.models import SalesTarget, TargetPeriod

router = Router(tags=["pipeline"])

TargetId = Path(..., ge=1, le=MAX_ID)


class TargetOut(Schema):
    id: int
    user: int | None = Field(None, alias="user_id", description="The KAM; null: a team's")
    team: int | None = Field(None, alias="team_id", description="The team; null: a KAM's")
    period: TargetPeriod
    starts_on: dt.date = Field(..., description="The first day of the month or the quarter")
    amount: Decimal = Field(..., description="CNY")


class TargetIn(InputSchema):
    user: Id | None = Field(None, description="A KAM (give user or team)")
    team: Id | None = Field(None, description="A team (give user or team)")
    period: TargetPeriod = TargetPeriod.MONTH
    starts_on: Day
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)


TargetPatch = patch_schema(TargetIn, "TargetPatch")


class TargetFilters(InputSchema):
    user: Id | None = Field(None, description="Only this KAM's targets")
    team: Id | None = Field(None, description="Only this team's targets")
    period: TargetPeriod | None = None
    starts_from: Day | None = Field(None, description="Starting on or after this day")
    starts_before: Day | None = Field(None, description="Starting before this day")


def _subject(payload: dict) -> dict:
    """The user and team the payload names, looked up (404 naming the field if unknown)."""
    found: dict = {"user": None, "team": None}
    if payload.get("user") is not None:
        found["user"] = User.objects.filter(pk=payload["user"], is_active=True).first()
        if found["user"] is None:
            raise NotFound(_("User %(id)s not found.") % {"id": payload["user"]}, field="user")
    if payload.get("team") is not None:
        found["team"] = Team.objects.filter(pk=payload["team"]).first()
        if found["team"] is None:
            raise NotFound(_("Team %(id)s not found.") % {"id": payload["team"]}, field="team")
    return found


def _target(request: HttpRequest, target_id: int) -> SalesTarget:
    target = targets.targets_visible_to(request.auth).filter(pk=target_id).first()
    if target is None:
        raise NotFound(_("Target %(id)s not found.") % {"id": target_id}, field="target")
    return target


@router.get("/targets", response=list[TargetOut], summary="Sales targets you may see")
@paginate(Pagination)
def list_targets(request: HttpRequest, filters: Query[TargetFilters]):
    qs = targets.targets_visible_to(request.auth)
    for name, lookup in (("user", "user_id"), ("team", "team_id"), ("period", "period"),
                         ("starts_from", "starts_on__gte"),
                         ("starts_before", "starts_on__lt")):  # fmt: skip
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{lookup: value})
    return qs.order_by("-starts_on", "id")


@router.put(
    "/targets",
    response=TargetOut,
    summary="Set the target of a KAM or a team for a period (changes the one there is)",
)
def set_target(request: HttpRequest, payload: TargetIn):
    data = payload.model_dump()
    return targets.sales_target_set(
        actor=request.auth, amount=data["amount"], starts_on=data["starts_on"],
        period=data["period"], **_subject(data),
    )  # fmt: skip


@router.get("/targets/{target_id}", response=TargetOut, summary="One sales target")
def get_target(request: HttpRequest, target_id: int = TargetId):
    return _target(request, target_id)


@router.patch(
    "/targets/{target_id}", response=TargetOut, summary="Change a target (amount, period, subject)"
)
@transaction.atomic
def update_target(request: HttpRequest, payload: TargetPatch, target_id: int = TargetId):
    target = _target(request, target_id)
    sent = payload.model_dump(exclude_unset=True)
    for name in ("period", "starts_on", "amount"):
        if name in sent and sent[name] is None:
            raise InvalidInput(_("This field may not be empty."), field=name)
    if "user" in sent or "team" in sent:
        subject = _subject(sent)
    else:
        subject = {"user": target.user, "team": target.team}
    return targets.sales_target_set(
        actor=request.auth, target=target,
        amount=sent.get("amount", target.amount),
        starts_on=sent.get("starts_on", target.starts_on),
        period=sent.get("period", target.period), **subject,
    )  # fmt: skip


@router.delete("/targets/{target_id}", response={204: None}, summary="Delete a target")
def delete_target(request: HttpRequest, target_id: int = TargetId):
    targets.sales_target_delete(actor=request.auth, target=_target(request, target_id).pk)
    return Status(204, None)
