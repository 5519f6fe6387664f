"""A manager's path through customer value: the model page draws its charts, the account list
sorts by CLV, and an account's 360° page shows its value card."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.models import Role
from guanxi.insights.services import analysis_run
from tests.browser.helpers import log_in
from tests.support import make_account, make_transaction, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def scored(transactional_db):
    """Eight accounts bought every few weeks for two years (half of them stopped a year ago),
    scored before Playwright starts (see test_account_360.py for why)."""
    boss = make_user("zhou", role=Role.MANAGER)
    wobble = (0.7, 1.3, 0.9, 1.6, 0.5, 1.0, 1.2)
    accounts = []
    for i in range(8):
        account = make_account(owner=boss, name=f"价值客户{i}")
        day, k = dt.date(2024, 7, 1) + dt.timedelta(days=i), i
        stop = AS_OF if i < 4 else dt.date(2025, 6, 30)
        while day <= stop:
            when = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12))
            make_transaction(account=account, amount=f"{(900 + 150 * i) * wobble[k % 7]:.2f}",
                             when=when)  # fmt: skip
            day, k = day + dt.timedelta(weeks=2 + i % 3), k + 1
        accounts.append(account)
    run = analysis_run(as_of=AS_OF)
    return run, accounts


def _charts_drawn(page, selector: str) -> bool:
    return page.evaluate(
        "sel => { const c = document.querySelector(sel + ' canvas');"
        " return !!(c && window.Chart && Chart.getChart(c) && c.width > 0); }",
        selector,
    )


def test_manager_reads_the_model_page_and_finds_valuable_accounts(scored, browser, live_server):
    run, accounts = scored
    page = browser.new_page(locale="en-US")
    log_in(page, live_server, "zhou")

    page.goto(f"{live_server.url}/admin/insights/analysisrun/latest/")
    page.wait_for_url(f"**/admin/insights/analysisrun/{run.pk}/change/")
    model = page.locator("#value-model")
    assert model.locator("[data-params=purchase]").count() == 1, "no purchase model"
    assert model.locator("[data-chart=pareto]").count() == 1, "no Pareto curve"
    assert _charts_drawn(page, "[data-chart=pareto]"), "the Pareto chart was not drawn"
    assert _charts_drawn(page, "[data-chart=calibration]"), "the holdout chart was not drawn"

    # Sort the account list by CLV, largest first: an account that kept buying comes first.
    page.goto(f"{live_server.url}/admin/accounts/account/")
    page.locator("th.column-clv_display a").first.click()
    page.locator("th.column-clv_display a").first.click()
    first = page.locator("#result_list tbody tr").first.inner_text()
    assert any(a.name in first for a in accounts[:4]), first

    page.goto(f"{live_server.url}/admin/accounts/account/{accounts[0].pk}/360/")
    p_alive = page.locator("[data-card=value] [data-figure=p-alive]").inner_text()
    assert "%" in p_alive
