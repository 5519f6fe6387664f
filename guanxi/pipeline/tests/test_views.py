"""The report pages: the board and its drag-to-move POST, funnel, forecast, win/loss."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from guanxi.pipeline.models import LostReason, Opportunity, Outcome, StageChange
from guanxi.pipeline.tests.deals import make_deal, stage

D = dt.date


@pytest.fixture
def deal(cast):
    today = timezone.localdate()
    return make_deal(account=cast.account, amount="10000", expected_close=today,
                     path=(("identify", today - dt.timedelta(days=3)),))  # fmt: skip


def _login(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("name", ["pipeline_board", "pipeline_funnel", "pipeline_forecast",
                                  "pipeline_win_loss"])  # fmt: skip
def test_pages_open_for_each_role(client, cast, deal, name):
    for user in (cast.alice, cast.bob, cast.lena, cast.mia):
        assert _login(client, user).get(reverse(name)).status_code == 200


def test_pages_need_a_login(client, cast):
    response = client.get(reverse("pipeline_board"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_board_shows_own_deals_with_column_totals(client, cast, deal):
    page = _login(client, cast.alice).get(reverse("pipeline_board")).content.decode()
    column = f'data-stage="{stage("identify").pk}" data-stage-key="identify"'
    assert column in page and 'data-count="1" data-amount="10000.00"' in page
    assert f'data-opportunity="{deal.pk}"' in page
    # a card opens its deal
    change = reverse("admin:pipeline_opportunity_change", args=[deal.pk])
    assert f'href="{change}" draggable="false" data-open-deal="{deal.pk}"' in page
    page = _login(client, cast.bob).get(reverse("pipeline_board")).content.decode()
    assert f'data-opportunity="{deal.pk}"' not in page


def test_board_bad_filters_show_the_default_board(client, cast, deal):
    response = _login(client, cast.alice).get(
        reverse("pipeline_board"), {"owner": "x", "opportunity_type": "nope"}
    )
    assert response.status_code == 200
    assert f'data-opportunity="{deal.pk}"' in response.content.decode()


def test_drop_on_the_next_stage_moves_the_deal_and_logs_it(client, cast, deal):
    response = _login(client, cast.alice).post(
        reverse("pipeline_board_move"),
        {"opportunity": deal.pk, "stage": stage("contact").pk, "next": "/pipeline/board/?x=1"},
    )
    assert response.status_code == 302 and response["Location"] == "/pipeline/board/?x=1"
    deal.refresh_from_db()
    assert deal.stage == stage("contact")
    last = StageChange.objects.filter(opportunity=deal).latest("changed_at", "id")
    assert (last.from_stage, last.to_stage, last.actor) == (stage("identify"), stage("contact"),
                                                            cast.alice)  # fmt: skip


def test_drop_on_lost_needs_a_reason_and_says_so(client, cast, deal):
    _login(client, cast.alice)
    response = client.post(
        reverse("pipeline_board_move"), {"opportunity": deal.pk, "stage": stage("lost").pk}
    )
    assert response.status_code == 302 and _messages(response)
    deal.refresh_from_db()
    assert deal.outcome == Outcome.OPEN
    reason = LostReason.objects.get(builtin="price")
    client.post(
        reverse("pipeline_board_move"),
        {"opportunity": deal.pk, "stage": stage("lost").pk, "lost_reason": reason.pk,
         "lost_note": "too dear"},
    )  # fmt: skip
    deal.refresh_from_db()
    assert (deal.outcome, deal.lost_reason, deal.lost_note) == (Outcome.LOST, reason, "too dear")


def test_a_drop_on_won_is_confirmed_first(client, cast, deal):
    _login(client, cast.alice)
    move = {"opportunity": deal.pk, "stage": stage("won").pk}
    response = client.post(reverse("pipeline_board_move"), move)
    assert response.status_code == 302 and _messages(response)
    deal.refresh_from_db()
    assert (deal.outcome, deal.stage) == (Outcome.OPEN, stage("identify"))
    # The board's dialog asks, then posts the confirmation.
    page = client.get(reverse("pipeline_board")).content.decode()
    assert 'id="won-dialog"' in page and 'name="confirm" value="won"' in page
    client.post(reverse("pipeline_board_move"), {**move, "confirm": "won"})
    deal.refresh_from_db()
    assert (deal.outcome, deal.stage) == (Outcome.WON, stage("won"))


def test_closed_deals_show_no_next_step_and_sit_beside_the_open_stages(client, cast):
    today = timezone.localdate()
    open_deal = make_deal(account=cast.account, name="open", next_step="Send the quote",
                          path=(("identify", today),))  # fmt: skip
    won = make_deal(account=cast.account, name="won", next_step="Send the quote",
                    path=(("identify", today - dt.timedelta(days=3)), ("won", today)))  # fmt: skip
    page = _login(client, cast.alice).get(reverse("pipeline_board")).content.decode()
    card = re.compile(r'<article[^>]*data-opportunity="(\d+)".*?</article>', re.S)
    cards = {int(m.group(1)): m.group(0) for m in card.finditer(page)}
    assert "data-next-step" in cards[open_deal.pk] and "data-next-step" not in cards[won.pk]
    # Won and lost in their own strip, after the open stages' grid (not wrapped below it).
    open_part, closed_part = page.split("data-closed-columns", 1)
    assert f'data-opportunity="{won.pk}"' in closed_part
    assert 'data-outcome="won"' in closed_part and 'data-outcome="lost"' in closed_part
    assert 'data-outcome="won"' not in open_part and 'data-outcome="open"' not in closed_part


@pytest.mark.parametrize(
    "data",
    [{}, {"opportunity": "x", "stage": "1"}, {"opportunity": "1", "stage": "99999999999999999999"},
     {"opportunity": "999999", "stage": "1"}],
)  # fmt: skip
def test_bad_moves_are_messages_never_errors(client, cast, deal, data):
    response = _login(client, cast.alice).post(reverse("pipeline_board_move"), data)
    assert response.status_code == 302 and _messages(response)


def test_a_deal_out_of_sight_is_not_moved(client, cast, deal):
    response = _login(client, cast.bob).post(
        reverse("pipeline_board_move"), {"opportunity": deal.pk, "stage": stage("contact").pk}
    )
    assert response.status_code == 302 and _messages(response)
    assert Opportunity.objects.get(pk=deal.pk).stage == stage("identify")


def test_a_get_on_the_move_url_is_refused(client, cast, deal):
    assert _login(client, cast.alice).get(reverse("pipeline_board_move")).status_code == 405


def test_forecast_page_shows_the_weighted_figure(client, cast, deal):
    page = _login(client, cast.alice).get(reverse("pipeline_forecast")).content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    assert f'data-row="kam:{cast.alice.pk}"' in page
    assert f'data-cell="month" data-month="{month}" data-target="" data-weighted="1000.00"' in page
    assert 'id="forecast-data"' in page


def test_forecast_for_someone_out_of_sight_is_a_message(client, cast, deal):
    response = _login(client, cast.alice).get(reverse("pipeline_forecast"), {"team": 99999})
    assert response.status_code == 200


def test_funnel_and_win_loss_hooks(client, cast, deal):
    _login(client, cast.alice)
    page = client.get(reverse("pipeline_funnel")).content.decode()
    assert f'data-step="{stage("identify").pk}" data-stage-key="identify" data-entered="1"' in page
    page = client.get(reverse("pipeline_win_loss"), {"start": "2020-01-01"}).content.decode()
    assert 'id="pipeline-win-loss" class="flex flex-col gap-4" data-won="0"' in page


def test_show_all_link_opens_the_filtered_opportunity_list(client, cast, deal, monkeypatch):
    monkeypatch.setattr("guanxi.pipeline.views.BOARD_CAP", 0)
    page = _login(client, cast.mia).get(reverse("pipeline_board"), {"owner": cast.alice.pk})
    identify = stage("identify").pk
    marker = f'data-show-all="{identify}"'
    html = page.content.decode()
    assert marker in html
    url = html.split(marker)[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert f"stage__id__exact={identify}" in url and f"owner__id__exact={cast.alice.pk}" in url
    listed = client.get(url)
    assert listed.status_code == 200 and "e=1" not in listed.get("Location", "")
    assert deal.name in listed.content.decode()
