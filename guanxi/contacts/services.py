"""Writes for contacts and their profile facts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.contacts.models import Contact, FactSource, ProfileFact
from guanxi.contacts.profile_schema import GROUPS_BY_KEY
from guanxi.core.errors import ApplicationError
from guanxi.core.models import User


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
