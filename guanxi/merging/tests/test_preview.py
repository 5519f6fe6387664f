"""The merge preview counts by index: a bounded number of queries however many rows point at the
two accounts, nothing written, and the counts it shows are what the merge then moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.accounts.models import Account, Tag
from guanxi.activities.models import Task, TaskSource
from guanxi.merging.models import Merge
from guanxi.merging.services import records_merge
from guanxi.merging.summary import summarise
from guanxi.merging.tests.dump import assert_same, differences, dump
from guanxi.relationships.models import BuyingCentreMember
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.models import ProductCategory, Transaction
from tests.support import make_account, make_contact, make_payment

pytestmark = pytest.mark.django_db

#: The preview's queries for two accounts, whatever their rows (the old rolled-back dry run
#: needed 212 for two large ones, and more with every row): the two accounts and the checks of
#: the survivor's values, one query per unique constraint for the clashes (and per reference of
#: a folded kind), one for every count, the tiers.
MAX_QUERIES = 40


def _load(account: Account, n: int, tags: list[Tag], category: ProductCategory) -> None:
    """``n`` rows of each kind; the tags and the open tasks' keys are shared, so they clash."""
    now = timezone.now()
    Transaction.objects.bulk_create(
        Transaction(account=account, amount=Decimal("10.00"), occurred_at=now,
                    category=category, external_id=f"{account.pk}-{i}")
        for i in range(n)
    )  # fmt: skip
    for _ in range(n):
        make_payment(account=account)
        seat = make_contact(account=account)
        BuyingCentreMember.objects.create(account=account, contact=seat)
    Touchpoint.objects.bulk_create(
        Touchpoint(account=account, kind="call", occurred_at=now) for _ in range(n)
    )
    Task.objects.bulk_create(
        Task(account=account, assignee=account.owner, kind="call", title=f"call {i}",
             due_date=dt.date(2026, 7, 1), source=TaskSource.MANUAL, key=f"call:{i}")
        for i in range(n)
    )  # fmt: skip
    account.tags.add(*tags)


def _pair(cast, n: int) -> tuple[Account, Account]:
    keep = make_account(owner=cast.alice, name=f"华东会展{n}", city="")
    other = make_account(owner=cast.alice, name=f"华东会展集团{n}", city="上海")
    tags = [Tag.objects.create(name=f"标签{n}-{i}") for i in range(n)]
    category, _ = ProductCategory.objects.get_or_create(code="fnb", defaults={"name": "餐饮"})
    _load(keep, n, tags, category)
    _load(other, n, tags, category)
    return keep, other


def _preview_queries(cast, keep: Account, other: Account) -> int:
    with CaptureQueriesContext(connection) as queries:
        done = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                             dry_run=True)  # fmt: skip
    assert done.dry_run and done.merge is None
    return len(queries)


def test_the_preview_runs_in_a_bounded_number_of_queries(cast):
    few = _preview_queries(cast, *_pair(cast, 2))
    many = _preview_queries(cast, *_pair(cast, 40))
    assert many == few, (few, many)
    assert many <= MAX_QUERIES


def test_the_preview_writes_nothing_and_counts_what_the_merge_then_moves(cast):
    keep, other = _pair(cast, 12)
    before = dump()
    preview = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                            dry_run=True, fields={"name": "other"}).summary  # fmt: skip
    assert differences(before, dump()) == {} and not Merge.objects.exists()
    counts = {m.model: m.count for m in preview.moved}
    assert counts["transactions.transaction"] == 12 and counts["contacts.contact"] == 12
    assert "activities.task" not in counts  # every open task's key clashes: folded, not moved
    assert {"name", "city"} <= {c.field for c in preview.changed}

    merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                          fields={"name": "other"}).merge  # fmt: skip
    assert_same(preview, summarise(merge, Account))
    assert preview.deleted == 24  # 12 tags, 12 tasks


def test_the_preview_of_two_contacts_counts_the_seats_that_clash(cast):
    keep, other = make_contact(account=cast.account), make_contact(account=cast.account)
    BuyingCentreMember.objects.create(account=cast.account, contact=keep)
    rich = BuyingCentreMember.objects.create(account=cast.account, contact=other,
                                             buying_roles=["decider"], notes="拍板人")  # fmt: skip
    preview = records_merge(actor=cast.lena, kind="contact", keep=keep.pk, other=other.pk,
                            dry_run=True).summary  # fmt: skip
    assert [(c.model, c.kept) for c in preview.clashes] == [
        ("relationships.buyingcentremember", rich.pk)
    ]
    assert {m.model: m.count for m in preview.moved} == {"relationships.buyingcentremember": 1}
    merge = records_merge(actor=cast.lena, kind="contact", keep=keep.pk, other=other.pk).merge
    assert_same(preview, summarise(merge, type(keep)))
