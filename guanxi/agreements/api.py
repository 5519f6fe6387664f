"""/api/agreements: agreements (协议) — list, create, read, change (an amendment when active),
the status moves (negotiate, sign, terminate, renew), negotiated rates, amendments, and the
off-rate reviews (a manager decides).

Access: an agreement is seen by whoever sees its account; out of sight is a 404. Errors: 404
missing or out of sight, 403 an owner the caller may not name or a KAM deciding a review, 409
a status move the life-cycle refuses or a change of a closed agreement, 422 bad input naming
the field (a covered account that is not a subsidiary, a signer of another company, dates)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from guanxi.agreements import rates, selectors, services
from guanxi.agreements.models import NegotiatedRate
from guanxi.agreements.schemas import (
    AgreementDetailOut,
    AgreementFilters,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AmendmentOut,
    DecideIn,
    RateIn,
    RateOut,
    RatePatch,
    RateReviewFilters,
    RateReviewOut,
    RenewIn,
    SignIn,
    TerminateIn,
)
from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, paged_list
from guanxi.core.selectors import filter_given

router = Router(tags=["agreements"])

AgreementId = Path(..., ge=1, le=MAX_ID)
RateId = Path(..., ge=1, le=MAX_ID)
ReviewId = Path(..., ge=1, le=MAX_ID)


def _detail(request: HttpRequest, pk: int) -> dict:
    a = selectors.agreement_for_actor(request.auth, pk)
    body = {name: getattr(a, name) for name in AgreementOut.model_fields if hasattr(a, name)}
    body.update(
        agreement_type_id=a.agreement_type_id,
        type_name=str(a.agreement_type),
        account_id=a.account_id,
        account_name=a.account.name,
        owner_id=a.owner_id,
        successor_id=a.successor_id,
        covered_accounts=sorted(a.covered_accounts.values_list("pk", flat=True)),
        their_signers=sorted(a.their_signers.values_list("pk", flat=True)),
        our_signer=a.our_signer_id,
        notice_days=a.notice_days,
        renewal_date=a.renewal_date,
        renewal_due_on=selectors.renewal_date_of(a),
        review_cadence=a.review_cadence,
        terminated_on=a.terminated_on,
        termination_reason=a.termination_reason,
        predecessor=getattr(getattr(a, "predecessor", None), "pk", None),
        notes=a.notes,
        rates=list(a.rates.select_related("category")),
    )
    return body


@paged_list(
    router,
    AgreementOut,
    "Agreements you can see, soonest end first (filters: status, type, account, owner, "
    "ending within n days, name/reference/account)",
)
def list_agreements(request: HttpRequest, filters: Query[AgreementFilters]):
    return selectors.agreement_list(
        request.auth,
        status=filters.status,
        agreement_type=filters.type,
        account=filters.account,
        owner=filters.owner,
        ending_within_days=filters.ending_within_days,
        search=filters.q,
    )


@router.post(
    "",
    response={201: AgreementDetailOut},
    summary="Make an agreement (a draft or in negotiation) with an account you see; covered "
    "accounts must be its subsidiaries, signers contacts of the covered accounts",
)
def create_agreement(request: HttpRequest, payload: AgreementIn):
    data = payload.model_dump()
    a = services.agreement_create(actor=request.auth, **data)
    return Status(201, _detail(request, a.pk))


@paged_list(
    router,
    RateReviewOut,
    "Sales priced off a negotiated rate, newest first (within what you see)",
    "/rate-reviews",
)
def list_rate_reviews(request: HttpRequest, filters: Query[RateReviewFilters]):
    lookups = {"status": "status", "agreement": "agreement_id", "account": "account_id"}
    return filter_given(rates.rate_reviews_visible_to(request.auth), filters, lookups)


@router.post(
    "/rate-reviews/{review_id}/decide",
    response=RateReviewOut,
    summary="Accept an off-rate sale, or mark it to be corrected (a note says what); managers only",
)
def decide_rate_review(request: HttpRequest, payload: DecideIn, review_id: int = ReviewId):
    return rates.rate_review_decide(actor=request.auth, review=review_id, **payload.model_dump())


@router.get(
    "/{agreement_id}",
    response=AgreementDetailOut,
    summary="An agreement with its covered accounts, signers and negotiated rates",
)
def get_agreement(request: HttpRequest, agreement_id: int = AgreementId):
    return _detail(request, agreement_id)


@router.patch(
    "/{agreement_id}",
    response=AgreementDetailOut,
    summary="Change an agreement's fields (only those sent); on an active agreement every "
    "change is an amendment (summary, effective_on); the status changes only by its actions",
)
def update_agreement(
    request: HttpRequest, payload: AgreementPatch, agreement_id: int = AgreementId
):
    data = payload.model_dump(exclude_unset=True)
    for name in ("owner", "name", "agreement_type", "account", "starts_on", "ends_on"):
        if name in data and data[name] is None:
            data.pop(name)
    services.agreement_update(actor=request.auth, agreement=agreement_id, **data)
    return _detail(request, agreement_id)


@router.post(
    "/{agreement_id}/negotiate", response=AgreementDetailOut, summary="draft → negotiating"
)
def negotiate_agreement(request: HttpRequest, agreement_id: int = AgreementId):
    services.agreement_negotiate(actor=request.auth, agreement=agreement_id)
    return _detail(request, agreement_id)


@router.post(
    "/{agreement_id}/sign",
    response=AgreementDetailOut,
    summary="Sign: draft or negotiating → active (signing a successor renews the "
    "agreement it follows)",
)
def sign_agreement(request: HttpRequest, payload: SignIn, agreement_id: int = AgreementId):
    services.agreement_sign(actor=request.auth, agreement=agreement_id, **payload.model_dump())
    return _detail(request, agreement_id)


@router.post(
    "/{agreement_id}/terminate",
    response=AgreementDetailOut,
    summary="Terminate an active agreement from a date, for a reason",
)
def terminate_agreement(
    request: HttpRequest, payload: TerminateIn, agreement_id: int = AgreementId
):
    services.agreement_terminate(actor=request.auth, agreement=agreement_id, **payload.model_dump())
    return _detail(request, agreement_id)


@router.post(
    "/{agreement_id}/renew",
    response={201: AgreementDetailOut},
    summary="Make the successor of an active or expired agreement: a draft copying its "
    "terms, covered accounts and rates",
)
def renew_agreement(request: HttpRequest, payload: RenewIn, agreement_id: int = AgreementId):
    successor = services.agreement_renew(
        actor=request.auth, agreement=agreement_id, **payload.model_dump()
    )
    return Status(201, _detail(request, successor.pk))


@router.get(
    "/{agreement_id}/amendments",
    response=list[AmendmentOut],
    summary="The versions of an agreement, newest first",
)
def list_amendments(request: HttpRequest, agreement_id: int = AgreementId):
    return list(selectors.amendments_of(selectors.agreement_for_actor(request.auth, agreement_id)))


def _rate(request: HttpRequest, agreement_id: int, rate_id: int) -> NegotiatedRate:
    a = selectors.agreement_for_actor(request.auth, agreement_id)
    found = NegotiatedRate.objects.select_related("category").filter(pk=rate_id, agreement=a)
    if not found.exists():
        raise NotFound(_("Rate %(id)s not found.") % {"id": rate_id}, field="rate_id")
    return found.get()


@router.get(
    "/{agreement_id}/rates", response=list[RateOut], summary="The negotiated rates of an agreement"
)
def list_rates(request: HttpRequest, agreement_id: int = AgreementId):
    a = selectors.agreement_for_actor(request.auth, agreement_id)
    return list(a.rates.select_related("category"))


@router.post(
    "/{agreement_id}/rates",
    response={201: RateOut},
    summary="Add a negotiated rate (an amendment when the agreement is active)",
)
def add_rate(request: HttpRequest, payload: RateIn, agreement_id: int = AgreementId):
    rate = rates.rate_create(actor=request.auth, agreement=agreement_id, **payload.model_dump())
    return Status(201, _rate(request, agreement_id, rate.pk))


@router.patch(
    "/{agreement_id}/rates/{rate_id}",
    response=RateOut,
    summary="Change a negotiated rate (only the fields sent)",
)
def update_rate(
    request: HttpRequest,
    payload: RatePatch,
    agreement_id: int = AgreementId,
    rate_id: int = RateId,
):
    rate = _rate(request, agreement_id, rate_id)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    rates.rate_update(actor=request.auth, rate=rate, **data)
    return _rate(request, agreement_id, rate_id)


@router.delete(
    "/{agreement_id}/rates/{rate_id}", response={204: None}, summary="Remove a negotiated rate"
)
def delete_rate(request: HttpRequest, agreement_id: int = AgreementId, rate_id: int = RateId):
    rates.rate_delete(actor=request.auth, rate=_rate(request, agreement_id, rate_id))
    return Status(204, None)
