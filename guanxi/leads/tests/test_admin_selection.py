"""The selection-score pages: the ranking (scoped, best first, every term explained), the
assessment form (a KAM on an account they see), history, and weights only managers edit."""

from __future__ import annotations

from django.urls import reverse

from guanxi.leads.models import SelectionAssessment
from guanxi.leads.services import selection_assess
from guanxi.leads.tests.conftest import GOOD

RANKING = "admin:leads_selectionassessment_ranking"
ASSESS = "admin:leads_selectionassessment_assess"


def test_ranking_lists_visible_accounts_with_terms_explained(
    client, cast, criteria, django_assert_max_num_queries
):
    selection_assess(actor=cast.alice, account=cast.account, scores=GOOD)
    selection_assess(actor=cast.charlie, account=cast.west_account, scores=GOOD)
    client.force_login(cast.alice)
    with django_assert_max_num_queries(15):
        page = client.get(reverse(RANKING)).content.decode()
    assert f'data-account="{cast.account.pk}"' in page
    assert f'data-account="{cast.west_account.pk}"' not in page
    assert 'data-term="satisfaction" data-counted="0"' in page
    assert 'data-term="potential" data-counted="1"' in page


def test_a_kam_assesses_an_account_and_keeps_its_history(client, cast, criteria):
    client.force_login(cast.alice)
    url = reverse(ASSESS) + f"?account={cast.account.pk}"
    assert client.get(url).status_code == 200
    data = {"account": cast.account.pk, "notes": "潜力大", **GOOD}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "potential": 2}).status_code == 302
    rows = SelectionAssessment.objects.filter(account=cast.account)
    assert rows.count() == 2 and rows.filter(is_latest=True).count() == 1
    page = client.get(url).content.decode()
    assert page.count("data-assessment=") == 2


def test_the_form_refuses_an_account_out_of_sight_and_a_missing_score(client, cast, criteria):
    client.force_login(cast.alice)
    response = client.post(reverse(ASSESS), {"account": cast.west_account.pk, **GOOD})
    assert response.status_code == 200 and not SelectionAssessment.objects.exists()
    response = client.post(reverse(ASSESS), {"account": cast.account.pk, "potential": 3})
    assert response.status_code == 200 and not SelectionAssessment.objects.exists()


def test_only_managers_change_weights(client, cast, criteria):
    url = reverse("admin:leads_selectioncriterion_change", args=(criteria["clv"].pk,))
    client.force_login(cast.alice)
    assert client.post(url, {"weight": 9, "position": 0, "active": "on"}).status_code == 403
    client.force_login(cast.mia)
    response = client.post(url, {"name": "", "weight": 9, "description": "", "position": 4,
                                 "active": "on"})  # fmt: skip
    assert response.status_code == 302
    criteria["clv"].refresh_from_db()
    assert criteria["clv"].weight == 9
    assert criteria["clv"].history.first().history_user == cast.mia
