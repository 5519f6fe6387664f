"""A person's path: log in, switch the UI to Chinese, open an account's 360° page."""

from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.contacts.services import profile_facts_update
from guanxi.core.models import Role, Team
from tests.browser.helpers import log_in
from tests.support import make_account, make_contact, make_transaction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(transactional_db):
    """The data, made before Playwright starts: ORM calls made while its event loop runs would
    open a context-local database connection that is never closed."""
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team, first_name="伟", last_name="王")
    account = make_account(owner=kam, name="华东国际会展集团", city="上海")
    contact = make_contact(account=account, name="孙立", title="副总经理")
    profile_facts_update(contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=kam)
    make_transaction(account=account, amount="12345.00", when=timezone.now())
    other = make_account(owner=make_user("li", team=team), name="不可见公司")
    assert account.transactions.get().amount == Decimal("12345.00")
    return account, other


# `story` comes before `browser` so the data exists before Playwright's loop starts.
def test_kam_logs_in_switches_to_chinese_and_reads_the_360_page(story, browser, live_server):
    account, other = story
    page = browser.new_page(locale="en-US")
    log_in(page, live_server, "wang")
    assert page.locator("html").get_attribute("lang") == "en"

    # Switch language as a person does: open the user menu, pick 简体中文.
    page.goto(f"{live_server.url}/admin/accounts/account/")
    page.locator("[x-on\\:click='openUserLinks = !openUserLinks']").click()
    with page.expect_navigation():
        page.locator(
            "form[action='/i18n/setlang/']:has(input[name=language][value=zh-hans]) button"
        ).click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    body = page.locator("body").inner_text()
    assert "华东国际会展集团" in body
    assert "不可见公司" not in body, "a KAM must not see a colleague's account"

    page.goto(f"{live_server.url}/admin/accounts/account/{account.pk}/360/")
    text = page.locator("body").inner_text()
    for expected in ("华东国际会展集团", "孙立", "副总经理", "12,345", "上海"):
        assert expected in text, f"{expected!r} missing from the 360° page"
    assert "联系人" in text  # the page speaks Chinese now

    response = page.goto(f"{live_server.url}/admin/accounts/account/{other.pk}/360/")
    assert response.status == 404
