"""Deal odds on the pages: the card on the opportunity's page (predicted beside stage
probability, the reasons in points), the managers' calibration page and GET /api/pipeline/odds."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from guanxi.pipeline.odds import odds_train
from guanxi.pipeline.templatetags.pipeline_odds import deal_odds_html
from guanxi.pipeline.tests.odds_fixtures import deal, history_fixture, seat  # noqa: F401
from tests.support import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CARD = Template("{% load pipeline_odds %}{% deal_odds_card opportunity %}")
CALIBRATION = "admin:pipeline_oddsmodel_calibration"


def render_card(opportunity, user, language="en") -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return CARD.render(Context({"opportunity": opportunity, "request": request}))


@pytest.fixture
def trained(cast, stages, history):
    account = make_account(owner=cast.alice, name="Open mapped")
    seat(account)
    seat(account, roles=("user",), stance="supporter")
    opportunity = deal(cast, account, via=[stages["contact"]])
    record = odds_train()
    opportunity.refresh_from_db()
    return record, opportunity


def test_the_card_shows_the_prediction_beside_the_stage_with_reasons(cast, trained):
    record, opportunity = trained
    html = render_card(opportunity, cast.alice)
    assert f'data-deal-odds="{opportunity.pk}"' in html
    assert f'data-odds-predicted="{round(opportunity.predicted_probability)}"' in html
    assert f'data-odds-stage="{opportunity.probability}"' in html
    assert 'data-odds-base="50"' in html
    assert 'data-odds-reason="decision_maker"' in html
    assert "a decision maker or approver is mapped on the buying centre" in html
    assert 'data-odds-reason="opportunity_type"' not in html  # every deal was MICE: 0 points
    assert "data-odds-calibration" not in html  # a KAM does not get the managers' page link
    chinese = render_card(opportunity, cast.alice, language="zh-hans")
    assert "决策者" in chinese and "个百分点" in chinese and " points<" not in chinese
    assert reverse(CALIBRATION) in render_card(opportunity, cast.mia)


def test_the_section_for_the_opportunity_change_form_holds_the_card(cast, trained):
    _record, opportunity = trained
    request = RequestFactory().get("/")
    request.user = cast.alice
    with translation.override("en"):
        html = render_to_string(
            "admin/pipeline/opportunity/odds_after.html", {"original": opportunity}, request
        )
    assert 'data-section="deal-odds"' in html and f'data-deal-odds="{opportunity.pk}"' in html


def test_the_card_hides_a_deal_out_of_sight_and_says_when_there_is_no_model(cast, stages):
    opportunity = deal(cast, cast.account)
    assert render_card(opportunity, cast.charlie).strip() == ""
    html = render_card(opportunity, cast.alice)
    assert "data-odds-none" in html and "data-odds-predicted" not in html
    odds_train()  # too few deals: the message says why
    assert "at least 30" in render_card(opportunity, cast.alice)
    request = RequestFactory().get("/")
    request.user = cast.alice
    with translation.override("en"):
        assert "data-odds-none" in deal_odds_html(request, opportunity)


def test_the_calibration_page_is_for_managers(cast, trained, english):
    record, _opportunity = trained
    client = Client()
    client.force_login(cast.alice)
    assert client.get(reverse(CALIBRATION)).status_code == 403
    client.force_login(cast.mia)
    html = client.get(reverse(CALIBRATION)).content.decode()
    assert f'data-odds-model="{record.pk}"' in html
    assert f'data-odds-brier="{record.brier_score:.4f}"' in html
    assert 'data-odds-base-rate="50.0"' in html
    assert html.count("data-bin=") == len(record.reliability) > 0
    one = client.get(reverse("admin:pipeline_oddsmodel_change", args=(record.pk,)))
    assert f'data-odds-model="{record.pk}"' in one.content.decode()
    assert client.get(reverse("admin:pipeline_oddsmodel_change", args=(999,))).status_code == 404
    assert client.get(reverse("admin:pipeline_oddsmodel_changelist")).status_code == 200


def test_the_calibration_page_without_a_model_says_why(cast, english):
    client = Client()
    client.force_login(cast.mia)
    assert "data-odds-none" in client.get(reverse(CALIBRATION)).content.decode()
    odds_train()
    html = client.get(reverse(CALIBRATION)).content.decode()
    assert 'data-odds-notice="insufficient"' in html and "at least 30" in html


def test_the_api_reports_status_and_calibration(cast, as_user, trained):
    record, _opportunity = trained
    assert Client().get("/api/pipeline/odds").status_code == 401
    body = as_user("alice").get("/api/pipeline/odds").json()
    assert (body["status"], body["model"]["id"]) == ("trained", record.pk)
    assert body["model"]["brier_score"] == pytest.approx(record.brier_score)
    assert body["model"]["base_rate"] == pytest.approx(0.5)
    assert body["model"]["reliability"] == record.reliability
    assert "decision_maker" in body["model"]["features"]
    assert body["latest_attempt"]["status"] == "trained"


def test_the_api_without_a_model(cast, as_user):
    body = as_user("alice").get("/api/pipeline/odds").json()
    assert (body["status"], body["model"], body["latest_attempt"]) == ("none", None, None)
    odds_train()
    body = as_user("alice").get("/api/pipeline/odds").json()
    assert body["status"] == "insufficient" and "at least 30" in body["message"]


def test_the_sidebar_links_the_calibration_page_for_managers_only(cast):
    url = reverse(CALIBRATION)
    client = Client()
    for user, shown in ((cast.alice, False), (cast.lena, False), (cast.mia, True)):
        client.force_login(user)
        html = client.get(reverse("admin:pipeline_opportunity_changelist")).content.decode()
        assert (f'href="{url}"' in html) is shown, user
