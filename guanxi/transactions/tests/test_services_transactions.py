import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.errors import ApplicationError, Conflict, NotFound
from guanxi.transactions.models import Transaction
from guanxi.transactions.services import (
    payment_create,
    transaction_create,
    transaction_delete,
    transaction_update,
)
from tests.support import make_account, make_contact, make_transaction

pytestmark = pytest.mark.usefixtures("english")


def _tx(actor, account, **extra):
    fields = {
        "category": "fnb",
        "occurred_at": timezone.now(),
        "amount": Decimal("10.00"),
        "source": "pos",
        "external_id": "B1",
    } | extra
    return transaction_create(actor=actor, account=account.pk, **fields)


def test_create_and_audit(cast):
    tx = _tx(cast.alice, cast.account)
    assert tx.history.get().history_user == cast.alice


def test_invisible_account_is_not_found(cast):
    with pytest.raises(NotFound):
        _tx(cast.bob, cast.account)
    assert not Transaction.objects.exists()


def test_duplicate_external_id_is_a_conflict(cast):
    _tx(cast.alice, cast.account)
    with pytest.raises(Conflict) as exc:
        _tx(cast.alice, cast.account, amount=Decimal("11"))
    assert exc.value.field == "external_id" and "B1" in exc.value.message


def test_blank_external_ids_never_clash(cast):
    _tx(cast.alice, cast.account, external_id="")
    _tx(cast.alice, cast.account, external_id="")
    assert Transaction.objects.count() == 2


def test_negative_amount_is_refused_with_the_field(cast):
    with pytest.raises(ApplicationError) as exc:
        _tx(cast.alice, cast.account, amount=Decimal("-1"))
    assert exc.value.field == "amount"


def test_moving_account_drops_no_contact_silently(cast):
    contact = make_contact(account=cast.account)
    tx = make_transaction(account=cast.account, contact=contact)
    other = make_account(owner=cast.alice)
    with pytest.raises(ApplicationError) as exc:
        transaction_update(actor=cast.alice, transaction=tx, account=other.pk)
    assert exc.value.field == "contact"
    tx.refresh_from_db()
    assert tx.account == cast.account
    moved = transaction_update(actor=cast.alice, transaction=tx, account=other.pk, contact=None)
    assert (moved.account, moved.contact) == (other, None)


def test_delete_checks_access(cast):
    tx = make_transaction(account=cast.account)
    with pytest.raises(NotFound):
        transaction_delete(actor=cast.charlie, transaction=tx)
    transaction_delete(actor=cast.mia, transaction=tx)
    assert Transaction.history.get(id=tx.pk, history_type="-").history_user == cast.mia


def test_zero_payment_is_refused(cast):
    with pytest.raises(ApplicationError) as exc:
        payment_create(
            actor=cast.alice, account=cast.account, received_at=dt.datetime(2024, 1, 1),
            amount=Decimal("0"),
        )  # fmt: skip
    assert exc.value.field == "amount"
