"""The demo's surveys: NPS waves over two years with higher scores for bigger spenders, some
detractors with comments and recovery tasks, CSAT after events, SERVQUAL answers whose
responsiveness falls short."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from guanxi.demo.services import demo_build
from guanxi.demo.surveys import _ranked_accounts
from guanxi.surveys.models import SurveyInvitation, SurveyResponse
from guanxi.surveys.results import servqual_gaps
from guanxi.surveys.selectors import latest_scores
from tests.support import make_user

AS_OF = dt.date(2026, 6, 30)
N = 120
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        transaction.set_rollback(True)


def test_waves_over_two_years_with_open_links(demo, db):
    nps = SurveyResponse.objects.filter(template__code="nps")
    months = {r.answered_at.strftime("%Y-%m") for r in nps}
    assert len(months) >= 4
    assert min(r.answered_at.date() for r in nps) < AS_OF - dt.timedelta(days=540)
    assert SurveyInvitation.objects.filter(answered_at__isnull=True).exists()
    assert SurveyResponse.objects.filter(template__code="csat").exists()


def test_bigger_spenders_score_higher_and_detractors_say_why(demo, db):
    ranked = dict(_ranked_accounts(AS_OF))
    top = [r.nps_score for r in SurveyResponse.objects.filter(nps_score__isnull=False)
           if ranked[r.account_id] >= 0.7]  # fmt: skip
    rest = [r.nps_score for r in SurveyResponse.objects.filter(nps_score__isnull=False)
            if ranked[r.account_id] < 0.5]  # fmt: skip
    assert sum(top) / len(top) > sum(rest) / len(rest) + 1
    detractors = SurveyResponse.objects.filter(nps_score__lte=6)
    assert detractors.exclude(comment="").count() >= detractors.count() // 2
    recent = detractors.filter(answered_at__date__gte=AS_OF - dt.timedelta(days=30))
    assert recent.exists()
    assert all(r.recovery_task_id for r in recent)
    assert latest_scores(list(ranked))


def test_servqual_responsiveness_falls_short(demo, db):
    viewer = make_user("surveys-demo-viewer", role="manager")
    gaps = {g.dimension: g for g in servqual_gaps(
        actor=viewer, first=AS_OF - dt.timedelta(days=365), last=AS_OF)}  # fmt: skip
    assert gaps["responsiveness"].answers >= 10
    assert gaps["responsiveness"].gap < gaps["tangibles"].gap < 0.3
    assert gaps["responsiveness"].gap < -0.8
    assert gaps["responsiveness"].alpha_perceived > 0.6
