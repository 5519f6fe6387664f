"""The demo's agreements: every type, each with its story read back from the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from guanxi.agreements.blocks import block_position
from guanxi.agreements.models import Agreement, AgreementKind, RateReview, RoomBlock
from guanxi.core.dates import local_midnight
from guanxi.demo.services import demo_build
from guanxi.transactions.models import Transaction

AS_OF = dt.date(2026, 6, 30)
N = 120
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        transaction.set_rollback(True)


def _spend(agreement: Agreement, end: dt.date) -> Decimal:
    return Transaction.objects.filter(
        account=agreement.account,
        occurred_at__gte=local_midnight(agreement.starts_on),
        occurred_at__lt=local_midnight(end),
    ).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def test_every_type_of_agreement_is_there_and_the_summary_counts_them(demo, db):
    kinds = set(Agreement.objects.values_list("agreement_type__kind", flat=True))
    assert kinds == set(AgreementKind.values)
    assert sum(demo.agreements.values()) == Agreement.objects.count()
    assert "agreements" in demo.describe()


def test_the_rebate_account_crossed_into_the_second_bracket_in_q3(demo, db):
    rebate = Agreement.objects.get(agreement_type__kind="rebate")
    year = rebate.starts_on.year
    second = rebate.rebate_schedules.get().brackets.order_by("from_value")[1].from_value
    assert _spend(rebate, dt.date(year, 7, 1)) < second <= _spend(rebate, dt.date(year, 10, 1))


def test_the_mice_block_fell_short_of_its_allowance_and_owes_attrition(demo, db):
    block = RoomBlock.objects.get()
    position = block_position(block, as_of=AS_OF)
    assert not position.before_cutoff
    assert 0 < position.picked_up < position.allowance_nights
    assert position.owed and position.owed > 0


def test_the_strategic_agreement_ends_soon_behind_its_commitment(demo, db):
    strategic = Agreement.objects.get(agreement_type__kind="strategic")
    assert AS_OF < strategic.ends_on <= AS_OF + dt.timedelta(days=90)
    commitment = strategic.commitments.get()
    assert _spend(strategic, AS_OF) < commitment.committed * Decimal("0.7")


def test_the_lnr_has_its_rates_and_a_few_off_rate_bookings_await_review(demo, db):
    lnr = Agreement.objects.get(agreement_type__kind="negotiated_rate")
    assert lnr.rates.exists()
    reviews = RateReview.objects.filter(agreement=lnr)
    assert 1 <= reviews.count() <= 6
    assert set(reviews.values_list("status", flat=True)) == {"open"}
    assert set(reviews.values_list("account_id", flat=True)) == {lnr.account_id}
    assert "off-rate reviews" in demo.describe()
