"""/api/agreements/…: agreement reviews (协议复盘) and switching costs (CRUD), the stored renewal
risk of the agreements ending soon (each term explained) and the renewal rate per KAM and team.
Access as for accounts: what the caller may not see is a 404."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.agreements import reviews
from guanxi.agreements.models import ReviewDecision, RiskLevel, SwitchingCostKind
from guanxi.agreements.renewal import term_words
from guanxi.agreements.renewal_reads import RateRow, renewal_rate, renewal_risks_visible_to
from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Pagination, patch_schema

router = Router(tags=["agreements"])

ObjId = Path(..., ge=1, le=MAX_ID)
TEXT = 20000


# --- Schemas ------------------------------------------------------------------------------------


class _ReviewFields(InputSchema):
    held_on: Day
    minutes: str = Field("", max_length=TEXT)
    decision: ReviewDecision = ReviewDecision.CONTINUE
    nps: int | None = Field(None, ge=0, le=10, description="NPS the customer gave, 0–10")
    period_start: Day | None = Field(None, description="Default: the agreement's first day")
    period_end: Day | None = Field(None, description="Default: the review day, within the term")
    revenue: Decimal | None = Field(None, ge=-1e12, le=1e12, description="Default: from the data")
    margin: Decimal | None = Field(None, ge=-1e12, le=1e12, description="Default: from the data")
    rebate: Decimal | None = Field(None, ge=0, le=1e12)
    attendee_ids: list[Id] | None = Field(None, max_length=50, description="Our people")
    contact_ids: list[Id] | None = Field(None, max_length=50, description="Their people")


class ReviewIn(_ReviewFields):
    agreement: Id


ReviewPatch = patch_schema(_ReviewFields, "ReviewPatch")


class ReviewOut(Schema):
    id: int
    agreement: int = Field(..., alias="agreement_id")
    held_on: dt.date
    minutes: str
    decision: str
    nps: int | None
    period_start: dt.date | None
    period_end: dt.date | None
    revenue: Decimal | None
    margin: Decimal | None
    rebate: Decimal | None
    attendee_ids: list[int]
    contact_ids: list[int]
    recorded_by: int | None = Field(None, alias="recorded_by_id")

    @staticmethod
    def resolve_attendee_ids(obj) -> list[int]:
        return sorted(u.pk for u in obj.attendees.all())

    @staticmethod
    def resolve_contact_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.contacts.all())


class ReviewFilters(InputSchema):
    agreement: int | None = Field(None, ge=1, le=MAX_ID)


class _CostFields(InputSchema):
    kind: SwitchingCostKind
    strength: int = Field(..., ge=1, le=5)
    evidence: str = Field("", max_length=TEXT)


class CostIn(_CostFields):
    account: Id


CostPatch = patch_schema(_CostFields, "SwitchingCostPatch")


class CostOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    kind: str
    strength: int
    evidence: str
    recorded_by: int | None = Field(None, alias="recorded_by_id")
    recorded_at: dt.datetime


class CostFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID)


class RiskTermOut(Schema):
    code: str = Field(..., description="pace, p_alive, segment or relationships")
    points: int
    out_of: int
    words: str = Field(..., description="The term in the language of the request")


class RenewalRiskOut(Schema):
    agreement: int = Field(..., alias="agreement_id")
    agreement_name: str = Field(..., alias="agreement.name")
    account: int = Field(..., alias="agreement.account_id")
    owner: int = Field(..., alias="agreement.owner_id")
    ends_on: dt.date = Field(..., alias="agreement.ends_on")
    score: int = Field(..., description="0–100")
    level: str = Field(..., description="low, medium or high")
    as_of: dt.date
    terms: list[RiskTermOut]

    @staticmethod
    def resolve_terms(obj) -> list[dict]:
        return [
            {
                "code": t["code"],
                "points": t["points"],
                "out_of": t["out_of"],
                "words": term_words(t),
            }
            for t in obj.terms or []
        ]


class RiskFilters(InputSchema):
    level: RiskLevel | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID)


class RateRowOut(Schema):
    id: int | None = Field(..., description="The KAM's or team's id (null: no team)")
    name: str
    ended: int
    renewed: int
    rate: Decimal | None = Field(..., description="Renewed ÷ ended, %; null when none ended")


class TeamRateOut(RateRowOut):
    kams: list[RateRowOut]


class RenewalRateOut(Schema):
    start: dt.date
    end: dt.date
    total: RateRowOut
    teams: list[TeamRateOut]


class RateQuery(InputSchema):
    start: Day | None = Field(None, description="Default: a year before the end")
    end: Day | None = Field(None, description="Default: today")


# --- Reviews ------------------------------------------------------------------------------------


@router.get("/reviews", response=list[ReviewOut], summary="Agreement reviews you can see")
@paginate(Pagination)
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]):
    qs = reviews.reviews_visible_to(request.auth).prefetch_related("attendees", "contacts")
    if filters.agreement is not None:
        qs = qs.filter(agreement_id=filters.agreement)
    return qs


@router.post("/reviews", response={201: ReviewOut}, summary="Record an agreement review")
def create_review(request: HttpRequest, payload: ReviewIn):
    data = payload.model_dump(exclude_unset=True)
    agreement = data.pop("agreement")
    review = reviews.review_create(actor=request.auth, agreement_id=agreement, **data)
    return Status(201, review)


@router.get("/reviews/{review_id}", response=ReviewOut, summary="An agreement review")
def get_review(request: HttpRequest, review_id: int = ObjId):
    return reviews.review_for_actor(request.auth, review_id)


@router.patch("/reviews/{review_id}", response=ReviewOut, summary="Change an agreement review")
def update_review(request: HttpRequest, payload: ReviewPatch, review_id: int = ObjId):
    data = payload.model_dump(exclude_unset=True)
    return reviews.review_update(actor=request.auth, review_id=review_id, **data)


@router.delete("/reviews/{review_id}", response={204: None}, summary="Delete a review")
def delete_review(request: HttpRequest, review_id: int = ObjId):
    reviews.review_delete(actor=request.auth, review_id=review_id)
    return Status(204, None)


# --- Switching costs ----------------------------------------------------------------------------


@router.get("/switching-costs", response=list[CostOut], summary="Switching costs you can see")
@paginate(Pagination)
def list_costs(request: HttpRequest, filters: Query[CostFilters]):
    qs = reviews.switching_costs_visible_to(request.auth).order_by("account_id", "kind", "id")
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    return qs


@router.post("/switching-costs", response={201: CostOut}, summary="Record a switching cost")
def create_cost(request: HttpRequest, payload: CostIn):
    data = payload.model_dump(exclude_unset=True)
    account = data.pop("account")
    return Status(
        201, reviews.switching_cost_create(actor=request.auth, account_id=account, **data)
    )


@router.get("/switching-costs/{cost_id}", response=CostOut, summary="A switching cost")
def get_cost(request: HttpRequest, cost_id: int = ObjId):
    return reviews.switching_cost_for_actor(request.auth, cost_id)


@router.patch("/switching-costs/{cost_id}", response=CostOut, summary="Change a switching cost")
def update_cost(request: HttpRequest, payload: CostPatch, cost_id: int = ObjId):
    data = payload.model_dump(exclude_unset=True)
    return reviews.switching_cost_update(actor=request.auth, cost_id=cost_id, **data)


@router.delete("/switching-costs/{cost_id}", response={204: None}, summary="Delete one")
def delete_cost(request: HttpRequest, cost_id: int = ObjId):
    reviews.switching_cost_delete(actor=request.auth, cost_id=cost_id)
    return Status(204, None)


# --- Renewal ------------------------------------------------------------------------------------


@router.get(
    "/renewal-risk",
    response=list[RenewalRiskOut],
    summary="Renewal risk of the agreements ending soon, each term explained (scored nightly)",
)
@paginate(Pagination)
def renewal_risk(request: HttpRequest, filters: Query[RiskFilters]):
    qs = renewal_risks_visible_to(request.auth)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.owner is not None:
        qs = qs.filter(agreement__owner_id=filters.owner)
    return qs


def _rate(row: RateRow) -> dict:
    return {
        "id": row.key,
        "name": row.name,
        "ended": row.ended,
        "renewed": row.renewed,
        "rate": row.rate,
    }


@router.get(
    "/renewal-rate",
    response=RenewalRateOut,
    summary="Renewal rate per KAM and team: renewed ÷ ended (expired, terminated, renewed)",
)
def renewal_rate_report(request: HttpRequest, query: Query[RateQuery]):
    end = query.end or timezone.localdate()
    start = query.start or end.replace(year=end.year - 1) + dt.timedelta(days=1)
    total, teams = renewal_rate(request.auth, first=start, last=end)
    return {
        "start": start,
        "end": end,
        "total": _rate(total),
        "teams": [{**_rate(t), "kams": [_rate(m) for m in t.members]} for t in teams],
    }
