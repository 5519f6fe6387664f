"""The home dashboard at 1440 px, in zh-Hans and in English: the charts are drawn with data and a
click on a chart cell opens the list behind it."""

import pytest

from guanxi.workspace.tests.dashboard_support import build_book
from tests.browser.helpers import log_in
from tests.support import make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("pyramid", "pareto", "rfm", "migration", "cohorts", "categories")


@pytest.fixture
def director_book(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    cast = make_cast()
    build_book(cast)
    return cast


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_charts_render_and_a_cell_opens_its_list(director_book, browser, live_server, locale):
    page = browser.new_page(locale=locale, viewport={"width": 1440, "height": 900})
    log_in(page, live_server, "mia")
    lang = page.locator("html").get_attribute("lang")
    assert lang.lower().startswith("zh" if locale == "zh-CN" else "en")
    page.wait_for_function("window.guanxiCharts && Object.keys(window.guanxiCharts).length >= 6")
    for key in CHARTS:
        assert page.locator(f"canvas[data-dashboard-chart='{key}']").count() == 1
        points = page.evaluate(
            f"window.guanxiCharts['{key}'].data.datasets.reduce((n, d) => n + d.data.length, 0)"
        )
        assert points > 0, key
    # The shared number format: 12,000 reads 1.2万 in Chinese, 12k in English.
    compact = page.evaluate("window.guanxiNumbers.compact(12000)")
    assert compact == ("1.2万" if locale == "zh-CN" else "12k")
    # Click the pyramid's first bar (tier A): the account list filtered to that tier.
    canvas = page.locator("canvas[data-dashboard-chart='pyramid']")
    canvas.scroll_into_view_if_needed()
    x, y = page.evaluate(
        "(() => { const el = window.guanxiCharts.pyramid.getDatasetMeta(1).data[0];"
        " return [el.x - 2, el.y]; })()"
    )
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/admin/accounts/account/?tier=*")
    assert page.locator("#result_list tbody tr").count() == 1
