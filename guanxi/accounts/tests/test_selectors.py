from guanxi.accounts.selectors import account_is_visible, accounts_visible_to
from tests.support import make_account


def test_owner_sees_own_account_only(cast):
    assert list(accounts_visible_to(cast.alice)) == [cast.account]


def test_teammate_does_not_see_colleagues_account(cast):
    assert not account_is_visible(cast.bob, cast.account)


def test_co_owner_sees_account_once(cast):
    cast.account.co_owners.add(cast.bob, cast.charlie)
    assert list(accounts_visible_to(cast.bob)) == [cast.account]


def test_outsider_sees_nothing_of_other_team(cast):
    assert list(accounts_visible_to(cast.charlie)) == [cast.west_account]


def test_team_lead_sees_team_accounts(cast):
    bobs = make_account(owner=cast.bob)
    assert set(accounts_visible_to(cast.lena)) == {cast.account, bobs}


def test_manager_sees_all(cast):
    assert set(accounts_visible_to(cast.mia)) == {cast.account, cast.west_account}


def test_inactive_user_sees_nothing(cast):
    cast.alice.is_active = False
    cast.alice.save()
    assert not accounts_visible_to(cast.alice).exists()
