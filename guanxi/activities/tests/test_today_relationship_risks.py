"""Today's "Relationship risks": the subject's accounts whose buying centre is thin, ranked like
the rest of Today (tier, then CLV), each with the risk sentences and a link to the map."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.activities.tests.conftest import policy_local, policy_put_in_tier
from guanxi.relationships.services import buying_centre_member_set
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from guanxi.workspace.today import agenda
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PAGE = "admin:activities_task_today"
MAP = "admin:relationships_buyingcentremember_map"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(policy_local(2026, 6, 15, 9), tick=False) as traveller:
        yield traveller


def single_threaded(account, name: str = "李经理"):
    """Two people on the map, only one of them warm: a single_contact risk (and others)."""
    warm = make_contact(account=account, name=name)
    cold = make_contact(account=account, name=f"{name}的同事")
    buying_centre_member_set(account=account, contact=warm, actor=None, stance="supporter",
                             buying_roles=["approver", "decision_maker"])  # fmt: skip
    buying_centre_member_set(account=account, contact=cold, actor=None, buying_roles=["user"])
    return warm, cold


def risk_messages(result, account) -> list[str]:
    return [
        risk.message
        for item in result.relationship_risks
        if item.account == account
        for risk in item.risks
    ]


def test_a_kams_account_at_risk_is_listed_but_not_another_kams(cast):
    single_threaded(cast.account)
    single_threaded(cast.west_account, "西经理")
    result = agenda(user=cast.alice)
    assert [i.account for i in result.relationship_risks] == [cast.account]
    assert "All warm relationships run through one person: 李经理." in " ".join(
        risk_messages(result, cast.account)
    )
    theirs = agenda(user=cast.charlie)
    assert [i.account for i in theirs.relationship_risks] == [cast.west_account]


def test_an_account_leaves_the_section_when_its_risks_clear(cast):
    warm, cold = single_threaded(cast.account)
    assert agenda(user=cast.alice).relationship_risks
    # Another warm person owned by someone else, both touched; the decision maker at trust.
    buying_centre_member_set(account=cast.account, contact=cold, actor=None, stance="champion",
                             buying_roles=["user"], relationship_owner=cast.lena)  # fmt: skip
    tp = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.VISIT,
                                   occurred_at=timezone.now())  # fmt: skip
    tp.contacts.add(warm, cold)
    from guanxi.relationships.services import relationship_stage_record

    relationship_stage_record(account=cast.account, contact=warm, stage="trust", actor=None)
    assert agenda(user=cast.alice).relationship_risks == []


def test_accounts_at_risk_are_ranked_by_tier_then_clv(cast, policy_a, policy_b):
    low = make_account(owner=cast.alice, name="B级客户")
    high = make_account(owner=cast.alice, name="A级客户")
    untiered = cast.account
    for account in (low, high, untiered):
        single_threaded(account, f"{account.name}联系人")
    policy_put_in_tier(low, policy_b, dt.date(2026, 5, 1))
    policy_put_in_tier(high, policy_a, dt.date(2026, 5, 1))
    result = agenda(user=cast.alice)
    assert [i.account for i in result.relationship_risks] == [high, low, untiered]
    assert result.relationship_risks[0].reason.startswith("coverage ")
    assert "A quality" in result.relationship_risks[0].reason


def test_the_section_costs_the_same_queries_for_one_account_or_many(cast):
    single_threaded(cast.account)
    agenda(user=cast.alice)  # creates the risk rules' row once
    with CaptureQueriesContext(connection) as one:
        agenda(user=cast.alice)
    for i in range(6):
        single_threaded(make_account(owner=cast.alice), f"客户{i}")
    with CaptureQueriesContext(connection) as many:
        result = agenda(user=cast.alice)
    assert len(result.relationship_risks) == 7
    assert len(many) == len(one)


def test_the_today_page_shows_the_risks_with_a_link_to_the_map(client, cast):
    single_threaded(cast.account)
    single_threaded(cast.west_account, "西经理")
    client.force_login(cast.alice)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="relationship-risks"' in text and 'data-risk="single_contact"' in text
    assert "All warm relationships run through one person: 李经理." in text
    assert reverse(MAP, args=(cast.account.pk,)) in text
    assert "西经理" not in text


def test_the_today_page_says_when_there_are_no_relationship_risks(client, cast):
    client.force_login(cast.alice)
    text = client.get(reverse(PAGE)).content.decode()
    assert 'id="relationship-risks-empty"' in text


def test_the_today_page_in_chinese_renders_the_section(client, cast):
    single_threaded(cast.account)
    client.force_login(cast.alice)
    response = client.get(reverse(PAGE), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert 'data-risk="single_contact"' in response.content.decode()


def test_the_today_api_lists_the_risks(as_user, cast):
    single_threaded(cast.account)
    body = as_user("alice").get("/api/activities/today").json()
    [item] = body["relationship_risks"]
    assert item["account"] == cast.account.pk and item["account_name"] == cast.account.name
    assert 0 <= item["score"] <= 100
    codes = {r["code"] for r in item["risks"]}
    assert "single_contact" in codes
    assert as_user("bob").get("/api/activities/today").json()["relationship_risks"] == []
