"""The lead's page keeps its name readable beside its steps (qualify, disqualify, duplicates …):
the steps sit in a row of their own under the header, at 1024 and 1440 px, in both languages.
Screenshots go to GUANXI_SCREENSHOTS when it is set (to look at them)."""

import os
from pathlib import Path

import pytest

from guanxi.core.models import Role, Team
from guanxi.leads.models import LeadSource, SourceKind
from guanxi.leads.services import lead_create
from tests.browser.helpers import log_in
from tests.support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "上海星辰国际会展服务有限公司华东分公司"


@pytest.fixture
def lead(transactional_db):
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team)
    source = LeadSource.objects.get_or_create(builtin=SourceKind.EXHIBITION,
                                              defaults={"kind": SourceKind.EXHIBITION})[0]
    created, _duplicates = lead_create(actor=kam, company=NAME, source=source,
                                       person_name="王磊")  # fmt: skip
    return created


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("width", [1024, 1440])
def test_the_lead_name_stays_whole_beside_its_steps(lead, browser, live_server, locale, width):
    page = browser.new_page(locale=locale, viewport={"width": width, "height": 800})
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    steps = page.locator("#lead-steps [data-lead-step]")
    assert sorted(steps.evaluate_all("els => els.map(e => e.dataset.leadStep)")) == [
        "disqualify", "duplicates", "qualify"]  # fmt: skip
    title = page.locator("#header-inner h1 span, #header-inner h1 a").last
    # The whole name shows (no ellipsis cut): its text fits the box it has.
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert NAME in title.inner_text()
    box = title.bounding_box()
    for i in range(steps.count()):
        step = steps.nth(i).bounding_box()
        assert not _overlap(box, step)
        assert step["x"] + step["width"] <= width  # on screen, not cut at the edge
    folder = os.environ.get("GUANXI_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"lead-{locale}-{width}.png"))
