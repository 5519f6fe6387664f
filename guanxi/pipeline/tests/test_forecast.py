"""The weighted forecast against targets, with attainment from revenue and from won deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.errors import NotFound
from guanxi.pipeline.forecast import COMPANY, KAM, TEAM, forecast
from guanxi.pipeline.models import SalesTarget, TargetPeriod
from guanxi.pipeline.tests.deals import make_deal, moment
from tests.support import make_account, make_transaction

D = dt.date
MARCH, APRIL = D(2026, 3, 1), D(2026, 4, 1)


@pytest.fixture
def book(cast):
    bobs = make_account(owner=cast.bob)
    # alice: 10,000 at 40 % closing in March, 5,000 won in March, one lost (not counted)
    make_deal(
        account=cast.account,
        amount="10000",
        expected_close=D(2026, 3, 20),
        path=(("propose", D(2026, 2, 1)),),
    )
    make_deal(
        account=cast.account,
        amount="5000",
        path=(("identify", D(2026, 1, 5)), ("won", D(2026, 3, 3))),
    )
    make_deal(
        account=cast.account,
        amount="8000",
        path=(("identify", D(2026, 1, 5)), ("lost", D(2026, 3, 4))),
    )
    # bob: 20,000 at 70 % closing in April
    make_deal(
        account=bobs,
        amount="20000",
        expected_close=D(2026, 4, 2),
        path=(("negotiate", D(2026, 2, 1)),),
    )
    make_deal(
        account=cast.west_account,
        amount="1000",
        expected_close=D(2026, 3, 2),
        path=(("identify", D(2026, 2, 1)),),
    )
    make_transaction(account=cast.account, amount="2500", when=moment(D(2026, 3, 10)))
    make_transaction(account=bobs, amount="700", when=moment(D(2026, 4, 10)))
    SalesTarget.objects.create(user=cast.alice, starts_on=MARCH, amount=Decimal("10000"))
    SalesTarget.objects.create(team=cast.alice.team, period=TargetPeriod.QUARTER,
                               starts_on=APRIL, amount=Decimal("50000"))  # fmt: skip
    return bobs


def _cell(row, month):
    return next(c for c in row.months if c.start == month)


def test_kam_sees_only_their_row_with_weighted_won_and_revenue(cast, book):
    f = forecast(cast.alice, start=MARCH, months=2)
    assert [(r.kind, r.key) for r in f.rows] == [(KAM, cast.alice.pk)]
    march = _cell(f.rows[0], MARCH)
    assert march.weighted == Decimal("4000.00")
    assert march.won == Decimal("5000")
    assert march.forecast == Decimal("9000.00")
    assert march.revenue == Decimal("2500")
    assert march.target == Decimal("10000")
    assert march.forecast_attainment == 0.9
    assert march.won_attainment == 0.5 and march.revenue_attainment == 0.25
    assert _cell(f.rows[0], APRIL).target is None


def test_team_lead_sees_members_and_the_team(cast, book):
    f = forecast(cast.lena, start=MARCH, months=2)
    team = f.row(TEAM, cast.alice.team_id)
    assert team is not None and f.row(COMPANY) is None
    assert f.row(KAM, cast.charlie.pk) is None
    assert _cell(team, APRIL).weighted == Decimal("14000.00")
    assert _cell(team, APRIL).revenue == Decimal("700")
    quarter = next(q for q in team.quarters if q.start == APRIL)
    assert quarter.target == Decimal("50000")
    # April has no target of its own: it names its quarter's, never a made-up month's share.
    assert _cell(team, APRIL).target is None
    assert _cell(team, APRIL).quarter_target == Decimal("50000")
    assert _cell(team, MARCH).quarter_target is None  # the first quarter has no target
    assert team.total.forecast == Decimal("23000.00")


def test_manager_sees_company_and_filters(cast, book):
    f = forecast(cast.mia, start=MARCH, months=2)
    company = f.row(COMPANY)
    assert _cell(company, MARCH).weighted == Decimal("4100.00")  # + charlie's 10 % of 1,000
    assert _cell(company, MARCH).revenue == Decimal("2500")
    only_bob = forecast(cast.mia, start=MARCH, months=2, owner=cast.bob.pk)
    assert [(r.kind, r.key) for r in only_bob.rows] == [(KAM, cast.bob.pk)]
    west = forecast(cast.mia, start=MARCH, months=2, team=cast.charlie.team_id)
    assert {(r.kind, r.key) for r in west.rows} == {
        (KAM, cast.charlie.pk),
        (TEAM, cast.charlie.team_id),
    }


def test_filters_out_of_sight_are_not_found(cast, book):
    with pytest.raises(NotFound):
        forecast(cast.alice, owner=cast.bob.pk)
    with pytest.raises(NotFound):
        forecast(cast.lena, team=cast.charlie.team_id)


def test_forecast_queries_are_bounded(cast, book, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        forecast(cast.mia, start=MARCH, months=12)


def test_the_forecast_page_says_quarter_target_only_for_its_months(client, cast, book, english):
    client.force_login(cast.lena)
    page = client.get(reverse("pipeline_forecast"), {"start": "2026-03-01", "months": 2,
                                                     "team": cast.alice.team_id})  # fmt: skip
    html = page.content.decode()
    team = html.split(f'data-row="team:{cast.alice.team_id}"')[1].split("</tbody>")[0]
    april = team.split('data-month="2026-04"')[1].split("</tr>")[0]
    assert "data-quarter-target-only" in april and "quarter target only" in april, team
    march = team.split('data-month="2026-03"')[1].split("</tr>")[0]
    assert "data-quarter-target-only" not in march
