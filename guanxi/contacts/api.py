"""/api/contacts: CRUD, history, the profile (facts with provenance), related people, key dates."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from guanxi.contacts import services
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.profile_schema import GROUPS, GROUPS_BY_KEY
from guanxi.contacts.schemas import (
    ContactFilters,
    ContactIn,
    ContactOut,
    ContactPatch,
    KeyDateIn,
    KeyDateOut,
    KeyDatePatch,
    ProfileGroupIn,
    ProfileOut,
    RelatedPersonIn,
    RelatedPersonOut,
    RelatedPersonPatch,
)
from guanxi.contacts.selectors import contact_list
from guanxi.core.errors import ApplicationError, InvalidInput, NotFound
from guanxi.core.schemas import MAX_ID, HistoryEntryOut, Pagination, history_entries
from guanxi.duplicates.services import contact_entry_check
from guanxi.workspace import flows

router = Router(tags=["contacts"])

ContactId = Path(..., ge=1, le=MAX_ID)
ChildId = Path(..., ge=1, le=MAX_ID)
FORCE = Query(False, description="Create it even if it looks like a contact on file")


def contact_profile(contact: Contact) -> dict[str, Any]:
    """Every documented group and field, with the stored value and its provenance."""
    facts = {
        (f.group, f.key): f
        for f in ProfileFact.objects.filter(contact=contact).select_related(
            "recorded_by", "verified_by"
        )
    }
    groups = []
    for group in GROUPS:
        fields = []
        for spec in group.fields:
            fact = facts.get((group.key, spec.key))
            fields.append(
                {
                    "key": spec.key,
                    "label": str(spec.label),
                    "kind": spec.kind,
                    "help": str(spec.help),
                    "choices": [c for c, _label in spec.choices],
                    "value": fact.value if fact else None,
                    "display": spec.display(fact.value) if fact else "",
                    "provenance": None
                    if fact is None
                    else {
                        "fact_id": fact.pk,
                        "recorded_by": fact.recorded_by.username if fact.recorded_by else None,
                        "recorded_at": fact.recorded_at,
                        "source": fact.source,
                        "verified": fact.verified,
                        "verified_by": fact.verified_by.username if fact.verified_by else None,
                        "verified_at": fact.verified_at,
                    },
                }
            )
        groups.append(
            {
                "key": group.key,
                "label": str(group.label),
                "description": str(group.description),
                "fields": fields,
            }
        )
    return {"contact": contact.pk, "groups": groups}


def _get(request: HttpRequest, contact_id: int) -> Contact:
    return services.contact_for_actor(actor=request.auth, contact_id=contact_id, field="id")


def _reload(contact: Contact) -> Contact:
    return Contact.objects.select_related("account").get(pk=contact.pk)


def _child(
    request: HttpRequest,
    contact_id: int,
    model: type[RelatedPerson] | type[KeyDate],
    pk: int,
    what: str,
    field: str,
) -> Any:
    """A related person or key date of a contact the user may see; otherwise 404."""
    child = model.objects.filter(contact=_get(request, contact_id), pk=pk).first()
    if child is None:
        raise NotFound(_("%(what)s %(pk)s not found.") % {"what": what, "pk": pk}, field=field)
    return child


# --- Contacts ----------------------------------------------------------------------------------


@router.get("", response=list[ContactOut], summary="List contacts at accounts you can see")
@paginate(Pagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]):
    return contact_list(actor=request.auth, filters=filters)


@router.post(
    "",
    response={201: ContactOut},
    summary="Create a contact at an account",
    description="409 with `extra.candidates` when it looks like a contact on file (same mobile "
    "or e-mail with an alike name, or the same name at the account); send `force=true` to "
    "create it anyway.",
)
@transaction.atomic
def create_contact(request: HttpRequest, payload: ContactIn, force: bool = FORCE):
    contact = services.contact_create(actor=request.auth, **payload.model_dump())
    if not force:
        contact_entry_check(
            actor=request.auth,
            name=contact.name,
            account_id=contact.account_id,
            mobile=contact.mobile,
            email=contact.email,
            exclude_pk=contact.pk,
        )
    return Status(201, _reload(contact))


@router.get("/{contact_id}", response=ContactOut, summary="Retrieve a contact")
def get_contact(request: HttpRequest, contact_id: int = ContactId):
    return _get(request, contact_id)


@router.patch("/{contact_id}", response=ContactOut, summary="Update some fields of a contact")
def patch_contact(request: HttpRequest, payload: ContactPatch, contact_id: int = ContactId):
    contact = flows.contact_change(
        actor=request.auth,
        contact=_get(request, contact_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _reload(contact)


@router.put("/{contact_id}", response=ContactOut, summary="Replace a contact")
def put_contact(request: HttpRequest, payload: ContactIn, contact_id: int = ContactId):
    contact = flows.contact_change(
        actor=request.auth, contact=_get(request, contact_id), **payload.model_dump()
    )
    return _reload(contact)


@router.delete("/{contact_id}", response={204: None}, summary="Delete a contact")
def delete_contact(request: HttpRequest, contact_id: int = ContactId):
    flows.contact_remove(actor=request.auth, contact=_get(request, contact_id))
    return Status(204, None)


@router.get(
    "/{contact_id}/history",
    response=list[HistoryEntryOut],
    summary="Audit history of a contact: who changed what, old → new",
)
def contact_history(request: HttpRequest, contact_id: int = ContactId):
    return history_entries(_get(request, contact_id))


# --- Profile -----------------------------------------------------------------------------------


@router.get(
    "/{contact_id}/profile",
    response=ProfileOut,
    tags=["profile"],
    summary="The contact's profile: groups of fields, each value with who recorded it, when, "
    "from which source, and whether it is verified",
)
def get_profile(request: HttpRequest, contact_id: int = ContactId):
    return contact_profile(_get(request, contact_id))


def _update_group(request: HttpRequest, contact_id: int, group: str, payload: ProfileGroupIn):
    contact = _get(request, contact_id)
    if group not in GROUPS_BY_KEY:
        raise NotFound(_("Unknown profile group '%(group)s'.") % {"group": group}, field="group")
    try:
        services.profile_facts_update(
            contact=contact,
            group=group,
            values=payload.values,
            actor=request.auth,
            source=payload.source,
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        # A value the group's schema rejects is invalid input, like any other 422.
        raise InvalidInput(exc.message, field=exc.field) from None
    return contact_profile(contact)


@router.put(
    "/{contact_id}/profile/{group}",
    response=ProfileOut,
    tags=["profile"],
    summary="Set fields of one profile group (only the keys sent; empty removes)",
)
def put_profile_group(
    request: HttpRequest,
    payload: ProfileGroupIn,
    contact_id: int = ContactId,
    group: str = Path(...),
):
    return _update_group(request, contact_id, group, payload)


@router.patch(
    "/{contact_id}/profile/{group}",
    response=ProfileOut,
    tags=["profile"],
    summary="Set fields of one profile group (same as PUT: keys not sent are kept)",
)
def patch_profile_group(
    request: HttpRequest,
    payload: ProfileGroupIn,
    contact_id: int = ContactId,
    group: str = Path(...),
):
    return _update_group(request, contact_id, group, payload)


@router.post(
    "/{contact_id}/facts/{fact_id}/verify",
    response=ProfileOut,
    tags=["profile"],
    summary="Mark a profile fact as verified",
)
def verify_fact(request: HttpRequest, contact_id: int = ContactId, fact_id: int = ChildId):
    contact = _get(request, contact_id)
    fact = ProfileFact.objects.filter(contact=contact, pk=fact_id).first()
    if fact is None:
        raise NotFound(_("Fact %(id)s not found.") % {"id": fact_id}, field="fact_id")
    services.profile_fact_verify(fact=fact, actor=request.auth)
    return contact_profile(contact)


# --- Related people ----------------------------------------------------------------------------


def _person(request: HttpRequest, contact_id: int, person_id: int) -> RelatedPerson:
    return _child(
        request, contact_id, RelatedPerson, person_id, gettext_lazy("Related person"), "person_id"
    )


@router.get(
    "/{contact_id}/related-people",
    response=list[RelatedPersonOut],
    tags=["related people"],
    summary="Family, driver, secretary and other people around the contact",
)
def list_related_people(request: HttpRequest, contact_id: int = ContactId):
    return list(_get(request, contact_id).related_people.all())


@router.post(
    "/{contact_id}/related-people",
    response={201: RelatedPersonOut},
    tags=["related people"],
    summary="Add a related person",
)
def create_related_person(
    request: HttpRequest, payload: RelatedPersonIn, contact_id: int = ContactId
):
    person = services.related_person_create(
        actor=request.auth, contact=_get(request, contact_id), **payload.model_dump()
    )
    return Status(201, person)


@router.patch(
    "/{contact_id}/related-people/{person_id}",
    response=RelatedPersonOut,
    tags=["related people"],
    summary="Update a related person",
)
def patch_related_person(
    request: HttpRequest,
    payload: RelatedPersonPatch,
    contact_id: int = ContactId,
    person_id: int = ChildId,
):
    return services.related_person_update(
        actor=request.auth,
        person=_person(request, contact_id, person_id),
        **payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/{contact_id}/related-people/{person_id}",
    response={204: None},
    tags=["related people"],
    summary="Remove a related person",
)
def delete_related_person(
    request: HttpRequest, contact_id: int = ContactId, person_id: int = ChildId
):
    services.related_person_delete(
        actor=request.auth, person=_person(request, contact_id, person_id)
    )
    return Status(204, None)


# --- Key dates ---------------------------------------------------------------------------------


def _key_date(request: HttpRequest, contact_id: int, key_date_id: int) -> KeyDate:
    return _child(
        request, contact_id, KeyDate, key_date_id, gettext_lazy("Key date"), "key_date_id"
    )


@router.get(
    "/{contact_id}/key-dates",
    response=list[KeyDateOut],
    tags=["key dates"],
    summary="Anniversaries and other special days of the contact",
)
def list_key_dates(request: HttpRequest, contact_id: int = ContactId):
    return list(_get(request, contact_id).key_dates.all())


@router.post(
    "/{contact_id}/key-dates",
    response={201: KeyDateOut},
    tags=["key dates"],
    summary="Add a key date",
)
def create_key_date(request: HttpRequest, payload: KeyDateIn, contact_id: int = ContactId):
    key_date = services.key_date_create(
        actor=request.auth, contact=_get(request, contact_id), **payload.model_dump()
    )
    return Status(201, key_date)


@router.patch(
    "/{contact_id}/key-dates/{key_date_id}",
    response=KeyDateOut,
    tags=["key dates"],
    summary="Update a key date",
)
def patch_key_date(
    request: HttpRequest,
    payload: KeyDatePatch,
    contact_id: int = ContactId,
    key_date_id: int = ChildId,
):
    return services.key_date_update(
        actor=request.auth,
        key_date=_key_date(request, contact_id, key_date_id),
        **payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/{contact_id}/key-dates/{key_date_id}",
    response={204: None},
    tags=["key dates"],
    summary="Remove a key date",
)
def delete_key_date(request: HttpRequest, contact_id: int = ContactId, key_date_id: int = ChildId):
    services.key_date_delete(
        actor=request.auth, key_date=_key_date(request, contact_id, key_date_id)
    )
    return Status(204, None)
