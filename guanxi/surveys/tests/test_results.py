"""Results on crafted answers: NPS and CSAT by month, segment, KAM, account and tier; the
SERVQUAL gap per dimension with its sign and Cronbach's α; latest scores per account."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.core.dates import local_midnight
from guanxi.core.errors import InvalidInput
from guanxi.surveys.models import SurveyItem
from guanxi.surveys.results import results_by, servqual_gaps
from guanxi.surveys.selectors import LatestScores, latest_scores
from guanxi.surveys.services import Answers, response_record
from guanxi.tiers.models import AccountTier, Tier, TierScheme
from tests.support import make_account

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def answer(template, account, day, **scores):
    pairs = scores.pop("pairs", {})
    return response_record(
        template=template,
        account=account,
        answers=Answers(pairs=pairs, **scores),
        answered_at=local_midnight(day) + dt.timedelta(hours=10),
        recovery=False,
    )


@pytest.fixture
def answered(cast, templates):
    nps, csat = templates["nps"], templates["csat"]
    # January: 10, 9, 8, 3 → 2 promoters, 1 passive, 1 detractor: NPS 25.
    for score in (10, 9, 8, 3):
        answer(nps, cast.account, dt.date(2025, 1, 10), nps_score=score)
    # March: 0 and 6 on charlie's account → −100.
    for score in (0, 6):
        answer(nps, cast.west_account, dt.date(2025, 3, 5), nps_score=score)
    for score in (5, 4, 2):
        answer(csat, cast.account, dt.date(2025, 3, 20), csat_score=score)
    answer(nps, cast.account, dt.date(2024, 12, 31), nps_score=0)  # before the period


def by_key(rows):
    return {r.key: r for r in rows}


def test_nps_and_csat_by_month(cast, answered):
    months = by_key(results_by(actor=cast.mia, group="month", first=FIRST, last=LAST))
    assert set(months) == {"2025-01", "2025-03"}
    assert months["2025-01"].nps == pytest.approx(25.0)
    assert (months["2025-01"].promoters, months["2025-01"].passives) == (2, 1)
    march = months["2025-03"]
    assert march.nps == pytest.approx(-100.0)
    assert march.csat_mean == pytest.approx(11 / 3)
    assert march.csat_satisfied_pct == pytest.approx(200 / 3)
    assert months["2025-01"].csat_mean is None  # no CSAT answers that month


def test_the_access_rule_limits_the_results(cast, answered):
    months = by_key(results_by(actor=cast.alice, group="month", first=FIRST, last=LAST))
    assert months["2025-03"].nps is None  # charlie's detractors are not hers
    assert months["2025-03"].answers == 3
    assert results_by(actor=cast.bob, group="month", first=FIRST, last=LAST) == []


def test_by_kam_account_and_segment(cast, answered):
    kams = by_key(results_by(actor=cast.mia, group="kam", first=FIRST, last=LAST))
    assert kams[str(cast.alice.pk)].nps == pytest.approx(25.0)
    assert kams[str(cast.charlie.pk)].nps == pytest.approx(-100.0)
    accounts = results_by(actor=cast.mia, group="account", first=FIRST, last=LAST)
    assert [r.label for r in accounts] == [cast.account.name, cast.west_account.name]
    segments = results_by(actor=cast.mia, group="segment", first=FIRST, last=LAST)
    assert [r.key for r in segments] == ["corporate"]
    assert segments[0].answers == 9


def test_by_tier_of_the_active_scheme(cast, templates):
    scheme = TierScheme.objects.create(code="value", name="价值分级")
    gold = Tier.objects.create(scheme=scheme, code="gold", name="金牌", rank=1)
    silver = Tier.objects.create(scheme=scheme, code="silver", name="银牌", rank=2)
    AccountTier.objects.create(account=cast.account, scheme=scheme, tier=gold)
    AccountTier.objects.create(account=cast.west_account, scheme=scheme, tier=silver)
    for score in (10, 9):
        answer(templates["nps"], cast.account, dt.date(2025, 5, 1), nps_score=score)
    answer(templates["nps"], cast.west_account, dt.date(2025, 5, 1), nps_score=7)
    rows = by_key(results_by(actor=cast.mia, group="tier", first=FIRST, last=LAST))
    assert rows[str(gold.pk)].nps == pytest.approx(100.0)
    assert rows[str(gold.pk)].label == "金牌"
    assert rows[str(silver.pk)].nps == pytest.approx(0.0)


def test_a_bad_group_or_period_is_refused(cast):
    with pytest.raises(InvalidInput):
        results_by(actor=cast.mia, group="colour", first=FIRST, last=LAST)
    with pytest.raises(InvalidInput):
        results_by(actor=cast.mia, group="month", first=LAST, last=FIRST)


def test_servqual_gap_sign_and_alpha(cast, templates):
    servqual = templates["servqual"]
    items = {
        d: list(SurveyItem.objects.filter(template=servqual, dimension=d).order_by("position"))
        for d in ("tangibles", "reliability")
    }
    # Three respondents; tangibles perceived below expectation (gap −2), items moving together
    # (identical columns: α = 1); reliability above expectation (gap +1).
    for level in (3, 4, 5):
        pairs = {item.pk: (level + 2, level) for item in items["tangibles"]}
        pairs |= {item.pk: (4, 5) for item in items["reliability"]}
        answer(servqual, cast.account, dt.date(2025, 6, 1), pairs=pairs)
    gaps = {g.dimension: g for g in servqual_gaps(actor=cast.mia, first=FIRST, last=LAST)}
    assert gaps["tangibles"].gap == pytest.approx(-2.0)
    assert gaps["tangibles"].expected == pytest.approx(6.0)
    assert gaps["tangibles"].perceived == pytest.approx(4.0)
    assert gaps["tangibles"].alpha_perceived == pytest.approx(1.0)
    assert gaps["tangibles"].answers == 3
    assert gaps["reliability"].gap == pytest.approx(1.0)
    assert gaps["reliability"].alpha_perceived is None  # no variance at all
    assert gaps["empathy"].gap is None and gaps["empathy"].answers == 0
    assert servqual_gaps(actor=cast.charlie, first=FIRST, last=LAST)[0].answers == 0


def test_latest_scores(cast, templates):
    nps, csat = templates["nps"], templates["csat"]
    answer(nps, cast.account, dt.date(2025, 1, 10), nps_score=3)
    answer(nps, cast.account, dt.date(2025, 6, 10), nps_score=9)
    answer(csat, cast.account, dt.date(2025, 2, 1), csat_score=4)
    silent = make_account(owner=cast.alice)
    scores = latest_scores([cast.account.pk, silent.pk, cast.west_account.pk])
    assert scores == {
        cast.account.pk: LatestScores(
            nps=9,
            nps_at=dt.date(2025, 6, 10),
            csat=4.0,
            csat_at=dt.date(2025, 2, 1),
        )
    }
