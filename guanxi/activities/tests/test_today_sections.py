"""Today at scale: each section shows its top N by priority with its total, and a "show all"
page lists the whole section in the same order, a page at a time; the queries do not grow with
the number of items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.activities.models import TaskKind
from guanxi.activities.tests.conftest import TODAY, frozen, policy_put_in_tier, task
from guanxi.relationships.services import buying_centre_member_set
from guanxi.workspace.today import SECTIONS, agenda, agenda_section
from tests.support import make_account, make_contact

PAGE = "admin:activities_task_today"
SECTION = "admin:activities_task_today_section"


def single_threaded(account) -> None:
    """A buying centre with one warm contact: a relationship risk."""
    warm = make_contact(account=account, name=f"{account.name}的经理")
    buying_centre_member_set(account=account, contact=warm, actor=None, stance="supporter",
                             buying_roles=["approver", "decision_maker"])  # fmt: skip


@pytest.fixture
def busy(cast, day, policy_a):
    """The `day` book and more: five more overdue calls on accounts in tier A, and every one of
    alice's accounts at relationship risk."""
    extra = []
    for n in range(5):
        account = make_account(owner=cast.alice, name=f"加急{n}")
        policy_put_in_tier(account, policy_a, dt.date(2026, 5, 1))
        extra.append(task(account, TaskKind.CALL, TODAY - dt.timedelta(days=n + 1)))
    for account in (day["a1"], day["a2"], day["b"], day["none"]):
        single_threaded(account)
    return {**day, "extra": extra}


def test_each_section_shows_its_top_items_and_its_total(cast, busy):
    with frozen():
        everything = agenda(user=cast.alice, limit=0)
        capped = agenda(user=cast.alice, limit=2)
    assert everything.due.total == len(everything.due) == 9
    for name in SECTIONS:
        full, top = getattr(everything, name), getattr(capped, name)
        assert top.total == full.total, name
        assert len(top) == min(2, full.total), name
        assert [_key(i) for i in top] == [_key(i) for i in full[:2]], name
        assert top.more == max(full.total - 2, 0), name


def _key(item) -> tuple:
    """What tells two items apart, whatever their kind."""
    for name in ("task", "change", "contact"):
        if hasattr(item, name):
            return (name, getattr(item, name).pk, getattr(item, "day", None))
    return ("other", getattr(item, "account", item).pk)


@pytest.mark.parametrize("name", SECTIONS)
def test_pages_of_a_section_put_together_are_the_whole_section(cast, busy, name):
    with frozen():
        full = getattr(agenda(user=cast.alice, limit=0), name)
        pages = [agenda_section(name, user=cast.alice, offset=o, limit=2) for o in range(0, 12, 2)]
    assert all(p.total == full.total for p in pages)
    assert [_key(i) for p in pages for i in p] == [_key(i) for i in full]
    assert pages[1].offset == 2


def test_an_unknown_section_is_refused(cast):
    with pytest.raises(ValueError):
        agenda_section("nonsense", user=cast.alice)


def test_today_page_caps_sections_and_links_to_all(client, cast, busy, settings):
    settings.GUANXI_TODAY_LIMIT = 3
    client.force_login(cast.alice)
    with frozen():
        response = client.get(reverse(PAGE))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-section="due" data-total="9"' in text
    assert text.count('data-task="') == 3 + 1  # three due, the one upcoming
    assert 'data-section-more="due" data-shown="3" data-total="9"' in text
    url = reverse(SECTION, args=("due",))
    assert f'href="{url}" data-show-all="due"' in text
    assert 'data-show-all="upcoming"' not in text  # one upcoming task: nothing more to show
    assert 'data-section-more="relationship_risks" data-shown="3" data-total="4"' in text
    for task_ in busy["extra"][:2]:  # tier A, no CLV: after the scored A accounts' tasks
        assert f'data-task="{task_.pk}"' not in text


def test_show_all_lists_the_whole_section_a_page_at_a_time(client, cast, busy, monkeypatch):
    monkeypatch.setattr("guanxi.activities.views.SECTION_PAGE_SIZE", 4)
    client.force_login(cast.alice)
    url = reverse(SECTION, args=("due",))
    with frozen():
        order = [i.task.pk for i in agenda(user=cast.alice, limit=0).due]
        first = client.get(url)
        second = client.get(url, {"page": 2})
        third = client.get(url, {"page": 3})
        past = client.get(url, {"page": 9})
        bad = client.get(url, {"page": "x"})
    shown = []
    for response in (first, second, third):
        assert response.status_code == 200
        assert response.context["section"].total == 9
        shown += [i.task.pk for i in response.context["section"]]
    assert shown == order
    text = first.content.decode()
    assert 'data-pages="3"' in text and 'data-page-link="next"' in text
    assert 'data-page-link="previous"' not in text and "data-log-form" in text
    assert 'data-page-link="previous"' in third.content.decode()
    assert past.status_code == 302 and past["Location"] == f"{url}?page=3"
    assert bad.status_code == 200 and bad.context["page"] == 1


def test_show_all_follows_the_access_rule(client, cast, busy):
    url = reverse(SECTION, args=("neglected",))
    client.force_login(cast.lena)  # alice's team lead
    with frozen():
        response = client.get(url, {"user": cast.alice.pk})
        assert response.status_code == 200
        assert response.context["section"].total == 7  # a1, b and the five new A accounts
        assert f"user={cast.alice.pk}" in response.context["back_url"]
        client.force_login(cast.alice)
        assert client.get(url, {"user": cast.bob.pk}).status_code == 404
        assert client.get(reverse(SECTION, args=("nonsense",))).status_code == 404
        client.force_login(cast.bob)
        assert client.get(url).context["section"].total == 0


@pytest.mark.parametrize("name", SECTIONS)
def test_every_show_all_page_renders(client, cast, busy, name, english):
    client.force_login(cast.alice)
    with frozen():
        response = client.get(reverse(SECTION, args=(name,)))
    assert response.status_code == 200
    assert f'data-section="{name}"' in response.content.decode()


def test_today_queries_do_not_grow_with_the_items(client, cast, busy, policy_a,
                                                  django_assert_max_num_queries):  # fmt: skip
    client.force_login(cast.alice)
    with frozen():
        client.get(reverse(PAGE))  # the first view creates the calendar feed and risk rules
        # 41: one more for the warning lights (issue 15), whatever the number of lights.
        with django_assert_max_num_queries(41):
            client.get(reverse(PAGE))
        for n in range(40):
            account = make_account(owner=cast.alice, name=f"更多{n}")
            policy_put_in_tier(account, policy_a, dt.date(2026, 5, 1))
            task(account, TaskKind.VISIT, TODAY - dt.timedelta(days=n % 5))
            single_threaded(account)
        with django_assert_max_num_queries(41):
            response = client.get(reverse(PAGE))
    assert response.context["agenda"].due.total == 49


def test_today_reads_the_tier_rows_once_and_its_queries_are_bounded(client, cast, busy):
    """The tier rows of the day's accounts are read once and shared by the sections (the
    standing, the policies of "neglected", since when a tier holds); the page's queries are
    bounded (the API's are in test_today_api)."""
    client.force_login(cast.alice)
    with frozen():
        client.get(reverse(PAGE))  # the first view creates the calendar feed and risk rules
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(PAGE))
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if 'FROM "tiers_accounttier"' in q]) == 1
    assert len(sql) <= 36  # 35 on 7 December 2026; it was 37, the tier rows read three times
