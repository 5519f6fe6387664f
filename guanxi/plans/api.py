"""/api/plans: account plans (一企一策) with goals and their progress, actions and reviews."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.core.errors import ApplicationError, NotFound
from guanxi.core.models import User
from guanxi.core.schemas import MAX_ID, Day, InputSchema, Pagination, patch_schema
from guanxi.plans import services
from guanxi.plans.models import (
    AccountPlan,
    GoalMeasure,
    PlanAction,
    PlanStatus,
    ReviewCadence,
)
from guanxi.plans.roll_over import plan_roll_over
from guanxi.plans.selectors import GoalProgress, plan_list, plan_progress

router = Router(tags=["plans"])

PlanId = Path(..., ge=1, le=MAX_ID)
ActionId = Path(..., ge=1, le=MAX_ID)
MONEY = {"max_digits": 14, "decimal_places": 2}
TEXT = 20000


# --- Schemas ------------------------------------------------------------------------------------


class PlanFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID, description="Only this account's plans")
    year: int | None = Field(None, ge=2000, le=2100)
    status: PlanStatus | None = None


class PlanOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str
    year: int
    title: str
    status: str
    owner: int = Field(..., alias="owner_id")
    review_cadence: str
    wallet_size: Decimal | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_account_name(obj: AccountPlan | dict) -> str:
        if isinstance(obj, dict):
            return obj["account_name"]
        return obj.account.name


class GoalOut(Schema):
    id: int
    description: str
    measure: str
    measure_label: str
    target: Any = Field(None, description="A number, or a stage value for stage measures")
    target_display: str
    current: Any = Field(None, description="Read from the data (null when there is none yet)")
    current_display: str
    percent: Decimal | None = Field(None, description="Numbers: current ÷ target × 100")
    reached: bool | None = None
    source: str = Field(..., description="Where the current value came from, in words")
    contact: int | None = None
    manual_value: Decimal | None = None
    position: int


class ActionOut(Schema):
    id: int
    title: str
    goal: int | None = Field(None, alias="goal_id")
    owner: int = Field(..., alias="owner_id")
    due_on: dt.date
    status: str
    done_on: dt.date | None = None
    notes: str


class CompetitorOut(Schema):
    id: int
    name: str
    positioning: str
    market_strategy: str
    relationship_strategy: str
    relationship_means: str
    strongholds: str
    organisation: str
    share_estimate: int | None = None


class ReviewOut(Schema):
    id: int
    held_on: dt.date
    period: str
    attendees: str
    minutes: str
    decisions: str
    recorded_by: int | None = Field(None, alias="recorded_by_id")


class ProgressOut(Schema):
    actions_total: int
    actions_done: int = Field(..., description="Done, early or not: never more than actions_due")
    actions_open: int
    actions_overdue: int
    actions_due_soon: int = Field(..., description="Open, due within 30 days")
    actions_due: int = Field(
        ..., description="Due so far: not cancelled and due by today, plus those done early"
    )
    goals_reached: int
    goals_total: int
    last_review_on: dt.date | None = None
    next_review_on: dt.date | None = None


class PlanDetailOut(PlanOut):
    challenges_macro: str
    challenges_business: str
    challenges_suppliers: str
    challenges_competitors: str
    challenges_customers: str
    customer_strategy: str
    decision_factors: str
    strategy: str
    progress: ProgressOut
    goals: list[GoalOut]
    actions: list[ActionOut]
    competitors: list[CompetitorOut]
    reviews: list[ReviewOut]


class CompetitorIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    positioning: str = Field("", max_length=TEXT)
    market_strategy: str = Field("", max_length=TEXT)
    relationship_strategy: str = Field("", max_length=TEXT)
    relationship_means: str = Field("", max_length=TEXT)
    strongholds: str = Field("", max_length=TEXT)
    organisation: str = Field("", max_length=TEXT)
    share_estimate: int | None = Field(None, ge=0, le=100)


class PlanIn(InputSchema):
    account: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Default: you")
    title: str = Field("", max_length=200)
    status: PlanStatus = PlanStatus.DRAFT
    review_cadence: ReviewCadence = ReviewCadence.QUARTERLY
    challenges_macro: str = Field("", max_length=TEXT)
    challenges_business: str = Field("", max_length=TEXT)
    challenges_suppliers: str = Field("", max_length=TEXT)
    challenges_competitors: str = Field("", max_length=TEXT)
    challenges_customers: str = Field("", max_length=TEXT)
    customer_strategy: str = Field("", max_length=TEXT)
    decision_factors: str = Field("", max_length=TEXT)
    strategy: str = Field("", max_length=TEXT)
    wallet_size: Decimal | None = Field(None, ge=0, **MONEY)
    competitors: list[CompetitorIn] = Field(default_factory=list, max_length=50)


class _PlanFields(InputSchema):
    owner: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    title: str = Field(..., max_length=200)
    status: PlanStatus
    review_cadence: ReviewCadence
    challenges_macro: str = Field(..., max_length=TEXT)
    challenges_business: str = Field(..., max_length=TEXT)
    challenges_suppliers: str = Field(..., max_length=TEXT)
    challenges_competitors: str = Field(..., max_length=TEXT)
    challenges_customers: str = Field(..., max_length=TEXT)
    customer_strategy: str = Field(..., max_length=TEXT)
    decision_factors: str = Field(..., max_length=TEXT)
    strategy: str = Field(..., max_length=TEXT)
    wallet_size: Decimal | None = Field(..., ge=0, **MONEY)
    competitors: list[CompetitorIn] = Field(
        ..., max_length=50, description="Added, or updated by name"
    )


PlanPatch = patch_schema(_PlanFields, "PlanPatch")


class GoalIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=300)
    measure: GoalMeasure = GoalMeasure.MANUAL
    target_value: Decimal | None = Field(None, **MONEY)
    target_stage: str = Field("", max_length=20, description="For stage measures")
    contact: int | None = Field(None, ge=1, le=MAX_ID, description="For contact_stage")
    manual_value: Decimal | None = Field(None, **MONEY)
    position: int | None = Field(None, ge=0, le=32767)


class ActionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Default: you")
    due_on: Day
    goal: int | None = Field(None, ge=1, le=MAX_ID)
    notes: str = Field("", max_length=TEXT)


class CompleteIn(InputSchema):
    done_on: Day | None = Field(None, description="Default: today")


class CancelIn(InputSchema):
    reason: str = Field("", max_length=300)


class ReviewIn(InputSchema):
    held_on: Day
    period: str = Field("", max_length=40)
    attendees: str = Field("", max_length=300)
    minutes: str = Field("", max_length=TEXT)
    decisions: str = Field("", max_length=TEXT)


# --- Helpers ------------------------------------------------------------------------------------


def _plan(request: HttpRequest, plan_id: int) -> AccountPlan:
    return services.plan_for_actor(actor=request.auth, plan=plan_id)


def _user(user_id: int | None, field: str = "owner") -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ApplicationError(_("User %(id)s does not exist.") % {"id": user_id}, field=field)
    return user


def _goal_out(g: GoalProgress) -> dict:
    return {
        "id": g.goal.pk,
        "description": g.goal.description,
        "measure": g.measure,
        "measure_label": g.measure_label,
        "target": g.target,
        "target_display": g.target_display,
        "current": g.current,
        "current_display": g.current_display,
        "percent": g.percent,
        "reached": g.reached,
        "source": g.source,
        "contact": g.goal.contact_id,
        "manual_value": g.goal.manual_value,
        "position": g.goal.position,
    }


def _detail(plan: AccountPlan) -> dict:
    p = plan_progress(plan)
    body = {f: getattr(plan, f) for f in services.PLAN_FIELDS}
    body.update(
        id=plan.pk,
        year=plan.year,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        account_id=plan.account_id,
        owner_id=plan.owner_id,
        account_name=plan.account.name,
        progress={
            "actions_total": p.actions_total,
            "actions_done": p.actions_done,
            "actions_open": p.actions_open,
            "actions_overdue": p.actions_overdue,
            "actions_due_soon": p.actions_due_soon,
            "actions_due": p.actions_due,
            "goals_reached": p.goals_reached,
            "goals_total": len(p.goals),
            "last_review_on": p.last_review.held_on if p.last_review else None,
            "next_review_on": p.next_review,
        },
        goals=[_goal_out(g) for g in p.goals],
        actions=list(plan.actions.order_by("due_on", "id")),
        competitors=list(plan.competitors.all()),
        reviews=list(plan.reviews.order_by("-held_on", "-id")),
    )
    return body


def _set_competitors(plan: AccountPlan, user: User, competitors: list[CompetitorIn]) -> None:
    for c in competitors:
        data = c.model_dump()
        services.plan_competitor_set(plan=plan, actor=user, name=data.pop("name"), **data)


# --- Handlers -----------------------------------------------------------------------------------


@router.get("", response=list[PlanOut], summary="Account plans you can see (filters: account, "
            "year, status)")  # fmt: skip
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[PlanFilters]):
    return plan_list(
        actor=request.auth, account=filters.account, year=filters.year, status=filters.status
    )


@router.get(
    "/{plan_id}",
    response=PlanDetailOut,
    summary="A plan with its goals and their progress read from the data, actions, competitors "
    "and reviews",
)
def get_plan(request: HttpRequest, plan_id: int = PlanId):
    return _detail(_plan(request, plan_id))


@router.post(
    "",
    response={201: PlanDetailOut},
    summary="Start an account's plan for a year (one per account and year)",
)
def create_plan(request: HttpRequest, payload: PlanIn):
    data = payload.model_dump()
    competitors = payload.competitors
    data.pop("competitors")
    with transaction.atomic():
        plan = services.plan_create(
            account=data.pop("account"),
            year=data.pop("year"),
            owner=_user(data.pop("owner")),
            actor=request.auth,
            **data,
        )
        _set_competitors(plan, request.auth, competitors)
    return Status(201, _detail(_plan(request, plan.pk)))


@router.patch(
    "/{plan_id}",
    response=PlanDetailOut,
    summary="Change a plan's fields (only those sent); competitors are added or updated by name",
)
def update_plan(request: HttpRequest, payload: PlanPatch, plan_id: int = PlanId):
    plan = _plan(request, plan_id)
    data = payload.model_dump(exclude_unset=True)
    competitors = payload.competitors if "competitors" in data else []
    data.pop("competitors", None)
    for name in ("owner", "year", "title", "status", "review_cadence"):
        if name in data and data[name] is None:
            raise ApplicationError(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    with transaction.atomic():
        if "owner" in data:
            data["owner"] = _user(data["owner"])
        plan = services.plan_update(plan=plan, actor=request.auth, **data)
        _set_competitors(plan, request.auth, competitors)
    return _detail(_plan(request, plan.pk))


@router.post(
    "/{plan_id}/goals",
    response={201: GoalOut},
    summary="Add a goal: numeric measures need target_value; stage measures a target_stage "
    "(contact_stage also the contact); share of wallet the plan's wallet size",
)
def add_goal(request: HttpRequest, payload: GoalIn, plan_id: int = PlanId):
    plan = _plan(request, plan_id)
    data = payload.model_dump()
    goal = services.goal_add(plan=plan, actor=request.auth, **data)
    p = plan_progress(plan)
    return Status(201, _goal_out(next(g for g in p.goals if g.goal.pk == goal.pk)))


@router.post(
    "/{plan_id}/actions",
    response={201: ActionOut},
    summary="Add an action with owner and due date (the owner must see the account)",
)
def add_action(request: HttpRequest, payload: ActionIn, plan_id: int = PlanId):
    plan = _plan(request, plan_id)
    action = services.action_create(
        plan=plan,
        actor=request.auth,
        title=payload.title,
        owner=_user(payload.owner),
        due_on=payload.due_on,
        goal=payload.goal,
        notes=payload.notes,
    )
    return Status(201, action)


def _action(plan: AccountPlan, action_id: int) -> PlanAction:
    action = plan.actions.select_related("plan__account").filter(pk=action_id).first()
    if action is None:
        raise NotFound(_("Action %(id)s not found.") % {"id": action_id}, field="action_id")
    return action


@router.post(
    "/{plan_id}/actions/{action_id}/complete",
    response=ActionOut,
    summary="Mark an action done (today, or done_on in the past)",
)
def complete_action(
    request: HttpRequest,
    payload: CompleteIn | None = None,
    plan_id: int = PlanId,
    action_id: int = ActionId,
):
    action = _action(_plan(request, plan_id), action_id)
    done_on = payload.done_on if payload is not None else None
    return services.action_complete(action=action, actor=request.auth, done_on=done_on)


@router.post(
    "/{plan_id}/actions/{action_id}/reopen", response=ActionOut, summary="Reopen an action"
)
def reopen_action(request: HttpRequest, plan_id: int = PlanId, action_id: int = ActionId):
    action = _action(_plan(request, plan_id), action_id)
    return services.action_reopen(action=action, actor=request.auth)


@router.post(
    "/{plan_id}/actions/{action_id}/cancel",
    response=ActionOut,
    summary="Cancel an open action (the reason is added to its notes)",
)
def cancel_action(
    request: HttpRequest,
    payload: CancelIn | None = None,
    plan_id: int = PlanId,
    action_id: int = ActionId,
):
    action = _action(_plan(request, plan_id), action_id)
    reason = payload.reason if payload is not None else ""
    return services.action_cancel(action=action, actor=request.auth, reason=reason)


@router.post(
    "/{plan_id}/reviews",
    response={201: ReviewOut},
    summary="Record a review meeting (minutes, decisions); not before it is held",
)
def add_review(request: HttpRequest, payload: ReviewIn, plan_id: int = PlanId):
    plan = _plan(request, plan_id)
    review = services.review_record(plan=plan, actor=request.auth, **payload.model_dump())
    return Status(201, review)


class RollOverOut(Schema):
    created: bool = Field(..., description="False: next year's plan existed and was returned")
    message: str = Field(..., description="What was carried over, in words")
    plan: PlanDetailOut


@router.post(
    "/{plan_id}/roll-over",
    response={200: RollOverOut, 201: RollOverOut},
    summary="Create next year's plan from this one (or return it if it exists): situation "
    "analysis, strategies, wallet size, review cadence, competitors and goals carried over; open "
    "actions due in the new year moved to it",
)
def roll_over_plan(request: HttpRequest, plan_id: int = PlanId):
    result = plan_roll_over(plan=plan_id, actor=request.auth)
    body = {
        "created": result.created,
        "message": result.message(),
        "plan": _detail(_plan(request, result.plan.pk)),
    }
    return Status(201 if result.created else 200, body)
