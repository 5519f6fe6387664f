"""Reads of accounts. Every list, page, search, export and API call goes through
`accounts_visible_to`, so the access rule lives in one place:

- a KAM sees the accounts they own or co-own;
- a team lead also sees every account of their team;
- managers, admins and superusers see all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Substr
from django.db.models.lookups import Contains

from guanxi.accounts.models import Account, AccountAlias
from guanxi.accounts.normalise import credit_code_clean, simplified
from guanxi.core.history import history_entries
from guanxi.core.models import Role, User, sees_all_accounts_q
from guanxi.core.search import grams_serve, search_text, short_word_q
from guanxi.core.selectors import filter_given, ordered

if TYPE_CHECKING:
    from guanxi.accounts.schemas import AccountFilters


#: Above this many visible accounts `visible_to(…, as_list=True)` keeps the subquery.
AS_LIST_MAX = 20_000


def visible_to(
    queryset: QuerySet, actor: User | None, prefix: str = "", *, as_list: bool = False
) -> QuerySet:
    """Apply the account access rule to any queryset whose rows hang off an account (reached
    via `prefix`, e.g. "account__").

    ``as_list=True`` (PostgreSQL; for lists of millions of rows sorted by time): the visible
    ids are read first and passed as a list. PostgreSQL then knows how few rows they are and
    checks each one by hash, so "newest 100 of a KAM's transactions" walks the time index
    for a few thousand rows instead of sorting all 200,000 of the KAM's rows."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return queryset.none()
    if actor.sees_all_accounts:
        return queryset
    ids: Any = _visible_ids(actor)
    if as_list and connection.vendor == "postgresql":
        listed = list(ids.values_list("id", flat=True)[: AS_LIST_MAX + 1])
        if len(listed) <= AS_LIST_MAX:
            ids = listed
    return queryset.filter(**{f"{prefix}id__in": ids})


def _visible_ids(actor: User, among: list[int] | None = None) -> QuerySet:
    """The ids of the accounts a user who does not see all accounts may see — the ones they own
    or co-own, and their team's if they lead it — as a UNION of one indexed lookup per branch.
    The same rule written as an OR across the co-owner join made PostgreSQL read every account
    (100 ms at 100k accounts, on every list a KAM opens). An id subquery, so many-to-many rows
    are never duplicated. ``among``: only these ids, inside each branch (`visible_among`)."""
    accounts, co_owned = Account.objects.all(), Account.co_owners.through.objects.all()
    if among is not None:
        accounts, co_owned = accounts.filter(id__in=among), co_owned.filter(account_id__in=among)
    parts = [
        accounts.filter(owner=actor).values("id").order_by(),
        co_owned.filter(user=actor).values("account_id").order_by(),
    ]
    if actor.leads_team:
        parts.append(accounts.filter(team_id=actor.team_id).values("id").order_by())
    return parts[0].union(*parts[1:])


def visible_among(actor: User | None, account_ids: Iterable[int]) -> set[int]:
    """Which of a few given accounts ``actor`` may see (the access rule, one query): for a page
    that shows a handful of stored ids (the dashboard's top accounts, its birthdays) without
    reading a team lead's whole team of 100,000 accounts the way an id subquery would. Ids of
    accounts that no longer exist may come back for someone who sees every account."""
    ids = sorted(set(account_ids))
    if not ids or actor is None or not actor.is_authenticated or not actor.is_active:
        return set()
    if actor.sees_all_accounts:
        return set(ids)
    return {row["id"] for row in _visible_ids(actor, among=ids)}


def accounts_visible_to(actor: User | None) -> QuerySet[Account]:
    return visible_to(Account.objects.all(), actor)


def account_is_visible(actor: User | None, account: Account | int) -> bool:
    seen = isinstance(account, Account) and actor is not None and actor.pk is not None
    if seen and getattr(account, "_seen_by", None) == actor.pk:
        return True  # read through visible_to for this actor (`seen_by`)
    account_id = account if isinstance(account, int) else account.pk
    return accounts_visible_to(actor).filter(pk=account_id).exists()


def read_with(account: Account, name: str) -> tuple[bool, Any]:
    """Whether the account's one-to-one row ``name`` (a stored figure another app keeps, e.g.
    "loyalty") was read with it (select_related, as the 360° page does), and that row or
    None when the account has none: a card then needs no query of its own."""
    relation = getattr(type(account), name).related
    if not relation.is_cached(account):
        return False, None
    return True, relation.get_cached_value(account)


def seen_by(account: Account, actor: User) -> Account:
    """Mark ``account`` as read through `visible_to` for ``actor`` (a page that fetched it
    scoped): the cards of that page then check `account_is_visible` without a query each."""
    account._seen_by = actor.pk
    return account


def users_who_see(account: Account | int) -> QuerySet[User]:
    """Active staff users who may see `account`: `visible_to`'s rule read the other way round
    (managers and admins, its owner and co-owners, the lead of its team). For choosing owners
    of work on the account (plan actions, relationships)."""

    if not isinstance(account, Account):
        account = Account.objects.get(pk=account)
    q = sees_all_accounts_q() | Q(pk=account.owner_id) | Q(pk__in=account.co_owners.values("pk"))
    if account.team_id is not None:
        q |= Q(role=Role.TEAM_LEAD, team_id=account.team_id)
    return User.objects.filter(q, is_active=True, is_staff=True).order_by("username")


def staff_users() -> QuerySet[User]:
    """Active staff: the people an account, a plan or an action may be given to."""
    return User.objects.filter(is_active=True, is_staff=True)


# --- Account 360° page, roll-up and dashboard reads (admin UI) ---------------------------------


def account_descendant_ids(account: Account) -> list[int]:
    """All subsidiaries at any depth (集团 → 子公司 → …), one query per level."""
    found: list[int] = []
    frontier = [account.pk]
    seen = {account.pk}
    while frontier:
        children = [
            pk
            for pk in Account.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            if pk not in seen  # a cycle saved around clean() must not loop forever
        ]
        seen.update(children)
        found.extend(children)
        frontier = children
    return found


def account_history(account: Account, *, limit: int = 15) -> list:
    """The latest audit entries of the account itself (who changed what, old → new)."""

    return history_entries(Account.history.filter(id=account.pk), limit=limit)


def owner_changed_since(moment: dt.datetime) -> list[int]:
    """The accounts whose owner differs from the one their audit history held before
    ``moment``, among those changed since (an import's run): what must follow a new owner."""
    past = Account.history.model.objects
    touched = past.filter(history_date__gte=moment, history_type="~").values("id")
    before = (
        past.filter(id=OuterRef("pk"), history_date__lt=moment)
        .order_by("-history_date", "-history_id")
        .values("owner_id")[:1]
    )
    return list(
        Account.objects.filter(pk__in=touched)
        .annotate(owner_before=Subquery(before))
        .exclude(owner_id=F("owner_before"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def account_list(*, actor: User | None, filters: AccountFilters) -> QuerySet[Account]:
    """The API's account list: visible accounts narrowed by the given filters."""
    qs = accounts_visible_to(actor).select_related("owner").prefetch_related("tags", "co_owners")
    f = filters
    if f.q:
        qs = accounts_search(qs, f.q)
    qs = filter_given(
        qs,
        f,
        {
            "account_type": "account_type",
            "status": "status",
            "industry": "industry",
            "kind": "kind",
            "city": "city",
            "owner": "owner_id",
            "team": "team_id",
            "parent": "parent_id",
        },
    )
    if f.tag:
        qs = qs.filter(
            pk__in=Account.tags.through.objects.filter(tag__name=f.tag).values("account")
        )
    return ordered(qs.order_by("name_pinyin", "name"))


# --- Search by characters, pinyin, initials (the stored forms of accounts.normalise) ----------


def pinyin_word(word: str) -> str:
    """The word as the stored pinyin forms hold it ("Hua Cai" → "huacai"), "" when it is not
    all Latin letters (then only the names themselves are searched)."""
    text = "".join(word.split()).lower()
    return text if text.isascii() and text.isalpha() else ""


#: Pinyin this long is searched inside a name, not only at its start.
MIN_PINYIN_INSIDE = 4

#: What the gram index for short words holds (migration accounts 0010), in its order: the name
#: after its first character (its start has a b-tree), the short and English names, the code.
TEXT_GRAMS = (Substr("name", 2), "short_name", "english_name", "code")


def account_word_parts(word: str) -> list[Q]:
    """Accounts one search word finds, as separate conditions (each served by its own index on
    PostgreSQL, so a caller may UNION them): in the name, short or English name or code
    (traditional characters read as simplified, and as typed; trigram indexes, migration
    accounts 0003; a gram index for one or two characters, 0010), as a prefix of the stored
    pinyin of the name or its key ("huacai"; four letters or more also inside the name:
    "shanghai") or of the initials of the key or the whole name ("hcyy" → 华彩医药, "szrf" →
    深圳瑞丰…) (b-tree indexes, migrations accounts 0005, 0009 and 0011), the credit code
    exactly, a former code kept as an alias after a merge."""
    plain, typed = simplified(word).strip(), word.strip()
    parts = _text_parts({"name": plain, "short_name": plain, "english_name": word, "code": word})
    if typed != plain:  # 恆瑞 also as typed: a name stored in traditional characters
        parts += _text_parts({"name": typed, "short_name": typed})
    code = credit_code_clean(word)
    if code:
        parts.append(Q(credit_code=code))
    # A merged-away account's code still finds the account it became (its alias).
    # (As ids, not a join: an account with two aliases that differ in case is found once.)
    aliased = AccountAlias.objects.filter(code__iexact=word.strip()).values("account_id")
    parts.append(Q(pk__in=aliased))
    latin = pinyin_word(word)
    if latin:
        parts.append(pinyin_prefix_q(latin))
        if len(latin) >= MIN_PINYIN_INSIDE:
            # Four letters or more are looked for inside the name's pinyin too, so "shanghai"
            # finds 亳州瑞丰食品（上海）有限公司 as "上海" does: after its first letter, where a
            # trigram index reads only such names (migration accounts 0011), not the many that
            # start with it; shorter ones only at its start, where they stay selective.
            parts.append(Q(Contains(Substr("name_pinyin", 2), latin)))
        parts += [
            Q(key_pinyin__startswith=latin),
            Q(key_initials__startswith=latin),
            Q(name_initials__startswith=latin),
        ]
    return parts


def _text_parts(words: dict[str, str]) -> list[Q]:
    """Accounts whose column contains its word (column → word; "name" always among them)."""
    if all(grams_serve(word) for word in words.values()):
        # One or two characters have no trigram. At the start of the name ("上海", one account
        # in twelve): a range of a b-tree that carries the pinyin, so the first few in pinyin
        # order come from the index; anywhere else: the gram index of the four columns, the
        # name's first character left out (migration accounts 0010).
        return [Q(name__istartswith=words["name"]), short_word_q(TEXT_GRAMS, words)]
    return [Q(**{f"{column}__icontains": word}) for column, word in words.items()]


def pinyin_prefix_q(latin: str) -> Q:
    """Accounts whose name's pinyin starts with ``latin`` (lower-case letters), as a range, so
    the b-tree on (name_pinyin, id) reads them in pinyin order (PostgreSQL uses it for LIKE 'x%'
    only in the C collation). The stored pinyin holds only a–z and 0–9 (`accounts.normalise`),
    so the range holds exactly the names starting with ``latin`` in the C collation and those
    that sort letters one by one (en_US, zh_CN; not one with contractions such as cs_CZ's
    "ch"). A LIKE beside it made the planner count the condition twice and expect a tenth of
    the matches."""
    stem = latin.rstrip("z")
    if not stem:  # "zz": nothing after z, so every pinyin from "zz" on starts with it
        return Q(name_pinyin__gte=latin)
    # "huaz" → below "hub": every pinyin starting "huaz…" sorts before it.
    return Q(name_pinyin__gte=latin, name_pinyin__lt=stem[:-1] + chr(ord(stem[-1]) + 1))


def accounts_search(queryset: QuerySet[Account], text: str) -> QuerySet[Account]:
    """`queryset` limited to the accounts `text` finds (all of it, as one word): a UNION of
    `account_word_parts`, each branch through its own index."""
    text = search_text(text)
    if not text.strip():
        return queryset
    first, *rest = [
        Account.objects.filter(q).order_by().values("pk") for q in account_word_parts(text)
    ]
    return queryset.filter(pk__in=first.union(*rest))


# --- Codes and their aliases (C14: a merged-away record's code keeps naming the survivor) ------


def by_code(qs: QuerySet, code: str) -> Any:
    """The row of ``qs`` (accounts or contacts: a model with ``code`` and ``aliases``) its code
    names, else the one that took the code over as an alias when a record was merged into it."""
    return qs.filter(code=code).first() or qs.filter(aliases__code=code).first()


def code_rows(qs: QuerySet, codes: list[str], *fields: str) -> list[tuple]:
    """(code, *fields) of the rows of ``qs`` that ``codes`` name, by their code or, for codes no
    row has, by an alias (see `by_code`)."""
    rows = list(qs.filter(code__in=codes).values_list("code", *fields))
    missing = set(codes) - {r[0] for r in rows}
    if missing:
        rows += qs.filter(aliases__code__in=missing).values_list("aliases__code", *fields)
    return rows
