"""Writing the demo plan (`rows.DemoPlan`) to the database: model instances from the rows,
bulk-inserted (`bulk`) in dependency order, every demo object with a "created" audit record by the
demo administrator and the change reason `catalog.CHANGE_REASON`.

Accounts first (`writer_accounts`), then contacts and what is known about them, transactions and
payments, touchpoints (with the policy tasks they fulfilled), and the key accounts' rows
(`writer_keyaccounts`). Rows refer to each other by index; the ids come back from each insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from tqdm import tqdm

from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.models import fill_search_forms as fill_contact_forms
from guanxi.contacts.profile_schema import get_field
from guanxi.core.models import User
from guanxi.demo import catalog
from guanxi.demo.bulk import bulk_insert, bulk_insert_with_history
from guanxi.demo.rows import DemoPlan
from guanxi.demo.writer_accounts import write_accounts
from guanxi.demo.writer_keyaccounts import Ids, write_key_accounts
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.models import Payment, ProductCategory, Transaction
from guanxi.transactions.rollups import ledger_rollups_refresh

M = TypeVar("M", bound=models.Model)


@dataclass
class _Load:
    """One load: who writes it, when, and the progress bar its inserts advance."""

    admin: User
    now: dt.datetime
    bar: Any  # tqdm

    def insert(self, model: type[M], objs: Sequence[M]) -> list[M]:
        return bulk_insert_with_history(
            model,
            objs,
            user=self.admin,
            date=self.now,
            reason=catalog.CHANGE_REASON,
            progress=self.bar.update,
        )


def demo_write(plan: DemoPlan, *, users: dict[str, User], progress: bool) -> None:
    """Insert every row of ``plan``; ``users`` are the demo staff by username."""
    admin = User.objects.get(username=catalog.ADMIN_USERNAME)
    now = timezone.now()
    total = (
        len(plan.accounts)
        + len(plan.contacts)
        + len(plan.facts)
        + len(plan.related)
        + len(plan.key_dates)
        + len(plan.transactions)
        + len(plan.payments)
        + len(plan.touchpoints)
        + (plan.key_accounts.row_count() if plan.key_accounts is not None else 0)
    )
    bar = tqdm(total=total, desc="demo: writing", unit=" rows", disable=not progress)
    load = _Load(admin, now, bar)
    try:
        account_ids = write_accounts(plan, users=users, admin=admin, now=now)
        bar.update(len(plan.accounts))
        ids = Ids(accounts=account_ids, contacts=[], touchpoints={}, users=users)
        ids.contacts = _write_people(load, plan, ids)
        _write_purchases(load, plan, ids)
        ids.touchpoints = _write_touchpoints(load, plan, ids)
        if plan.key_accounts is not None:
            write_key_accounts(plan.key_accounts, ids=ids, admin=admin, now=now)
            bar.update(plan.key_accounts.row_count())
    finally:
        bar.close()


def _write_people(load: _Load, plan: DemoPlan, ids: Ids) -> list[int]:
    """Contacts, their profile facts, related people and key dates; returns the contacts' ids
    by contact idx."""
    contacts = [
        Contact(
            code=c.code,
            account_id=ids.accounts[c.account_idx],
            name=c.name,
            english_name=c.english_name,
            nickname=c.nickname,
            gender=c.gender,
            birthday=c.birthday,
            title=c.title,
            department=c.department,
            mobile=c.mobile,
            phone=c.phone,
            email=c.email,
            wechat=c.wechat,
            is_primary=c.is_primary,
            is_active=c.is_active,
            notes=c.notes,
        )
        for c in plan.contacts
    ]
    for contact in contacts:
        fill_contact_forms(contact)  # bulk inserts skip save()
    contact_ids = [c.pk for c in load.insert(Contact, contacts)]
    facts = []
    for f in plan.facts:
        # the same validation as the service: only schema-valid values get in
        value = get_field(f.group, f.key).parse(f.value)
        facts.append(
            ProfileFact(
                contact_id=contact_ids[f.contact_idx],
                group=f.group,
                key=f.key,
                value=value,
                source=f.source,
                recorded_by_id=ids.user(f.recorded_by),
                recorded_at=f.recorded_at,
                verified=f.verified_at is not None,
                verified_by_id=ids.user(f.verified_by),
                verified_at=f.verified_at,
            )
        )
    load.insert(ProfileFact, facts)
    load.insert(
        RelatedPerson,
        [
            RelatedPerson(contact_id=contact_ids[r.contact_idx], relation=r.relation, name=r.name,
                          phone=r.phone, birthday=r.birthday, notes=r.notes)
            for r in plan.related
        ],
    )  # fmt: skip
    load.insert(
        KeyDate,
        [
            KeyDate(contact_id=contact_ids[k.contact_idx], kind=k.kind, date=k.date, label=k.label)
            for k in plan.key_dates
        ],
    )
    return contact_ids


def _write_purchases(load: _Load, plan: DemoPlan, ids: Ids) -> None:
    """Transactions and payments, marked with the demo's source."""
    categories = dict(ProductCategory.objects.values_list("code", "pk"))
    load.insert(
        Transaction,
        [
            Transaction(
                account_id=ids.accounts[t.account_idx],
                contact_id=ids.contact(t.contact_idx),
                occurred_at=t.occurred_at,
                category_id=categories[t.category],
                amount=t.amount,
                cost=t.cost,
                head_count=t.head_count,
                channel=t.channel,
                source=catalog.DEMO_SOURCE,
                external_id=t.external_id,
                description=t.description,
                discount_rate=t.discount_rate,
            )
            for t in plan.transactions
        ],
    )
    load.insert(
        Payment,
        [
            Payment(
                account_id=ids.accounts[p.account_idx],
                received_at=p.received_at,
                amount=p.amount,
                method=p.method,
                reference=p.reference,
                source=catalog.DEMO_SOURCE,
                external_id=p.external_id,
                notes=p.notes,
            )
            for p in plan.payments
        ],
    )
    ledger_rollups_refresh()  # the pages read the ledger's per-account rollups


def _write_touchpoints(load: _Load, plan: DemoPlan, ids: Ids) -> dict[int, int]:
    """Touchpoints with the contacts they involved; returns their ids by id() of the row.

    A group invitation fulfilled the policy's once-only task: that task is recorded as done, so
    the policy engine does not ask for the invitation again."""
    touchpoints = load.insert(
        Touchpoint,
        [
            Touchpoint(
                account_id=ids.accounts[t.account_idx],
                kind=t.kind,
                occurred_at=t.occurred_at,
                logged_by_id=ids.user(t.logged_by),
                subject=t.subject,
                notes=t.notes,
                cost=t.cost,
            )
            for t in plan.touchpoints
        ],
    )
    invited = [(t, obj) for obj, t in zip(touchpoints, plan.touchpoints, strict=True) if t.group]
    bulk_insert(
        Task,
        [
            Task(
                account_id=ids.accounts[t.account_idx],
                assignee_id=ids.user(t.logged_by),
                kind=TaskKind.GROUP_INVITE,
                title=t.subject,
                due_date=timezone.localdate(t.occurred_at),
                status=TaskStatus.DONE,
                source=TaskSource.POLICY,
                key=f"group:{t.group}",
                completed_at=t.occurred_at,
                touchpoint_id=obj.pk,
            )
            for t, obj in invited
        ],
    )
    Link = Touchpoint.contacts.through
    bulk_insert(
        Link,
        [
            Link(touchpoint_id=obj.pk, contact_id=ids.contacts[c])
            for obj, t in zip(touchpoints, plan.touchpoints, strict=True)
            for c in dict.fromkeys((t.contact_idx, *t.others))
            if c is not None
        ],
    )
    return {id(t): obj.pk for obj, t in zip(touchpoints, plan.touchpoints, strict=True)}
