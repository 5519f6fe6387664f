import pytest

from guanxi.accounts.models import Account
from guanxi.accounts.services import (
    Conflict,
    account_create,
    account_delete,
    account_for_actor,
    account_update,
)
from guanxi.contacts.models import Contact
from guanxi.core.errors import NotFound, PermissionDenied
from tests.support import make_account, make_contact, make_transaction

pytestmark = pytest.mark.usefixtures("english")


def test_creator_owns_and_team_follows_owner(cast):
    account = account_create(actor=cast.bob, code="S1", name="宝钢", account_type="gov_ent")
    assert (account.owner, account.team) == (cast.bob, cast.east)
    assert account.history.get().history_user == cast.bob


def test_kam_cannot_file_under_another_team(cast):
    with pytest.raises(PermissionDenied) as exc:
        account_create(
            actor=cast.alice, code="S1", name="x", account_type="mice", team=cast.west.pk
        )
    assert exc.value.field == "team"
    assert not Account.objects.filter(code="S1").exists()


def test_access_helper_hides_existence(cast):
    with pytest.raises(NotFound):
        account_for_actor(actor=cast.bob, account_id=cast.account.pk)
    with pytest.raises(NotFound):
        account_for_actor(actor=cast.bob, account_id=987654)
    assert account_for_actor(actor=cast.lena, account_id=cast.account.pk) == cast.account


def test_update_checks_access_itself(cast):
    # Services protect themselves even when handed an object the caller fetched.
    with pytest.raises(NotFound):
        account_update(actor=cast.charlie, account=cast.account, city="x")


def test_tags_are_created_by_name_and_replaced(cast):
    account_update(actor=cast.alice, account=cast.account, tags=["VIP", " VIP ", "会展"])
    assert sorted(cast.account.tags.values_list("name", flat=True)) == ["VIP", "会展"]
    account_update(actor=cast.alice, account=cast.account, tags=[])
    assert not cast.account.tags.exists()


def test_delete_takes_contacts_along_and_audits_both(cast):
    contact = make_contact(account=cast.account)
    account_delete(actor=cast.alice, account=cast.account)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.history.get(id=contact.pk, history_type="-").history_user == cast.alice


def test_group_with_subsidiaries_cannot_be_deleted(cast):
    make_account(owner=cast.alice, parent=cast.account)
    with pytest.raises(Conflict) as exc:
        account_delete(actor=cast.alice, account=cast.account)
    assert "subsidiaries" in exc.value.message


def test_delete_with_transactions_says_how_many(cast):
    make_transaction(account=cast.account)
    make_transaction(account=cast.account)
    with pytest.raises(Conflict) as exc:
        account_delete(actor=cast.alice, account=cast.account)
    assert "2 transactions" in exc.value.message
    assert exc.value.status_code == 409
