"""A manager opens an agreement's performance page, sees the rebate accrued on the bracket
reached, opens the settlement and downloads its statement as XLSX (issue 14)."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from guanxi.agreements.settlements import settlement_create
from guanxi.agreements.tests.money import agreement_of, commitment, sale, schedule
from guanxi.core.models import Role
from tests.browser.helpers import log_in
from tests.support import make_cast, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Y = 2025


@pytest.fixture
def story(transactional_db):
    """The data, made before Playwright starts (see test_account_360.py)."""
    cast = make_cast()
    make_user("zhou", role=Role.MANAGER)
    agreement = agreement_of(
        cast, starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31), reference="RB-25"
    )
    commitment(agreement, 3_000_000)
    s = schedule(agreement)
    sale(cast.account, 2_500_000, dt.date(Y, 6, 1))
    settlement = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 12, 31))
    return agreement, settlement


def test_manager_downloads_the_settlement_statement(story, browser, live_server):
    agreement, settlement = story
    page = browser.new_page(locale="en-US", accept_downloads=True)
    log_in(page, live_server, "zhou")
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/performance/?as_of={Y}-12-31")
    schedule_box = page.locator("[data-schedule]").first
    assert schedule_box.get_attribute("data-rebate") == "75000.00"
    row = page.locator(f'[data-settlement="{settlement.pk}"]')
    assert row.get_attribute("data-amount-due") == "75000.00"
    assert row.locator('[data-action="confirm"]').count() == 1  # a manager may confirm
    with page.expect_download() as info:
        row.locator('[data-link="xlsx"]').click()
    download = info.value
    assert download.suggested_filename.endswith(f"-{settlement.pk}.xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["Amount due"] == 75_000
    assert rows["Volume to date"] == 2_500_000
    assert rows["Reference"] == "RB-25"
