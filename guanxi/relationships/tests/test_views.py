"""The relationship map page of an account, its SVG download and the 360° card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.relationships.services import (
    account_relationship_set,
    buying_centre_member_set,
    relationship_stage_record,
)
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.support import ROLES_SEE_ALICES, make_account, make_contact

pytestmark = pytest.mark.django_db


def map_url(account) -> str:
    return reverse("admin:relationships_buyingcentremember_map", args=(account.pk,))


def svg_url(account) -> str:
    return reverse("admin:relationships_buyingcentremember_map_svg", args=(account.pk,))


@pytest.fixture
def centre(cast):
    """Alice's account: 王总 (approver, champion, has left), 李财务 (decision maker, reports to
    王总, trust with evidence), 张采购 (user), and 赵会长 of an association (external)."""
    account = cast.account
    ceo = make_contact(account=account, name="王总", title="总经理", is_active=False)
    cfo = make_contact(account=account, name="李财务", title="财务总监")
    buyer = make_contact(account=account, name="张采购", title="采购经理")
    make_contact(account=account, name="孙秘书", title="秘书")  # not seated
    association = make_account(owner=cast.alice, name="会展行业协会")
    chair = make_contact(account=association, name="赵会长", title="会长")
    kw = {"account": account, "actor": cast.alice}
    buying_centre_member_set(contact=ceo, buying_roles=["approver"], stance="champion",
                             influence=5, **kw)  # fmt: skip
    buying_centre_member_set(contact=cfo, buying_roles=["decision_maker"], stance="supporter",
                             influence=4, reports_to=ceo, relationship_owner=cast.lena,
                             **kw)  # fmt: skip
    buying_centre_member_set(contact=buyer, buying_roles=["user", "gatekeeper"], influence=2,
                             reports_to=cfo, rising_star=True, **kw)  # fmt: skip
    buying_centre_member_set(contact=chair, buying_roles=["influencer"], stance="sceptic", **kw)
    visit = Touchpoint.objects.create(account=account, kind=TouchpointKind.VISIT,
                                      occurred_at=timezone.now() - dt.timedelta(days=3),
                                      subject="年度合作")  # fmt: skip
    visit.contacts.add(cfo)
    relationship_stage_record(stage="trust", contact=cfo, evidence=visit,
                              reached_on=timezone.localdate() - dt.timedelta(days=3),
                              **kw)  # fmt: skip
    account_relationship_set(account=account, actor=cast.alice, supplier_stage="core",
                             kotler_level="proactive")  # fmt: skip
    return {"ceo": ceo, "cfo": cfo, "buyer": buyer, "chair": chair, "visit": visit}


@pytest.mark.usefixtures("english")
def test_the_owner_sees_the_map_with_people_layers_score_and_risks(client, cast, centre):
    client.force_login(cast.alice)
    response = client.get(map_url(cast.account))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Relationship map: {cast.account.name}" in body
    svg = body[body.index('id="relationship-map"') :]
    svg = svg[: svg.index("</svg>")]
    for name in ("王总", "李财务", "张采购", "赵会长", "会展行业协会"):
        assert name in svg, name
    assert 'data-current="core"' in body and 'data-current="proactive"' in body
    assert 'data-layer="decision-makers"' in body
    assert 'data-deciders="1" data-at-target="1"' in body, "王总 has left: not counted"
    health = response.context["health"]
    assert health.score is not None and f'data-score="{health.score}"' in body
    assert "Our champion 王总 has left the organisation" in body
    seats = response.context["rows"]
    by_name = {row["seat"].name: row for row in seats}
    assert by_name["李财务"]["last_touch"] == "3 days ago"
    assert by_name["张采购"]["last_touch"] == "never"
    assert by_name["李财务"]["reports_to"] == "王总"
    assert by_name["李财务"]["evidence_url"].endswith(f"/{centre['visit'].pk}/change/")
    assert by_name["赵会长"]["organisation"] == "会展行业协会"
    # Add a person: the account's contacts not yet seated.
    assert [c["name"] for c in response.context["unseated"]] == ["孙秘书"]
    assert "data-download-svg" in body and "data-download-png" in body


@pytest.mark.usefixtures("english")
def test_counts_pluralise_on_the_total_and_the_legend_is_on_the_page(client, cast, centre):
    boss = make_contact(account=cast.account, name="钱董事")
    buying_centre_member_set(account=cast.account, contact=boss, actor=cast.alice,
                             buying_roles=["approver", "decision_maker"])  # fmt: skip
    client.force_login(cast.alice)
    body = client.get(map_url(cast.account)).content.decode()
    assert "1 of 2 decision makers at trust or beyond." in body
    who = "钱董事, decision approver and decision maker"
    assert f"{who}: no stage yet" in body
    assert "(Decision" not in body  # no brackets inside brackets
    # Each part of the score is a sentence: "label: points. Explanation".
    assert "Depth with decision makers: 10/20.</span>" in body and "— The" not in body
    assert "(a touchpoint within 90 days) with 1 of the 5 people on this account." in body
    legend = body[body.index("data-map-legend") : body.index('id="relationship-map"')]
    assert "Champion" in legend and "rising star" in legend
    assert 'data-map-size="fit"' in body and 'id="map-find"' in body


def test_the_page_speaks_chinese_by_default(client, cast, centre):
    client.force_login(cast.alice)
    with translation.override("zh-hans"):
        response = client.get(map_url(cast.account), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.content.decode()
    assert "王总" in body and "批" in body and "决" in body, "Chinese role markers on the map"
    assert "、" in body and "批准者, " not in body, "lists joined the Chinese way"
    assert "data-download-png" in body


@pytest.mark.parametrize(("who", "status"), ROLES_SEE_ALICES)
def test_only_people_who_see_the_account_open_its_map(client, cast, centre, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(map_url(cast.account)).status_code == status
    assert client.get(svg_url(cast.account)).status_code == status


def test_an_unknown_account_is_404(client, cast):
    client.force_login(cast.mia)
    assert client.get(reverse("admin:relationships_buyingcentremember_map",
                              args=(999999,))).status_code == 404  # fmt: skip


@pytest.mark.usefixtures("english")
def test_the_svg_download_is_an_attachment_named_after_the_account(client, cast, centre):
    client.force_login(cast.alice)
    response = client.get(svg_url(cast.account))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        f'attachment; filename="relationship-map-{cast.account.code}.svg"'
    )
    text = response.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "李财务" in text and text.rstrip().endswith("</svg>")


@pytest.mark.usefixtures("english")
def test_an_account_without_a_buying_centre_invites_mapping_it(client, cast):
    client.force_login(cast.alice)
    response = client.get(map_url(cast.account))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-score=""' in body  # no coverage score yet
    assert "No one on the buying centre yet." in body  # drawn in the SVG: no hook there


@pytest.mark.usefixtures("english")
def test_searching_finds_external_people_the_user_may_see(client, cast, centre):
    make_contact(account=cast.west_account, name="赵西部")  # charlie's: alice cannot see it
    other = make_account(owner=cast.alice, name="赵氏集团")
    make_contact(account=other, name="赵董事")
    client.force_login(cast.alice)
    response = client.get(map_url(cast.account), {"q": "赵"})
    found = [c.name for c in response.context["found"]]
    assert found == ["赵董事"], "seated (赵会长) and invisible (赵西部) people are left out"
    assert "contact=" in response.content.decode()


CARD = Template("{% load relationships_tags %}{% relationship_card account %}")


def render_card(account, user, language="en") -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return CARD.render(Context({"account": account, "request": request}))


def test_the_360_card_shows_score_risks_stage_and_a_link_to_the_map(cast, centre):
    html = render_card(cast.account, cast.alice)
    assert 'data-card="relationships"' in html
    assert 'data-people="4"' in html
    assert "Our champion 王总 has left the organisation" in html
    assert html.count("<li data-risk=") <= 3
    assert "Core supplier" in html and "Proactive" in html
    assert f'href="{map_url(cast.account)}" data-map-link="open"' in html


def test_the_360_card_of_an_unmapped_account_invites_mapping(cast):
    html = render_card(cast.account, cast.alice)
    assert 'data-map-link="start"' in html and "data-score" not in html


def test_the_360_card_shows_nothing_to_someone_who_cannot_see_the_account(cast, centre):
    assert render_card(cast.account, cast.charlie).strip() == ""


def test_the_360_card_renders_in_chinese(cast, centre):
    html = render_card(cast.account, cast.alice, language="zh-hans")
    assert 'data-card="relationships"' in html and "核心供应商" in html
