"""The account's deals on its 360° page: open deals with stage and amount, won and lost counts,
a link to add one; nothing for an outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from guanxi.pipeline.services import opportunity_create, opportunity_move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CARD = Template("{% load pipeline_tags %}{% account_deals_card account %}")


def render_card(account, user, language="en") -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return CARD.render(Context({"account": account, "request": request}))


def test_the_card_shows_open_deals_and_the_won_and_lost_counts(cast, deal, stages, price):
    won = opportunity_create(actor=cast.alice, account=cast.account, name="Won one",
                             expected_close=dt.date(2026, 6, 30))  # fmt: skip
    opportunity_move(actor=cast.alice, opportunity=won, stage=stages["won"])
    lost = opportunity_create(actor=cast.alice, account=cast.account, name="Lost one",
                              expected_close=dt.date(2026, 6, 30))  # fmt: skip
    opportunity_move(actor=cast.alice, opportunity=lost, stage=stages["lost"], lost_reason=price)
    html = render_card(cast.account, cast.lena)
    assert 'data-card="opportunities"' in html
    assert (
        f'data-opportunity="{deal.pk}"' in html and f'data-stage="{stages["identify"].pk}"' in html
    )
    assert 'data-amount="120000.00"' in html
    assert f'data-opportunity="{won.pk}"' not in html  # open deals only
    assert 'data-count="won">1 won' in html and 'data-count="lost">1 lost' in html
    assert f"{reverse('admin:pipeline_opportunity_add')}?account={cast.account.pk}" in html
    assert "2026 年会" in render_card(cast.account, cast.alice, "zh-hans")


def test_the_card_shows_nothing_to_an_outsider(cast, deal):
    assert render_card(cast.account, cast.charlie).strip() == ""


def test_the_360_page_carries_the_card_and_its_links_work(client, cast, deal):
    client.force_login(cast.alice)
    page = client.get(reverse("admin:accounts_account_view_360", args=(cast.account.pk,)))
    html = page.content.decode()
    assert 'data-card="opportunities"' in html and f'data-opportunity="{deal.pk}"' in html
    listed = client.get(reverse("admin:pipeline_opportunity_changelist"),
                        {"account__id__exact": cast.account.pk})  # fmt: skip
    assert list(listed.context["cl"].result_list) == [deal]
    add = client.get(reverse("admin:pipeline_opportunity_add"), {"account": cast.account.pk})
    assert add.context["adminform"].form.initial["account"] == str(cast.account.pk)
