"""The key-account selection score: terms from the KAM and the data, the weighted total,
satisfaction left out visibly, history kept, the ranking scoped and best first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.models import Scale
from guanxi.core.errors import InvalidInput, NotFound
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from guanxi.leads.models import SelectionAssessment
from guanxi.leads.selection import Term, band, explain, weighted_mean
from guanxi.leads.selectors import selection_history, selection_ranking
from guanxi.leads.services import selection_assess
from guanxi.leads.tests.conftest import GOOD
from tests.support import make_account, make_transaction


def test_band_maps_fractions_to_fifths():
    assert [band(x) for x in (0, 0.19, 0.2, 0.5, 0.79, 0.8, 1)] == [1, 1, 2, 3, 4, 5, 5]


def test_terms_read_the_data_and_leave_satisfaction_out(cast, criteria):
    account = cast.account
    account.scale = Scale.LARGE
    account.annual_sales = Decimal("5000000")
    account.save()
    for i, sales in enumerate(["100", "200", "300", "400"]):
        make_account(owner=cast.bob, annual_sales=Decimal(sales), name=f"小客户{i}")
    make_transaction(account=account, amount="8000")
    make_transaction(account=make_account(owner=cast.bob), amount="100")
    assessment = selection_assess(actor=cast.alice, account=account, scores=GOOD, notes="重点")
    terms = {t["key"]: t for t in assessment.terms}
    assert terms["scale"]["score"] == 4 and terms["scale"]["basis"] == "band"
    assert terms["annual_sales"]["percentile"] == 80 and terms["annual_sales"]["score"] == 5
    assert terms["revenue_12m"]["score"] == 3 and terms["revenue_12m"]["among"] == 2
    assert terms["satisfaction"]["score"] is None and terms["satisfaction"]["basis"] == "no_data"
    assert terms["clv"]["basis"] == "no_data"  # no analysis run yet
    assert terms["potential"] == {**terms["potential"], "score": 5, "basis": "given"}
    # (5*2 + 5*3 + 4*2 + 4*2 + revenue 3*2 + sales 5*1 + scale 4*1) / (2+3+2+2+2+1+1) = 56/13:
    # CLV, P(alive) and satisfaction have no data and are left out, weights too.
    assert assessment.total == Decimal("4.31")
    assert assessment.value_score == Decimal("4.27")  # 47/11, without the size terms
    assert assessment.assessed_by == cast.alice and assessment.notes == "重点"


def test_weights_change_the_total(cast, criteria):
    low = {**GOOD, "potential": 1}
    before = selection_assess(actor=cast.alice, account=cast.account, scores=low).total
    criteria["potential"].weight = 10
    criteria["potential"].save()
    after = selection_assess(actor=cast.alice, account=cast.account, scores=low).total
    assert after < before


def test_every_qualitative_score_is_needed_from_1_to_5(cast, criteria):
    with pytest.raises(InvalidInput) as exc:
        selection_assess(actor=cast.alice, account=cast.account, scores={**GOOD, "potential": 6})
    assert exc.value.field == "potential"
    with pytest.raises(InvalidInput):
        selection_assess(actor=cast.alice, account=cast.account, scores={"willingness": 3})
    with pytest.raises(InvalidInput):
        selection_assess(actor=cast.alice, account=cast.account, scores={**GOOD, "size": 3})
    with pytest.raises(NotFound):
        selection_assess(actor=cast.alice, account=cast.west_account, scores=GOOD)


def test_history_is_kept_and_the_ranking_reads_the_latest_of_each_visible_account(cast, criteria):
    low = {k: 1 for k in GOOD}
    selection_assess(actor=cast.alice, account=cast.account, scores=low)
    selection_assess(actor=cast.alice, account=cast.account, scores=GOOD)
    other = make_account(owner=cast.alice, name="次要客户")
    selection_assess(actor=cast.alice, account=other, scores={k: 2 for k in GOOD})
    selection_assess(actor=cast.charlie, account=cast.west_account, scores=GOOD)
    history = selection_history(actor=cast.alice, account=cast.account.pk)
    assert len(history) == 2 and history[0].is_latest and not history[1].is_latest
    ranked = selection_ranking(actor=cast.alice)
    assert [a.account for a in ranked] == [cast.account, other]
    assert len(selection_ranking(actor=cast.mia)) == 3
    assert SelectionAssessment.objects.filter(account=cast.account, is_latest=True).count() == 1


def test_weighted_mean_ignores_zero_weights_and_missing_scores():
    terms = [
        Term("a", 1, 2, 4, "given"),
        Term("b", 2, 0, 1, "given"),
        Term("c", 3, 5, None, "no_data"),
    ]
    assert weighted_mean(terms) == Decimal("4.00")
    assert weighted_mean([]) is None


def _score(run, account, clv: str, p_alive: float) -> AccountScore:
    return AccountScore.objects.create(
        run=run, account=account, frequency=3, recency=10, age=20, periods_since_last=1,
        monetary=Decimal("100"), total_revenue=Decimal("1000"), total_cost=Decimal("0"),
        r_score=3, f_score=3, m_score=3, rfm_cell="333", segment="champions", abc_class="A",
        revenue_rank=1, clv=Decimal(clv), p_alive=p_alive, cost_to_serve=Decimal("0"),
        historic_clp=Decimal("0"),
    )  # fmt: skip


def test_clv_and_p_alive_come_from_the_latest_run(cast, criteria):
    old = AnalysisRun.objects.create(
        status=RunStatus.SUCCEEDED, observation_end=dt.date(2026, 1, 31)
    )
    _score(old, cast.account, "1", 0.05)
    run = AnalysisRun.objects.create(
        status=RunStatus.SUCCEEDED, observation_end=dt.date(2026, 5, 31)
    )
    _score(run, cast.account, "90000", 0.93)
    for i, clv in enumerate(["10", "20", "30"]):
        _score(run, make_account(owner=cast.bob, name=f"低值{i}"), clv, 0.5)
    assessment = selection_assess(actor=cast.alice, account=cast.account, scores=GOOD)
    terms = {t["key"]: t for t in assessment.terms}
    assert terms["clv"]["score"] == 4 and terms["clv"]["percentile"] == 75
    assert terms["p_alive"]["score"] == 5 and terms["p_alive"]["value"] == "93%"


def test_a_measured_term_reads_as_money(english):
    term = {"basis": "percentile", "value": "14350430000", "percentile": 97, "among": 120,
            "score": 5}  # fmt: skip
    assert explain(term) == "¥14,350,430,000: percentile 97 among 120 accounts → 5"
