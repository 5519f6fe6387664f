"""A KAM sees the red light on Today (a complaint past its SLA) and records their feedback."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.models import Role, Team
from guanxi.loyalty.lights import lights_evaluate
from guanxi.loyalty.models import AccountLight
from guanxi.service.models import Case
from tests.browser.helpers import log_in
from tests.support import make_account, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def red_light(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    now = timezone.now()
    team = Team.objects.create(name="宴会销售部")
    kam = make_user("wang", role=Role.KAM, team=team, first_name="伟", last_name="王")
    account = make_account(owner=kam, name="华东国际会展集团")
    Case.objects.create(
        account=account, kind="complaint", subject="宴会上菜慢", owner=kam, status="in_progress",
        opened_at=now - dt.timedelta(days=4), resolution_due_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    lights_evaluate()
    return AccountLight.objects.get(account=account, cleared_at__isnull=True)


def test_kam_sees_the_red_light_on_today_and_records_feedback(red_light, browser, live_server):
    page = browser.new_page(locale="en-US")
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/today/")
    page.wait_for_url(f"{live_server.url}/admin/activities/task/today/")

    row = page.locator(f"#warning-lights [data-light='{red_light.pk}']")
    assert row.get_attribute("data-colour") == "red"
    assert row.get_attribute("data-status") == "open"
    assert "华东国际会展集团" in row.inner_text()
    words = "已上门致歉，下周请客户试新菜单"
    row.locator("[data-feedback-fold] summary").click()  # the feedback box is folded
    row.locator("textarea[name=kam_feedback]").fill(words)
    with page.expect_navigation():
        row.locator("[data-save-feedback]").click()

    assert page.url.startswith(f"{live_server.url}/admin/activities/task/today/")
    row = page.locator(f"#warning-lights [data-light='{red_light.pk}']")
    assert row.get_attribute("data-status") == "acknowledged"
    assert (
        row.locator("textarea[name=kam_feedback]").input_value() == "已上门致歉，下周请客户试新菜单"
    )
