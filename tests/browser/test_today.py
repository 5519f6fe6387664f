"""A KAM's morning: open Today, log a visit with one click, see the next visit scheduled."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.activities.models import Task, TaskKind, TaskSource
from guanxi.core.models import Role, Team
from guanxi.tiers.models import AccountTier, Tier, TierPolicy, TierScheme
from tests.browser.helpers import log_in
from tests.support import make_account, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def morning(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    today = timezone.localdate()
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team, first_name="伟", last_name="王")
    account = make_account(owner=kam, name="华东国际会展集团")
    scheme = TierScheme.objects.create(code="service", name="服务等级", name_en="Service tiers")
    tier = Tier.objects.create(scheme=scheme, code="a", name="A品质", name_en="A quality", rank=1)
    TierPolicy.objects.create(tier=tier, visit_every_days=10)
    AccountTier.objects.create(
        account=account,
        scheme=scheme,
        tier=tier,
        computed_tier=tier,
        since=today - dt.timedelta(days=10),
        evaluated_on=today,
    )
    visit = Task.objects.create(account=account, assignee=kam, kind=TaskKind.VISIT,
                                title="拜访", due_date=today, source=TaskSource.POLICY,
                                key="visit", tier=tier)  # fmt: skip
    return account, visit, today + dt.timedelta(days=10)


def test_kam_logs_a_visit_from_today_and_the_next_one_is_scheduled(morning, browser, live_server):
    account, visit, next_due = morning
    page = browser.new_page(locale="en-US")
    log_in(page, live_server, "wang")

    page.goto(f"{live_server.url}/today/")
    page.wait_for_url(f"{live_server.url}/admin/activities/task/today/")
    row = page.locator(f"#due-tasks [data-task='{visit.pk}']")
    assert "华东国际会展集团" in row.inner_text()
    button = row.locator("[data-log-button=visit]")
    assert button.count() == 1, "the one-click button logs a visit"
    row.locator("input[name=notes]").fill("谈了明年的会展合同")
    with page.expect_navigation():
        button.click()

    assert page.url.startswith(f"{live_server.url}/admin/activities/task/today/")
    assert page.locator(f"[data-task='{visit.pk}']").count() == 0, "the done task is gone"
    message = page.locator("body").inner_text()
    assert next_due.isoformat() in message, "the message names the next visit's due date"

    # The account's tasks (the list shows open ones by default): the next visit, ten days out.
    page.goto(f"{live_server.url}/admin/activities/task/?account__id__exact={account.pk}")
    table = page.locator("#result_list").inner_text()
    assert next_due.isoformat() in table
    assert visit.due_date.isoformat() not in table
