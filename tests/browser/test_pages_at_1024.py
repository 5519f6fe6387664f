"""At 1024 × 768 (a laptop, a projector) the case list, the warning-lights table and the
pipeline board show their columns without scrolling sideways, in Chinese and in English
(issue 16): long subjects, names and feedback are cut with the whole text on hover, the board's
stages wrap to a second row."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.models import Role, Team
from guanxi.loyalty.models import AccountLight, LightRule
from guanxi.pipeline.models import Stage
from guanxi.pipeline.services import opportunity_create
from guanxi.service.models import Case
from tests.browser.helpers import log_in
from tests.support import make_account, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "cases": ("/admin/service/case/", "#result_list"),
    "lights": ("/loyalty/lights/?state=all", "#lights-table"),
    "board": ("/pipeline/board/", "#pipeline-board .gx-columns"),
}
LONG = "宴会当晚上菜严重延误，客人等了四十多分钟，主桌投诉后又发现海鲜不新鲜，要求书面说明"
NAMES = ("石家庄市职业技术学院继续教育中心", "北京海岳生物医药有限公司华东分公司",
         "Shanghai International Exhibition & Convention Group Co., Ltd.")  # fmt: skip


@pytest.fixture
def demo_like(transactional_db):
    """Demo-like rows, made before Playwright starts (its event loop and the ORM do not mix)."""
    now, today = timezone.now(), timezone.localdate()
    team = Team.objects.create(name="宴会销售部")
    kam = make_user("wang", role=Role.KAM, team=team, first_name="芳", last_name="王")
    make_user("zhou", role=Role.MANAGER, first_name="敏", last_name="周")
    statuses = ["new", "in_progress", "waiting", "resolved", "reopened", "acknowledged"]
    for i, status in enumerate(statuses * 2):
        account = make_account(owner=kam, name=NAMES[i % len(NAMES)] + str(i))
        Case.objects.create(account=account, kind=("complaint", "request")[i % 2], owner=kam,
                            subject=LONG[: 12 + 4 * i], status=status, severity="high",
                            opened_at=now - dt.timedelta(days=i + 1),
                            resolution_due_at=now + dt.timedelta(days=i - 3),
                            escalation_level=i % 3)  # fmt: skip
        rule = LightRule.objects.order_by("pk")[i % LightRule.objects.count()]
        AccountLight.objects.create(account=account, rule=rule, colour=("red", "yellow")[i % 2],
                                    raised_at=now, last_seen_on=today, kam_feedback=LONG * 2,
                                    countermeasure=LONG)  # fmt: skip
        deal = opportunity_create(actor=kam, account=account, name=f"2027 年会 {LONG[:10]}",
                                  expected_close=today, amount=100_000 + i)  # fmt: skip
        stages = list(Stage.objects.filter(pipeline=deal.pipeline, outcome="open"))
        deal.stage = stages[i % len(stages)]
        deal.save(update_fields=["stage"])


def _overflow(page, selector: str) -> dict:
    """How far the document, and the nearest box around ``selector`` that scrolls sideways,
    run past their width (0: everything in view)."""
    return page.evaluate(
        """(selector) => {
            const doc = document.scrollingElement;
            const box = document.querySelector(selector);
            let inner = 0;
            for (let el = box; el && el !== document.body; el = el.parentElement) {
                const x = getComputedStyle(el).overflowX;
                if (x === "auto" || x === "scroll") {
                    inner = Math.max(inner, el.scrollWidth - el.clientWidth);
                }
            }
            return {doc: doc.scrollWidth - doc.clientWidth, found: !!box, inner: inner};
        }""",
        selector,
    )


@pytest.mark.parametrize("locale,lang", [("zh-CN", "zh-hans"), ("en-US", "en")])
def test_lists_fit_a_1024_screen(demo_like, browser, live_server, locale, lang):
    page = browser.new_page(locale=locale, viewport={"width": 1024, "height": 768})
    log_in(page, live_server, "zhou")
    for name, (url, selector) in PAGES.items():
        page.goto(f"{live_server.url}{url}")
        assert page.locator("html").get_attribute("lang") == lang
        found = _overflow(page, selector)
        assert found["found"], f"{name}: {selector} is missing"
        assert found["doc"] <= 0, f"{name} ({lang}) scrolls sideways by {found['doc']} px"
        assert found["inner"] <= 0, f"{name} ({lang}): columns hidden {found['inner']} px"
    # The cut texts keep their whole words on hover.
    page.goto(f"{live_server.url}/admin/service/case/")
    assert page.locator("#result_list [data-subject][title]").first.get_attribute("title")
