"""Builders for the loyalty tests: analysis runs and scores, month rollups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from guanxi.loyalty.models import AccountLight, LightRule
from guanxi.service.models import Case
from guanxi.surveys.models import SurveyResponse, SurveyTemplate
from guanxi.touchpoints.models import Touchpoint
from tests.support import make_transaction

AS_OF = dt.date(2026, 6, 15)


def make_run(observation_end: dt.date) -> AnalysisRun:
    return AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end=observation_end)


def make_score(run, account, *, p_alive=None, frequency=3, **extra) -> AccountScore:
    return AccountScore.objects.create(
        run=run, account=account, frequency=frequency, recency=10, age=20, periods_since_last=1,
        monetary=Decimal("100"), total_revenue=Decimal("1000"), total_cost=Decimal("0"),
        r_score=3, f_score=3, m_score=3, rfm_cell="333", segment="champions", abc_class="A",
        revenue_rank=1, p_alive=p_alive, cost_to_serve=Decimal("0"), historic_clp=Decimal("0"),
        **extra,
    )  # fmt: skip


def spend(account, day: dt.date, amount: str) -> None:
    """A sale on ``day`` at noon local time (the month rollups follow)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    make_transaction(account=account, amount=amount, when=moment)


def rule(code: str) -> LightRule:
    return LightRule.objects.get(code=code)


def lit(account, code: str) -> AccountLight | None:
    return AccountLight.objects.filter(
        account=account, rule__code=code, cleared_at__isnull=True
    ).first()


def complaint(account, *, opened: dt.datetime, due: dt.datetime | None = None, **fields):
    """A complaint case on ``account`` (its KAM owns it)."""
    fields.setdefault("status", "new")
    return Case.objects.create(
        account=account, kind="complaint", subject="菜品不新鲜", owner=account.owner,
        opened_at=opened, resolution_due_at=due, **fields,
    )  # fmt: skip


def nps(account, score: int, *, on: dt.date) -> SurveyResponse:
    template = SurveyTemplate.objects.filter(kind="nps").order_by("pk").first()
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    return SurveyResponse.objects.create(
        template=template, account=account, answered_at=moment, nps_score=score
    )


def visit(account, *, on: dt.date) -> Touchpoint:
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(15)))
    return Touchpoint.objects.create(account=account, kind="visit", occurred_at=moment)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
