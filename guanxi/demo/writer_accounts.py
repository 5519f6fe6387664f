"""Writing the demo's accounts: tags, accounts (parents before their subsidiaries), tag and
co-owner links, and the audit rows, written after the links so that each account's "created"
record shows the tags and co-owners it was created with."""

from __future__ import annotations

import datetime as dt

from django.apps import apps

from guanxi.accounts.models import Account, Tag, fill_search_forms
from guanxi.core.models import User
from guanxi.demo import catalog
from guanxi.demo.bulk import bulk_insert, chunks, history_bulk_create
from guanxi.demo.dining import MEMBER_TAG, MEMBER_TAG_DESCRIPTION
from guanxi.demo.rows import AccountRow, DemoPlan
from guanxi.demo.scenarios import DESCRIPTIONS, Pattern


def write_accounts(
    plan: DemoPlan, *, users: dict[str, User], admin: User, now: dt.datetime
) -> list[int]:
    """Insert the plan's accounts; returns their ids by account idx."""
    tags = _tags_ensure()
    teams = {i: users[lead].team_id for i, lead in _leads().items()}
    objs: dict[int, Account] = {}
    ids: list[int] = [0] * len(plan.accounts)
    parents_first = sorted(plan.accounts, key=lambda a: (a.parent_idx is not None, a.idx))
    for generation in (False, True):
        batch = []
        for a in parents_first:
            if (a.parent_idx is not None) != generation:
                continue
            obj = _account(a, ids, users=users, teams=teams)
            objs[a.idx] = obj
            batch.append(obj)
        for chunk in chunks(batch):
            bulk_insert(Account, chunk)
        for a in plan.accounts:
            if a.idx in objs and objs[a.idx].pk:
                ids[a.idx] = objs[a.idx].pk
    _links_with_history(plan, tags, ids, [objs[a.idx] for a in plan.accounts], users=users,
                        admin=admin, now=now)  # fmt: skip
    return ids


def _tags_ensure() -> dict[str, Tag]:
    """The catalogue's tags, the restaurant members' tag and one tag per lifecycle pattern."""
    described = {name: (zh, en) for name, zh, en in catalog.TAGS}
    described[MEMBER_TAG] = MEMBER_TAG_DESCRIPTION
    described.update({pattern.tag: DESCRIPTIONS[pattern] for pattern in Pattern})
    tags = {}
    for name, (zh, en) in described.items():
        tags[name], _ = Tag.objects.get_or_create(
            name=name, defaults={"description": zh, "description_en": en}
        )
    return tags


def _leads() -> dict[int, str]:
    return {team: username for username, _f, _g, role, team, _p in catalog.STAFF
            if role == "team_lead"}  # fmt: skip


def _account(
    a: AccountRow, ids: list[int], *, users: dict[str, User], teams: dict[int, int | None]
) -> Account:
    """The account of row ``a``; its parent's id is in ``ids`` (parents are inserted first)."""
    account = Account(
        code=a.code,
        name=a.name,
        short_name=a.short_name,
        english_name=a.english_name,
        kind=a.kind,
        organisation_form=a.organisation_form,
        account_type=a.account_type,
        status=a.status,
        industry=a.industry,
        enterprise_nature=a.enterprise_nature,
        scale=a.scale,
        province=a.province,
        city=a.city,
        address=a.address,
        website=a.website,
        phone=a.phone,
        organisation_structure=a.organisation_structure,
        credit_rating=a.credit_rating,
        annual_sales=a.annual_sales,
        price_system=a.price_system,
        sales_policy=a.sales_policy,
        attitude=a.attitude,
        customer_since=a.customer_since,
        parent_id=ids[a.parent_idx] if a.parent_idx is not None else None,
        owner_id=users[a.owner].pk,
        team_id=teams[a.team],
        notes=a.notes,
    )
    fill_search_forms(account)  # bulk inserts skip save()
    return account


def _links_with_history(
    plan: DemoPlan,
    tags: dict[str, Tag],
    ids: list[int],
    ordered: list[Account],
    *,
    users: dict[str, User],
    admin: User,
    now: dt.datetime,
) -> None:
    """Tags and co-owners, then the accounts' audit rows and the audit rows of those links."""
    TagLink = Account.tags.through
    OwnerLink = Account.co_owners.through
    tag_links = bulk_insert(
        TagLink,
        [TagLink(account_id=ids[a.idx], tag_id=tags[t].pk) for a in plan.accounts for t in a.tags],
    )
    owner_links = bulk_insert(
        OwnerLink,
        [
            OwnerLink(account_id=ids[a.idx], user_id=users[u].pk)
            for a in plan.accounts
            for u in a.co_owners
        ],
    )
    records = history_bulk_create(
        Account, ordered, user=admin, date=now, reason=catalog.CHANGE_REASON
    )
    record_of = {r.id: r for r in records}
    HistTag = apps.get_model("accounts", "HistoricalAccount_tags")
    HistOwner = apps.get_model("accounts", "HistoricalAccount_co_owners")
    bulk_insert(
        HistTag,
        [
            HistTag(history=record_of[link.account_id], id=link.pk, account_id=link.account_id,
                    tag_id=link.tag_id)
            for link in tag_links
        ],
    )  # fmt: skip
    bulk_insert(
        HistOwner,
        [
            HistOwner(history=record_of[link.account_id], id=link.pk,
                      account_id=link.account_id, user_id=link.user_id)
            for link in owner_links
        ],
    )  # fmt: skip
