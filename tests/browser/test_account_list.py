"""The account list in a real browser at 1440 and 1024 px, in Chinese and English: the default
columns fit without sideways scrolling, the name opens the 360° page, and a choice of columns
made in the chooser is still there on the next page load."""

from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.models import Role, Team
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from tests.browser.helpers import log_in
from tests.support import make_account, make_transaction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = "/admin/accounts/account/"
NAMES = ("青岛德润保险经纪有限公司", "华彩医药（济南）有限公司", "山东省口腔医学会",
         "Shanghai Grand Convention & Exhibition Co., Ltd.")  # fmt: skip


@pytest.fixture
def book(transactional_db):
    """A KAM's accounts with long names, revenue and scores (made before Playwright starts)."""
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team, first_name="伟", last_name="王")
    run = AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end="2026-11-30")
    accounts = []
    for i, name in enumerate(NAMES * 3):
        account = make_account(owner=kam, name=f"{name}{i}")
        make_transaction(account=account, amount=f"{(i + 1) * 123456}.00", when=timezone.now())
        AccountScore.objects.create(
            run=run, account=account, frequency=3, recency=10, age=20, periods_since_last=1,
            monetary=Decimal("100"), total_revenue=Decimal("1000"), total_cost=Decimal("0"),
            r_score=3, f_score=3, m_score=3, rfm_cell="333", segment="Champions",
            abc_class="A", revenue_rank=i + 1, clv=Decimal(1000 * (i + 1)), p_alive=0.93,
            cost_to_serve=Decimal("0"), historic_clp=Decimal("0"),
        )  # fmt: skip
        accounts.append(account)
    return accounts


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        """() => { const s = document.scrollingElement, t = document.querySelector('#result_list');
                   const box = t.parentElement;
                   return [s.scrollWidth, s.clientWidth, t.scrollWidth, box.clientWidth]; }"""
    )
    page_w, page_client, table_w, box_w = widths
    assert page_w <= page_client, f"the page scrolls sideways: {widths}"
    assert table_w <= box_w, f"the results table scrolls sideways: {widths}"


@pytest.mark.parametrize("width", [1440, 1024])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_default_columns_fit_and_the_name_opens_360(book, browser, live_server, width, language):
    top = book[-1]  # the highest CLV: first by default
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}{LIST}")
    assert page.locator("html").get_attribute("lang") == language
    for column in ("clv_display", "p_alive_display", "segment_display", "abc_display"):
        assert page.locator(f"#result_list th.column-{column}").count() == 1, column
    _no_sideways_scroll(page)
    first = page.locator("#result_list [data-open-360]").first
    assert first.inner_text() == top.name
    with page.expect_navigation():
        first.click()
    assert page.url.endswith(f"/admin/accounts/account/{top.pk}/360/")
    assert page.locator("#account-360").count() == 1
    context.close()


def _kams_list(browser, live_server):
    """The KAM's account list at 1440 px, in English."""
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="en-US")
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}{LIST}")
    return page


def test_the_column_chooser_keeps_a_choice_across_page_loads(book, browser, live_server):
    page = _kams_list(browser, live_server)
    assert page.locator("#result_list th.column-code").count() == 0
    page.locator("[data-column-chooser] summary").click()
    page.locator("[data-column=code]").check()
    page.locator("[data-column=p_alive]").uncheck()
    with page.expect_navigation():
        page.locator("[data-columns-save]").click()
    for _load in range(2):  # after saving, and on a fresh load of the page
        assert page.locator("#result_list th.column-code").count() == 1
        assert page.locator("#result_list th.column-p_alive_display").count() == 0
        page.goto(f"{live_server.url}{LIST}")
    page.locator("[data-column-chooser] summary").click()
    with page.expect_navigation():
        page.locator("[data-columns-reset]").click()
    assert page.locator("#result_list th.column-code").count() == 0
    assert page.locator("#result_list th.column-p_alive_display").count() == 1


def _search_and_pick(page, name: str, words: str) -> None:
    """Open a filter's searchable dropdown (select2), type, and take the first match."""
    select = page.locator(f"#changelist-filter select[name={name}]")
    select.locator("xpath=following-sibling::span[contains(@class, 'select2')]").first.click()
    page.locator(".select2-container--open .select2-search__field").fill(words)
    page.locator(".select2-results__option--highlighted").first.wait_for()
    page.keyboard.press("Enter")


def test_the_filter_panel_opens_on_demand_and_filters(book, browser, live_server):
    page = _kams_list(browser, live_server)
    assert page.locator("#changelist-filter").count() == 0
    page.locator("[data-filters-lazy]").click()
    page.wait_for_selector("#gx-filters[data-filters-ready]", state="attached")
    # Every dropdown of the panel loaded on demand is searchable, like unfold's own filters.
    selects = page.locator("#changelist-filter select.unfold-admin-autocomplete")
    assert selects.count() > 10
    assert page.locator("#changelist-filter select.select2-hidden-accessible").count() == (
        selects.count()
    )
    _search_and_pick(page, "segment", "Champ")
    assert page.locator("#changelist-filter select[name=segment]").input_value() == "Champions"
    with page.expect_navigation():
        page.locator("#changelist-filter button[type=submit]").first.click()
    assert "segment=Champions" in page.url
    assert page.locator("#result_list [data-open-360]").count() == len(book)
