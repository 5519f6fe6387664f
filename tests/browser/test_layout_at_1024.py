"""At 1024 × 768, as a new user found them: the contact form scrolled sideways (its name row of
three fields would not wrap, and the account's buttons were cut off); the attendance sheet's
days ran off the right edge with no sign that there were more."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.tiers.services import scheme_load_preset
from tests.browser.helpers import log_in
from tests.support import make_account, make_contact, make_transaction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rows(transactional_db):
    """A contact with every name filled in, and last month's dinners (the sheet's default month),
    made before Playwright starts (its event loop and the ORM do not mix)."""
    kam = make_user("wang", first_name="芳", last_name="王")
    account = make_account(owner=kam, name="北京海岳生物医药有限公司华东分公司")
    contact = make_contact(account=account, name="欧阳建国", english_name="Jianguo Ouyang",
                           nickname="老欧")  # fmt: skip
    scheme_load_preset(code="restaurant-monthly")
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for day in (1, 9, 17, 28):
        when = timezone.make_aware(dt.datetime(month.year, month.month, day, 19))
        make_transaction(account=account, amount="2500.00", when=when, head_count=10)
    return contact


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_contact_form_wraps_instead_of_scrolling_sideways(rows, browser, live_server, locale):
    page = browser.new_page(locale=locale, viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/admin/contacts/contact/{rows.pk}/change/")
    found = page.evaluate(
        """() => {
            const doc = document.scrollingElement;
            const lines = [...document.querySelectorAll("#contact_form .field-row .field-line")]
                .filter((el) => el.offsetParent);
            return {
                doc: doc.scrollWidth - doc.clientWidth,
                lines: lines.length,
                right: Math.max(...lines.map((el) => el.getBoundingClientRect().right)),
            };
        }"""
    )
    assert found["lines"] > 5
    assert found["doc"] <= 0, f"the page scrolls sideways by {found['doc']} px"
    assert found["right"] <= 1024


def test_the_attendance_sheet_shows_that_its_days_go_on(rows, browser, live_server):
    page = browser.new_page(locale="zh-CN", viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/admin/tiers/tierscheme/attendance/")
    frame, box = page.locator("[data-scroll-frame]"), page.locator("[data-scroll]")
    sticky = page.locator("[data-sticky]").first
    assert page.locator("[data-scroll-hint]").is_visible()
    assert frame.get_attribute("data-more-right") is not None
    assert frame.get_attribute("data-more-left") is None
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_function(
        "document.querySelector('[data-scroll-frame]').hasAttribute('data-more-left')"
    )
    assert frame.get_attribute("data-more-right") is None
    # The account column stays at the sheet's left edge while the days scroll under it.
    assert abs(sticky.bounding_box()["x"] - box.bounding_box()["x"]) <= 2
    assert sticky.is_visible()
