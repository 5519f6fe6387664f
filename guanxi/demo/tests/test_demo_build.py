"""Building the demo: deterministic, idempotent, safe to reset, logins work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.models import Account, Tag
from guanxi.contacts.models import ProfileFact
from guanxi.core.models import Role, User
from guanxi.demo import catalog
from guanxi.demo.generator import DemoGenerator
from guanxi.demo.services import DEMO_SOURCE, demo_admin_ensure, demo_build, demo_digest
from guanxi.transactions.models import Transaction
from tests.support import make_account, make_transaction

AS_OF = dt.date(2026, 6, 30)
SEED = 7


def test_same_seed_and_date_give_identical_data_and_another_seed_does_not(db):
    demo_build(accounts=25, seed=SEED, as_of=AS_OF)
    first = demo_digest()
    demo_build(accounts=25, seed=SEED, as_of=AS_OF, reset=True)
    assert demo_digest() == first
    demo_build(accounts=25, seed=SEED + 1, as_of=AS_OF, reset=True)
    assert demo_digest() != first


def test_generator_is_deterministic_without_the_database():
    def plan(seed):
        p = DemoGenerator(accounts=12, seed=seed, as_of=AS_OF).generate()
        return [(t.external_id, t.account_idx, t.occurred_at, t.amount) for t in p.transactions]

    assert plan(3) == plan(3)
    assert plan(3) != plan(4)


def test_running_again_without_reset_keeps_the_data(db):
    first = demo_build(accounts=12, seed=SEED, as_of=AS_OF)
    counts = (Account.objects.count(), Transaction.objects.count(), ProfileFact.objects.count())
    again = demo_build(accounts=12, seed=SEED + 5, as_of=AS_OF)
    assert first.built and not again.built
    assert (Account.objects.count(), Transaction.objects.count(), ProfileFact.objects.count()) == (
        counts
    )
    assert again.accounts == 12 and again.transactions == counts[1]
    assert "already present" in again.describe()
    assert "transactions" in first.describe() and "¥" in first.describe()


def test_reset_rebuilds_demo_data_and_keeps_users(db):
    owner = User.objects.create_user("someone", password="x-very-long-pass")
    demo_build(accounts=12, seed=SEED, as_of=AS_OF)
    make_transaction(account=Account.objects.first(), amount="88.00", source="manual")
    Tag.objects.create(name="自建标签")
    demo_build(accounts=12, seed=SEED, as_of=AS_OF, reset=True)
    assert not Tag.objects.filter(name="自建标签").exists()
    assert not Transaction.objects.exclude(source=DEMO_SOURCE).exists()
    assert not Transaction.history.filter(amount=Decimal("88.00"), source="manual").exists()
    assert User.objects.filter(pk=owner.pk).exists()
    assert Account.objects.count() == 12


def test_demo_admin_and_demo_users_can_log_in(db, client):
    username, password = demo_admin_ensure()
    assert (username, password) == ("admin", catalog.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    assert response.status_code == 302, response.content[:500]
    assert client.session.get("_auth_user_id") == str(admin.pk)

    demo_build(accounts=12, seed=SEED, as_of=AS_OF)
    kam = User.objects.get(username="wangfang")
    assert kam.is_staff and kam.role == Role.KAM and kam.check_password(catalog.DEMO_PASSWORD)
    assert demo_admin_ensure() == (username, password)  # idempotent
    assert User.objects.filter(username="admin").count() == 1


def test_reset_refuses_to_delete_accounts_the_demo_did_not_create(db):
    from guanxi.core.errors import ApplicationError
    from tests.support import make_user

    real = make_account(owner=make_user("real_kam"), name="真实客户")
    with pytest.raises(ApplicationError, match="--reset refused"):
        demo_build(accounts=3, seed=1, reset=True, as_of=dt.date(2026, 6, 30))
    assert Account.objects.filter(pk=real.pk).exists()
