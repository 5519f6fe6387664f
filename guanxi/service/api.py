"""/api/cases: service cases (complaints, requests, praise) — list, open, read, move through the
life-cycle, tick an LSPCAS step, record the compensation.

Access: a case is seen by whoever sees its account; out of sight is a 404. Errors: 404 missing
or out of sight, 409 a move the life-cycle refuses (new → resolved), 422 bad input naming the
field (a contact of another account, a resolution missing, a rating outside 1–5)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from guanxi.core.schemas import MAX_ID, Id, InputSchema, paged_list
from guanxi.core.selectors import filter_given
from guanxi.service import selectors, services
from guanxi.service.models import (
    OPEN_STATUSES,
    Case,
    CaseChannel,
    CaseKind,
    CaseStatus,
    LspcasStep,
    Severity,
)

router = Router(tags=["cases"])

CaseId = Path(..., ge=1, le=MAX_ID)


class CaseFilters(InputSchema):
    status: CaseStatus | None = None
    kind: CaseKind | None = None
    open: bool | None = Field(None, description="Only open (true) or only closed (false) cases")
    breached: bool | None = Field(None, description="First response or resolution late")
    escalated: bool | None = Field(None, description="Escalated to a team lead or director")
    account: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    category: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=100, description="Part of the subject or the account's name")


class CaseOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str
    contact: int | None = Field(None, alias="contact_id")
    kind: str
    channel: str
    category: int | None = Field(None, alias="category_id")
    severity: str
    status: str
    subject: str
    owner: int = Field(..., alias="owner_id")
    opened_at: dt.datetime
    first_responded_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_breached: bool
    resolution_breached: bool
    escalation_level: int
    compensation_cost: Decimal
    rating: int | None

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return obj.account.name


class CaseStepOut(Schema):
    step: str
    label: str
    done_at: dt.datetime | None
    done_by: int | None


class CaseEventOut(Schema):
    at: dt.datetime
    kind: str
    from_status: str
    to_status: str
    level: int | None
    actor: int | None = Field(None, alias="actor_id")
    assignee: int | None = Field(None, alias="assignee_id")
    note: str


class CaseSolutionOut(Schema):
    id: int
    title: str
    text: str

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj)


class CaseDetailOut(CaseOut):
    description: str
    transaction: int | None = Field(None, alias="transaction_id")
    sla_policy: int | None = Field(None, alias="sla_policy_id")
    root_cause: str
    resolution: str
    escalated_to: int | None = Field(None, alias="escalated_to_id")
    survey: int | None = Field(None, alias="survey_id", description="The CSAT link sent on resolve")
    checklist: list[CaseStepOut]
    timeline: list[CaseEventOut]
    solutions: list[CaseSolutionOut]


class CaseIn(InputSchema):
    account: Id
    kind: CaseKind
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    contact: Id | None = None
    channel: CaseChannel = CaseChannel.PHONE
    category: Id | None = None
    severity: Severity = Severity.NORMAL
    transaction: Id | None = None
    owner: Id | None = Field(None, description="Default: the account's KAM")


class CaseTransitionIn(InputSchema):
    to: CaseStatus
    note: str = Field("", max_length=2000)
    resolution: str | None = Field(None, max_length=10000, description="Needed to resolve")
    root_cause: str | None = Field(None, max_length=10000)
    rating: int | None = Field(None, ge=1, le=5, description="The customer's rating, on close")


class CaseStepIn(InputSchema):
    step: LspcasStep
    done: bool = True
    note: str = Field("", max_length=300)


class CaseCompensationIn(InputSchema):
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)


def _detail(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_for_actor(actor=request.auth, case_id=pk)
    case.checklist = [
        {
            "step": row.step,
            "label": row.label,
            "done_at": row.done.done_at if row.done else None,
            "done_by": row.done.done_by_id if row.done else None,
        }
        for row in selectors.checklist(case)
    ]
    case.timeline = selectors.timeline(case)
    case.solutions = selectors.suggested_solutions(case)
    return case


@paged_list(
    router,
    CaseOut,
    "Cases you can see, newest first (filters: status, kind, open, breached, escalated, "
    "account, owner, category, subject or account name)",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    lookups = {"status": "status", "kind": "kind", "account": "account_id", "owner": "owner_id",
               "category": "category_id"}  # fmt: skip
    qs = filter_given(
        selectors.cases_visible_to(request.auth).select_related("account"), filters, lookups
    )
    if filters.open is not None:
        is_open = Q(status__in=OPEN_STATUSES)
        qs = qs.filter(is_open if filters.open else ~is_open)
    if filters.breached is not None:
        late = Q(first_response_breached=True) | Q(resolution_breached=True)
        qs = qs.filter(late if filters.breached else ~late)
    if filters.escalated is not None:
        qs = (
            qs.filter(escalation_level__gt=0)
            if filters.escalated
            else qs.filter(escalation_level=0)
        )
    if filters.q:
        qs = qs.filter(Q(subject__icontains=filters.q) | Q(account__name__icontains=filters.q))
    return qs.order_by("-opened_at", "-id")


@router.post(
    "",
    response={201: CaseDetailOut},
    summary="Open a case on an account you see: its SLA policy follows the account's tier, its "
    "owner is the account's KAM unless named",
)
def create_case(request: HttpRequest, payload: CaseIn):
    case = services.case_open(actor=request.auth, **payload.model_dump())
    return Status(201, _detail(request, case.pk))


@router.get(
    "/{case_id}",
    response=CaseDetailOut,
    summary="A case with its LSPCAS checklist, its timeline and solutions for its category",
)
def get_case(request: HttpRequest, case_id: int = CaseId):
    return _detail(request, case_id)


@router.post(
    "/{case_id}/transition",
    response=CaseDetailOut,
    summary="Move a case: new → acknowledged / in_progress → waiting (the SLA pauses) → "
    "resolved (with a resolution) → closed (with the customer's rating) / reopened",
)
def transition_case(request: HttpRequest, payload: CaseTransitionIn, case_id: int = CaseId):
    services.case_transition(actor=request.auth, case=case_id, **payload.model_dump())
    return _detail(request, case_id)


@router.post(
    "/{case_id}/steps",
    response=CaseDetailOut,
    summary="Tick (or untick, done=false) a handling step: listen, share, clarify, present, "
    "ask, follow_up",
)
def mark_step(request: HttpRequest, payload: CaseStepIn, case_id: int = CaseId):
    services.case_step_mark(actor=request.auth, case=case_id, **payload.model_dump())
    return _detail(request, case_id)


@router.post(
    "/{case_id}/compensation",
    response=CaseDetailOut,
    summary="Record what the case cost in compensation (counts as cost to serve)",
)
def set_compensation(request: HttpRequest, payload: CaseCompensationIn, case_id: int = CaseId):
    services.case_compensation_set(actor=request.auth, case=case_id, amount=payload.amount)
    return _detail(request, case_id)
