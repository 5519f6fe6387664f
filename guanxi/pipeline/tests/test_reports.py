"""The board, funnel and win/loss reads: sums, caps and the access rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.leads.models import LeadSource
from guanxi.pipeline.models import LostReason
from guanxi.pipeline.reports import board, funnel, win_loss
from guanxi.pipeline.tests.deals import make_deal, stage

D = dt.date
TODAY = D(2026, 3, 1)


@pytest.fixture
def deals(cast):
    alice_deals = [
        make_deal(account=cast.account, amount="1000", expected_close=D(2026, 3, 20),
                  path=(("identify", D(2026, 1, 2)),)),
        make_deal(account=cast.account, amount="3000", expected_close=D(2026, 3, 10),
                  path=(("identify", D(2026, 1, 2)), ("contact", D(2026, 1, 12)))),
        make_deal(account=cast.account, amount="5000", opportunity_type="mice",
                  path=(("identify", D(2026, 1, 2)), ("contact", D(2026, 1, 7)),
                        ("won", D(2026, 2, 20)))),
        make_deal(account=cast.account, amount="7000",
                  path=(("identify", D(2026, 1, 3)), ("lost", D(2026, 2, 25))),
                  lost_reason="competitor"),
    ]  # fmt: skip
    charlie = make_deal(account=cast.west_account, amount="99000",
                        path=(("identify", D(2026, 1, 2)),))  # fmt: skip
    return alice_deals, charlie


def alice_lost_reason() -> int:
    return LostReason.objects.get(builtin="competitor").pk


def _column(b, key):
    return next(c for c in b.columns if c.stage.builtin == key)


def test_board_columns_sum_and_order(cast, deals):
    b = board(cast.alice, today=TODAY)
    identify = _column(b, "identify")
    assert identify.count == 1 and identify.amount == Decimal("1000")
    assert identify.weighted == Decimal("100.00")  # 10 %
    contact = _column(b, "contact")
    assert contact.weighted == Decimal("600.00")  # 20 % of 3000
    assert [c.amount for c in _column(b, "won").cards] == [Decimal("5000")]
    assert _column(b, "lost").count == 1
    assert b.count == 2 and b.weighted == Decimal("700.00")


def test_board_hides_other_kams_deals_and_caps_columns(cast, deals):
    for _ in range(3):
        make_deal(account=cast.account, path=(("identify", D(2026, 2, 1)),))
    b = board(cast.alice, cap=2, today=TODAY)
    identify = _column(b, "identify")
    assert identify.count == 4 and len(identify.cards) == 2 and identify.more == 2
    # soonest expected close first
    assert identify.cards[0].expected_close <= identify.cards[1].expected_close
    assert _column(board(cast.bob, today=TODAY), "identify").count == 0
    assert _column(board(cast.mia, today=TODAY), "identify").count == 5
    assert _column(board(cast.mia, owner=cast.charlie.pk, today=TODAY), "identify").count == 1
    assert _column(board(cast.mia, opportunity_type="mice", today=TODAY), "won").count == 1


def test_board_queries_are_bounded(cast, deals, django_assert_max_num_queries):
    for _ in range(20):
        make_deal(account=cast.account, path=(("identify", D(2026, 2, 1)),))
    with django_assert_max_num_queries(12):
        b = board(cast.mia, today=TODAY)
        [str(c.account) + str(c.owner) for col in b.columns for c in col.cards]


def test_funnel_conversion_from_the_stage_log(cast, deals):
    f = funnel(cast.alice, start=D(2026, 1, 1), end=D(2026, 1, 31))
    steps = {s.stage.builtin: s for s in f.steps}
    # identify entered by 4 of alice's deals: 2 went on to contact (one won), 1 lost, 1 stays.
    assert steps["identify"].entered == 4
    assert steps["identify"].advanced == 2
    assert steps["identify"].won == 1
    assert steps["contact"].entered == 2 and steps["contact"].advanced == 1
    assert steps["propose"].entered == 0 and steps["propose"].conversion is None
    assert "won" not in steps and "lost" not in steps
    # outside the period: nothing entered
    assert funnel(cast.alice, start=D(2026, 2, 1), end=D(2026, 2, 28)).steps[0].entered == 0
    # the manager sees charlie's deal too
    assert funnel(cast.mia, start=D(2026, 1, 1), end=D(2026, 1, 31)).steps[0].entered == 5


def test_win_loss_rates_reasons_and_cycle(cast, deals):
    w = win_loss(cast.alice, start=D(2026, 1, 1), end=D(2026, 3, 31))
    assert (w.total.won, w.total.lost) == (1, 1)
    assert w.total.win_rate == 0.5
    types = {r.key: r for r in w.by_type}
    assert types["mice"].won == 1 and types["other"].lost == 1
    reached = {r.key: r for r in w.by_stage_reached}
    assert reached[stage("contact").pk].won == 1
    assert reached[stage("identify").pk].lost == 1
    assert [(r.key, r.lost) for r in w.lost_reasons] == [(alice_lost_reason(), 1)]
    # won: 2 Jan → 20 Feb = 49 days; lost: 3 Jan → 25 Feb = 53 days
    assert w.cycle_days == 51.0
    per_stage = {c.stage.builtin: c for c in w.by_stage_cycle}
    assert per_stage["contact"].average_days == 44.0
    assert win_loss(cast.bob, start=D(2026, 1, 1), end=D(2026, 3, 31)).total.closed == 0


def test_win_loss_by_source(cast, deals):
    source = LeadSource.objects.first()
    make_deal(account=cast.account, source=source, path=(("identify", D(2026, 1, 3)),
                                                         ("won", D(2026, 3, 2))))  # fmt: skip
    w = win_loss(cast.alice, start=D(2026, 1, 1), end=D(2026, 3, 31))
    by_source = {r.key: r for r in w.by_source}
    assert by_source[source.pk].won == 1 and by_source[None].closed == 2
