"""A KAM drags a deal to the next stage on the pipeline board; the forecast shows the new
weighted figure. Then a drop on Lost asks for the reason, and a move to Won for a confirmation,
before anything moves. Won and Lost stay in reach beside the open stages at 1024 and 1440 px,
however long the columns."""

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
    for stage in ("contact", "propose", "negotiate"):
        with page.expect_navigation():
            page.locator(f'[data-opportunity="{deal.pk}"] [data-move="next"]').click()
        assert card.get_attribute("data-stage") == str(stages[stage])
    # Won is confirmed first: cancelling moves nothing, confirming wins the deal.
    page.locator(f'[data-opportunity="{deal.pk}"] [data-move="next"]').click()
    assert page.locator("#won-dialog").is_visible()
    assert page.locator("#won-deal").text_content() == "年会 2027"
    page.click("#won-cancel")
    assert not page.locator("#won-dialog").is_visible()
    assert card.get_attribute("data-stage") == str(stages["negotiate"])
    page.locator(f'[data-opportunity="{deal.pk}"] [data-move="next"]').click()
    with page.expect_navigation():
        page.click("#won-submit")
    assert card.get_attribute("data-stage") == str(stages["won"])
    card.focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#lost-dialog").is_visible()
    page.click("#lost-cancel")
    assert card.get_attribute("data-stage") == str(stages["won"])


@pytest.fixture
def long_board(story):
    """Thirty deals more in the first stage: a column far longer than the screen."""
    deal, stages, _month = story
    today = timezone.localdate()
    for i in range(30):
        opportunity_create(actor=deal.owner, account=deal.account, name=f"会议 {i}",
                           expected_close=today, amount=10_000 + i)  # fmt: skip
    return deal, stages


@pytest.mark.parametrize("width", [1024, 1440])
def test_won_and_lost_stay_in_reach_beside_the_open_stages(long_board, browser, live_server,
                                                           width):  # fmt: skip
    deal, stages = long_board
    page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 768})
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/pipeline/board/")
    first = page.locator(f'[data-column][data-stage="{stages["identify"]}"]').bounding_box()
    won = page.locator(f'[data-column][data-stage="{stages["won"]}"]')
    lost = page.locator(f'[data-column][data-stage="{stages["lost"]}"]')
    for column in (won, lost):
        box = column.bounding_box()
        assert box["x"] > first["x"] and box["x"] + box["width"] <= width  # right, in view
        assert box["y"] < first["y"] + first["height"]  # beside the open stages, not below
    # Scrolled to the long column's last card, Won is still on the screen to drop on.
    last = page.locator(f'[data-column][data-stage="{stages["identify"]}"] [data-opportunity]')
    last.last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 300
    box = won.bounding_box()
    assert 0 <= box["y"] < 768 and box["height"] > 0
    # And the four open stages still share one row.
    tops = {round(page.locator(f'[data-column][data-stage="{stages[k]}"]').bounding_box()["y"])
            for k in ("identify", "contact", "propose", "negotiate")}  # fmt: skip
    assert len(tops) == 1
