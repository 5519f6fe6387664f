"""/api/surveys/…: templates, invitations (the personal links: list, send, one with its URL),
answers and results (NPS and CSAT by month, tier, segment, KAM or account; SERVQUAL gap per
dimension, perceived − expected, with Cronbach's α). Access as for accounts: an invitation or
answer of an account the caller may not see is a 404; results count only the visible ones."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.dates import add_months
from guanxi.core.errors import InvalidInput, NotFound
from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Pagination
from guanxi.surveys.models import InvitationSource, Language, SurveyInvitation
from guanxi.surveys.results import results_by, servqual_gaps
from guanxi.surveys.selectors import (
    invitations_visible_to,
    responses_visible_to,
    templates_active,
)
from guanxi.surveys.services import invitation_create, invitation_url, template_for_code

router = Router(tags=["surveys"])

ObjId = Path(..., ge=1, le=MAX_ID)


class ItemOut(Schema):
    id: int
    position: int
    answer: str = Field(..., description="nps (0–10), csat (1–5), servqual (two 1–7) or comment")
    dimension: str = Field(..., description="SERVQUAL dimension, empty for other items")
    text: str
    text_en: str


class TemplateOut(Schema):
    id: int
    code: str
    kind: str = Field(..., description="nps, csat or servqual")
    name: str
    name_en: str
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class InvitationIn(InputSchema):
    template: str = Field(..., min_length=1, max_length=40, description="Template code")
    account: Id
    contact: Id | None = None
    language: Language = Language.ZH_HANS
    expires_days: int = Field(30, ge=1, le=366)
    reference: str = Field("", max_length=60)


class InvitationOut(Schema):
    id: int
    template: str = Field(..., alias="template.code")
    account: int = Field(..., alias="account_id")
    contact: int | None = Field(None, alias="contact_id")
    language: str
    source: str
    reference: str
    sent_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    sent_by: int | None = Field(None, alias="sent_by_id")
    url: str = Field(..., description="The personal link to send (one answer, until it expires)")

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(invitation_url(obj))


class InvitationFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID)
    template: str | None = Field(None, max_length=40)
    answered: bool | None = None


class ResponseOut(Schema):
    id: int
    template: str = Field(..., alias="template.code")
    account: int = Field(..., alias="account_id")
    contact: int | None = Field(None, alias="contact_id")
    invitation: int | None = Field(None, alias="invitation_id")
    answered_at: dt.datetime
    nps_score: int | None
    nps_category: str | None = Field(None, description="promoter, passive or detractor")
    csat_score: int | None
    servqual_gap: float | None = Field(
        None, description="Mean perceived − expected (negative: falls short)"
    )
    comment: str


class ResponseFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID)
    template: str | None = Field(None, max_length=40)
    since: Day | None = None


class ResultsQuery(InputSchema):
    group: Literal["month", "tier", "segment", "kam", "account"] = "month"
    first: Day | None = Field(None, description="Default: 24 months before the last day")
    last: Day | None = Field(None, description="Default: today")
    template: str | None = Field(None, max_length=40)


class ResultRowOut(Schema):
    key: str = Field(..., description="YYYY-MM, a tier, segment, KAM or account id")
    label: str
    answers: int
    nps: float | None = Field(..., description="Promoters % − detractors %, −100..100")
    promoters: int
    passives: int
    detractors: int
    csat_mean: float | None
    csat_satisfied_pct: float | None = Field(..., description="% of CSAT answers of 4 or 5")


class GapOut(Schema):
    dimension: str
    label: str
    expected: float | None
    perceived: float | None
    gap: float | None = Field(..., description="Perceived − expected: negative = falls short")
    alpha_perceived: float | None = Field(..., description="Cronbach's α of the perceptions")
    alpha_expected: float | None
    answers: int


class ResultsOut(Schema):
    first: dt.date
    last: dt.date
    group: str
    rows: list[ResultRowOut]
    servqual: list[GapOut]


@router.get("/templates", response=list[TemplateOut], summary="Active survey templates")
def list_templates(request: HttpRequest):
    return list(templates_active().prefetch_related("items"))


@router.get("/invitations", response=list[InvitationOut], summary="Survey links you can see")
@paginate(Pagination)
def list_invitations(request: HttpRequest, filters: Query[InvitationFilters]):
    qs = invitations_visible_to(request.auth)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.template:
        qs = qs.filter(template__code=filters.template)
    if filters.answered is not None:
        qs = qs.filter(answered_at__isnull=not filters.answered)
    return qs


@router.post("/invitations", response={201: InvitationOut}, summary="Send a survey (make a link)")
def create_invitation(request: HttpRequest, payload: InvitationIn):
    account = account_for_actor(actor=request.auth, account_id=payload.account)
    contact = None
    if payload.contact is not None:
        contact = Contact.objects.filter(pk=payload.contact, account=account).first()
        if contact is None:
            raise InvalidInput(errors={"contact": _("Choose a contact of this account.")})
    invitation = invitation_create(
        actor=request.auth,
        template=template_for_code(payload.template),
        account=account,
        contact=contact,
        source=InvitationSource.MANUAL,
        reference=payload.reference,
        expires_days=payload.expires_days,
        language=payload.language,
    )
    return Status(201, invitation)


@router.get("/invitations/{invitation_id}", response=InvitationOut, summary="A survey link")
def get_invitation(request: HttpRequest, invitation_id: int = ObjId) -> SurveyInvitation:
    invitation = invitations_visible_to(request.auth).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("Survey link not found."))
    return invitation


@router.get("/responses", response=list[ResponseOut], summary="Survey answers you can see")
@paginate(Pagination)
def list_responses(request: HttpRequest, filters: Query[ResponseFilters]):
    qs = responses_visible_to(request.auth)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.template:
        qs = qs.filter(template__code=filters.template)
    if filters.since is not None:
        qs = qs.filter(answered_at__date__gte=filters.since)
    return qs


@router.get("/results", response=ResultsOut, summary="NPS, CSAT and SERVQUAL results")
def get_results(request: HttpRequest, query: Query[ResultsQuery]):
    last = query.last or timezone.localdate()
    first = query.first or add_months(last, -24) + dt.timedelta(days=1)
    rows = results_by(
        actor=request.auth, group=query.group, first=first, last=last, template=query.template or ""
    )
    gaps = servqual_gaps(actor=request.auth, first=first, last=last)
    return {"first": first, "last": last, "group": query.group, "rows": rows, "servqual": gaps}
