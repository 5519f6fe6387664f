"""A KAM drags a deal to the next stage on the pipeline board; the forecast shows the new
weighted figure. Then a drop on Lost asks for the reason before anything moves."""

import pytest
from django.utils import timezone

from guanxi.core.models import Role, Team
from guanxi.pipeline.models import Stage
from guanxi.pipeline.services import opportunity_create
from tests.browser.helpers import log_in
from tests.support import make_account, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(transactional_db):
    """The data, made before Playwright starts (see test_account_360.py)."""
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team)
    account = make_account(owner=kam, name="华东国际会展集团")
    today = timezone.localdate()
    deal = opportunity_create(actor=kam, account=account, name="年会 2027",
                              expected_close=today, amount=100_000)  # fmt: skip
    stages = {s.builtin: s.pk for s in Stage.objects.filter(pipeline=deal.pipeline)}
    return deal, stages, today.strftime("%Y-%m")


def test_kam_drags_a_deal_to_the_next_stage_and_the_forecast_follows(story, browser, live_server):
    deal, stages, month = story
    # Wide enough for every column: a drag that must scroll the board sideways is flaky.
    page = browser.new_page(locale="en-US", viewport={"width": 2400, "height": 1000})
    log_in(page, live_server, "wang")

    page.goto(f"{live_server.url}/pipeline/forecast/")
    cell = page.locator(f'#forecast-table [data-cell="month"][data-month="{month}"]').first
    assert cell.get_attribute("data-weighted") == "10000.00"  # identify: 10 %

    page.goto(f"{live_server.url}/pipeline/board/")
    card = page.locator(f'[data-opportunity="{deal.pk}"]')
    assert card.get_attribute("data-stage") == str(stages["identify"])
    with page.expect_navigation():
        card.drag_to(page.locator(f'[data-column][data-stage="{stages["contact"]}"]'))
    moved = page.locator(
        f'[data-column][data-stage="{stages["contact"]}"] [data-opportunity="{deal.pk}"]'
    )
    assert moved.count() == 1
    assert (
        page.locator(f'[data-column][data-stage="{stages["contact"]}"]').get_attribute(
            "data-weighted"
        )
        == "20000.00"
    )

    page.goto(f"{live_server.url}/pipeline/forecast/")
    cell = page.locator(f'#forecast-table [data-cell="month"][data-month="{month}"]').first
    assert cell.get_attribute("data-weighted") == "20000.00"  # contact: 20 %
    assert cell.get_attribute("data-forecast") == "20000.00"

    # A drop on Lost opens the dialog; cancelling moves nothing.
    page.goto(f"{live_server.url}/pipeline/board/")
    card = page.locator(f'[data-opportunity="{deal.pk}"]')
    card.drag_to(page.locator(f'[data-column][data-stage="{stages["lost"]}"]'))
    assert page.locator("#lost-dialog").is_visible()
    page.click("#lost-cancel")
    assert not page.locator("#lost-dialog").is_visible()
    assert card.get_attribute("data-stage") == str(stages["contact"])

    # Again, with a reason: the deal is lost and sits in the Lost column.
    card.drag_to(page.locator(f'[data-column][data-stage="{stages["lost"]}"]'))
    page.select_option("#lost-reason", index=1)
    page.fill("#lost-note", "预算取消")
    with page.expect_navigation():
        page.click("#lost-submit")
    lost = page.locator(f'[data-column][data-stage="{stages["lost"]}"]')
    assert lost.locator(f'[data-opportunity="{deal.pk}"]').count() == 1
    assert lost.get_attribute("data-count") == "1"


def test_a_deal_moves_with_the_keyboard_and_lost_still_asks_why(story, browser, live_server):
    deal, stages, _month = story
    page = browser.new_page(locale="en-US", viewport={"width": 1440, "height": 900})
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/pipeline/board/")
    card = page.locator(f'[data-opportunity="{deal.pk}"]')
    assert card.get_attribute("tabindex") == "0" and card.get_attribute("aria-describedby")
    # The card's own arrows say where they go; the first column has no way back.
    assert card.locator('[data-move="previous"]').is_hidden()
    assert card.locator('[data-move="next"]').get_attribute("aria-label").endswith("Contact")
    card.focus()
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    contact = page.locator(f'[data-column][data-stage="{stages["contact"]}"]')
    assert contact.locator(f'[data-opportunity="{deal.pk}"]').count() == 1
    card = page.locator(f'[data-opportunity="{deal.pk}"]')
    page.wait_for_function(  # focus comes back to it
        f'document.activeElement && document.activeElement.dataset.opportunity === "{deal.pk}"'
    )
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    assert card.get_attribute("data-stage") == str(stages["identify"])
    # From Won, the next column is Lost: the reason is asked before anything moves.
    page.goto(f"{live_server.url}/pipeline/board/")
    for stage in ("contact", "propose", "negotiate", "won"):
        with page.expect_navigation():
            page.locator(f'[data-opportunity="{deal.pk}"] [data-move="next"]').click()
        assert card.get_attribute("data-stage") == str(stages[stage])
    card.focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#lost-dialog").is_visible()
    page.click("#lost-cancel")
    assert card.get_attribute("data-stage") == str(stages["won"])
