"""/api/relationships: an account's buying centre, relationship stages, organisation relationship,
coverage and risks, and the map as SVG.

Every endpoint takes an account the user may see (else 404, as for a missing one). Writes go
through the services in services.py, which check the data's own rules (known roles, no reporting
loops, influence 1–5, no stage in the future); this module only turns ids into objects the user
may see and the results into JSON.
"""

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError, NotFound
from guanxi.core.models import User
from guanxi.core.schemas import MAX_ID, Day, InputSchema
from guanxi.relationships import services
from guanxi.relationships.map import account_map_svg
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    BuyingRole,
    KotlerLevel,
    RelationshipStage,
    RelationshipStageEvent,
    StanceToUs,
    SupplierStage,
)
from guanxi.relationships.risks import RelationshipHealth, relationship_health
from guanxi.relationships.selectors import BuyingCentre, Seat, buying_centre
from guanxi.touchpoints.models import Touchpoint

router = Router(tags=["relationships"])

AccountId = Path(..., ge=1, le=MAX_ID, description="The account's id")
ContactId = Path(..., ge=1, le=MAX_ID, description="The contact's id")


# --- Schemas ------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    name: str


class SeatOut(Schema):
    contact_id: int
    name: str
    title: str
    contact_account_id: int = Field(..., description="The account the contact belongs to")
    external: bool = Field(..., description="A contact of another account (an outside influencer)")
    is_active: bool = Field(..., description="False when the contact has left their organisation")
    roles: list[str] = Field(..., description="Buying roles: " + ", ".join(BuyingRole.values))
    role_labels: list[str] = Field(..., description="The roles in the language of the request")
    stance: str = Field(..., description="Attitude to us: " + ", ".join(StanceToUs.values))
    stance_label: str
    influence: int = Field(..., description="1 = little say … 5 = decides")
    reports_to: int | None = Field(None, description="The contact this person reports to")
    rising_star: bool = Field(..., description="A likely future decision maker")
    owner: UserRef | None = Field(
        None, description="Who of ours owns the relationship (the account owner if none named)"
    )
    owner_named: bool = Field(..., description="True when an owner is named on the seat")
    stage: str | None = Field(None, description="Latest relationship stage reached")
    stage_label: str | None = None
    stage_reached_on: dt.date | None = None
    last_touch_at: dt.datetime | None = Field(
        None, description="The latest touchpoint involving this person, on any account"
    )
    notes: str


class OrganisationOut(Schema):
    account_id: int
    supplier_stage: str = Field(..., description=", ".join(SupplierStage.values))
    supplier_stage_label: str
    kotler_level: str = Field(..., description=", ".join(KotlerLevel.values))
    kotler_level_label: str
    notes: str
    updated_at: dt.datetime | None = Field(None, description="Null until first set")


class BuyingCentreOut(Schema):
    account_id: int
    seats: list[SeatOut]
    organisation: OrganisationOut


class SeatIn(InputSchema):
    buying_roles: list[str] = Field(
        default_factory=list,
        max_length=len(BuyingRole.values) * 2,
        description="Zero or more of: " + ", ".join(BuyingRole.values),
    )
    stance: str = Field(
        StanceToUs.NEUTRAL.value, max_length=20, description=", ".join(StanceToUs.values)
    )
    influence: int = Field(3, description="1 = little say … 5 = decides")
    reports_to: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="A contact of this account, or a person already on its buying centre",
    )
    rising_star: bool = False
    relationship_owner: int | None = Field(
        None, ge=1, le=MAX_ID, description="The user of ours who owns the relationship"
    )
    notes: str = Field("", max_length=5000)


class StageEventOut(Schema):
    id: int
    contact_id: int
    contact_name: str
    stage: str
    stage_label: str
    reached_on: dt.date
    evidence: int | None = Field(None, description="The touchpoint that shows it")
    note: str
    recorded_by: str | None
    recorded_at: dt.datetime


class StageIn(InputSchema):
    contact: int = Field(..., ge=1, le=MAX_ID, description="A person on the buying centre")
    stage: str = Field(..., max_length=20, description=", ".join(RelationshipStage.values))
    reached_on: Day | None = Field(None, description="Default: today; not in the future")
    evidence: int | None = Field(
        None, ge=1, le=MAX_ID, description="A touchpoint with this account involving the person"
    )
    note: str = Field("", max_length=300)


class StageFilters(InputSchema):
    contact: int | None = Field(None, ge=1, le=MAX_ID, description="Only this person's stages")


class OrganisationIn(InputSchema):
    supplier_stage: str | None = Field(
        None,
        max_length=20,
        description="Unchanged when left out: " + ", ".join(SupplierStage.values),
    )
    kotler_level: str | None = Field(
        None, max_length=20, description="Unchanged when left out: " + ", ".join(KotlerLevel.values)
    )
    notes: str | None = Field(None, max_length=5000, description="Unchanged when left out")


class ScorePartOut(Schema):
    label: str
    points: int
    out_of: int
    explanation: str


class RiskOut(Schema):
    code: str
    label: str
    message: str = Field(..., description="A full sentence naming the people, roles and days")
    contact_ids: list[int]


class HealthOut(Schema):
    account_id: int
    score: int | None = Field(..., description="0–100; null when no buying centre is mapped yet")
    parts: list[ScorePartOut] = Field(..., description="How the score was made, in words")
    risks: list[RiskOut]


# --- Helpers ------------------------------------------------------------------------------------


def _account(request: HttpRequest, account_id: int) -> Account:
    return account_for_actor(actor=request.auth, account_id=account_id, field="id")


def _label(choices, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _seat(seat: Seat) -> dict:
    owner = seat.owner
    return {
        "contact_id": seat.contact_id,
        "name": seat.name,
        "title": seat.title,
        "contact_account_id": seat.contact_account_id,
        "external": seat.external,
        "is_active": seat.is_active,
        "roles": seat.roles,
        "role_labels": [_label(BuyingRole, r) for r in seat.roles],
        "stance": seat.stance,
        "stance_label": _label(StanceToUs, seat.stance),
        "influence": seat.influence,
        "reports_to": seat.reports_to_id,
        "rising_star": seat.rising_star,
        "owner": {"id": owner.pk, "name": str(owner)} if owner is not None else None,
        "owner_named": seat.owner_named,
        "stage": seat.stage,
        "stage_label": _label(RelationshipStage, seat.stage),
        "stage_reached_on": seat.stage_reached_on,
        "last_touch_at": seat.last_touch_at,
        "notes": seat.member.notes,
    }


def _organisation(account: Account, row: AccountRelationship | None) -> dict:
    row = row or AccountRelationship(account=account)
    return {
        "account_id": account.pk,
        "supplier_stage": row.supplier_stage,
        "supplier_stage_label": _label(SupplierStage, row.supplier_stage),
        "kotler_level": row.kotler_level,
        "kotler_level_label": _label(KotlerLevel, row.kotler_level),
        "notes": row.notes,
        "updated_at": row.updated_at,
    }


def _centre(centre: BuyingCentre) -> dict:
    return {
        "account_id": centre.account.pk,
        "seats": [_seat(s) for s in centre.seats],
        "organisation": _organisation(centre.account, centre.relationship),
    }


def _health(health: RelationshipHealth) -> dict:
    return {
        "account_id": health.account_id,
        "score": health.score,
        "parts": [vars(p) for p in health.parts],
        "risks": [
            {"code": r.code, "label": r.label, "message": r.message, "contact_ids": r.contact_ids}
            for r in health.risks
        ],
    }


def _not_found_contact(contact_id: int, field: str) -> NotFound:
    return NotFound(_("Contact %(id)s not found.") % {"id": contact_id}, field=field)


def _seat_contact(request: HttpRequest, contact_id: int) -> Contact:
    """A contact the user may put on a buying centre: one of an account they can see (an
    external influencer may belong to another account)."""
    contact = (
        Contact.objects.filter(pk=contact_id, account__in=accounts_visible_to(request.auth))
        .select_related("account")
        .first()
    )
    if contact is None:
        raise _not_found_contact(contact_id, "contact_id")
    return contact


def _mapped_contact(account: Account, contact_id: int) -> Contact | None:
    """A contact of this account or a person on its buying centre; None otherwise (so nothing
    about a contact the user cannot see is told)."""
    on_centre = BuyingCentreMember.objects.filter(account=account).values("contact_id")
    return Contact.objects.filter(Q(account=account) | Q(pk__in=on_centre), pk=contact_id).first()


def _user(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ApplicationError(
            _("User %(id)s not found.") % {"id": user_id}, field="relationship_owner"
        )
    return user


# --- Buying centre ------------------------------------------------------------------------------


@router.get(
    "/accounts/{account_id}/buying-centre",
    response=BuyingCentreOut,
    summary="An account's buying centre: every person with roles, attitude and stage",
    description=(
        "Each seat: buying roles, attitude to us, influence (1–5), who they report to, rising "
        "star, our relationship owner, the latest relationship stage and when it was reached, "
        "and the latest touchpoint with the person. Also the organisation relationship "
        "(supplier stage, Kotler level)."
    ),
)
def buying_centre_get(request: HttpRequest, account_id: int = AccountId):
    return _centre(buying_centre(_account(request, account_id)))


@router.put(
    "/accounts/{account_id}/buying-centre/{contact_id}",
    response=SeatOut,
    summary="Put a person on the buying centre, or replace their seat",
    description=(
        "Sets every field of the seat (what is left out takes its default). The contact may "
        "belong to another account you can see (an outside influencer such as an association). "
        "400 for an unknown role or attitude, influence outside 1–5, a person reporting to "
        "themselves, a reporting loop, or a relationship owner who is not our staff or may not "
        "see the account; 404 for a contact you cannot see."
    ),
)
def buying_centre_seat_put(
    request: HttpRequest,
    payload: SeatIn,
    account_id: int = AccountId,
    contact_id: int = ContactId,
):
    account = _account(request, account_id)
    contact = _seat_contact(request, contact_id)
    boss = None
    if payload.reports_to is not None:
        boss = _mapped_contact(account, payload.reports_to)
        if boss is None:
            raise ApplicationError(
                _("Contact %(id)s is neither a contact of this account nor on its buying centre.")
                % {"id": payload.reports_to},
                field="reports_to",
            )
    owner = _user(payload.relationship_owner) if payload.relationship_owner else None
    services.buying_centre_member_set(
        account=account,
        contact=contact,
        actor=request.auth,
        buying_roles=payload.buying_roles,
        stance=payload.stance,
        influence=payload.influence,
        reports_to=boss,
        rising_star=payload.rising_star,
        relationship_owner=owner,
        notes=payload.notes,
    )
    return _seat(buying_centre(account).seat(contact.pk))


@router.delete(
    "/accounts/{account_id}/buying-centre/{contact_id}",
    response={204: None},
    summary="Take a person off the buying centre",
    description=(
        "Their relationship stages stay in the history. People who reported to them then "
        "report to nobody. 404 when the person is not on this account's buying centre."
    ),
)
def buying_centre_seat_delete(
    request: HttpRequest, account_id: int = AccountId, contact_id: int = ContactId
):
    account = _account(request, account_id)
    contact = _mapped_contact(account, contact_id)
    if contact is None:
        raise _not_found_contact(contact_id, "contact_id")
    services.buying_centre_member_remove(account=account, contact=contact, actor=request.auth)
    return Status(204, None)


# --- Relationship stages ------------------------------------------------------------------------


def _stage_event(event: RelationshipStageEvent) -> dict:
    return {
        "id": event.pk,
        "contact_id": event.contact_id,
        "contact_name": event.contact.name,
        "stage": event.stage,
        "stage_label": _label(RelationshipStage, event.stage),
        "reached_on": event.reached_on,
        "evidence": event.evidence_id,
        "note": event.note,
        "recorded_by": event.recorded_by.get_username() if event.recorded_by else None,
        "recorded_at": event.recorded_at,
    }


@router.get(
    "/accounts/{account_id}/stages",
    response=list[StageEventOut],
    summary=(
        "The history of relationship stages reached "
        "(goodwill → trust → shared interest → emotional bond)"
    ),
    description="Every stage event of the account's people, oldest first; `contact` narrows it.",
)
def stages_get(request: HttpRequest, filters: Query[StageFilters], account_id: int = AccountId):
    account = _account(request, account_id)
    events = RelationshipStageEvent.objects.filter(account=account).select_related(
        "contact", "recorded_by"
    )
    if filters.contact is not None:
        events = events.filter(contact_id=filters.contact)
    return [_stage_event(e) for e in events.order_by("reached_on", "id")]


@router.post(
    "/accounts/{account_id}/stages",
    response={201: StageEventOut},
    summary="Record that a person reached a relationship stage",
    description=(
        "The person must be a contact of the account or on its buying centre (else 404). "
        "400 for an unknown stage, a day in the future, or evidence that is not a touchpoint "
        "with this account involving the person."
    ),
)
def stages_post(request: HttpRequest, payload: StageIn, account_id: int = AccountId):
    account = _account(request, account_id)
    contact = _mapped_contact(account, payload.contact)
    if contact is None:
        raise _not_found_contact(payload.contact, "contact")
    evidence = None
    if payload.evidence is not None:
        evidence = Touchpoint.objects.filter(pk=payload.evidence, account=account).first()
        if evidence is None:
            raise ApplicationError(
                _("The evidence must be a touchpoint with this account."), field="evidence"
            )
    event = services.relationship_stage_record(
        account=account,
        contact=contact,
        stage=payload.stage,
        actor=request.auth,
        reached_on=payload.reached_on,
        evidence=evidence,
        note=payload.note,
    )
    event = RelationshipStageEvent.objects.select_related("contact", "recorded_by").get(pk=event.pk)
    return Status(201, _stage_event(event))


# --- Organisation relationship ------------------------------------------------------------------


@router.get(
    "/accounts/{account_id}/organisation",
    response=OrganisationOut,
    summary="Where we stand with the organisation: supplier stage and Kotler level",
    description="The defaults (general supplier, basic) until someone sets them.",
)
def organisation_get(request: HttpRequest, account_id: int = AccountId):
    account = _account(request, account_id)
    return _organisation(account, AccountRelationship.objects.filter(account=account).first())


@router.put(
    "/accounts/{account_id}/organisation",
    response=OrganisationOut,
    summary="Set the supplier stage, Kotler level or notes of the organisation relationship",
    description="Fields left out stay as they are; each change is kept in the history. "
    "400 for an unknown stage or level.",
)
def organisation_put(request: HttpRequest, payload: OrganisationIn, account_id: int = AccountId):
    account = _account(request, account_id)
    row = services.account_relationship_set(
        account=account,
        actor=request.auth,
        supplier_stage=payload.supplier_stage,
        kotler_level=payload.kotler_level,
        notes=payload.notes,
    )
    return _organisation(account, row)


# --- Coverage and risks, the map ----------------------------------------------------------------


@router.get(
    "/accounts/{account_id}/health",
    response=HealthOut,
    summary="Coverage score (0–100) and relationship risks, explained in words",
    description=(
        "The score adds four parts (decision roles covered by someone touched recently, warm "
        "relationships, the furthest stage with a decision maker, recency); the risks are "
        "uncovered_role, single_contact, single_owner, champion_inactive, champion_left and "
        "decision_maker_stage. The thresholds are the relationship risk rules."
    ),
)
def health_get(request: HttpRequest, account_id: int = AccountId):
    return _health(relationship_health(buying_centre(_account(request, account_id))))


@router.get(
    "/accounts/{account_id}/map.svg",
    summary="The relationship map as an SVG picture",
    description=(
        "The org chart by reporting line: each person coloured by attitude, sized by influence, "
        "marked with role and stage, with our relationship owner; texts in the language of the "
        "request. A standalone SVG document for the account review meeting."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "An SVG document",
                "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            }
        }
    },
)
def map_svg_get(request: HttpRequest, account_id: int = AccountId):
    svg = account_map_svg(_account(request, account_id))
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
