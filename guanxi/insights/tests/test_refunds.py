"""The value analysis reads a refund as part of the sale it undoes, never as a purchase."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from guanxi.analytics.pipeline import PipelineSettings
from guanxi.insights import services
from guanxi.insights.services import _observation_end, _read_summaries
from guanxi.insights.tests.conftest import AS_OF, at, buy
from guanxi.transactions.models import Transaction
from guanxi.transactions.partitions import ledger_is_partitioned
from tests.support import make_account, make_transaction

LEDGER = Transaction._meta.db_table


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


@pytest.mark.django_db
def test_the_refunds_are_found_on_their_own_index(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the partial index's use is read from PostgreSQL's plan")
    buy(cast.account, dt.date(2026, 3, 1), "1000.00")
    probe = Transaction.objects.filter(kind="refund", occurred_at__lte=_observation_end(AS_OF))
    sql, params = probe.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        # The partial index itself, or its copy in every month of a partitioned ledger.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE %s AND indexdef LIKE %s",
            [f"{LEDGER}%", "%WHERE ((kind)::text = 'refund'::text)%"],
        )
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: else a seq scan
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "tx_refund_account_occurred" in names
    if ledger_is_partitioned():
        # Every month carries its copy (`--enable` rebuilds indexes with their WHERE); on the
        # empty test months the planner's choice between them and the time index is a tie.
        partitions = [n for n in names if n != "tx_refund_account_occurred"]
        assert len(partitions) >= 12, names
        return
    assert any(name in plan for name in names), plan


def _settings() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_indexscan')")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_read_is_planned_as_a_scan_and_the_settings_come_back(cast, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    buy(cast.account, dt.date(2026, 3, 1), "1000.00")
    before, during = _settings(), []
    read = services.read_slices

    def watched(*args, **kwargs):
        during.append(_settings())
        yield from read(*args, **kwargs)

    monkeypatch.setattr(services, "read_slices", watched)
    summary = _read_summaries(AS_OF, PipelineSettings(period="D"), progress=False).summary
    assert summary.height == 1
    assert during == ["off"]
    assert _settings() == before
