"""The value analysis reads a refund as part of the sale it undoes, never as a purchase."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.insights.services import _observation_end, _read_transactions
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

    frame = _read_transactions(_observation_end(AS_OF), progress=False)
    frame = frame.sort("occurred_at", "account_id")
    rows = [(r["account_id"], r["occurred_at"].date(), r["amount"]) for r in frame.to_dicts()]
    assert rows == [
        (a.pk, dt.date(2026, 3, 1), 700.0),
        (b.pk, dt.date(2026, 3, 1), 80.0),
        (a.pk, dt.date(2026, 4, 1), 400.0),
    ]
    assert frame["amount"].min() > 0  # the models take amounts ≥ 0 only
