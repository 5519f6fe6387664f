"""The demo's 客户状态分析表: the biggest accounts assessed by their KAMs, most twice (a trend
on the 360° card), one latest per account, and more than one band (the list's filters)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count

from guanxi.assessments.models import Assessment
from guanxi.demo.services import demo_build

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_build(accounts=60, seed=2026, as_of=AS_OF)
        transaction.set_rollback(True)


def test_the_biggest_accounts_are_assessed_by_their_kams_with_history(demo, db):
    assessments = Assessment.objects.select_related("account")
    assert assessments.count() >= 20
    assert all(a.assessed_by_id == a.account.owner_id for a in assessments)
    assert all(a.assessed_on <= AS_OF for a in assessments)
    per_account = Assessment.objects.values("account").annotate(n=Count("id"))
    assert any(row["n"] == 2 for row in per_account)
    latest = Assessment.objects.filter(is_latest=True)
    assert latest.count() == per_account.count()
    assert len(set(latest.values_list("willingness_band", flat=True))) >= 2
