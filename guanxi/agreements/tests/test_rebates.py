"""Rebate accrual, settlements that deduct earlier ones, and rebate as cost to serve (issue 14)."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.agreements.models import RebateSettlement, SettlementStatus
from guanxi.agreements.rebates import agreement_rebate_post, rebate_accrual, rebate_accruals_post
from guanxi.agreements.settlements import (
    settlement_confirm,
    settlement_create,
    settlement_delete,
    settlement_payment_record,
    settlement_period_ends,
)
from guanxi.agreements.tests.money import agreement_of, group_of, sale, schedule
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.touchpoints.models import ServeCost
from guanxi.touchpoints.selectors import cost_to_serve
from guanxi.transactions.services import transaction_delete

pytestmark = pytest.mark.django_db
Y = 2025  # a year gone by: settlements cannot end in the future


def year_agreement(cast, **kw):
    return agreement_of(cast, starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31), **kw)


@pytest.mark.parametrize(("method", "rebate"), [("retroactive", 75_000), ("incremental", 65_000)])
def test_accrual_of_the_issue_brackets(cast, method, rebate):
    s = schedule(year_agreement(cast), method=method)
    sale(cast.account, 2_000_000, dt.date(Y, 3, 1))
    sale(cast.account, 500_000, dt.date(Y, 8, 1))
    accrual = rebate_accrual(s, dt.date(Y, 12, 31))
    assert accrual.volume == Decimal("2500000")
    assert accrual.rebate == Decimal(rebate)
    assert [line.reached for line in accrual.lines] == [False, True, False]
    assert accrual.next_bracket.low == 3_000_000


def test_a_second_settlement_of_the_year_pays_only_the_difference(cast):
    s = schedule(year_agreement(cast))
    sale(cast.account, 800_000, dt.date(Y, 2, 1))
    first = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 6, 30))
    assert (first.volume, first.rebate, first.already_settled, first.amount_due) == (
        Decimal("800000"),
        Decimal("16000"),
        0,
        Decimal("16000"),
    )
    settlement_confirm(actor=cast.mia, settlement=first)
    sale(cast.account, 1_700_000, dt.date(Y, 9, 1))
    second = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 12, 31))
    assert second.rebate == Decimal("75000")  # 2.5M at 3 %, retroactive
    assert second.already_settled == Decimal("16000")
    assert second.amount_due == Decimal("59000")
    assert second.history.first().history_user == cast.alice


def test_settling_the_same_end_again_after_late_sales_pays_what_they_added(cast):
    s = schedule(year_agreement(cast))
    sale(cast.account, 1_000_000, dt.date(Y, 3, 1))
    settlement_confirm(
        actor=cast.mia,
        settlement=settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31)),
    )
    sale(cast.account, 100_000, dt.date(Y, 3, 31), hour=23, minute=59)  # a late booking
    again = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31))
    assert again.amount_due == Decimal("3000")  # 1.1M × 3 % − 30,000


def test_settlement_rules(cast):
    s = schedule(year_agreement(cast))
    with pytest.raises(InvalidInput) as outside:
        settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y + 1, 1, 31))
    assert outside.value.field == "period_end"
    draft = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31))
    with pytest.raises(Conflict):
        settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 6, 30))
    with pytest.raises(PermissionDenied):
        settlement_confirm(actor=cast.alice, settlement=draft)
    with pytest.raises(NotFound):
        settlement_create(actor=cast.charlie, schedule=s, period_end=dt.date(Y, 6, 30))
    with pytest.raises(NotFound):
        settlement_confirm(actor=cast.mia, settlement=999_999)
    settlement_delete(actor=cast.alice, settlement=draft)
    assert not RebateSettlement.objects.exists()
    confirmed = settlement_confirm(
        actor=cast.mia,
        settlement=settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 6, 30)),
    )
    assert confirmed.status == SettlementStatus.PAID  # nothing was due
    with pytest.raises(InvalidInput):  # before the confirmed one
        settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31))


def test_payments_make_a_settlement_paid(cast):
    s = schedule(year_agreement(cast))
    sale(cast.account, 2_500_000, dt.date(Y, 3, 1))
    settlement = settlement_create(actor=cast.lena, schedule=s, period_end=dt.date(Y, 12, 31))
    with pytest.raises(Conflict):  # not confirmed yet
        settlement_payment_record(
            actor=cast.mia, settlement=settlement, paid_on=dt.date(Y + 1, 1, 5), amount=1
        )
    settlement_confirm(actor=cast.mia, settlement=settlement)
    with pytest.raises(PermissionDenied):
        settlement_payment_record(
            actor=cast.alice, settlement=settlement, paid_on=dt.date(Y + 1, 1, 5), amount=1
        )
    settlement_payment_record(
        actor=cast.mia, settlement=settlement, paid_on=dt.date(Y + 1, 1, 5), amount=Decimal(50_000)
    )
    with pytest.raises(InvalidInput) as over:
        settlement_payment_record(
            actor=cast.mia, settlement=settlement, paid_on=dt.date(Y + 1, 1, 6), amount=30_000
        )
    assert over.value.field == "amount"
    settlement_payment_record(
        actor=cast.mia,
        settlement=settlement,
        paid_on=dt.date(Y + 1, 1, 6),
        amount=25_000,
        reference="BANK-1",
    )
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.PAID
    assert settlement.payments.count() == 2


def test_settlement_period_ends(cast):
    quarterly = schedule(year_agreement(cast))
    assert settlement_period_ends(quarterly) == [
        dt.date(Y, 3, 31),
        dt.date(Y, 6, 30),
        dt.date(Y, 9, 30),
        dt.date(Y, 12, 31),
    ]
    yearly = schedule(year_agreement(cast), frequency="yearly")
    assert settlement_period_ends(yearly) == [dt.date(Y, 12, 31)]


def test_accrued_rebate_is_cost_to_serve_spread_by_volume(cast):
    subsidiary, sister = group_of(cast)
    agreement = year_agreement(cast, subsidiaries=[subsidiary])
    schedule(agreement, method="incremental")
    sale(cast.account, 1_500_000, dt.date(Y, 3, 1))  # 3/5 of the volume
    sale(subsidiary, 1_000_000, dt.date(Y, 3, 1))  # 2/5
    sale(sister, 9_000_000, dt.date(Y, 3, 1))  # not covered
    summary = rebate_accruals_post(as_of=dt.date(Y + 1, 2, 1))
    assert summary["schedules"] == 1 and summary["rows"] == 2
    costs = cost_to_serve(as_of=dt.date(Y + 1, 2, 1))
    assert costs == {cast.account.pk: Decimal("39000.00"), subsidiary.pk: Decimal("26000.00")}
    # dated the last day counted: not yet a cost before it
    assert cost_to_serve(as_of=dt.date(Y, 12, 30)) == {}
    # idempotent, and one agreement reposted alone replaces its own rows
    rebate_accruals_post(as_of=dt.date(Y + 1, 2, 1))
    assert agreement_rebate_post(agreement, as_of=dt.date(Y + 1, 2, 1)) == 2
    assert ServeCost.objects.count() == 2


def test_a_draft_agreement_accrues_no_cost(cast):
    agreement = year_agreement(cast)
    schedule(agreement)
    sale(cast.account, 2_000_000, dt.date(Y, 3, 1))
    rebate_accruals_post(as_of=dt.date(Y, 12, 31))
    agreement.status = "draft"
    agreement.save()
    rebate_accruals_post(as_of=dt.date(Y, 12, 31))
    assert not ServeCost.objects.exists()


def test_a_claw_back_stays_open_until_recovered_and_its_rest_is_carried_forward(cast):
    """A cancelled booking lowers the volume below what was settled: the next settlement is a
    claw-back. It is not "paid" on confirmation (the customer still holds the money); what the
    customer pays back counts as settled, and what is left is netted in the next settlement."""
    s = schedule(year_agreement(cast))
    booking = sale(cast.account, 1_000_000, dt.date(Y, 3, 1))
    first = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31))
    settlement_confirm(actor=cast.mia, settlement=first)
    settlement_payment_record(actor=cast.mia, settlement=first, paid_on=dt.date(Y, 4, 10),
                              amount=Decimal(30_000))  # fmt: skip
    transaction_delete(actor=cast.alice, transaction=booking)  # cancelled
    sale(cast.account, 800_000, dt.date(Y, 5, 1))
    claw_back = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 6, 30))
    assert (claw_back.rebate, claw_back.amount_due) == (Decimal(16_000), Decimal(-14_000))
    claw_back = settlement_confirm(actor=cast.mia, settlement=claw_back)
    assert claw_back.status == SettlementStatus.CONFIRMED  # not paid: nothing came back yet
    settlement_payment_record(actor=cast.mia, settlement=claw_back, paid_on=dt.date(Y, 7, 1),
                              amount=Decimal(4_000))  # fmt: skip
    with pytest.raises(InvalidInput) as too_much:
        settlement_payment_record(actor=cast.mia, settlement=claw_back, paid_on=dt.date(Y, 7, 2),
                                  amount=Decimal(10_001))  # fmt: skip
    assert "10000" in str(too_much.value).replace(",", "")
    sale(cast.account, 200_000, dt.date(Y, 8, 1))
    third = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 9, 30))
    claw_back.refresh_from_db()
    assert claw_back.status == SettlementStatus.CARRIED
    # paid 30,000, recovered 4,000: the customer holds 26,000 of a 30,000 rebate
    assert (third.rebate, third.already_settled, third.amount_due) == (
        Decimal(30_000), Decimal(26_000), Decimal(4_000)
    )  # fmt: skip


def test_a_claw_back_recovered_in_full_is_settled(cast):
    s = schedule(year_agreement(cast))
    booking = sale(cast.account, 1_000_000, dt.date(Y, 3, 1))
    first = settlement_confirm(
        actor=cast.mia,
        settlement=settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31)),
    )
    transaction_delete(actor=cast.alice, transaction=booking)
    claw_back = settlement_confirm(
        actor=cast.mia,
        settlement=settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 4, 30)),
    )
    assert claw_back.amount_due == Decimal(-30_000) and first.status == SettlementStatus.CONFIRMED
    settlement_payment_record(actor=cast.mia, settlement=claw_back, paid_on=dt.date(Y, 5, 1),
                              amount=Decimal(30_000))  # fmt: skip
    claw_back.refresh_from_db()
    assert claw_back.status == SettlementStatus.PAID
    later = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 5, 31))
    assert (later.already_settled, later.amount_due) == (Decimal(0), Decimal(0))
