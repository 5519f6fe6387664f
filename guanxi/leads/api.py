"""/api/leads: leads (线索) — list, create (answering with the likely duplicates), get, change,
the MAN checklist, qualify, disqualify, reopen, attach to an account on file, check for
duplicates, and convert (into account, contact and optionally an opportunity, never a second
copy). Who sees a lead: its owner, the owner's team lead, managers; others get 404."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Pagination, patch_schema
from guanxi.leads import services
from guanxi.leads.duplicates import Duplicate, likely_duplicates
from guanxi.leads.models import Lead, LeadStatus
from guanxi.leads.selectors import (
    LeadFilters,
    active_disqualify_reasons,
    active_sources,
    lead_for_actor,
    lead_list,
)
from guanxi.pipeline.convert import lead_convert
from guanxi.pipeline.models import OpportunityType
from guanxi.workspace import flows

router = Router(tags=["leads"])

LeadId = Path(..., ge=1, le=MAX_ID)
TEXT = 20000
AnswerIn = Literal["", "yes", "no"]
MAN = ("money", "money_evidence", "authority", "authority_evidence", "need", "need_evidence")


# --- Schemas ------------------------------------------------------------------------------------


class LeadFiltersIn(InputSchema):
    status: LeadStatus | None = None
    source: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    q: str | None = Field(None, max_length=100, description="Company, person or mobile contains")


class LeadOut(Schema):
    id: int
    company: str
    person_name: str
    job_title: str
    mobile: str
    email: str
    wechat: str
    city: str
    industry: str
    source: int = Field(..., alias="source_id")
    campaign: str
    referred_by_account: int | None = Field(None, alias="referred_by_account_id")
    referred_by_contact: int | None = Field(None, alias="referred_by_contact_id")
    owner: int = Field(..., alias="owner_id")
    team: int | None = Field(None, alias="team_id")
    status: str
    money: str
    money_evidence: str
    authority: str
    authority_evidence: str
    need: str
    need_evidence: str
    disqualify_reason: int | None = Field(None, alias="disqualify_reason_id")
    disqualify_note: str
    account: int | None = Field(None, alias="account_id")
    contact: int | None = Field(None, alias="contact_id")
    converted_at: dt.datetime | None = None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DuplicateOut(Schema):
    kind: str = Field(..., description="account or contact")
    reason: str = Field(..., description="name, mobile or email")
    score: int = Field(..., description="0–100: how alike the names are")
    visible: bool = Field(..., description="False: only its owner is named, nothing else")
    owner_name: str
    id: int | None = None
    name: str = ""
    account: int | None = Field(None, alias="account_id")
    account_name: str = ""


class CreatedOut(Schema):
    lead: LeadOut
    duplicates: list[DuplicateOut]


class ListEntryOut(Schema):
    id: int
    name: str


class _LeadFields(InputSchema):
    company: str = Field(..., min_length=1, max_length=200)
    source: Id
    owner: Id
    person_name: str = Field(..., max_length=100)
    job_title: str = Field(..., max_length=100)
    mobile: str = Field(..., max_length=40)
    email: str = Field(..., max_length=254)
    wechat: str = Field(..., max_length=60)
    city: str = Field(..., max_length=50)
    industry: str = Field(..., max_length=20, description="An account industry key, or empty")
    campaign: str = Field(..., max_length=100)
    referred_by_account: Id | None
    referred_by_contact: Id | None
    notes: str = Field(..., max_length=TEXT)
    money: AnswerIn
    money_evidence: str = Field(..., max_length=TEXT)
    authority: AnswerIn
    authority_evidence: str = Field(..., max_length=TEXT)
    need: AnswerIn
    need_evidence: str = Field(..., max_length=TEXT)


class LeadIn(InputSchema):
    company: str = Field(..., min_length=1, max_length=200)
    source: Id
    owner: Id | None = Field(None, description="Default: you")
    person_name: str = Field("", max_length=100)
    job_title: str = Field("", max_length=100)
    mobile: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)
    city: str = Field("", max_length=50)
    industry: str = Field("", max_length=20, description="An account industry key, or empty")
    campaign: str = Field("", max_length=100)
    referred_by_account: Id | None = None
    referred_by_contact: Id | None = None
    notes: str = Field("", max_length=TEXT)
    money: AnswerIn = ""
    money_evidence: str = Field("", max_length=TEXT)
    authority: AnswerIn = ""
    authority_evidence: str = Field("", max_length=TEXT)
    need: AnswerIn = ""
    need_evidence: str = Field("", max_length=TEXT)


LeadPatch = patch_schema(_LeadFields, "LeadPatch")


class DisqualifyIn(InputSchema):
    reason: Id
    note: str = Field("", max_length=TEXT)


class AttachIn(InputSchema):
    account: Id
    contact: Id | None = None


class DuplicatesQuery(InputSchema):
    company: str = Field("", max_length=200)
    mobile: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class OpportunityIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    expected_close: Day
    opportunity_type: OpportunityType = OpportunityType.OTHER
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)


class ConvertIn(InputSchema):
    account: Id | None = Field(None, description="An account on file; default: a new one")
    contact: Id | None = Field(None, description="A contact of that account; default: new")
    opportunity: OpportunityIn | None = Field(None, description="Open a deal too")


class ConvertOut(Schema):
    account: int
    contact: int | None = None
    opportunity: int | None = None
    lead: LeadOut


# --- Helpers ------------------------------------------------------------------------------------


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return lead_for_actor(actor=request.auth, lead=lead_id)


def _duplicates(found: list[Duplicate]) -> list[dict]:
    return [{**d.__dict__} for d in found]


def _split(data: dict) -> tuple[dict, dict]:
    """(lead fields, MAN answers)."""
    man = {n: data.pop(n) for n in MAN if n in data}
    return data, man


# --- Handlers -----------------------------------------------------------------------------------


@router.get("", response=list[LeadOut], summary="Leads you can see, newest first (filters: "
            "status, source, owner, q)")  # fmt: skip
@paginate(Pagination)
def list_leads(request: HttpRequest, filters: Query[LeadFiltersIn]):
    return lead_list(actor=request.auth, filters=LeadFilters(**filters.model_dump()))


@router.get("/sources", response=list[ListEntryOut], summary="The lead sources in use")
def list_sources(request: HttpRequest):
    return [{"id": s.pk, "name": str(s)} for s in active_sources()]


@router.get("/disqualify-reasons", response=list[ListEntryOut],
            summary="The reasons a lead can be disqualified for")  # fmt: skip
def list_reasons(request: HttpRequest):
    return [{"id": r.pk, "name": str(r)} for r in active_disqualify_reasons()]


@router.get("/duplicates", response=list[DuplicateOut],
            summary="Likely duplicates of a company, mobile or email among accounts and contacts "
            "(those you cannot see name only their owner)")  # fmt: skip
def check_duplicates(request: HttpRequest, query: Query[DuplicatesQuery]):
    return _duplicates(likely_duplicates(request.auth, **query.model_dump()))


@router.post("", response={201: CreatedOut},
             summary="Enter a lead; the answer lists likely duplicates to attach to instead "
             "(they do not block)")  # fmt: skip
def create_lead(request: HttpRequest, payload: LeadIn):
    data, man = _split(payload.model_dump())
    with transaction.atomic():
        lead, found = flows.lead_record(actor=request.auth, **data)
        if any(man.values()):
            lead = services.lead_man_set(actor=request.auth, lead=lead, **man)
    return Status(201, {"lead": lead, "duplicates": _duplicates(found)})


@router.get("/{lead_id}", response=LeadOut, summary="A lead")
def get_lead(request: HttpRequest, lead_id: int = LeadId):
    return _lead(request, lead_id)


@router.get("/{lead_id}/duplicates", response=list[DuplicateOut],
            summary="The lead's likely duplicates")  # fmt: skip
def lead_duplicates(request: HttpRequest, lead_id: int = LeadId):
    return _duplicates(services.lead_duplicates(actor=request.auth, lead=_lead(request, lead_id)))


@router.patch("/{lead_id}", response=LeadOut,
              summary="Change a lead's fields (only those sent), MAN answers included; a yes "
              "needs its evidence")  # fmt: skip
def update_lead(request: HttpRequest, payload: LeadPatch, lead_id: int = LeadId):
    lead = _lead(request, lead_id)
    data, man = _split(payload.model_dump(exclude_unset=True))
    with transaction.atomic():
        if data:
            lead = flows.lead_change(actor=request.auth, lead=lead, **data)
        if man:
            lead = services.lead_man_set(actor=request.auth, lead=lead, **man)
    return _lead(request, lead.pk)


@router.post("/{lead_id}/qualify", response=LeadOut,
             summary="Qualify: money, authority and need all yes with evidence (422 names the "
             "missing ones)")  # fmt: skip
def qualify_lead(request: HttpRequest, lead_id: int = LeadId):
    return services.lead_qualify(actor=request.auth, lead=_lead(request, lead_id))


@router.post("/{lead_id}/disqualify", response=LeadOut,
             summary="Disqualify with a reason from the list and a note")  # fmt: skip
def disqualify_lead(request: HttpRequest, payload: DisqualifyIn, lead_id: int = LeadId):
    return services.lead_disqualify(actor=request.auth, lead=_lead(request, lead_id),
                                    reason=payload.reason, note=payload.note)  # fmt: skip


@router.post("/{lead_id}/reopen", response=LeadOut,
             summary="Back to working from qualified or disqualified")  # fmt: skip
def reopen_lead(request: HttpRequest, lead_id: int = LeadId):
    return services.lead_reopen(actor=request.auth, lead=_lead(request, lead_id))


@router.post(
    "/{lead_id}/attach",
    response=LeadOut,
    summary="The lead is about an account (and person) on file: converting uses them",
)
def attach_lead(request: HttpRequest, payload: AttachIn, lead_id: int = LeadId):
    return services.lead_attach(actor=request.auth, lead=_lead(request, lead_id),
                                account=payload.account, contact=payload.contact)  # fmt: skip


@router.post("/{lead_id}/convert", response=ConvertOut,
             summary="Convert a qualified lead into an account and contact (given, attached or "
             "new; 409 names an existing match instead of making a copy) and optionally an "
             "opportunity")  # fmt: skip
def convert_lead(request: HttpRequest, payload: ConvertIn, lead_id: int = LeadId):
    lead = _lead(request, lead_id)
    opportunity = payload.opportunity.model_dump() if payload.opportunity else None
    account, contact, deal = lead_convert(
        actor=request.auth,
        lead=lead,
        account=payload.account,
        contact=payload.contact,
        opportunity=opportunity,
    )
    return {
        "account": account.pk,
        "contact": contact.pk if contact else None,
        "opportunity": deal.pk if deal else None,
        "lead": _lead(request, lead.pk),
    }
