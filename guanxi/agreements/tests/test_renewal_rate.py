"""Renewal rate per KAM and team, the renewal page in both languages, the API, and the facts
tier rules and plan goals read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.agreements import renewal
from guanxi.agreements.models import AgreementStatus, RenewalRisk
from guanxi.agreements.renewal import agreement_facts_refresh, pace_term
from guanxi.agreements.renewal_reads import renewal_rate
from guanxi.agreements.tests.renewal_support import AS_OF, make_agreement
from guanxi.tiers.metrics import account_metrics
from guanxi.tiers.models import AccountAgreementFact, Metric
from guanxi.tiers.rules import first_match, validate_scheme
from tests.support import make_account

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


@pytest.fixture
def ended(cast):
    """Alice: 3 ended in the period, 2 renewed; bob: 1 ended, terminated early; charlie (west):
    1 renewed; outside the period or still active: not counted."""
    bob_account = make_account(owner=cast.bob)
    a = cast.account
    make_agreement(a, ends_on=dt.date(2026, 3, 31), status=AgreementStatus.RENEWED)
    make_agreement(a, ends_on=dt.date(2026, 5, 31), status=AgreementStatus.RENEWED)
    make_agreement(a, ends_on=dt.date(2026, 2, 28), status=AgreementStatus.EXPIRED)
    make_agreement(a, ends_on=dt.date(2025, 12, 31), status=AgreementStatus.EXPIRED)  # before
    make_agreement(a, ends_on=dt.date(2026, 6, 30))  # active
    make_agreement(bob_account, ends_on=dt.date(2026, 12, 31), terminated_on=dt.date(2026, 4, 1),
                   status=AgreementStatus.TERMINATED)  # fmt: skip
    make_agreement(cast.west_account, ends_on=dt.date(2026, 6, 1), status=AgreementStatus.RENEWED)


def test_rate_per_kam_and_team_for_a_manager(cast, ended):
    total, teams = renewal_rate(cast.mia, first=FIRST, last=LAST)
    assert (total.ended, total.renewed) == (5, 3)
    east = next(t for t in teams if t.key == cast.east.pk)
    assert (east.ended, east.renewed, east.rate) == (4, 2, Decimal("50.0"))
    kams = {m.key: (m.ended, m.renewed, m.rate) for m in east.members}
    assert kams == {
        cast.alice.pk: (3, 2, Decimal("66.7")),
        cast.bob.pk: (1, 0, Decimal("0.0")),
    }


def test_a_kam_sees_only_their_accounts(cast, ended):
    total, teams = renewal_rate(cast.alice, first=FIRST, last=LAST)
    assert (total.ended, total.renewed) == (3, 2) and len(teams) == 1


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_renewal_page_in_both_languages(cast, ended, client, settings, lang):
    settings.LANGUAGE_CODE = lang
    risky = make_agreement(cast.account, ends_on=AS_OF + dt.timedelta(days=20), name="快到期")
    RenewalRisk.objects.create(agreement=risky, score=35, level="medium", terms=[pace_term(0.5)],
                               as_of=AS_OF)  # fmt: skip
    client.force_login(cast.mia)
    url = reverse("agreements_renewals")
    response = client.get(url, {"start": FIRST.isoformat(), "end": LAST.isoformat()},
                          HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-kam="{cast.alice.pk}" data-ended="3" data-renewed="2"' in html
    assert f'data-agreement="{risky.pk}"' in html
    words = "Pace: 50% of the commitment due by now" if lang == "en" else "进度"
    assert words in html
    response = client.get(url, {"agreement": risky.pk, "start": "bad"})
    assert response.status_code == 200 and 'id="commitment-proposal"' in response.content.decode()


def test_the_api_renewal_rate_and_risk(cast, ended, as_user):
    body = as_user("lena").get("/api/agreements/renewal-rate?start=2026-01-01&end=2026-06-30")
    assert body.status_code == 200
    data = body.json()
    assert data["total"]["ended"] == 4 and data["total"]["renewed"] == 2  # east only
    assert as_user("alice").get("/api/agreements/renewal-risk").json()["count"] == 0


def test_reviews_and_switching_costs_crud_with_access(cast, as_user):
    agreement = make_agreement(cast.account)
    alice = as_user("alice")
    created = alice.post("/api/agreements/reviews", {"agreement": agreement.pk,
                         "held_on": "2026-06-01", "decision": "renew", "nps": 9},
                         content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.content
    review = created.json()
    assert review["revenue"] is not None and review["period_end"] == "2026-06-01"
    assert as_user("charlie").get(f"/api/agreements/reviews/{review['id']}").status_code == 404
    bad = {"agreement": agreement.pk, "held_on": "2026-06-01", "nps": 11}
    bad = alice.post("/api/agreements/reviews", bad, content_type="application/json")
    assert bad.status_code == 422
    cost = alice.post("/api/agreements/switching-costs", {"account": cast.account.pk,
                      "kind": "contractual", "strength": 4, "evidence": "3-year exclusivity"},
                      content_type="application/json")  # fmt: skip
    assert cost.status_code == 201
    cost_id = cost.json()["id"]
    patched = alice.patch(f"/api/agreements/switching-costs/{cost_id}", {"strength": 5},
                          content_type="application/json")  # fmt: skip
    assert patched.json()["strength"] == 5
    hidden = as_user("charlie").post("/api/agreements/switching-costs", {
        "account": cast.account.pk, "kind": "search", "strength": 2},
        content_type="application/json")  # fmt: skip
    assert hidden.status_code == 404
    assert alice.delete(f"/api/agreements/switching-costs/{cost_id}").status_code == 204


def test_a_tier_rule_on_the_strategic_agreement_metric(cast, monkeypatch):
    strategic = make_agreement(cast.account, kind="strategic", ends_on=dt.date(2026, 12, 31))
    make_agreement(cast.west_account, ends_on=dt.date(2026, 12, 31))
    monkeypatch.setattr(
        renewal, "attained_pct", lambda a, as_of: Decimal("80") if a == strategic else None
    )
    summary = agreement_facts_refresh(as_of=AS_OF)
    assert summary == {"as_of": AS_OF, "accounts": 2, "strategic": 1}
    fact = AccountAgreementFact.objects.get(account=cast.account)
    assert fact.strategic_active and fact.commitment_attained_pct == Decimal("80.00")
    metrics = [Metric.STRATEGIC_AGREEMENT, Metric.COMMITMENT_ATTAINED]
    values = account_metrics(as_of=AS_OF, metrics=metrics)
    rules = [
        [{"metric": "strategic_agreement", "values": ["yes"]},
         {"metric": "commitment_attained", "min": Decimal("75"), "max": None}],
        [],
    ]  # fmt: skip
    assert validate_scheme(rules, ["战略", "其他"]) == []
    assert first_match(rules, values[cast.account.pk]) == 0
    assert first_match(rules, values[cast.west_account.pk]) == 1
    assert values[cast.west_account.pk]["strategic_agreement"] == "no"
    assert validate_scheme([[{"metric": "strategic_agreement", "values": ["maybe"]}], []],
                           ["a", "b"])  # fmt: skip
