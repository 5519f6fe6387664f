"""A team lead finds a duplicate account from its 360° page, previews the merge, merges, and
undoes it."""

import pytest

from guanxi.core.models import Role, Team
from tests.browser.helpers import log_in
from tests.support import make_account, make_contact, make_transaction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def twins(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team)
    make_user("chen", role=Role.TEAM_LEAD, team=team)
    keep = make_account(owner=kam, name="华东国际会展集团", city="")
    other = make_account(owner=kam, name="华东国际会展", city="上海")
    make_contact(account=other, name="孙立")
    make_transaction(account=other, amount="800.00")
    return keep, other


def test_team_lead_previews_merges_and_undoes(twins, browser, live_server):
    keep, other = twins
    page = browser.new_page(locale="en-US")
    log_in(page, live_server, "chen")

    page.goto(f"{live_server.url}/admin/accounts/account/{keep.pk}/360/")
    page.click(f"a[href='/merge/accounts/{keep.pk}/']")
    page.fill("input[name=q]", "华东国际会展")
    page.press("input[name=q]", "Enter")
    page.click(f"[data-candidate='{other.pk}']")
    page.wait_for_url(f"{live_server.url}/merge/accounts/{keep.pk}/{other.pk}/")

    preview = page.locator("#merge-preview")
    assert (
        preview.locator("[data-moved='transactions.transaction']").get_attribute("data-count")
        == "1"
    )
    assert preview.locator("[data-moved='contacts.contact']").get_attribute("data-count") == "1"
    # The survivor has no city: the other's is taken by default.
    assert page.locator("[data-field='city'] input[value=other]").is_checked()
    page.check("[data-field='name'] input[value=other]")
    page.click("[data-action=preview]")
    assert "华东国际会展集团 → 华东国际会展" in page.locator("[data-changed='name']").inner_text()

    with page.expect_navigation():
        page.click("[data-action=merge]")
    record = page.locator("#merge-record")
    assert record.get_attribute("data-undone") == "0"
    assert record.locator("[data-moved='transactions.transaction']").count() == 1

    with page.expect_navigation():
        page.click("[data-undo]")
    assert page.locator("#merge-record").get_attribute("data-undone") == "1"
    page.goto(f"{live_server.url}/admin/accounts/account/{other.pk}/360/")
    assert "华东国际会展" in page.locator("h1").first.inner_text()
