"""A won deal's expected revenue stands beside what the ledger then booked on the account, by
month and category, on the deal's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from guanxi.pipeline.models import ExpectedRevenue
from guanxi.pipeline.selectors import expected_with_booked
from guanxi.pipeline.services import opportunity_create, opportunity_move
from guanxi.transactions.models import ProductCategory
from tests.support import make_transaction

from .conftest import local


def test_expected_revenue_shows_what_the_ledger_booked_that_month(cast, clock, stages, client):
    fnb, _ = ProductCategory.objects.get_or_create(code="fnb", defaults={"name": "餐饮"})
    deal = opportunity_create(
        actor=cast.alice,
        account=cast.account,
        name="年会",
        expected_close=dt.date(2026, 6, 30),
        lines=[{"kind": "fnb", "quantity": 200, "unit_price": "150", "category": fnb.pk,
                "day": dt.date(2026, 7, 10)}],  # fmt: skip
        amount_from_lines=True,
    )
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    make_transaction(account=cast.account, amount="27500", category=fnb,
                     when=local(2026, 7, 10, 19))  # fmt: skip
    row = expected_with_booked(ExpectedRevenue.objects.filter(opportunity=deal)).get()
    assert (row.month, row.amount, row.booked) == (dt.date(2026, 7, 1), Decimal("30000"),
                                                   Decimal("27500"))  # fmt: skip
    client.force_login(cast.alice)
    page = client.get(reverse("admin:pipeline_opportunity_change", args=[deal.pk]))
    assert page.status_code == 200 and "27,500" in page.content.decode()
