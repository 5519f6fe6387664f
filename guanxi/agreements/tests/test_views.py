"""The performance page, the statement and its XLSX: content, access (404 out of sight),
drafting and confirming from the page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from guanxi.agreements.models import RebateSettlement, SettlementStatus
from guanxi.agreements.settlements import settlement_create
from guanxi.agreements.tests.money import agreement_of, commitment, sale, schedule
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db
Y = 2025


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def story(cast):
    agreement = agreement_of(
        cast, starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31), reference="RB-2025-01"
    )
    commitment(agreement, 3_000_000)
    s = schedule(agreement)
    sale(cast.account, 2_500_000, dt.date(Y, 5, 1))
    settlement = settlement_create(actor=cast.alice, schedule=s, period_end=dt.date(Y, 12, 31))
    return agreement, s, settlement


@pytest.mark.parametrize(("name", "status"), [("alice", 200), ("lena", 200), ("mia", 200),
                                              ("bob", 404), ("charlie", 404)])  # fmt: skip
def test_performance_page_access(cast, story, name, status):
    agreement, _, settlement = story
    client = client_for(getattr(cast, name))
    url = reverse("agreements:performance", args=[agreement.pk])
    assert client.get(url).status_code == status
    assert client.get(reverse("agreements:statement", args=[settlement.pk])).status_code == status
    xlsx = client.get(reverse("agreements:statement_xlsx", args=[settlement.pk]))
    assert xlsx.status_code == status


def test_performance_page_shows_commitments_accrual_and_settlements(cast, story, english):
    agreement, s, settlement = story
    page = client_for(cast.mia).get(
        reverse("agreements:performance", args=[agreement.pk]) + f"?as_of={Y}-12-31"
    )
    html = page.content.decode()
    assert f'data-as-of="{Y}-12-31"' in html
    assert 'data-actual="2500000.00"' in html and 'data-shortfall="1"' in html
    assert f'data-schedule="{s.pk}" data-rebate="75000.00"' in html
    assert 'data-bracket="1" data-reached="1" data-line-rebate="75000.00"' in html
    assert f'data-settlement="{settlement.pk}" data-status="draft"' in html
    assert 'data-action="confirm"' in html  # a manager confirms
    assert "Volume commitments" in html
    kam_page = client_for(cast.alice).get(reverse("agreements:performance", args=[agreement.pk]))
    assert 'data-action="confirm"' not in kam_page.content.decode()


def test_the_page_renders_in_chinese(cast, story):
    agreement, _, _ = story
    html = client_for(cast.alice).get(reverse("agreements:performance", args=[agreement.pk]))
    assert "返点" in html.content.decode()


def test_statement_and_its_workbook(cast, story):
    _, _, settlement = story
    client = client_for(cast.alice)
    html = client.get(reverse("agreements:statement", args=[settlement.pk])).content.decode()
    assert 'data-amount-due="75000.00"' in html and "@media print" in html
    response = client.get(reverse("agreements:statement_xlsx", args=[settlement.pk]))
    assert response["Content-Disposition"].endswith(
        f'rebate-RB-2025-01-{Y}1231-{settlement.pk}.xlsx"'
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert 75000 in cells and 2_500_000 in cells and "RB-2025-01" in cells


def test_drafting_and_confirming_from_the_page(cast, story):
    agreement, s, settlement = story
    mia = client_for(cast.mia)
    mia.post(reverse("agreements:settlement_confirm", args=[settlement.pk]))
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.CONFIRMED
    assert settlement.history.first().history_user == cast.mia
    # a KAM may not confirm: the page says so, nothing changes
    alice = client_for(cast.alice)
    response = alice.post(
        reverse("agreements:settlement_create", args=[agreement.pk]),
        {"schedule": s.pk, "period_end": f"{Y}-12-31"},
    )
    assert response.status_code == 302
    draft = RebateSettlement.objects.get(status=SettlementStatus.DRAFT)
    assert draft.amount_due == Decimal(0)
    alice.post(reverse("agreements:settlement_confirm", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == SettlementStatus.DRAFT
    # out of sight: 404
    charlie = client_for(cast.charlie)
    bad = charlie.post(
        reverse("agreements:settlement_create", args=[agreement.pk]),
        {"schedule": s.pk, "period_end": f"{Y}-12-31"},
    )
    assert bad.status_code == 404
    # nonsense input: a message, not an error page
    assert (
        alice.post(
            reverse("agreements:settlement_create", args=[agreement.pk]), {"period_end": "x"}
        ).status_code
        == 302
    )


def test_recording_a_rebate_payment_from_the_page(cast, story, english):
    agreement, _, settlement = story
    mia = client_for(cast.mia)
    mia.post(reverse("agreements:settlement_confirm", args=[settlement.pk]))
    page = reverse("agreements:performance", args=[agreement.pk])
    html = mia.get(page).content.decode()
    assert 'data-form="payment"' in html and 'value="75000.00"' in html
    assert 'data-form="payment"' not in client_for(cast.alice).get(page).content.decode()
    pay = reverse("agreements:settlement_payment", args=[settlement.pk])
    # more than is due, or nonsense: a message, nothing recorded
    for body in ({"paid_on": f"{Y + 1}-01-10", "amount": "80000"}, {"amount": "x"}):
        response = mia.post(pay, body, follow=True)
        assert response.status_code == 200 and not settlement.payments.exists()
    # a KAM may not record a payment
    client_for(cast.alice).post(pay, {"paid_on": f"{Y + 1}-01-10", "amount": "100"})
    assert not settlement.payments.exists()
    assert client_for(cast.charlie).post(pay, {"amount": "1"}).status_code == 404
    mia.post(pay, {"paid_on": f"{Y + 1}-01-10", "amount": "30000", "reference": "TT-1"})
    mia.post(pay, {"paid_on": f"{Y + 1}-02-10", "amount": "45000"})
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.PAID
    first = settlement.payments.order_by("paid_on").first()
    assert (first.amount, first.reference, first.recorded_by) == (Decimal(30000), "TT-1", cast.mia)
    assert first.history.first().history_user == cast.mia
