"""Merging two fully loaded accounts (and two loaded contacts) of the demo, and undoing it: every
row re-pointed, every clash resolved and listed, and undo gives back every table row for row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from guanxi.accounts.models import Account, AccountAlias, Tag
from guanxi.agreements.models import Agreement
from guanxi.contacts.models import Contact, ContactAlias
from guanxi.core.models import Role
from guanxi.demo.services import demo_build
from guanxi.merging.engine import references
from guanxi.merging.models import Merge
from guanxi.merging.services import merge_undo, records_merge
from guanxi.merging.summary import summarise
from guanxi.merging.tests.dump import assert_same, differences, dump
from guanxi.workspace.tasks import nightly_job
from tests.support import make_user

AS_OF = dt.date(2026, 6, 30)
N = 20
SEED = 5


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        nightly_job(as_of=AS_OF)
        keep, other = _loaded_pair(Account, Account.objects.values_list("pk", flat=True))
        # Clashes on purpose: one agreement covers both, both carry one tag.
        Agreement.objects.order_by("pk").first().covered_accounts.add(keep, other)
        tag = Tag.objects.create(name="重复客户")
        for pk in (keep, other):
            Account.objects.get(pk=pk).tags.add(tag)
        yield keep, other
        transaction.set_rollback(True)


@pytest.fixture
def boss(demo, db):
    return make_user("boss", role=Role.MANAGER)


def _kinds(model, pk) -> set[str]:
    """The kinds of rows that point at record ``pk`` of ``model``."""
    return {
        r.label
        for r in references(model)
        if r.model._base_manager.filter(**{r.field.attname: pk}).exists()
    }


def _loaded_pair(model, candidates) -> tuple[int, int]:
    ranked = sorted(candidates, key=lambda pk: (-len(_kinds(model, pk)), pk))
    return ranked[0], ranked[1]


def test_two_loaded_accounts_merge_and_the_undo_gives_back_every_row(demo, boss):
    keep, other = demo
    kinds = _kinds(Account, keep) | _kinds(Account, other)
    # The demo loads them with nearly everything that can point at an account.
    for label in (
        "transactions.transaction",
        "transactions.payment",
        "contacts.contact",
        "touchpoints.touchpoint",
        "activities.task",
        "relationships.buyingcentremember",
        "tiers.accounttier",
        "insights.accountscore",
        "accounts.account_tags",
        "agreements.agreement_covered_accounts",
        "plans.accountplan",
        "service.case",
        "surveys.surveyresponse",
        "loyalty.accountlight",
        "pipeline.opportunity",
        "transactions.accountledgerrollup",
        "relationships.relationshipstageevent",
    ):
        assert label in kinds, label  # fmt: skip
    before = dump()
    other_code = Account.objects.get(pk=other).code

    done = records_merge(actor=boss, kind="account", keep=keep, other=other)

    merge = done.merge
    assert not done.dry_run and Merge.objects.filter(pk=merge.pk).exists()
    assert not Account.objects.filter(pk=other).exists()
    assert _kinds(Account, other) == set()  # nothing points at the merged-away account
    assert AccountAlias.objects.get(code=other_code).account_id == keep
    moved = {m["model"] for m in merge.moves if m["old"] == other}
    assert "transactions.transaction" in moved and "contacts.contact" in moved
    assert merge.deleted[-1]["model"] == "accounts.account" and merge.deleted[-1]["pk"] == other
    # Every deleted row (but the merged-away account) is a listed clash resolution.
    folded = {(c["model"], c["folded"]) for c in merge.clashes}
    assert {(d["model"], d["pk"]) for d in merge.deleted[:-1]} == folded
    assert merge.history.first().history_user == boss
    clashed = {c["model"] for c in merge.clashes}
    assert {"accounts.account_tags", "agreements.agreement_covered_accounts",
            "tiers.accounttier"} <= clashed  # fmt: skip

    merge_undo(actor=boss, merge_id=merge.pk)

    assert differences(before, dump()) == {}
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == boss
    assert Account.history.filter(id=other).first().history_type == "+"


def test_two_loaded_contacts_merge_and_the_undo_gives_back_every_row(boss):
    ids = Contact.objects.values_list("pk", flat=True)[:200]
    keep, other = _loaded_pair(Contact, ids)
    before = dump()
    other_code = Contact.objects.get(pk=other).code

    merge = records_merge(actor=boss, kind="contact", keep=keep, other=other).merge

    assert not Contact.objects.filter(pk=other).exists()
    assert _kinds(Contact, other) == set()
    assert ContactAlias.objects.get(code=other_code).contact_id == keep
    assert merge.moves

    merge_undo(actor=boss, merge_id=merge.pk)
    assert differences(before, dump()) == {}


def test_the_preview_changes_nothing_and_says_what_the_merge_then_does(demo, boss):
    keep, other = demo
    before = dump()
    preview = records_merge(actor=boss, kind="account", keep=keep, other=other, dry_run=True)
    assert preview.dry_run and preview.merge is None
    assert any(m.model == "transactions.transaction" for m in preview.summary.moved)
    assert preview.tiers and all(t.recomputed for t in preview.tiers)  # per active scheme
    assert differences(before, dump()) == {}
    assert not Merge.objects.exists()

    merge = records_merge(actor=boss, kind="account", keep=keep, other=other).merge
    assert_same(preview.summary, summarise(merge, Account))
    assert {"accounts.account_tags", "agreements.agreement_covered_accounts",
            "tiers.accounttier"} <= {c.model for c in preview.summary.clashes}  # fmt: skip


def test_the_preview_of_two_loaded_contacts_says_what_the_merge_then_does(boss):
    keep, other = _loaded_pair(Contact, Contact.objects.values_list("pk", flat=True)[:200])
    preview = records_merge(actor=boss, kind="contact", keep=keep, other=other, dry_run=True)
    merge = records_merge(actor=boss, kind="contact", keep=keep, other=other).merge
    assert preview.summary.moved
    assert_same(preview.summary, summarise(merge, Contact))
