"""The read-replica router and middleware (DATABASE_REPLICA_URL): which reads go to the replica.

Here the "replica" alias is the primary's own connection under a second name, so a test's rows
are there at once and `obj._state.db` says which alias answered. tests/test_read_replica.py proves
the same on a real streaming replica.
"""

import copy

import pytest
from django.db import connections, router, transaction
from django.db.utils import load_backend
from django.urls import reverse

from guanxi.accounts.models import Account
from guanxi.core import replica
from guanxi.core.models import User
from tests.support import PASSWORD, make_account, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def with_replica(settings, monkeypatch):
    """What DATABASE_REPLICA_URL installs, with the primary standing in for the replica."""
    settings.DATABASE_ROUTERS = ["guanxi.core.replica.ReplicaRouter"]
    settings.MIDDLEWARE = ["guanxi.core.replica.ReplicaMiddleware", *settings.MIDDLEWARE]
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    connections[replica.REPLICA] = connections["default"]
    yield
    del connections[replica.REPLICA]


@pytest.fixture
def alice():
    user = make_user("alice")
    make_account(owner=user, name="Alice's account")
    return user


def _first_account_alias() -> str:
    return Account.objects.order_by("pk").first()._state.db


def test_reads_outside_an_opted_in_scope_stay_on_the_primary(with_replica, alice):
    assert _first_account_alias() == "default"


def test_reads_inside_the_scope_go_to_the_replica_but_users_stay_on_the_primary(
    with_replica, alice
):
    with replica.replica_reads():
        assert _first_account_alias() == "replica"
        assert User.objects.get(pk=alice.pk)._state.db == "default"
        # an object read from the replica is saved to the primary
        account = Account.objects.order_by("pk").first()
        assert router.db_for_write(Account, instance=account) == "default"


def test_after_a_write_in_the_scope_reads_stay_on_the_primary(with_replica, alice):
    with replica.replica_reads():
        assert _first_account_alias() == "replica"
        make_account(owner=alice, name="Second")
        assert _first_account_alias() == "default"
    with replica.replica_reads():  # a new scope starts clean
        assert _first_account_alias() == "replica"


def test_inside_a_transaction_reads_stay_on_the_primary(with_replica, alice):
    with replica.replica_reads(), transaction.atomic():
        assert _first_account_alias() == "default"


def test_the_decorator_opts_a_function_in(with_replica, alice):
    read = replica.reads_from_replica(_first_account_alias)
    assert read() == "replica"
    assert _first_account_alias() == "default"


def test_without_a_replica_nothing_changes(settings, alice):
    settings.DATABASE_ROUTERS = ["guanxi.core.replica.ReplicaRouter"]
    assert not replica.replica_configured()
    with replica.replica_reads():
        assert _first_account_alias() == "default"


def _listed_aliases(client) -> set[str]:
    response = client.get(reverse("admin:accounts_account_changelist"))
    assert response.status_code == 200
    return {a._state.db for a in response.context["cl"].result_list}


def test_list_page_reads_from_the_replica_until_the_browser_writes(with_replica, client, alice):
    client.force_login(alice)
    assert _listed_aliases(client) == {"replica"}
    # a page that is not a list or a report reads from the primary
    account = Account.objects.get(owner=alice)
    page = client.get(reverse("admin:accounts_account_change", args=(account.pk,)))
    assert page.context["original"]._state.db == "default"

    # a request that writes (logging in stores last_login) pins the browser to the primary
    response = client.post(
        reverse("admin:login"), {"username": "alice", "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert response.cookies[replica.PIN_COOKIE]["max-age"] == 10
    assert _listed_aliases(client) == {"default"}

    # once the pin expires (the cookie's max-age) the list reads from the replica again
    del client.cookies[replica.PIN_COOKIE]
    assert _listed_aliases(client) == {"replica"}


@pytest.fixture
def broken_replica(with_replica, monkeypatch):
    """A replica that cannot be reached: no such file (SQLite), nothing listening (PostgreSQL)."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = "/nonexistent-directory/replica.sqlite3"
    else:
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", "1"
    backend = load_backend(settings_dict["ENGINE"])
    connections[replica.REPLICA] = backend.DatabaseWrapper(settings_dict, replica.REPLICA)
    monkeypatch.setattr(replica, "_replica_down_until", 0.0)


def test_a_list_page_is_served_by_the_primary_when_the_replica_is_down(
    broken_replica, client, alice
):
    client.force_login(alice)
    assert _listed_aliases(client) == {"default"}
    assert not replica.replica_available()  # the replica is left alone for a while
    with replica.replica_reads():
        assert _first_account_alias() == "default"
