"""/api/activities: the KAM's day, tasks, logging touchpoints, cancelling tasks."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.accounts.services import account_for_actor
from guanxi.activities import services
from guanxi.activities.display import display_title
from guanxi.activities.models import Task, TaskStatus
from guanxi.activities.selectors import next_open_task, tasks_for
from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Moment, Pagination
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from guanxi.workspace import flows

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
