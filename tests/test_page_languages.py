"""Every page of the demo speaks one language: zh-Hans pages no English, English pages no Chinese.

The demo (a small one, with its nightly run) is built once for this module; then every page is
rendered through the test client: the admin index, each registered admin changelist, add form,
change form and custom page, the 360° page, Today and the plain pages of `guanxi/urls.py`. A
word of the other language that is not data (see `tests/page_words.py`) fails the test, which
lists each page's URL with the offending text. Run it alone with

    PYTHONPATH=$PWD .venv/bin/python -m pytest tests/test_page_languages.py -q -p no:cacheprovider

(`-m "not crawl"` leaves it out of a quick run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from guanxi.accounts.models import Account
from guanxi.core.models import User
from guanxi.demo.services import demo_build, demo_nightly
from tests.page_words import (
    admin_urls,
    chinese_in,
    data_text,
    english_in,
    kept_in_both,
    page,
    plain_urls,
    visible_texts,
)

pytestmark = [pytest.mark.crawl, pytest.mark.django_db]

ACCOUNTS = 30
SEED = 7


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """A small demo after its nightly run, and the words of its data; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build(accounts=ACCOUNTS, seed=SEED)
        demo_nightly()
        words, runs = data_text()
        yield {"words": words, "runs": runs, "twins": kept_in_both()}
        transaction.set_rollback(True)


def workspace_urls(kam: User) -> Iterator[str]:
    account = Account.objects.filter(owner=kam).order_by("pk").first()
    account = account or Account.objects.order_by("pk").first()
    yield reverse("admin:index")
    yield reverse("admin:activities_task_today")
    yield reverse("admin:activities_task_compliance")
    yield reverse("admin:accounts_account_view_360", args=(account.pk,))


def crawl(
    language: str, users: list[str], urls: Callable[[User], Iterator[str]], judge: Callable
) -> tuple[int, list[str]]:
    """Render every URL as each user in `language`: the pages shown (HTTP 200), and those that
    failed with what they show."""
    report: list[str] = []
    seen = 0
    for username in users:
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for url in dict.fromkeys(urls(user)):
            with translation.override(language):
                status, html = page(client, url)
            seen += status == 200
            if status >= 500:
                report.append(f"{username} {url}: HTTP {status}")
            elif found := judge(visible_texts(html)):
                shown = " | ".join(dict.fromkeys(t[:120] for t in found))
                report.append(f"{username} {url}: {shown}")
    return seen, report


def every_page(user: User) -> Iterator[str]:
    yield from workspace_urls(user)
    account = Account.objects.order_by("pk").first()
    if user.is_superuser:
        yield from admin_urls(account)
        yield from plain_urls()


def test_every_page_in_chinese_has_no_english(demo):
    judge = lambda texts: english_in(texts, demo["words"])  # noqa: E731
    seen, report = crawl("zh-hans", ["admin", "zhoumin", "wangfang"], every_page, judge)
    assert seen > 200  # the registry was walked and its pages shown
    assert not report, f"{len(report)} pages show English:\n" + "\n".join(report)


def test_every_page_in_english_has_no_chinese(demo):
    judge = lambda texts: chinese_in(texts, demo["runs"], demo["twins"])  # noqa: E731
    seen, report = crawl("en", ["admin", "zhoumin", "wangfang"], every_page, judge)
    assert seen > 200
    assert not report, f"{len(report)} pages show Chinese:\n" + "\n".join(report)
