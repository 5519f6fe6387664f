"""The value analysis reads a refund as part of the sale it undoes, never as a purchase."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.analytics.pipeline import PipelineSettings
from guanxi.insights.services import _read_summaries
from guanxi.insights.tests.conftest import AS_OF, at, buy
from tests.support import make_account, make_transaction


def refund(account, day, amount, of=None):
    return make_transaction(account=account, amount=amount, when=at(day, 15), kind="refund",
                            refund_of=of)  # fmt: skip


@pytest.mark.django_db
def test_refunds_are_netted_into_their_sales(cast):
    a, b = cast.account, make_account(owner=cast.alice)
    first = buy(a, dt.date(2026, 3, 1), "1000.00")
    buy(a, dt.date(2026, 4, 1), "500.00")
    refund(a, dt.date(2026, 5, 1), "-300.00", of=first)  # linked: nets into March's sale
    refund(a, dt.date(2026, 5, 2), "-100.00")  # no link: the latest sale before it (April)
    refund(a, AS_OF + dt.timedelta(days=2), "-200.00", of=first)  # after the end: not yet
    gone = buy(b, dt.date(2026, 2, 1), "400.00")
    refund(b, dt.date(2026, 2, 3), "-400.00", of=gone)  # refunded in full: no purchase
    buy(b, dt.date(2026, 3, 1), "80.00")

    # Daily periods, so each netted sale is a purchase of its own day.
    summary = _read_summaries(AS_OF, PipelineSettings(period="D"), progress=False).summary
    rows = {r["account_id"]: r for r in summary.to_dicts()}
    # a: March 700 (1000 − 300) and April 400 (500 − 100); the refund after AS_OF not yet known.
    assert rows[a.pk]["total_revenue"] == 1100.0
    assert rows[a.pk]["frequency"] == 1  # two purchases: one repeat
    # b: February's sale refunded in full is no purchase; March's 80 is the first.
    assert rows[b.pk]["total_revenue"] == 80.0
    assert rows[b.pk]["frequency"] == 0
