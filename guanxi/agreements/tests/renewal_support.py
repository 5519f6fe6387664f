"""Builders for the renewal tests: agreements, analysis scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.agreements.models import Agreement, AgreementStatus, AgreementType
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus

AS_OF = dt.date(2026, 6, 15)


def make_agreement(account, *, kind="framework", ends_on=dt.date(2026, 8, 31), **fields):
    fields.setdefault("owner", account.owner)
    fields.setdefault("status", AgreementStatus.ACTIVE)
    fields.setdefault("starts_on", dt.date(2025, 9, 1))
    return Agreement.objects.create(
        name=fields.pop("name", f"{kind} {account.name}"),
        agreement_type=AgreementType.objects.get(builtin=kind),
        account=account,
        ends_on=ends_on,
        **fields,
    )


def make_run(observation_end: dt.date) -> AnalysisRun:
    return AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end=observation_end)


def make_score(run, account, *, p_alive=None, segment="Champions", **extra) -> AccountScore:
    return AccountScore.objects.create(
        run=run, account=account, frequency=3, recency=10, age=20, periods_since_last=1,
        monetary=Decimal("100"), total_revenue=Decimal("1000"), total_cost=Decimal("0"),
        r_score=3, f_score=3, m_score=3, rfm_cell="333", segment=segment, abc_class="A",
        revenue_rank=1, p_alive=p_alive, cost_to_serve=Decimal("0"), historic_clp=Decimal("0"),
        **extra,
    )  # fmt: skip
