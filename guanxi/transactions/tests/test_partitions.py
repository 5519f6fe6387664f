"""The ledger in monthly partitions (PostgreSQL, `guanxi partitions --enable`): rows land in
their local month, months are kept ahead idempotently, rows move between months on UPDATE, and
what the plain table guaranteed still holds: unique (source, external_id) across months, a
discount review needs its transaction. SQLite keeps one plain table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from guanxi.core.errors import ApplicationError
from guanxi.tiers.models import DiscountReview
from guanxi.transactions.models import Transaction
from guanxi.transactions.partitions import (
    DEFAULT_PARTITION,
    KEY_CONSTRAINT,
    ledger_is_partitioned,
    ledger_partition,
    ledger_partitions,
    ledger_partitions_ensure,
)
from guanxi.transactions.tasks import ledger_partitions_job
from tests.support import make_transaction

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="what the plain SQLite ledger does"
)


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def partition_of(tx: Transaction) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM transactions_transaction WHERE id = %s", [tx.pk]
        )
        return cursor.fetchone()[0]


def check_constraints() -> None:
    """Run the deferred checks now, as a commit would (Django's own test teardown does too)."""
    with transaction.atomic():
        connection.check_constraints()


def review(tx: Transaction, **fields) -> DiscountReview:
    return DiscountReview.objects.create(
        transaction_id=tx.pk, account=tx.account, discount_rate=Decimal("0.7"),
        floor=Decimal("0.85"), **fields,
    )  # fmt: skip


@on_sqlite
def test_sqlite_keeps_one_plain_table(cast):
    assert not ledger_is_partitioned()
    assert ledger_partitions() == []
    assert ledger_partitions_job(as_of=dt.date(2026, 6, 30)) == {
        "partitioned": False, "created": [], "moved": 0,
    }  # fmt: skip
    with pytest.raises(ApplicationError, match="PostgreSQL"):
        ledger_partition()


def test_turning_it_on_puts_every_row_in_its_local_month(cast):
    march = make_transaction(account=cast.account, when=local(2024, 3, 31, 23, 30))
    april = make_transaction(account=cast.account, when=local(2024, 4, 1, 0, 30))  # UTC: March
    later = make_transaction(account=cast.account, when=local(2025, 11, 15, 12))
    old = make_transaction(account=cast.account, when=local(1990, 5, 1, 12))
    reviewed = review(later)
    if connection.vendor != "postgresql":
        pytest.skip("monthly partitions of the ledger are a PostgreSQL feature")
    converted = ledger_partition(as_of=dt.date(2026, 6, 30), ahead=3)
    assert ledger_is_partitioned()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table "
            "WHERE partrelid = 'transactions_transaction'::regclass"
        )
        assert cursor.fetchone() == ("r",)
    names = [p.name for p in ledger_partitions()]
    assert names[-1] == DEFAULT_PARTITION
    assert {"transactions_transaction_p202403", "transactions_transaction_p202609"} <= set(names)
    if converted["converted"]:  # (the whole suite may run on a ledger partitioned already)
        assert names[0] == "transactions_transaction_p202403"  # from the first month with data
        assert names[-2] == "transactions_transaction_p202609"  # to three months ahead
        assert converted["in_default"] == 1  # the 1990 row: more than 20 years back
    assert partition_of(march) == "transactions_transaction_p202403"
    assert partition_of(april) == "transactions_transaction_p202404"
    assert partition_of(later) == "transactions_transaction_p202511"
    assert partition_of(old) == DEFAULT_PARTITION
    # the same rows, ids and review; new ids continue the sequence
    assert Transaction.objects.count() == 4
    assert DiscountReview.objects.get().transaction == later == reviewed.transaction
    fresh = make_transaction(account=cast.account, when=local(2026, 7, 1, 9))
    assert fresh.pk > max(march.pk, april.pk, later.pk, old.pk)
    assert partition_of(fresh) == "transactions_transaction_p202607"
    assert ledger_partition(as_of=dt.date(2026, 6, 30))["converted"] is False  # idempotent
    check_constraints()


def test_months_ahead_are_created_once(partitioned_ledger):
    first = ledger_partitions_job(as_of=dt.date(2031, 1, 20))
    assert first["partitioned"] is True
    assert first["created"] == [f"transactions_transaction_p2031{m:02}" for m in (1, 2, 3, 4)]
    assert ledger_partitions_job(as_of=dt.date(2031, 1, 20))["created"] == []
    names = {p.name for p in ledger_partitions()}
    assert "transactions_transaction_p203104" in names
    assert "transactions_transaction_p203105" not in names


def test_rows_without_a_month_wait_in_the_default_partition_then_move(cast, partitioned_ledger):
    tx = make_transaction(account=cast.account, when=local(2035, 6, 10), source="pms",
                          external_id="F-1")  # fmt: skip
    review(tx)
    assert partition_of(tx) == DEFAULT_PARTITION
    summary = ledger_partitions_ensure(as_of=dt.date(2035, 8, 1), ahead=0)
    # August, the month ahead; June, because the default partition holds a row of it (a
    # back-dated import); not July, which has no row
    assert summary["created"] == [f"transactions_transaction_p2035{m:02}" for m in (6, 8)]
    assert summary["moved"] == 1
    assert partition_of(tx) == "transactions_transaction_p203506"
    assert Transaction.objects.get(pk=tx.pk).external_id == "F-1"
    check_constraints()  # the review's transaction moved, it did not go
    with pytest.raises(IntegrityError, match=KEY_CONSTRAINT), transaction.atomic():
        make_transaction(account=cast.account, when=local(2024, 1, 5), source="pms",
                         external_id="F-1")  # fmt: skip
    july = make_transaction(account=cast.account, when=local(2035, 7, 9))
    assert partition_of(july) == DEFAULT_PARTITION


def test_an_update_moves_a_row_to_its_new_month(cast, partitioned_ledger):
    tx = make_transaction(account=cast.account, when=local(2024, 5, 20), source="pos",
                          external_id="M-1")  # fmt: skip
    review(tx)
    assert partition_of(tx) == "transactions_transaction_p202405"
    tx.occurred_at = local(2025, 2, 3, 12)
    tx.amount = Decimal("88.00")
    tx.save()
    assert partition_of(tx) == "transactions_transaction_p202502"
    moved = Transaction.objects.get(pk=tx.pk)
    assert (moved.occurred_at, moved.amount) == (local(2025, 2, 3, 12), Decimal("88.00"))
    assert moved.history.count() == 2  # the audit trail followed
    Transaction.objects.filter(pk=tx.pk).update(occurred_at=local(2023, 8, 1, 12))
    assert partition_of(tx) == "transactions_transaction_p202308"
    check_constraints()  # the review still has its transaction
    assert DiscountReview.objects.get().transaction_id == tx.pk
    with pytest.raises(IntegrityError, match=KEY_CONSTRAINT), transaction.atomic():
        make_transaction(account=cast.account, when=local(2026, 1, 1), source="pos",
                         external_id="M-1")  # fmt: skip


def test_external_ids_stay_unique_per_source_across_months(cast, partitioned_ledger):
    first = make_transaction(account=cast.account, when=local(2024, 1, 10), source="pms",
                             external_id="A1")  # fmt: skip
    with pytest.raises(IntegrityError, match=KEY_CONSTRAINT), transaction.atomic():
        make_transaction(account=cast.account, when=local(2025, 7, 1), source="pms",
                         external_id="A1")  # fmt: skip
    make_transaction(account=cast.account, when=local(2025, 7, 1), source="pos", external_id="A1")
    for when in (local(2024, 2, 1), local(2025, 3, 1)):  # blank ids repeat freely
        make_transaction(account=cast.account, when=when, source="pms", external_id="")
    first.external_id = "A2"  # renaming frees the old id
    first.save()
    again = make_transaction(account=cast.account, when=local(2026, 3, 1), source="pms",
                             external_id="A1")  # fmt: skip
    again.delete()  # and so does deleting
    make_transaction(account=cast.account, when=local(2023, 3, 1), source="pms", external_id="A1")
    with pytest.raises(IntegrityError, match=KEY_CONSTRAINT), transaction.atomic():
        Transaction.objects.filter(pk=first.pk).update(external_id="A1")
    assert sorted(Transaction.objects.values_list("source", "external_id")) == [
        ("pms", ""), ("pms", ""), ("pms", "A1"), ("pms", "A2"), ("pos", "A1"),
    ]  # fmt: skip


def test_a_discount_review_keeps_needing_its_transaction(cast, partitioned_ledger):
    tx = make_transaction(account=cast.account, when=local(2025, 4, 2))
    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        DiscountReview.objects.create(
            transaction_id=tx.pk + 1000, account=cast.account, discount_rate=Decimal("0.7"),
            floor=Decimal("0.85"),
        )  # fmt: skip
        connection.check_constraints()
    review(tx)
    check_constraints()
    with pytest.raises(IntegrityError, match="still referenced"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM transactions_transaction WHERE id = %s", [tx.pk])
        connection.check_constraints()
    tx.delete()  # Django cascades to the review, as on the plain table
    check_constraints()
    assert not DiscountReview.objects.exists()


def test_emptying_the_ledger_frees_its_external_ids(cast, partitioned_ledger):
    make_transaction(account=cast.account, when=local(2025, 5, 5), source="pms", external_id="T")
    check_constraints()  # (PostgreSQL truncates no table with checks pending)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE transactions_transaction CASCADE")
    make_transaction(account=cast.account, when=local(2025, 5, 5), source="pms", external_id="T")
    assert Transaction.objects.count() == 1
