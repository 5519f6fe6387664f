"""/api/activities: the KAM's day, tasks, logging touchpoints, cancelling tasks."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.accounts.services import account_for_actor
from guanxi.activities import services
from guanxi.activities.display import display_title
from guanxi.activities.models import Task, TaskStatus
from guanxi.activities.selectors import agenda_subject, next_open_task, tasks_for
from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, MAX_PAGE_SIZE, Day, Id, InputSchema, Moment, Pagination
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from guanxi.workspace import flows
from guanxi.workspace.today import agenda, agenda_section

router = Router(tags=["activities"])

TaskId = Path(..., ge=1, le=MAX_ID)


# --- Schemas ------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str
    assignee: int = Field(..., alias="assignee_id")
    kind: str
    title: str = Field(..., description="In the language of the request")
    due_date: dt.date
    status: str
    source: str
    tier: str | None = None
    key: str
    contact: int | None = Field(None, alias="contact_id")
    role: str
    budget: Decimal | None = None
    notes: str
    completed_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str

    @staticmethod
    def resolve_account_name(obj: Task) -> str:
        return obj.account.name

    @staticmethod
    def resolve_title(obj: Task) -> str:
        # Today's rows carry the title they composed already (`title_shown`).
        return getattr(obj, "title_shown", None) or display_title(obj)

    @staticmethod
    def resolve_tier(obj: Task) -> str | None:
        return str(obj.tier) if obj.tier_id else None


# The Today shapes carry a "Today" prefix: ninja names an OpenAPI component after its class, and
# contacts' KeyDateOut and tiers' TierChangeOut are other shapes (the OpenAPI showed theirs here).


class AgendaTaskOut(Schema):
    task: TaskOut
    days_overdue: int = Field(..., description="> 0 overdue, 0 due today, < 0 not due yet")
    reason: str
    log_kind: str


class TodayKeyDateOut(Schema):
    day: dt.date = Field(..., description="This year's date of the birthday or anniversary")
    days_until: int
    contact: int
    contact_name: str
    account: int
    account_name: str
    is_birthday: bool
    reason: str


class TodayTierChangeOut(Schema):
    account: int
    account_name: str
    effective_on: dt.date
    from_tier: str | None = Field(..., description="The tier's name; null: no tier before")
    to_tier: str | None = Field(..., description="The tier's name; null: no tier now")
    direction: str = Field(
        ..., description="up, down, new (first tier), lost (no tier now) or changed"
    )
    upgrade: bool | None = Field(..., description="True up, False down or lost, None otherwise")
    reason: str


class TodayNeglectedOut(Schema):
    account: int
    account_name: str
    cadence_days: int
    days_since: int | None = Field(..., description="null: no touchpoint yet")
    days_beyond: int
    reason: str


class AgendaRiskOut(Schema):
    code: str = Field(..., description="uncovered_role, single_contact, single_owner, …")
    message: str = Field(..., description="A full sentence in the language of the request")
    contact_ids: list[int]


class TodayRelationshipRiskOut(Schema):
    account: int
    account_name: str
    score: int | None = Field(..., description="Coverage score 0–100")
    risks: list[AgendaRiskOut]
    reason: str


class TodayDealOut(Schema):
    opportunity: int
    name: str
    account: int
    account_name: str
    stage: int
    amount: Decimal
    expected_close: dt.date
    next_step_on: dt.date | None
    risks: list[AgendaRiskOut] = Field(..., description="Decision-maker risks (deal_risks only)")
    reason: str


class TodayRenewalRiskOut(Schema):
    agreement: int
    agreement_name: str
    account: int
    account_name: str
    ends_on: dt.date
    score: int = Field(..., description="Renewal risk 0–100 (scored nightly)")
    level: str = Field(..., description="high or medium")
    terms: list[str] = Field(..., description="The score's terms in words, heaviest first")
    reason: str


class TodayTotalsOut(Schema):
    """How many items each section holds in all (the lists show the first `limit`)."""

    due: int
    upcoming: int
    key_dates: int
    tier_changes: int
    neglected: int
    relationship_risks: int
    large_deals: int
    stale_deals: int
    deal_risks: int
    renewals_at_risk: int


class AgendaOut(Schema):
    user: int
    as_of: dt.date
    limit: int = Field(..., description="The most items each list holds")
    totals: TodayTotalsOut
    due: list[AgendaTaskOut]
    upcoming: list[AgendaTaskOut]
    key_dates: list[TodayKeyDateOut]
    tier_changes: list[TodayTierChangeOut]
    neglected: list[TodayNeglectedOut]
    relationship_risks: list[TodayRelationshipRiskOut] = Field(
        ...,
        description="Your accounts whose buying centre has relationship risks, most important "
        "first",
    )
    large_deals: list[TodayDealOut] = Field(
        ..., description="Your open deals over GUANXI_LARGE_DEAL or the account's 90th percentile"
    )
    stale_deals: list[TodayDealOut] = Field(
        ..., description="Next step date passed, or no move and no next step for the stage's days"
    )
    deal_risks: list[TodayDealOut] = Field(
        ..., description="Your open deals whose decision maker carries a relationship risk"
    )
    renewals_at_risk: list[TodayRenewalRiskOut] = Field(
        ...,
        description="Agreements you own ending within the renewal window with a high or medium "
        "renewal risk",
    )


class AgendaQuery(InputSchema):
    user: int | None = Field(None, ge=1, le=MAX_ID, description="A team member (leads only)")
    limit: int | None = Field(
        None,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="Items per list, the top ones by priority (default: the site's Today limit)",
    )


class AgendaPageQuery(InputSchema):
    user: int | None = Field(None, ge=1, le=MAX_ID, description="A team member (leads only)")
    limit: int = Field(settings.GUANXI_API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_ID)


class AgendaTasksPage(Schema):
    count: int = Field(..., description="Items in the section in all")
    items: list[AgendaTaskOut]


class TodayKeyDatesPage(Schema):
    count: int
    items: list[TodayKeyDateOut]


class TodayTierChangesPage(Schema):
    count: int
    items: list[TodayTierChangeOut]


class TodayNeglectedPage(Schema):
    count: int
    items: list[TodayNeglectedOut]


class TodayRelationshipRisksPage(Schema):
    count: int
    items: list[TodayRelationshipRiskOut]


class TodayDealsPage(Schema):
    count: int
    items: list[TodayDealOut]


class TodayRenewalRisksPage(Schema):
    count: int
    items: list[TodayRenewalRiskOut]


class TaskFilters(InputSchema):
    status: TaskStatus | None = Field(TaskStatus.OPEN, description="open (default), done, …")
    due_before: Day | None = Field(None, description="Due on or before this day")
    all_assignees: bool = Field(
        False, description="Every visible task, not only yours (team leads, managers)"
    )
    account: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only this account's tasks (an account you can see)"
    )


class TouchpointIn(InputSchema):
    account: int = Field(..., ge=1, le=MAX_ID)
    kind: TouchpointKind
    occurred_at: Moment | None = Field(None, description="Default: now")
    contacts: list[Id] = Field(default_factory=list, max_length=100)
    subject: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    cost: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    task: int | None = Field(None, ge=1, le=MAX_ID, description="The task it fulfils")


class TouchpointOut(Schema):
    id: int
    account: int
    kind: str
    occurred_at: dt.datetime
    logged_by: int | None
    contacts: list[int]
    subject: str
    notes: str
    cost: Decimal | None
    task: int | None
    next_task: TaskOut | None = None


class CancelIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=300)


# --- Handlers -----------------------------------------------------------------------------------


def _task_row(item: Any) -> dict:
    # The item's title was composed once for the day; TaskOut shows it instead of composing it
    # again (see TaskOut.resolve_title).
    item.task.title_shown = item.title
    return {
        "task": item.task,
        "days_overdue": item.days_overdue,
        "reason": item.reason,
        "log_kind": item.log_kind,
    }


def _key_date_row(k: Any) -> dict:
    return {
        "day": k.day,
        "days_until": k.days_until,
        "contact": k.contact.pk,
        "contact_name": k.contact.name,
        "account": k.account.pk,
        "account_name": k.account.name,
        "is_birthday": k.is_birthday,
        "reason": k.reason,
    }


def _tier_change_row(c: Any) -> dict:
    return {
        "account": c.account.pk,
        "account_name": c.account.name,
        "effective_on": c.change.effective_on,
        "from_tier": str(c.change.from_tier) if c.change.from_tier_id else None,
        "to_tier": str(c.change.to_tier) if c.change.to_tier_id else None,
        "direction": c.direction,
        "upgrade": c.upgrade,
        "reason": c.reason,
    }


def _neglected_row(n: Any) -> dict:
    return {
        "account": n.account.pk,
        "account_name": n.account.name,
        "cadence_days": n.cadence_days,
        "days_since": n.days_since,
        "days_beyond": n.days_beyond,
        "reason": n.reason,
    }


def _risk_row(r: Any) -> dict:
    return {
        "account": r.account.pk,
        "account_name": r.account.name,
        "score": r.health.score,
        "risks": _risks(r.risks),
        "reason": r.reason,
    }


def _risks(risks: list) -> list[dict]:
    return [{"code": k.code, "message": k.message, "contact_ids": k.contact_ids} for k in risks]


def _deal_row(d: Any) -> dict:
    deal = d.deal
    return {
        "opportunity": deal.pk,
        "name": deal.name,
        "account": d.account.pk,
        "account_name": d.account.name,
        "stage": deal.stage_id,
        "amount": deal.amount,
        "expected_close": deal.expected_close,
        "next_step_on": deal.next_step_on,
        "risks": _risks(d.risks),
        "reason": d.reason,
    }


def _renewal_row(r: Any) -> dict:
    return {
        "agreement": r.agreement.pk,
        "agreement_name": r.agreement.name,
        "account": r.account.pk,
        "account_name": r.account.name,
        "ends_on": r.agreement.ends_on,
        "score": r.risk.score,
        "level": r.risk.level,
        "terms": r.terms,
        "reason": r.reason,
    }


#: The sections the API shows and how one item of each reads.
ROWS = {
    "due": _task_row,
    "upcoming": _task_row,
    "key_dates": _key_date_row,
    "tier_changes": _tier_change_row,
    "neglected": _neglected_row,
    "relationship_risks": _risk_row,
    "large_deals": _deal_row,
    "stale_deals": _deal_row,
    "deal_risks": _deal_row,
    "renewals_at_risk": _renewal_row,
}


def _subject(request: HttpRequest, user_id: int | None) -> Any:
    if user_id is None or user_id == request.auth.pk:
        return request.auth
    subject = agenda_subject(request.auth, user_id)
    if subject is None:
        raise NotFound(_("User %(id)s not found.") % {"id": user_id}, field="user")
    return subject


@router.get(
    "/today",
    response=AgendaOut,
    summary="Your day: due tasks, key dates, tier changes, relationship risks",
    description=(
        "Each list holds the top `limit` items by priority (tier, then CLV, then urgency); "
        "`totals` says how many each section holds in all, and `/today/{section}` pages "
        "through one section. Changed: the lists used to hold every item (thousands for a "
        "large book) and there was no `limit` or `totals`; pass `limit` (up to 500) for more "
        "per list, or page through `/today/{section}`."
    ),
)
def today(request: HttpRequest, query: Query[AgendaQuery]):
    subject = _subject(request, query.user)
    limit = query.limit or settings.GUANXI_TODAY_LIMIT
    day = agenda(user=subject, actor=request.auth, limit=limit)
    return {
        "user": day.user.pk,
        "as_of": day.as_of,
        "limit": limit,
        "totals": {name: getattr(day, name).total for name in ROWS},
        **{name: [row(i) for i in getattr(day, name)] for name, row in ROWS.items()},
    }


def _section_page(request: HttpRequest, name: str, query: AgendaPageQuery) -> dict:
    subject = _subject(request, query.user)
    section = agenda_section(
        name, user=subject, actor=request.auth, offset=query.offset, limit=query.limit
    )
    return {"count": section.total, "items": [ROWS[name](i) for i in section]}


_PAGE = "One section of your day in priority order, a page at a time (limit, offset)"


@router.get("/today/due", response=AgendaTasksPage, summary=_PAGE + ": overdue and due today")
def today_due(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "due", query)


@router.get("/today/upcoming", response=AgendaTasksPage, summary=_PAGE + ": next 7 days")
def today_upcoming(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "upcoming", query)


@router.get("/today/key_dates", response=TodayKeyDatesPage, summary=_PAGE + ": key dates")
def today_key_dates(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "key_dates", query)


@router.get("/today/tier_changes", response=TodayTierChangesPage, summary=_PAGE + ": tier changes")
def today_tier_changes(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "tier_changes", query)


@router.get("/today/neglected", response=TodayNeglectedPage, summary=_PAGE + ": beyond the cadence")
def today_neglected(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "neglected", query)


@router.get(
    "/today/relationship_risks",
    response=TodayRelationshipRisksPage,
    summary=_PAGE + ": relationship risks",
)
def today_relationship_risks(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "relationship_risks", query)


@router.get("/today/large_deals", response=TodayDealsPage, summary=_PAGE + ": large deals")
def today_large_deals(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "large_deals", query)


@router.get("/today/stale_deals", response=TodayDealsPage, summary=_PAGE + ": stale deals")
def today_stale_deals(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "stale_deals", query)


@router.get(
    "/today/deal_risks",
    response=TodayDealsPage,
    summary=_PAGE + ": deals whose decision maker is at risk",
)
def today_deal_risks(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "deal_risks", query)


@router.get(
    "/today/renewals_at_risk",
    response=TodayRenewalRisksPage,
    summary=_PAGE + ": agreements at risk of not being renewed",
)
def today_renewals_at_risk(request: HttpRequest, query: Query[AgendaPageQuery]):
    return _section_page(request, "renewals_at_risk", query)


@router.get(
    "/tasks", response=list[TaskOut], summary="Your tasks (filters: status, due_before, account)"
)
@paginate(Pagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]):
    # An account the user may not see gives an empty list, as on the other list endpoints
    # (contacts, transactions): the filter narrows what is visible, it does not look up.
    return tasks_for(
        request.auth,
        status=filters.status,
        due_before=filters.due_before,
        assignee=None if filters.all_assignees else True,
        account_id=filters.account,
    )


def _task(request: HttpRequest, task_id: int, field: str = "id") -> Task:
    task = tasks_for(request.auth, status=None, assignee=None).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Task %(id)s not found.") % {"id": task_id}, field=field)
    return task


def _touchpoint_out(tp: Touchpoint, done: Task | None, next_task: Task | None) -> dict:
    return {
        "id": tp.pk,
        "account": tp.account_id,
        "kind": tp.kind,
        "occurred_at": tp.occurred_at,
        "logged_by": tp.logged_by_id,
        "contacts": sorted(tp.contacts.values_list("pk", flat=True)),
        "subject": tp.subject,
        "notes": tp.notes,
        "cost": tp.cost,
        "task": done.pk if done else None,
        "next_task": next_task,
    }


@router.post(
    "/touchpoints",
    response={201: TouchpointOut},
    summary="Log a touchpoint; completes the task it fulfils and schedules the next",
)
def log_touchpoint(request: HttpRequest, payload: TouchpointIn):
    account = account_for_actor(actor=request.auth, account_id=payload.account)
    task = _task(request, payload.task, field="task") if payload.task else None
    tp = flows.touchpoint_logged(
        account=account,
        kind=payload.kind,
        occurred_at=payload.occurred_at or timezone.now(),
        actor=request.auth,
        contacts=payload.contacts,
        subject=payload.subject,
        notes=payload.notes,
        cost=payload.cost,
        task=task,
    )
    done = Task.objects.select_related("account", "tier", "contact").filter(touchpoint=tp).first()
    return Status(201, _touchpoint_out(tp, done, next_open_task(done) if done else None))


@router.post("/tasks/{task_id}/cancel", response=TaskOut, summary="Cancel an open task")
def cancel_task(request: HttpRequest, payload: CancelIn, task_id: int = TaskId):
    task = services.task_cancel(task=_task(request, task_id), actor=request.auth,
                                reason=payload.reason)  # fmt: skip
    return Task.objects.select_related("account", "tier", "contact").get(pk=task.pk)
