"""Volume commitments: actual from the covered accounts, local-day bounds, refunds, pace and
projection (issue 14)."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.agreements.performance import (
    agreement_performance,
    agreements_pace,
    commitment_performance,
)
from guanxi.agreements.tests.money import agreement_of, commitment, group_of, sale
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus

pytestmark = pytest.mark.django_db
MID_YEAR = dt.date(2026, 7, 1)  # day 182 of 365


def test_a_group_agreement_counts_chosen_subsidiaries_not_sister_companies(cast):
    subsidiary, sister = group_of(cast)
    agreement = agreement_of(cast, subsidiaries=[subsidiary])
    c = commitment(agreement, 1_000_000)
    sale(cast.account, 300_000, dt.date(2026, 3, 10))
    sale(subsidiary, 100_000, dt.date(2026, 4, 2))
    sale(sister, 500_000, dt.date(2026, 4, 2))
    sale(cast.west_account, 700_000, dt.date(2026, 4, 2))
    assert commitment_performance(c, as_of=MID_YEAR).actual == Decimal("400000")


def test_the_period_runs_from_local_midnight_of_the_first_day_to_midnight_after_the_last(cast):
    agreement = agreement_of(cast)
    c = commitment(agreement, 100_000, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31))
    sale(cast.account, 1, dt.date(2026, 2, 28), hour=23, minute=59)  # before
    sale(cast.account, 10, dt.date(2026, 3, 1), hour=0, minute=0)  # first minute
    sale(cast.account, 100, dt.date(2026, 3, 31), hour=23, minute=59)  # last minute
    sale(cast.account, 1000, dt.date(2026, 4, 1), hour=0, minute=0)  # after
    assert commitment_performance(c, as_of=dt.date(2026, 5, 1)).actual == Decimal("110")


def test_partial_months_at_the_edges_and_whole_months_between_add_up(cast):
    agreement = agreement_of(cast)
    c = commitment(agreement, 100_000, starts_on=dt.date(2026, 1, 15), ends_on=dt.date(2026, 5, 20))
    for day, amount in [
        (dt.date(2026, 1, 14), 1),  # before
        (dt.date(2026, 1, 15), 10),
        (dt.date(2026, 2, 1), 100),
        (dt.date(2026, 4, 30), 1000),
        (dt.date(2026, 5, 20), 10_000),
        (dt.date(2026, 5, 21), 100_000),  # after
    ]:
        sale(cast.account, amount, day, hour=0)
    assert commitment_performance(c, as_of=dt.date(2026, 6, 30)).actual == Decimal("11110")
    # as of 30 April: the last day counted is the as-of day
    assert commitment_performance(c, as_of=dt.date(2026, 4, 30)).actual == Decimal("1110")


def test_categories_and_quantity_and_refunds(cast):
    agreement = agreement_of(cast)
    nights = commitment(agreement, 500, basis="quantity", unit="room nights", categories=["rooms"])
    sale(cast.account, 60_000, dt.date(2026, 2, 1), quantity=Decimal("100"))
    sale(cast.account, 5_000, dt.date(2026, 2, 1), code="fnb", quantity=Decimal("40"))
    # a cancelled booking comes back as a negative line of room nights
    sale(cast.account, 0, dt.date(2026, 2, 3), quantity=Decimal("-20"), kind="refund")
    assert commitment_performance(nights, as_of=MID_YEAR).actual == Decimal("80")


def test_pace_projection_and_shortfall(cast):
    agreement = agreement_of(cast)
    c = commitment(agreement, 1_000_000)
    sale(cast.account, 400_000, dt.date(2026, 3, 1))
    perf = commitment_performance(c, as_of=MID_YEAR)
    assert (perf.elapsed_days, perf.total_days) == (182, 365)
    assert perf.expected_to_date == Decimal("498630.14")
    assert perf.pace == pytest.approx(400_000 / (1_000_000 * 182 / 365))
    assert perf.projected == Decimal("802197.80")
    assert perf.shortfall is True
    assert perf.projected_model is None  # no analysis run yet


def test_before_the_period_starts_there_is_no_pace(cast):
    c = commitment(agreement_of(cast), 1_000_000)
    perf = commitment_performance(c, as_of=dt.date(2025, 12, 31))
    assert (perf.actual, perf.pace, perf.projected, perf.shortfall) == (0, None, None, False)


def test_the_model_projection_reads_the_latest_run(cast):
    agreement = agreement_of(cast)
    c = commitment(agreement, 1_000_000, categories=["rooms"])
    sale(cast.account, 300_000, dt.date(2026, 3, 1))
    sale(cast.account, 100_000, dt.date(2026, 3, 1), code="fnb")
    run = AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end=MID_YEAR)
    score(run, cast.account, purchases=9, spend=40_000)  # 360k per 90 days = 4k a day
    perf = commitment_performance(c, as_of=MID_YEAR)
    # 300k + 4k × 183 days left × ¾ (rooms are ¾ of the spend so far)
    assert perf.projected_model == Decimal("849000.00")


def score(run, account, *, purchases, spend):
    zero = Decimal(0)
    return AccountScore.objects.create(
        run=run,
        account=account,
        frequency=1,
        recency=1,
        age=1,
        periods_since_last=1,
        monetary=zero,
        total_revenue=zero,
        total_cost=zero,
        r_score=1,
        f_score=1,
        m_score=1,
        rfm_cell="111",
        segment="champions",
        abc_class="A",
        revenue_rank=1,
        expected_purchases_90d=purchases,
        expected_spend=Decimal(spend),
        cost_to_serve=zero,
        historic_clp=zero,
    )


def test_several_periods_and_the_worst_pace_for_many_agreements(cast):
    frame = agreement_of(cast, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2027, 12, 31))
    commitment(frame, 100_000, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))
    commitment(frame, 200_000, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    commitment(frame, 300_000, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31))
    rooms = commitment(
        frame, 1_000, basis="quantity", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    sale(cast.account, 100_000, dt.date(2026, 2, 1), quantity=Decimal(1000))
    other = agreement_of(cast, name="LNR")
    empty = agreement_of(cast, name="no commitments")
    commitment(other, 50_000)
    rows = agreement_performance(frame, as_of=MID_YEAR)
    assert [r.starts_on.year for r in rows] == [2025, 2026, 2026, 2027]
    paces = agreements_pace([frame.pk, other.pk, empty.pk], as_of=MID_YEAR)
    share = 182 / 365
    # 2026: 100k of 200k at half the year → ~1.0; room nights 1000 of 1000 → ~2.0
    assert paces[frame.pk] == pytest.approx(100_000 / (200_000 * share))
    # the other agreement covers the same account: its 100k count there too
    assert paces[other.pk] == pytest.approx(100_000 / (50_000 * share))
    assert paces[empty.pk] is None
    assert commitment_performance(rooms, as_of=MID_YEAR).actual == 1000
