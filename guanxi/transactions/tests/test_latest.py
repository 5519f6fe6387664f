"""The account's latest transactions (the 360° page) read only the months that hold them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.transactions.models import Transaction
from guanxi.transactions.selectors import latest_transactions
from tests.support import make_account, make_transaction

UTC = dt.UTC


def _ledger(account, months: int = 8, per_month: int = 4, year: int = 2026) -> list[Transaction]:
    return [
        make_transaction(account=account, when=dt.datetime(year, 1 + m, 3 + d, 2 + d, tzinfo=UTC))
        for m in range(months)
        for d in range(per_month)
    ]


def _unbounded(account, limit: int) -> list[int]:
    qs = Transaction.objects.filter(account=account).order_by("-occurred_at", "-id")
    return list(qs.values_list("id", flat=True)[:limit])


@pytest.mark.django_db
def test_the_latest_twenty_are_those_of_the_whole_ledger_read_from_their_months(cast):
    _ledger(cast.account)
    _ledger(make_account(owner=cast.alice), months=2)  # another account's purchases
    with CaptureQueriesContext(connection) as queries:
        latest = latest_transactions(cast.account.pk)
    assert [t.id for t in latest] == _unbounded(cast.account, 20)
    assert latest[0].occurred_at == dt.datetime(2026, 8, 6, 5, tzinfo=UTC)
    # Two queries (the months' counts, then the rows), the rows bounded by the oldest month
    # needed: 20 at 4 a month go back to April, the local month of the 20th latest.
    assert len(queries) == 2
    assert "occurred_at" in queries[-1]["sql"].split("WHERE")[1]
    assert latest[0].category.name_en and latest[-1].occurred_at.month == 4


@pytest.mark.django_db
def test_fewer_than_the_limit_reads_them_all(cast):
    _ledger(cast.account, months=2, per_month=3)
    assert [t.id for t in latest_transactions(cast.account.pk)] == _unbounded(cast.account, 20)
    assert latest_transactions(make_account(owner=cast.alice).pk) == []


@pytest.mark.django_db
def test_rollups_out_of_step_still_give_the_latest(cast):
    rows = _ledger(cast.account)
    # The newest two months deleted past the rollups (a raw bulk write, before the nightly
    # refresh): the counts put the bound too late, the unbounded read fills the list.
    Transaction.objects.filter(pk__in=[t.pk for t in rows[-8:]]).delete()
    expected = _unbounded(cast.account, 20)
    assert [t.id for t in latest_transactions(cast.account.pk)] == expected
    assert len(expected) == 20


@pytest.mark.django_db
def test_on_a_partitioned_ledger_only_the_months_needed_are_read(cast, partitioned_ledger):
    _ledger(cast.account, year=2025)  # months that have partitions in either test set-up
    with CaptureQueriesContext(connection) as queries:
        latest = latest_transactions(cast.account.pk, limit=5)
    assert [t.id for t in latest] == _unbounded(cast.account, 5)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {queries[-1]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # 5 at 4 a month: July and August only.
    assert "transactions_transaction_p202508" in plan
    assert "transactions_transaction_p202507" in plan
    assert "transactions_transaction_p202506" not in plan
