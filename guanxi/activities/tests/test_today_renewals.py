"""Today's "Renewals at risk": the agreements the user OWNS ending soon with a high or medium
stored renewal risk, each term in words; nobody else's Today shows them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from guanxi.activities.tests.conftest import policy_local
from guanxi.agreements.models import RenewalRisk
from guanxi.agreements.renewal import alive_term, pace_term, relationship_term, segment_term
from guanxi.agreements.tests.renewal_support import make_agreement
from guanxi.workspace.today import agenda

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(policy_local(2026, 6, 15, 9), tick=False):
        yield


@pytest.fixture
def risky(cast):
    """Alice owns an agreement ending in 30 days with a high risk, and one with a low risk;
    bob co-owns the account but owns neither agreement."""
    cast.account.co_owners.add(cast.bob)
    high = make_agreement(cast.account, ends_on=TODAY + dt.timedelta(days=30), name="年框2026")
    low = make_agreement(cast.account, ends_on=TODAY + dt.timedelta(days=60), name="LNR")
    terms = [pace_term(0.5), alive_term(0.2), segment_term("At risk", "Loyal"),
             relationship_term(None)]  # fmt: skip
    RenewalRisk.objects.create(agreement=high, score=90, level="high", terms=terms, as_of=TODAY)
    RenewalRisk.objects.create(agreement=low, score=5, level="low", terms=[], as_of=TODAY)
    return high


def test_the_owner_sees_the_risky_renewal_with_its_terms(cast, risky):
    day = agenda(user=cast.alice)
    assert day.renewals_at_risk.total == 1
    item = day.renewals_at_risk[0]
    assert item.agreement == risky
    assert item.terms[0] == "Pace: 50% of the commitment due by now (35/35)."
    assert item.reason.startswith("ends in 30 days")


def test_a_co_owner_or_another_kam_does_not(cast, risky):
    assert agenda(user=cast.bob).renewals_at_risk.total == 0
    assert agenda(user=cast.charlie).renewals_at_risk.total == 0


def test_the_today_page_and_api_show_it(cast, risky, client, as_user):
    client.force_login(cast.alice)
    html = client.get(reverse("admin:activities_task_today")).content.decode()
    assert 'data-section="renewals_at_risk"' in html and f'data-agreement="{risky.pk}"' in html
    client.force_login(cast.bob)
    html = client.get(reverse("admin:activities_task_today")).content.decode()
    assert 'id="renewals-at-risk-empty"' in html
    body = as_user("alice").get("/api/activities/today").json()
    assert body["totals"]["renewals_at_risk"] == 1
    row = body["renewals_at_risk"][0]
    assert row["agreement"] == risky.pk and row["score"] == 90 and row["level"] == "high"
    page = as_user("alice").get("/api/activities/today/renewals_at_risk").json()
    assert page["count"] == 1
