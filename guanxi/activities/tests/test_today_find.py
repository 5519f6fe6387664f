"""Today's quick find: accounts and contacts by characters, traditional characters, full pinyin,
initials and a mobile, within the viewer's sight, capped; the page's box and the API's `q=`."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.workspace.search import quick_find
from tests.support import make_account, make_contact

pytestmark = pytest.mark.django_db

PAGE = "admin:activities_task_today"
API = "/api/activities/today/find"


@pytest.fixture
def book(cast):
    mine = make_account(owner=cast.alice, name="上海华彩医药有限公司")
    west = make_account(owner=cast.charlie, name="华彩医药（成都）有限公司")
    person = make_contact(account=mine, name="曾小华", mobile="+86 138 0013 8000")
    elsewhere = make_contact(account=west, name="曾小华", mobile="13900139000")
    return mine, west, person, elsewhere


def _ids(html: str, attribute: str) -> list[int]:
    return [int(x) for x in re.findall(rf'data-{attribute}="(\d+)"', html)]


@pytest.mark.parametrize("text", ["华彩", "華彩", "huacai", "hcyy", "shanghai huacai"])
def test_accounts_by_characters_pinyin_and_initials_within_sight(cast, book, text):
    mine, west, _person, _elsewhere = book
    assert [a.pk for a in quick_find(cast.alice, text).accounts] == [mine.pk]
    everyone = {a.pk for a in quick_find(cast.mia, text).accounts}
    assert everyone == ({mine.pk} if "shanghai" in text else {mine.pk, west.pk})


@pytest.mark.parametrize("text", ["曾小华", "曾小華", "zengxiaohua", "zxh", "1380013"])
def test_contacts_by_name_pinyin_initials_and_mobile_within_sight(cast, book, text):
    _mine, _west, person, elsewhere = book
    assert [c.pk for c in quick_find(cast.alice, text).contacts] == [person.pk]
    manager = {c.pk for c in quick_find(cast.mia, text).contacts}
    assert person.pk in manager and (elsewhere.pk in manager) == (text != "1380013")


def test_the_hits_are_capped(cast):
    for i in range(12):
        make_account(owner=cast.alice, name=f"华彩{i:02d}科技有限公司")
    found = quick_find(cast.alice, "huacai")
    assert len(found.accounts) == 8
    assert found.accounts == sorted(found.accounts, key=lambda a: (a.name_pinyin, a.pk))


def test_the_page_shows_the_box_and_the_hits(cast, book, client, english):
    mine, west, person, _elsewhere = book
    client.force_login(cast.alice)
    page = client.get(reverse(PAGE)).content.decode()
    assert 'id="today-find"' in page and 'id="today-found"' not in page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(PAGE), {"q": "hcyy"})
    html = response.content.decode()
    assert _ids(html, "account") == [mine.pk]
    assert reverse("admin:accounts_account_change", args=(mine.pk,)) in html
    assert 'id="today-found-no-contacts"' in html
    found = client.get(reverse(PAGE), {"q": "zengxiaohua"}).content.decode()
    assert _ids(found, "contact") == [person.pk]
    assert len(queries) < 60


def test_the_query_count_does_not_grow_with_the_hits(cast, client):
    client.force_login(cast.alice)
    make_account(owner=cast.alice, name="华彩医药")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(PAGE), {"q": "huacai"})
        return len(queries)

    count()  # the first visit makes the calendar feed and the like
    few = count()
    for i in range(6):
        account = make_account(owner=cast.alice, name=f"华彩{i}贸易")
        make_contact(account=account, name=f"华彩{i}")
    assert len(quick_find(cast.alice, "huacai").accounts) == 7
    assert count() == few


def test_the_api_q(cast, book, as_user):
    mine, _west, person, _elsewhere = book
    response = as_user("alice").get(API, {"q": "huacai"})
    assert response.status_code == 200
    body = response.json()
    assert [a["id"] for a in body["accounts"]] == [mine.pk]
    assert body["accounts"][0]["owner"] == str(cast.alice)
    people = as_user("alice").get(API, {"q": "138-0013-8000"}).json()["contacts"]
    assert [(c["id"], c["account_id"]) for c in people] == [(person.pk, mine.pk)]
    assert as_user("alice").get(API, {"q": ""}).status_code == 422
    assert as_user("alice").get(API, {"q": "x", "limit": 51}).status_code == 422
