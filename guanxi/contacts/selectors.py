"""Reads of contacts and their profile facts, limited by the account access rule."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Case, ExpressionWrapper, F, IntegerField, Q, QuerySet, When
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils import timezone

from guanxi.accounts.normalise import mobile_key, simplified
from guanxi.accounts.selectors import pinyin_word, visible_to
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.profile_schema import GROUPS, get_field
from guanxi.core.dates import next_occurrence
from guanxi.core.history import history_entries, merge_entries
from guanxi.core.models import User
from guanxi.core.search import grams_serve, short_word_q
from guanxi.core.selectors import filter_given, ordered

if TYPE_CHECKING:
    from guanxi.contacts.schemas import ContactFilters


def contacts_visible_to(actor: User | None) -> QuerySet[Contact]:
    return visible_to(Contact.objects.all(), actor, prefix="account__")


@dataclass
class FactRow:
    fact: ProfileFact
    group_label: str
    field_label: str
    display: str


def contact_fact_rows(contact: Contact) -> list[FactRow]:
    """The contact's facts in schema order, labelled, for the provenance table."""
    order = {(g.key, f.key): i for i, (g, f) in enumerate((g, f) for g in GROUPS for f in g.fields)}
    facts = contact.facts.select_related("recorded_by", "verified_by")
    rows = []
    for fact in facts:
        try:
            spec = get_field(fact.group, fact.key)
        except ValueError:  # a field dropped from the schema since it was recorded
            rows.append(FactRow(fact, fact.group, fact.key, str(fact.value)))
            continue
        group_label = next(str(g.label) for g in GROUPS if g.key == fact.group)
        rows.append(FactRow(fact, group_label, str(spec.label), spec.display(fact.value)))
    rows.sort(key=lambda r: order.get((r.fact.group, r.fact.key), 10_000))
    return rows


def contact_history(contact: Contact, *, limit: int = 15) -> list[Any]:
    """Everything recorded about one contact, newest first: its own fields, its profile facts
    (values and verifications), related people and key dates — who, when, old → new."""

    labels = {f.key: str(f.label) for g in GROUPS for f in g.fields}
    facts = history_entries(
        ProfileFact.history.filter(contact_id=contact.pk),
        limit=limit,
        label_field="key",
        created_fields=("value", "source"),
    )
    for entry in facts:
        entry.object_label = labels.get(entry.object_label, entry.object_label)
    return merge_entries(
        history_entries(Contact.history.filter(id=contact.pk), limit=limit),
        facts,
        history_entries(
            RelatedPerson.history.filter(contact_id=contact.pk),
            limit=limit,
            created_fields=("relation", "name", "phone", "birthday"),
        ),
        history_entries(
            KeyDate.history.filter(contact_id=contact.pk),
            limit=limit,
            created_fields=("kind", "date", "label"),
        ),
        limit=limit,
    )


def _month_day(field: str) -> ExpressionWrapper:
    # 1231 for 31 December: one number per row, so the filter is one IN list, not 31 pairs.
    return ExpressionWrapper(
        ExtractMonth(field) * 100 + ExtractDay(field), output_field=IntegerField()
    )


def upcoming_birthdays(
    actor: User | None, *, today: dt.date | None = None, days: int = 30, limit: int = 20
) -> list[tuple[dt.date, Contact]]:
    """Visible, active contacts whose birthday falls in the next `days` days (today included),
    soonest first, as (next birthday, contact). 29 February birthdays are celebrated on
    28 February in common years. Filtered, sorted and cut in SQL: a large book has thousands
    of birthdays a month, the dashboard shows `limit`."""
    today = today or timezone.localdate()
    window = [today + dt.timedelta(days=i) for i in range(days + 1)]
    codes = [d.month * 100 + d.day for d in window]
    leap_day_on_28th = any(
        d.month == 2 and d.day == 28 and not calendar.isleap(d.year) for d in window
    )
    if leap_day_on_28th:
        codes.append(229)
    start = today.month * 100 + today.day
    md = F("md")
    contacts = (
        contacts_visible_to(actor)
        .filter(is_active=True, birthday__isnull=False)
        .annotate(md=_month_day("birthday"))
        .filter(md__in=codes)
        .annotate(
            after_new_year=Case(When(md__lt=start, then=1), default=0),
            on_day=Case(When(md=229, then=228), default=md) if leap_day_on_28th else md,
        )
        .select_related("account")
        .order_by("after_new_year", "on_day", "name", "id")
    )
    return [(next_occurrence(c.birthday, today), c) for c in contacts[:limit]]


def contact_list(*, actor: User | None, filters: ContactFilters) -> QuerySet[Contact]:
    """The API's contact list: contacts at visible accounts narrowed by the given filters."""
    qs = visible_to(Contact.objects.select_related("account"), actor, prefix="account__")
    f = filters
    if f.q:
        qs = contacts_search(qs, f.q)
    if f.gender is not None:  # "" is a real value: gender unknown
        qs = qs.filter(gender=f.gender)
    qs = filter_given(
        qs,
        f,
        {
            "account": "account_id",
            "title": "title__icontains",
            "birthday_month": "birthday__month",
            "is_active": "is_active",
        },
    )
    return ordered(qs.order_by("name_pinyin", "name"))


_PHONE_MARKS = str.maketrans("", "", "+-() ")


def contact_word_q(word: str, *, indexed_only: bool = False) -> Q:
    """Contacts one search word finds: the name (traditional read as simplified), English
    name, code, e-mail; a prefix of the stored pinyin or initials ("zengxiao", "zxh"); the
    mobile however it is written (+86, spaces, dashes, full-width digits), as a prefix of its
    stored digits. Prefixes are LIKE 'x%' on b-tree indexes (migration contacts 0006).
    ``indexed_only``: only what an index serves on PostgreSQL (the name's trigrams, the stored
    forms), for the account list, which looks through every contact."""
    return reduce(or_, contact_word_parts(word, indexed_only=indexed_only))


def contact_word_parts(word: str, *, indexed_only: bool = False) -> list[Q]:
    """`contact_word_q` as separate conditions, each served by its own index on PostgreSQL (the
    prefix ones carry the account: contacts 0010), so a caller may UNION them."""
    parts = []
    # Read as simplified, and as typed (a name stored in traditional characters). One or two
    # characters ("王芳") have no trigram: the name's gram index (contacts 0009).
    for name in dict.fromkeys([simplified(word).strip(), word.strip()]):
        if grams_serve(name):
            parts.append(short_word_q(("name",), {"name": name}))
        else:
            parts.append(Q(name__icontains=name))
    if not indexed_only:
        parts.append(
            Q(english_name__icontains=word) | Q(code__iexact=word) | Q(email__iexact=word.strip())
        )
    phone_like = unicodedata.normalize("NFKC", word).translate(_PHONE_MARKS)
    digits = mobile_key(word)
    if len(digits) >= 4 and phone_like.isdigit():
        parts.append(Q(mobile_key__startswith=digits))
    latin = pinyin_word(word)
    if latin:
        parts += [Q(name_pinyin__startswith=latin), Q(name_initials__startswith=latin)]
    return parts


def contacts_search(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    return queryset.filter(contact_word_q(text)) if text.strip() else queryset
