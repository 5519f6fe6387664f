"""Writes for contacts and their profile facts."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact, FactSource, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.profile_schema import GROUPS_BY_KEY
from guanxi.core.errors import ApplicationError, NotFound
from guanxi.core.models import User
from guanxi.core.services import check_fields, check_no_clash, delete_as, save_as


@transaction.atomic
def profile_facts_update(
    *,
    contact: Contact,
    group: str,
    values: dict[str, Any],
    actor: User | None,
    source: str = FactSource.CONVERSATION,
) -> list[ProfileFact]:
    """Set the facts of one profile group from `values` (field key → raw value).

    Keys absent from `values` are left alone; an empty value removes the fact. A changed value
    is re-recorded by `actor` from `source` and loses its verification: what was verified was the
    old value. Unchanged values keep their provenance. Returns the facts that were written.
    """
    schema = GROUPS_BY_KEY.get(group)
    if schema is None:
        raise ApplicationError(f"Unknown profile group '{group}'.", field="group")
    if source not in FactSource.values:
        raise ApplicationError(f"Unknown source '{source}'.", field="source")
    parsed: dict[str, Any] = {}
    for key, raw in values.items():
        spec = schema.get(key)
        if spec is None:
            raise ApplicationError(f"Unknown field '{key}' in group '{group}'.", field=key)
        try:
            parsed[key] = spec.parse(raw)
        except ValueError as exc:
            raise ApplicationError(f"{spec.label}: {exc}.", field=key) from None

    existing = {f.key: f for f in contact.facts.filter(group=group, key__in=parsed)}
    now = timezone.now()
    written: list[ProfileFact] = []
    for key, value in parsed.items():
        fact = existing.get(key)
        if value is None or value == []:
            if fact is not None:
                fact._history_user = actor
                fact.delete()
            continue
        if fact is not None and fact.value == value:
            continue
        fact = fact or ProfileFact(contact=contact, group=group, key=key)
        fact.value = value
        fact.source = source
        fact.recorded_by = actor
        fact.recorded_at = now
        fact.verified, fact.verified_by, fact.verified_at = False, None, None
        fact._history_user = actor
        fact.save()
        written.append(fact)
    return written


@transaction.atomic
def profile_fact_verify(*, fact: ProfileFact, actor: User) -> ProfileFact:
    """Mark a fact as checked (004 巧妙验证). Verifying twice keeps the first verification."""
    if not fact.verified:
        fact.verified = True
        fact.verified_by = actor
        fact.verified_at = timezone.now()
        fact._history_user = actor
        fact.save(update_fields=["verified", "verified_by", "verified_at"])
    return fact


# --- Contacts, related people, key dates ------------------------------------------------------

CONTACT_FIELDS = frozenset(
    {
        "code", "name", "english_name", "nickname", "gender", "birthday", "title", "department",
        "mobile", "phone", "email", "wechat", "is_primary", "is_active", "notes",
    }
)  # fmt: skip
RELATED_PERSON_FIELDS = frozenset({"relation", "name", "phone", "birthday", "notes"})
KEY_DATE_FIELDS = frozenset({"kind", "date", "label"})


def _check_contact_code(code: str, *, exclude_pk: int | None = None) -> None:
    check_no_clash(
        Contact.objects.filter(code=code),
        exclude_pk=exclude_pk,
        field="code",
        message=_("A contact with code '%(code)s' already exists.") % {"code": code},
    )


def contact_for_actor(*, actor: User, contact_id: int | Contact, field: str = "contact") -> Contact:
    """The contact if `actor` may see its account; otherwise NotFound, as if it did not exist."""
    pk = contact_id.pk if isinstance(contact_id, Contact) else contact_id
    contact = (
        visible_to(Contact.objects.all(), actor, prefix="account__")
        .select_related("account")
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise NotFound(_("Contact %(id)s not found.") % {"id": pk}, field=field)
    return contact


@transaction.atomic
def contact_create(
    *, actor: User, account: int | Account, code: str, name: str, **fields: Any
) -> Contact:
    check_fields(fields, CONTACT_FIELDS)
    contact = Contact(
        account=account_for_actor(actor=actor, account_id=account),
        code=code,
        name=name,
        **fields,
    )
    _check_contact_code(code)
    return save_as(contact, actor=actor, validate_unique=False)


@transaction.atomic
def contact_update(
    *, actor: User, contact: Contact, account: int | Account | None = None, **fields: Any
) -> Contact:
    """Change the given fields; moving to another account needs access to both."""
    contact = contact_for_actor(actor=actor, contact_id=contact)
    check_fields(fields, CONTACT_FIELDS)
    if account is not None:
        contact.account = account_for_actor(actor=actor, account_id=account)
    for name, value in fields.items():
        setattr(contact, name, value)
    if "code" in fields:
        _check_contact_code(contact.code, exclude_pk=contact.pk)
    return save_as(contact, actor=actor, validate_unique=False)


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    delete_as(contact_for_actor(actor=actor, contact_id=contact), actor=actor)


# Related people and key dates hang off a contact: the same access check and write for both.

Child = TypeVar("Child", RelatedPerson, KeyDate)


def _child_update(
    *, actor: User, child: Child, fields: dict[str, Any], allowed: frozenset[str]
) -> Child:
    contact_for_actor(actor=actor, contact_id=child.contact_id)
    check_fields(fields, allowed)
    for name, value in fields.items():
        setattr(child, name, value)
    return save_as(child, actor=actor)


def _child_delete(*, actor: User, child: RelatedPerson | KeyDate) -> None:
    contact_for_actor(actor=actor, contact_id=child.contact_id)
    delete_as(child, actor=actor)


@transaction.atomic
def related_person_create(
    *, actor: User, contact: Contact, relation: str, name: str, **fields: Any
) -> RelatedPerson:
    contact = contact_for_actor(actor=actor, contact_id=contact)
    check_fields(fields, RELATED_PERSON_FIELDS)
    person = RelatedPerson(contact=contact, relation=relation, name=name, **fields)
    return save_as(person, actor=actor)


@transaction.atomic
def related_person_update(*, actor: User, person: RelatedPerson, **fields: Any) -> RelatedPerson:
    return _child_update(actor=actor, child=person, fields=fields, allowed=RELATED_PERSON_FIELDS)


@transaction.atomic
def related_person_delete(*, actor: User, person: RelatedPerson) -> None:
    _child_delete(actor=actor, child=person)


@transaction.atomic
def key_date_create(
    *, actor: User, contact: Contact, kind: str, date: dt.date, label: str = ""
) -> KeyDate:
    contact = contact_for_actor(actor=actor, contact_id=contact)
    return save_as(KeyDate(contact=contact, kind=kind, date=date, label=label), actor=actor)


@transaction.atomic
def key_date_update(*, actor: User, key_date: KeyDate, **fields: Any) -> KeyDate:
    return _child_update(actor=actor, child=key_date, fields=fields, allowed=KEY_DATE_FIELDS)


@transaction.atomic
def key_date_delete(*, actor: User, key_date: KeyDate) -> None:
    _child_delete(actor=actor, child=key_date)
