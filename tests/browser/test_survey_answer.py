"""A contact answers an NPS survey on a phone (375 × 812): the page fits the screen, shows the
questions only, takes the answer once and stores it in the link's language."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from guanxi.activities.models import Task
from guanxi.surveys.models import SurveyResponse, SurveyTemplate
from guanxi.surveys.services import invitation_create, invitation_url
from tests.support import make_account, make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def link(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    kam = make_user("wang")
    account = make_account(owner=kam, name="华东国际会展集团")
    contact = make_contact(account=account, name="李经理")
    invitation = invitation_create(
        actor=kam,
        template=SurveyTemplate.objects.get(code="nps"),
        account=account,
        contact=contact,
    )
    return invitation_url(invitation), account, contact


def test_a_contact_answers_an_nps_survey_on_a_phone(link, browser, live_server):
    path, account, contact = link
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}")
    body = page.inner_text("body")
    assert account.name not in body and contact.name not in body
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("#survey-submit").bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] >= 44  # a thumb-sized button

    page.click("label:has([data-score='3'])")
    page.fill("textarea[name=comment]", "等了三天才回复报价")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-thanks")

    page.goto(f"{live_server.url}{path}")
    assert page.locator("#survey-refused[data-reason=answered]").count() == 1
    context.close()


def test_the_answer_is_stored_in_the_links_language(link, browser, live_server):
    path, account, _contact = link
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}?lang=en")
    assert page.locator("#survey-lang").get_attribute("lang") == "zh-hans"
    page.click("label:has([data-score='10'])")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-thanks")
    context.close()
    # The ORM refuses calls in the thread of Playwright's event loop: read in another one.
    with ThreadPoolExecutor(1) as pool:
        stored = pool.submit(_stored).result()
    # a promoter needs no recovery task (the referral ask comes at once)
    assert stored == ([(account.pk, 10, "zh-hans")], False)


def _stored() -> tuple[list, bool]:
    try:
        rows = list(SurveyResponse.objects.values_list("account", "nps_score", "language"))
        return rows, Task.objects.filter(source="recovery").exists()
    finally:
        connection.close()
