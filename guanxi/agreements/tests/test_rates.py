"""Negotiated rates (协议价): a sale of a covered account priced off the agreement is held for
review through the sale flow and through an import, as the tier discount floor is; a manager
decides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.agreements.models import RateReview
from guanxi.agreements.rates import (
    rate_check_many,
    rate_create,
    rate_review_decide,
    rate_reviews_flag,
)
from guanxi.agreements.services import agreement_sign
from guanxi.core.errors import InvalidInput, NotFound, PermissionDenied
from guanxi.imports.tests.helpers import run
from guanxi.transactions.models import Transaction
from guanxi.workspace.flows import transaction_change, transaction_record
from tests.support import make_account

from .conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


@pytest.fixture
def lnr(cast, agreement):
    """The signed group agreement with a room rate of ¥680 a night (±¥5) and 85 % on F&B."""
    agreement_sign(actor=cast.alice, agreement=agreement)
    rate_create(actor=cast.alice, agreement=agreement, category="rooms", label="Deluxe king",
                value=D("680"), tolerance=D("5"))  # fmt: skip
    rate_create(actor=cast.alice, agreement=agreement, category="fnb", basis="discount",
                value=D("0.85"))  # fmt: skip
    return agreement


def sale(cast, account, **fields):
    fields.setdefault("occurred_at", local(2026, 6, 10, 20))
    return transaction_record(actor=cast.alice, account=account, **fields)


def test_a_sale_off_the_rate_is_flagged_through_the_sale_flow(cast, group, lnr):
    off = sale(cast, group.sub, category="rooms", amount=D("2100"), quantity=D("3"))
    on = sale(cast, group.sub, category="rooms", amount=D("2052"), quantity=D("3"))  # 684
    sale(cast, group.sub, category="rooms", amount=D("2100"))  # no quantity: cannot tell
    sale(cast, group.sister, category="rooms", amount=D("2100"), quantity=D("3"))  # not covered
    sale(cast, group.sub, category="rooms", amount=D("2100"), quantity=D("3"),
         occurred_at=local(2027, 1, 2))  # after the agreement  # fmt: skip
    fnb = sale(cast, cast.account, category="fnb", amount=D("900"), discount_rate=D("0.9"))
    sale(cast, cast.account, category="fnb", amount=D("850"), discount_rate=D("0.85"))
    reviews = {r.transaction_id: r for r in RateReview.objects.all()}
    assert set(reviews) == {off.pk, fnb.pk}
    room = reviews[off.pk]
    assert (room.agreement, room.account, room.basis, room.expected, room.actual, room.status) == (
        lnr, group.sub, "unit_price", D("680"), D("700"), "open")  # fmt: skip
    assert (reviews[fnb.pk].expected, reviews[fnb.pk].actual) == (D("0.85"), D("0.9"))
    # Corrected to the rate, the open review goes; changed off again, it comes back.
    transaction_change(actor=cast.alice, transaction=off, amount=D("2040"))
    assert not RateReview.objects.filter(transaction=off).exists()
    transaction_change(actor=cast.alice, transaction=on, amount=D("1800"))
    assert RateReview.objects.get(transaction=on).actual == D("600")


def test_a_sale_off_the_rate_is_flagged_through_an_import(cast, group, lnr):
    head = ["external_id", "account_code", "occurred_at", "category", "amount", "quantity"]
    rows = [
        head,
        ["R1", group.sub.code, "2026-05-01 19:30", "rooms", "1400", "2"],  # 700
        ["R2", group.sub.code, "2026-05-01 19:30", "rooms", "1360", "2"],  # 680
        ["R3", group.sister.code, "2026-05-01 19:30", "rooms", "1400", "2"],  # sister company
        ["R4", group.sub.code, "2025-12-31 23:30", "rooms", "1400", "2"],  # before the start
    ]
    report = run("transactions", rows, user=cast.alice)
    assert report.created == 4 and not report.fatal
    flagged = RateReview.objects.values_list("transaction__external_id", "actual")
    assert list(flagged) == [("R1", D("700"))]


def test_set_based_check_matches_one_by_one_and_keeps_decisions(cast, group, lnr):
    txs = [
        sale(cast, group.sub, category="rooms", amount=D(str(700 * n)), quantity=D(n))
        for n in (1, 2)
    ]
    other = make_account(owner=cast.alice)
    Transaction.objects.filter(pk=txs[0].pk).update(account=other)  # moved outside the agreement
    RateReview.objects.all().delete()
    assert rate_check_many([t.pk for t in txs]) == 1
    review = RateReview.objects.get()
    assert review.transaction == txs[1]
    with pytest.raises(PermissionDenied):
        rate_review_decide(actor=cast.alice, review=review, status="accepted")
    with pytest.raises(NotFound):
        rate_review_decide(actor=cast.charlie, review=review, status="accepted")
    with pytest.raises(InvalidInput) as bad:
        rate_review_decide(actor=cast.mia, review=review, status="corrected")
    assert bad.value.field == "note"
    decided = rate_review_decide(actor=cast.mia, review=review, status="accepted", note="Event")
    assert (decided.status, decided.decided_by) == ("accepted", cast.mia)
    Transaction.objects.filter(pk=txs[1].pk).update(amount=D("1360"))
    assert rate_check_many([txs[1].pk]) == 0
    assert RateReview.objects.get().status == "accepted"  # the decision is history


def test_rates_are_checked_when_written(cast, agreement):
    with pytest.raises(InvalidInput) as bad:
        rate_create(actor=cast.alice, agreement=agreement, category="fnb", basis="discount",
                    value=D("1.5"))  # fmt: skip
    assert bad.value.field == "value"
    with pytest.raises(InvalidInput) as bad:
        rate_create(actor=cast.alice, agreement=agreement, category="nope", value=D("1"))
    assert bad.value.field == "category"
    with pytest.raises(NotFound):
        rate_create(actor=cast.bob, agreement=agreement, category="rooms", value=D("1"))
    assert dt.date(2026, 1, 1) == agreement.starts_on


def test_flagging_reads_only_the_months_from_the_first_agreement_on(
    cast, group, lnr, partitioned_ledger
):
    # Off the rate in 2026, and in 2025 before the agreement (never flagged, never read).
    old = sale(cast, group.sub, category="rooms", amount=D("1400"), quantity=D("2"),
               occurred_at=local(2025, 6, 10))  # fmt: skip
    off = sale(cast, group.sub, category="rooms", amount=D("1400"), quantity=D("2"))
    RateReview.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert rate_reviews_flag(since=None) == 1
    assert list(RateReview.objects.values_list("transaction_id", flat=True)) == [off.pk]
    ledger_reads = [q["sql"] for q in queries if 'FROM "transactions_transaction"' in q["sql"]]
    assert len(ledger_reads) == 1  # the sales to check, with their figures, read once
    for sql in ledger_reads:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        # From the local midnight of the day before the agreement starts (31 December 2025).
        assert "transactions_transaction_p202512" in plan
        assert "transactions_transaction_p202511" not in plan
        assert f"transactions_transaction_p{old.occurred_at:%Y%m}" not in plan
