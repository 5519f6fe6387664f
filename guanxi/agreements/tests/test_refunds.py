"""Refunds (kind refund, a negative amount) in what agreements read from the ledger: a volume
commitment's actual and pace, rebate accrual on amount, and a settlement after which a refund
lowers the volume: the next statement claws the difference back (issue 14)."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.agreements.performance import commitment_performance
from guanxi.agreements.rebates import rebate_accrual
from guanxi.agreements.settlements import (
    settlement_confirm,
    settlement_create,
    settlement_payment_record,
)
from guanxi.agreements.tests.money import agreement_of, commitment, local, sale, schedule
from guanxi.transactions.services import transaction_create

pytestmark = pytest.mark.django_db
Y = 2025
D = Decimal


def refund(cast, amount, day, *, of=None, code="rooms", hour=12):
    return transaction_create(
        actor=cast.alice, account=cast.account, category=code, occurred_at=local(day, hour),
        amount=D(str(-amount)), kind="refund", refund_of=of,
    )  # fmt: skip


def test_refunds_reduce_a_commitment_on_amount_in_whole_and_partial_months(cast):
    agreement = agreement_of(cast)
    c = commitment(agreement, 1_000_000, categories=["rooms"])
    march = sale(cast.account, 500_000, dt.date(2026, 3, 2))
    refund(cast, 100_000, dt.date(2026, 3, 20), of=march)  # a whole month: the month rollup
    june = sale(cast.account, 50_000, dt.date(2026, 6, 5))
    refund(cast, 20_000, dt.date(2026, 6, 10), of=june)  # the partial month: the ledger
    refund(cast, 5_000, dt.date(2026, 6, 11), code="fnb")  # another category: not counted
    perf = commitment_performance(c, as_of=dt.date(2026, 6, 15))
    assert perf.actual == D("430000")
    assert perf.pace == pytest.approx(430_000 / (1_000_000 * perf.elapsed_days / 365))


def test_a_refund_after_a_settlement_is_clawed_back_in_the_next_statement(cast):
    s = schedule(agreement_of(cast, starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31)))
    booking = sale(cast.account, 1_000_000, dt.date(Y, 3, 1))
    first = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 3, 31))
    assert (first.volume, first.rebate) == (D("1000000"), D("30000"))  # 1M reaches 3 %
    settlement_confirm(actor=cast.mia, settlement=first)
    settlement_payment_record(actor=cast.mia, settlement=first, paid_on=dt.date(Y, 4, 10),
                              amount=D(30_000))  # fmt: skip
    refund(cast, 200_000, dt.date(Y, 4, 20), of=booking)
    accrual = rebate_accrual(s, dt.date(Y, 6, 30))
    assert (accrual.volume, accrual.rebate) == (D("800000"), D("16000"))  # back to 2 %
    claw_back = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 6, 30))
    assert (claw_back.volume, claw_back.rebate, claw_back.already_settled) == (
        D("800000"), D("16000"), D("30000")
    )  # fmt: skip
    assert claw_back.amount_due == D("-14000")
