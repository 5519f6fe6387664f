"""The demo's 客户状态分析表 (seed 003): the KAMs assessed their biggest accounts' willingness
and quality — most of them twice, a quarter apart, so the 360° card shows a trend and the
account list's filters find every band. Answers lean better for the accounts that buy more."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import F

from guanxi.accounts.models import Account
from guanxi.assessments.models import Checklist
from guanxi.assessments.services import assessment_create
from guanxi.demo.catalog import CODE_PREFIX

#: The accounts assessed: the biggest by 12-month revenue.
ASSESSED = 40
NOTES = ["季度客户状态评估", "拜访后更新评估", "年度复盘前评估", ""]


def _answers(rng: random.Random, checklists: list[Checklist], lean: float) -> dict[int, int]:
    """One option per question; ``lean`` (0–1) is how likely the best answer is."""
    chosen = {}
    for checklist in checklists:
        for question in checklist.questions.all():
            options = sorted(question.options.all(), key=lambda o: -o.points)
            if rng.random() < lean:
                chosen[question.pk] = options[0].pk
            else:
                chosen[question.pk] = rng.choice(options).pk
    return chosen


def demo_assessments(*, as_of: dt.date, seed: int) -> int:
    """Assess the biggest demo accounts (by their owners); returns how many assessments."""
    rng = random.Random(seed + 3)
    checklists = list(
        Checklist.objects.filter(is_active=True).prefetch_related("questions__options")
    )
    if len(checklists) < 2:
        return 0
    accounts = list(
        Account.objects.filter(code__startswith=CODE_PREFIX, ledger_rollup__count_12m__gt=0)
        .select_related("owner")
        .order_by(F("ledger_rollup__revenue_12m").desc(), "id")[:ASSESSED]
    )
    made = 0
    for rank, account in enumerate(accounts):
        lean = 0.7 - 0.6 * rank / max(len(accounts), 1)
        times = 2 if rank % 3 else 1
        for n in range(times):
            day = as_of - dt.timedelta(days=90 * (times - 1 - n) + rng.randint(0, 20))
            assessment_create(
                actor=account.owner, account=account,
                answers=_answers(rng, checklists, lean + 0.1 * n),
                assessed_on=min(day, as_of), note=rng.choice(NOTES),
            )  # fmt: skip
            made += 1
    return made
