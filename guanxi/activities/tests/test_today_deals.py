"""Today's deal alerts: large deals, stale deals, deals whose decision maker is at risk — capped
like every section, with a "show all" page and a paged API section."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from guanxi.activities.tests.conftest import policy_local
from guanxi.pipeline.tests.deals import make_deal
from guanxi.relationships.services import buying_centre_member_set
from guanxi.workspace.today import agenda, agenda_section
from guanxi.workspace.today_deals import percentile
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = dt.date
TODAY = D(2026, 6, 15)
PAGE = "admin:activities_task_today"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(policy_local(2026, 6, 15, 9), tick=False) as traveller:
        yield traveller


def open_deal(account, amount="1000", moved=TODAY - dt.timedelta(days=2), **fields):
    return make_deal(account=account, amount=amount, expected_close=D(2026, 7, 1),
                     path=(("identify", moved),), **fields)  # fmt: skip


def ids(section) -> list[int]:
    return [item.deal.pk for item in section]


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 9
    assert percentile([5]) == 5


def test_large_deals_over_the_threshold_or_the_accounts_own_usual(cast, settings):
    settings.GUANXI_LARGE_DEAL = 100_000
    big = open_deal(cast.account, amount="150000")
    small = open_deal(cast.account, amount="3000")
    other = make_account(owner=cast.alice)
    for amount in (1000, 1200, 900, 1100, 1000):  # past deals: its 90th percentile is 1,200
        make_deal(account=other, amount=amount, path=(("identify", D(2026, 1, 1)),
                                                       ("won", D(2026, 2, 1))))  # fmt: skip
    usual = open_deal(other, amount="1100")
    unusual = open_deal(other, amount="5000")
    result = agenda(user=cast.alice)
    assert ids(result.large_deals) == [big.pk, unusual.pk]
    assert small.pk not in ids(result.large_deals) and usual.pk not in ids(result.large_deals)
    assert "over ¥100,000" in result.large_deals[0].reason
    assert "¥1,200" in result.large_deals[1].reason
    assert agenda(user=cast.charlie).large_deals.total == 0


def test_stale_deals_next_step_passed_or_idle_past_the_stage_days(cast):
    late_step = open_deal(cast.account, next_step="call", next_step_on=TODAY - dt.timedelta(days=4))
    idle = open_deal(cast.account, moved=TODAY - dt.timedelta(days=45))  # identify: 30 days
    planned = open_deal(cast.account, moved=TODAY - dt.timedelta(days=45),
                        next_step_on=TODAY + dt.timedelta(days=3))  # fmt: skip
    fresh = open_deal(cast.account, moved=TODAY - dt.timedelta(days=3))
    result = agenda(user=cast.alice)
    assert ids(result.stale_deals) == [idle.pk, late_step.pk]  # 15 days past its stage's 30
    assert planned.pk not in ids(result.stale_deals) and fresh.pk not in ids(result.stale_deals)
    assert "4 days overdue" in result.stale_deals[1].reason


def test_deals_whose_decision_maker_is_at_risk(cast):
    boss = make_contact(account=cast.account, name="王总")
    buying_centre_member_set(account=cast.account, contact=boss, actor=None,
                             buying_roles=["decision_maker"])  # fmt: skip
    deal = open_deal(cast.account, amount="9000")
    calm = make_account(owner=cast.alice)
    open_deal(calm)  # no buying centre mapped: nothing to say
    result = agenda(user=cast.alice)
    assert ids(result.deal_risks) == [deal.pk]
    assert "decision_maker_stage" in {r.code for r in result.deal_risks[0].risks}


def test_sections_are_capped_and_paged(cast, settings):
    settings.GUANXI_TODAY_LIMIT = 2
    settings.GUANXI_LARGE_DEAL = 1
    deals = [open_deal(cast.account, amount=str(1000 + i)) for i in range(5)]
    result = agenda(user=cast.alice)
    assert len(result.large_deals) == 2 and result.large_deals.total == 5
    page = agenda_section("large_deals", user=cast.alice, offset=2, limit=2)
    assert ids(page) == [deals[2].pk, deals[1].pk]


def test_deal_sections_read_a_bounded_number_of_queries(
    cast, settings, django_assert_max_num_queries
):
    settings.GUANXI_LARGE_DEAL = 1
    boss = make_contact(account=cast.account)
    buying_centre_member_set(account=cast.account, contact=boss, actor=None,
                             buying_roles=["decision_maker"])  # fmt: skip
    for i in range(30):
        open_deal(cast.account, amount=str(1000 + i), next_step_on=TODAY - dt.timedelta(days=1))
    with django_assert_max_num_queries(30):  # about 8 a section, whatever the number of deals
        for name in ("large_deals", "stale_deals", "deal_risks"):
            assert agenda_section(name, user=cast.alice).total == 30


def test_today_page_and_show_all_page(client, cast, settings):
    settings.GUANXI_TODAY_LIMIT = 1
    settings.GUANXI_LARGE_DEAL = 1
    first, second = open_deal(cast.account, amount="2000"), open_deal(cast.account, amount="1000")
    client.force_login(cast.alice)
    page = client.get(reverse(PAGE)).content.decode()
    assert 'data-section="large_deals" data-total="2"' in page
    assert (
        f'data-opportunity="{first.pk}"' in page and f'data-opportunity="{second.pk}"' not in page
    )
    assert 'data-show-all="large_deals"' in page
    url = reverse("admin:activities_task_today_section", args=("large_deals",))
    page = client.get(url).content.decode()
    assert f'data-opportunity="{second.pk}"' in page


def test_api_lists_and_pages_the_deal_sections(as_user, cast, settings):
    settings.GUANXI_LARGE_DEAL = 1
    deal = open_deal(cast.account, amount="2000", next_step_on=timezone.localdate())
    body = as_user("alice").get("/api/activities/today").json()
    assert body["totals"]["large_deals"] == 1
    assert body["large_deals"][0]["opportunity"] == deal.pk
    assert body["totals"]["stale_deals"] == 0
    paged = as_user("alice").get("/api/activities/today/large_deals", {"limit": 1}).json()
    assert paged == {"count": 1, "items": body["large_deals"]}
    assert as_user("bob").get("/api/activities/today/stale_deals").json()["count"] == 0


def test_a_team_lead_and_a_manager_see_the_deals_they_oversee(cast, settings, as_user):
    settings.GUANXI_LARGE_DEAL = 100_000
    bobs = make_account(owner=cast.bob)
    alices = open_deal(cast.account, amount="300000")
    bob_big = open_deal(bobs, amount="200000")
    open_deal(bobs, amount="5000")  # under the threshold
    west = open_deal(cast.west_account, amount="400000")
    idle = open_deal(bobs, moved=TODAY - dt.timedelta(days=45))  # identify: 30 days
    late = open_deal(cast.west_account, next_step_on=TODAY - dt.timedelta(days=2))
    open_deal(bobs, moved=TODAY - dt.timedelta(days=29))  # a day short of stale
    lead = agenda(user=cast.lena)
    assert ids(lead.large_deals) == [alices.pk, bob_big.pk] and lead.large_deals.total == 2
    assert "bob" in lead.large_deals[1].reason  # whose deal it is
    assert ids(lead.stale_deals) == [idle.pk]
    manager = agenda(user=cast.mia)
    assert ids(manager.large_deals) == [west.pk, alices.pk, bob_big.pk]
    assert set(ids(manager.stale_deals)) == {idle.pk, late.pk}
    assert agenda(user=cast.alice).large_deals.total == 1  # a KAM: still only her own
    body = as_user("lena").get("/api/activities/today").json()
    assert [d["opportunity"] for d in body["large_deals"]] == [alices.pk, bob_big.pk]


def test_the_wider_view_reads_a_capped_number_and_counts_the_rest(cast, settings, monkeypatch):
    monkeypatch.setattr("guanxi.workspace.today_deals.WIDE_READ", 3)
    settings.GUANXI_TODAY_LIMIT = 2
    settings.GUANXI_LARGE_DEAL = 1
    deals = [open_deal(cast.account, amount=str(1000 + i)) for i in range(5)]
    result = agenda(user=cast.mia)
    assert ids(result.large_deals) == [deals[4].pk, deals[3].pk]
    assert result.large_deals.total == 5


def test_a_manager_sees_a_deal_whose_decision_maker_is_at_risk(cast):
    boss = make_contact(account=cast.account, name="王总")
    buying_centre_member_set(account=cast.account, contact=boss, actor=None,
                             buying_roles=["decision_maker"])  # fmt: skip
    deal = open_deal(cast.account, amount="9000")
    assert ids(agenda(user=cast.mia).deal_risks) == [deal.pk]
    assert ids(agenda(user=cast.lena).deal_risks) == [deal.pk]
