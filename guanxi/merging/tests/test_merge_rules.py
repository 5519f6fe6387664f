"""Merge rules on small data: who may merge, field choices, clash resolutions, undo refusals,
the alias on re-import, link as subsidiary."""

from __future__ import annotations

import pytest
from django.db import transaction

from guanxi.accounts.models import Account, AccountAlias, Tag
from guanxi.contacts.models import Contact
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.imports.tests.helpers import run
from guanxi.merging.models import Merge
from guanxi.merging.services import link_as_subsidiary, merge_undo, records_merge
from guanxi.merging.tests.dump import differences, dump
from guanxi.relationships.models import BuyingCentreMember
from guanxi.transactions.models import AccountLedgerRollup, Transaction
from tests.support import make_account, make_contact, make_transaction


@pytest.fixture
def twins(cast):
    """Alice's account and its duplicate (same team), with a sale each."""
    dupe = make_account(owner=cast.alice, name="华东会展集团有限公司", city="上海", phone="")
    cast.account.phone = "021-5555"
    cast.account.save()
    make_transaction(account=cast.account, amount="100.00")
    make_transaction(account=dupe, amount="50.00")
    return cast.account, dupe


@pytest.mark.parametrize(
    ("who", "error"),
    [("alice", PermissionDenied), ("bob", PermissionDenied), ("charlie", PermissionDenied),
     ("lena", None), ("mia", None)],
)  # fmt: skip
def test_team_leads_and_managers_merge_kams_do_not(cast, twins, who, error):
    keep, other = twins
    actor = getattr(cast, who)
    if error:
        with pytest.raises(error):
            records_merge(actor=actor, kind="account", keep=keep.pk, other=other.pk)
        assert Account.objects.filter(pk=other.pk).exists()
    else:
        records_merge(actor=actor, kind="account", keep=keep.pk, other=other.pk)
        assert not Account.objects.filter(pk=other.pk).exists()


def test_an_account_out_of_sight_is_a_404(cast, twins):
    keep, _other = twins
    west_lead = cast.west.members.create(username="wl", role="team_lead", team=cast.west)
    with pytest.raises(NotFound):
        records_merge(actor=west_lead, kind="account", keep=cast.west_account.pk, other=keep.pk)
    with pytest.raises(InvalidInput):
        records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=keep.pk)


def test_fields_the_survivor_lacks_come_from_the_other_unless_chosen(cast, twins):
    keep, other = twins
    done = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                         fields={"name": "other"})  # fmt: skip
    keep.refresh_from_db()
    assert keep.name == "华东会展集团有限公司"  # chosen
    assert keep.city == "上海"  # empty on the survivor: filled
    assert keep.phone == "021-5555"  # the survivor's own value stays
    assert done.merge.choices["name"] == "other"
    assert Transaction.objects.filter(account=keep).count() == 2
    assert AccountLedgerRollup.objects.get(account=keep).revenue_12m == 150
    assert keep.history.first().history_user == cast.mia


def test_bad_field_choices_are_refused(cast, twins):
    keep, other = twins
    with pytest.raises(InvalidInput):
        records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                      fields={"nope": "keep"})  # fmt: skip
    with pytest.raises(InvalidInput):
        records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                      fields={"name": "both"})  # fmt: skip


def test_a_shared_tag_becomes_one_link_and_the_clash_is_listed(cast, twins):
    keep, other = twins
    tag = Tag.objects.create(name="会展")
    keep.tags.add(tag)
    other.tags.add(tag)
    merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk).merge
    assert list(keep.tags.all()) == [tag]
    assert [c["model"] for c in merge.clashes] == ["accounts.account_tags"]


def test_two_seats_for_one_person_become_one_keeping_the_richer(cast):
    keep = make_contact(account=cast.account, name="王伟")
    other = make_contact(account=cast.account, name="王伟 ")
    BuyingCentreMember.objects.create(account=cast.account, contact=keep)
    rich = BuyingCentreMember.objects.create(
        account=cast.account, contact=other, buying_roles=["decider"], notes="拍板人"
    )
    merge = records_merge(actor=cast.lena, kind="contact", keep=keep.pk, other=other.pk).merge
    seat = BuyingCentreMember.objects.get(account=cast.account)
    assert seat.pk == rich.pk and seat.contact_id == keep.pk
    assert merge.clashes[0]["kept"] == rich.pk


def test_undo_refuses_when_a_moved_row_was_deleted_since(cast, twins, english):
    keep, other = twins
    moved = Transaction.objects.get(account=other)
    merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk).merge
    moved.delete()
    with pytest.raises(Conflict) as refused:
        merge_undo(actor=cast.mia, merge_id=merge.pk)
    assert "moved" in refused.value.extra["reasons"][0]
    assert Merge.objects.get(pk=merge.pk).undone_at is None


def test_undo_refuses_twice_and_for_a_kam(cast, twins):
    keep, other = twins
    merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk).merge
    with pytest.raises(PermissionDenied):
        merge_undo(actor=cast.alice, merge_id=merge.pk)
    merge_undo(actor=cast.mia, merge_id=merge.pk)
    with pytest.raises(Conflict):
        merge_undo(actor=cast.mia, merge_id=merge.pk)


def test_a_later_merge_of_the_survivor_is_undone_first(cast, twins):
    keep, other = twins
    third = make_account(owner=cast.alice)
    first = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk).merge
    records_merge(actor=cast.mia, kind="account", keep=third.pk, other=keep.pk)
    with pytest.raises(Conflict):
        merge_undo(actor=cast.mia, merge_id=first.pk)


def test_undo_on_small_data_gives_back_every_row(cast, twins):
    keep, other = twins
    make_contact(account=other)
    other.tags.add(Tag.objects.create(name="老客户"))
    before = dump()
    merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                          fields={"name": "other"}).merge  # fmt: skip
    merge_undo(actor=cast.mia, merge_id=merge.pk)
    assert differences(before, dump()) == {}


def test_a_reimport_of_the_old_code_updates_the_survivor(cast, twins):
    keep, other = twins
    old_code = other.code
    contact = make_contact(account=other)
    records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk)
    assert AccountAlias.objects.get(code=old_code).account_id == keep.pk
    head = ["external_id", "account_code", "occurred_at", "category", "amount"]
    report = run("transactions", [head, ["NEW1", old_code, "2026-11-01", "fnb", "80"]],
                 user=cast.alice)  # fmt: skip
    assert report.created == 1, report.errors
    assert Transaction.objects.get(external_id="NEW1").account_id == keep.pk
    report = run("contacts", [["code", "account_code", "name"], [contact.code, old_code, "李娜"]],
                 user=cast.alice)  # fmt: skip
    assert report.updated == 1, report.errors
    assert Contact.objects.get(pk=contact.pk).name == "李娜"


def test_link_as_subsidiary_instead_of_merging(cast, twins):
    group, company = twins
    link_as_subsidiary(actor=cast.lena, group=group.pk, subsidiary=company.pk)
    company.refresh_from_db()
    assert company.parent_id == group.pk
    assert not Merge.objects.exists()
    with pytest.raises(Conflict):
        link_as_subsidiary(actor=cast.lena, group=group.pk, subsidiary=company.pk)


def test_the_tiers_are_re_evaluated_after_commit(cast, twins, django_capture_on_commit_callbacks):
    keep, other = twins
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk)
    assert [c.__name__ for c in callbacks] == ["tiers_reevaluate"]


def test_the_survivors_history_after_undo_shows_its_own_tags(cast, twins):
    """The trial: after merge and undo the survivor's history said its tags went to none."""
    keep, other = twins
    mine = [Tag.objects.create(name=f"本方{i}") for i in range(3)]
    theirs = [Tag.objects.create(name=f"对方{i}") for i in range(4)]
    keep.tags.add(*mine)
    other.tags.add(*theirs)
    merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=other.pk,
                          fields={"name": "other"}).merge  # fmt: skip
    merge_undo(actor=cast.mia, merge_id=merge.pk)

    def latest_tags(account_id):
        latest = Account.history.filter(id=account_id).order_by("-history_id").first()
        return {t.tag_id for t in latest.tags.all()}

    assert latest_tags(keep.pk) == {t.pk for t in mine}
    assert latest_tags(other.pk) == {t.pk for t in theirs}  # the re-created record's "+" row
