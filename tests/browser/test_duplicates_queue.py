"""A manager works the duplicates queue: picks a pair, previews the merge, merges, and undoes
it; the pair is back in the queue. Names that only sound alike are not in it."""

import pytest

from guanxi.core.models import Role, Team
from guanxi.duplicates.finder import candidates_find
from guanxi.duplicates.models import Candidate
from tests.browser.helpers import log_in
from tests.support import make_account, make_contact, make_transaction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team)
    make_user("zhou", role=Role.MANAGER)
    keep = make_account(owner=kam, name="华东国际会展有限公司", city="")
    other = make_account(owner=kam, name="上海華東國際會展（集團）有限公司", city="上海")
    make_account(owner=kam, name="华冬国际会展有限公司")  # sounds alike, shares nothing
    make_contact(account=other, name="孙立")
    make_transaction(account=other, amount="800.00")
    candidates_find()
    pair = Candidate.objects.get()
    return keep, other, pair


def test_manager_merges_from_the_queue_and_undoes(queue, browser, live_server):
    keep, other, pair = queue
    page = browser.new_page(locale="en-US")
    log_in(page, live_server, "zhou")

    page.goto(f"{live_server.url}/admin/duplicates/candidate/queue/?kind=account")
    rows = page.locator("[data-list=candidates] [data-candidate]")
    assert rows.count() == 1  # 华冬 only sounds like 华东: not queued
    row = page.locator(f"[data-candidate='{pair.pk}']")
    assert row.get_attribute("data-score") == "100"
    assert "traditional" in row.locator("[data-explanation]").inner_text()
    row.locator("[data-action=merge]").click()
    page.wait_for_url(f"{live_server.url}/merge/accounts/{keep.pk}/{other.pk}/")

    preview = page.locator("#merge-preview")
    moved = preview.locator("[data-moved='transactions.transaction']")
    assert moved.get_attribute("data-count") == "1"
    assert preview.locator("[data-moved='contacts.contact']").get_attribute("data-count") == "1"
    # The survivor has no city: the other's is taken by default.
    assert page.locator("[data-field='city'] input[value=other]").is_checked()
    page.click("[data-action=preview]")
    assert page.locator("[data-changed='city']").count() == 1

    with page.expect_navigation():
        page.click("[data-action=merge]")
    record = page.locator("#merge-record")
    assert record.get_attribute("data-undone") == "0"
    assert record.locator("[data-moved='contacts.contact']").get_attribute("data-count") == "1"

    page.goto(f"{live_server.url}/admin/duplicates/candidate/queue/?kind=account")
    assert page.locator("[data-list=candidates] [data-candidate]").count() == 0

    page.go_back()
    with page.expect_navigation():
        page.click("[data-undo]")
    assert page.locator("#merge-record").get_attribute("data-undone") == "1"
    page.goto(f"{live_server.url}/admin/duplicates/candidate/queue/?kind=account")
    assert page.locator(f"[data-candidate='{pair.pk}']").count() == 1
