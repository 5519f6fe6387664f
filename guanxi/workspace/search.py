"""Search for the account list, its pickers and Today's quick find (C14): every word of the
text in an account's own names and code or in its contacts' names, also by pinyin, initials,
credit code and a contact's mobile, each condition read through its own index."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, QuerySet, Subquery
from django.utils.text import smart_split, unescape_string_literal

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_word_parts, accounts_visible_to
from guanxi.contacts.models import Contact
from guanxi.contacts.selectors import contact_word_parts, contact_word_q, contacts_visible_to
from guanxi.core.models import User
from guanxi.core.search import search_text

#: The order of search results where a list has none of its own: by the name's pinyin.
PINYIN_ORDER = ("name_pinyin", "pk")


def accounts_matching(queryset: QuerySet[Account], text: str) -> QuerySet[Account]:
    """``queryset`` limited to the accounts every word of ``text`` finds, in the account's own
    names and code or in one of its contacts' names ("孙立" finds 孙立's account), also by
    pinyin, initials, credit code and a contact's mobile (`accounts.selectors.account_word_parts`,
    `contacts.selectors.contact_word_q`).

    Per word, one id subquery: the accounts found by their own text UNION the accounts of the
    contacts found by name. Each side can use its trigram indexes on PostgreSQL (migrations
    accounts 0003, contacts 0003), and no join multiplies the rows, so the list needs no
    DISTINCT over all its columns."""
    for word in _words(text):
        # One branch per condition, each read through its own index (an OR of them all made
        # PostgreSQL scan every account once a word such as "shanghai" matched many).
        by_own = [
            Account.objects.filter(q).order_by().values("pk") for q in account_word_parts(word)
        ]
        by_contact = (
            Contact.objects.filter(contact_word_q(word, indexed_only=True))
            .order_by()
            .values("account_id")
        )
        queryset = queryset.filter(pk__in=by_contact.union(*by_own))
    return queryset


def _words(text: str) -> list[str]:
    """Words as the admin's search splits them: on spaces, a quoted phrase kept whole."""
    words = []
    for bit in smart_split(search_text(text)):
        if bit[:1] in "\"'" and bit[-1:] == bit[:1] and len(bit) > 1:
            bit = unescape_string_literal(bit)
        if bit.strip():
            words.append(bit)
    return words


def accounts_first(queryset: QuerySet[Account], text: str, limit: int) -> list[int]:
    """The ids of the first ``limit`` accounts of ``queryset`` in pinyin order that every word
    of ``text`` finds (`accounts_matching`).

    At 1,000,000 accounts a broad word ("shanghai", 84,268 accounts) made the search collect
    every match and read every account to order them (590 ms). For one word on PostgreSQL each
    branch of the search gives only its own first ``limit`` in pinyin order, most straight from
    an index that carries the pinyin (migration accounts 0011), and the first ``limit`` of
    their union are the answer: an account among the first of the whole search is among the
    first of the branch that found it. Several words (or SQLite, which cannot order the parts
    of a UNION) take the plain way."""
    words = _words(text)
    db = queryset.db  # the replica where the page reads from it (core.replica)
    if len(words) != 1 or connections[db].vendor != "postgresql":
        found = accounts_matching(queryset, text).order_by(*PINYIN_ORDER)
        return list(found.values_list("pk", flat=True)[:limit])
    parts, params = [], []
    for branch, whole in _branches(queryset, words[0]):
        try:
            query = branch.order_by().values_list(*PINYIN_ORDER).query
            sql, more = query.get_compiler(using=db).as_sql()
        except EmptyResultSet:  # a branch that can find nothing (e.g. a viewer who sees none)
            continue
        if whole:
            # OFFSET 0 keeps the branch whole: left to itself, the planner would walk every
            # account in pinyin order looking for the branch's first few, which it guesses are
            # spread out (for "hc" they start a third of the way in: 86 ms for one branch).
            sql = f"SELECT * FROM ({sql} OFFSET 0) AS branch"
        parts.append(f"({sql} ORDER BY 1, 2 LIMIT %s)")
        params += [*more, limit]
    if not parts:
        return []
    union = " UNION ".join(parts)
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({union}) AS found ORDER BY 1, 2 LIMIT %s", [*params, limit])
        return [pk for _, pk in cursor.fetchall()]


#: Contacts one condition of a word finds beyond which they are common ("zh": half a million
#: of 3,000,000), and the accounts are better met by walking them in pinyin order.
COMMON_CONTACTS = 20_000


def _branches(queryset: QuerySet[Account], word: str) -> list[tuple[QuerySet[Account], bool]]:
    """The branches of the search for ``word`` and whether each is read whole before its first
    few are taken. The accounts' own conditions are; so are their contacts', by id, while each
    condition finds few contacts ("hc": 11,257); a condition that finds many ("zh", "王": every
    name starting with zhang, zhao, zhou …) makes that branch a walk of the accounts in pinyin
    order that stops at the first few with such a contact (collecting 438,403 accounts' ids
    first took 790 ms)."""
    branches = [(queryset.filter(q), True) for q in account_word_parts(word)]
    conditions = contact_word_parts(word, indexed_only=True)
    contacts = [Contact.objects.filter(q) for q in conditions]
    if any(c.order_by().values("pk")[COMMON_CONTACTS:].exists() for c in contacts):
        # Each account's few contacts read by account, the word's conditions checked on them.
        some = Contact.objects.filter(reduce(or_, conditions), account=OuterRef("pk"))
        branches.append((queryset.filter(Exists(some)), False))
    else:
        first, *rest = [c.order_by().values("account_id") for c in contacts]
        branches.append((queryset.filter(IdAmong(first.union(*rest))), True))
    return branches


class IdAmong(Func):
    """``id = ANY(ARRAY(subquery))`` (PostgreSQL): the accounts the subquery names, each read by
    its id (from an index that carries the pinyin: account_id_pinyin), where ``IN (subquery)``
    let the planner read all 1,000,000 accounts to join 11,000 ids ("hc": 130 ms)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = BooleanField()

    def __init__(self, ids: QuerySet) -> None:
        super().__init__(F("pk"), Subquery(ids))


#: Hits per kind in Today's quick find.
QUICK_FIND_LIMIT = 8


@dataclass
class QuickFind:
    text: str
    accounts: list[Account] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


def quick_find(actor: User, text: str, limit: int = QUICK_FIND_LIMIT) -> QuickFind:
    """Today's quick find: the first ``limit`` accounts and contacts the actor may see that
    every word of ``text`` finds, by pinyin order. The same stored forms as the account list
    (characters, traditional read as simplified, full pinyin, initials, code, credit code, a
    mobile's digits: `accounts_matching`, `contact_word_q`), each read through its index."""
    text = text.strip()[:100]
    if not text:
        return QuickFind(text)
    ids = accounts_first(accounts_visible_to(actor), text, limit)
    accounts = Account.objects.filter(pk__in=ids).select_related("owner")
    contacts = contacts_visible_to(actor)
    for word in _words(text):
        contacts = contacts.filter(contact_word_q(word, indexed_only=True))
    return QuickFind(
        text,
        list(accounts.order_by(*PINYIN_ORDER)),
        list(contacts.select_related("account").order_by(*PINYIN_ORDER)[:limit]),
    )
