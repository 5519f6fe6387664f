"""Reading the ledger for the analysis: the same summaries, and so the same scores, as the ORM
read that it replaced, in bounded memory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from django.conf import settings
from polars.testing import assert_frame_equal

from guanxi.analytics.pipeline import PipelineSettings
from guanxi.analytics.streamed import summaries_of_frame
from guanxi.core import bulk
from guanxi.insights import services
from guanxi.insights.models import AccountScore
from guanxi.insights.tests.conftest import AS_OF, buy
from guanxi.transactions.models import Transaction
from tests.support import make_transaction

MONEY_FIELDS = (
    "monetary",
    "total_revenue",
    "total_cost",
    "expected_spend",
    "clv",
    "cost_to_serve",
    "historic_clp",
    "predictive_clp",
)
OTHER_FIELDS = ("frequency", "recency", "age", "segment", "abc_class", "rfm_cell", "revenue_rank")


def orm_read(end: dt.datetime, *, progress: bool = False) -> pl.DataFrame:
    """The reader before issue 12: through the ORM, one Python object per value."""
    rows = list(
        Transaction.objects.filter(occurred_at__lte=end).values_list(
            "account_id", "occurred_at", "amount", "cost"
        )
    )
    accounts, stamps, amounts, costs = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pl.DataFrame(
        {
            "account_id": pl.Series(accounts, dtype=pl.Int64),
            "occurred_at": pl.Series(stamps, dtype=pl.Datetime("us", "UTC"))
            .dt.convert_time_zone(settings.TIME_ZONE)
            .dt.replace_time_zone(None),
            "amount": pl.Series([float(v) for v in amounts], dtype=pl.Float64),
            "cost": pl.Series([0.0 if v is None else float(v) for v in costs], dtype=pl.Float64),
        }
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns)


def _edge_cases(cast) -> None:
    """Times on either side of local midnight, microseconds, a missing cost, big and small
    amounts (in whole cents: SQLite would keep a third decimal the ORM then rounds away)."""
    for when, amount, cost in (
        (dt.datetime(2026, 6, 29, 17, 0, tzinfo=dt.UTC), "0.01", None),  # 01:00 on the 30th
        (dt.datetime(2026, 6, 29, 15, 59, 59, 999_999, tzinfo=dt.UTC), "1234567.89", "0.07"),
        (dt.datetime(2026, 6, 30, 15, 59, 59, tzinfo=dt.UTC), "12345678.90", "0.00"),
        (dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC), "99.99", "1.00"),  # July 1st: not read
    ):
        make_transaction(
            account=cast.account,
            amount=amount,
            when=when,
            cost=None if cost is None else Decimal(cost),
        )


def orm_summaries(as_of: dt.date, settings: PipelineSettings, *, progress: bool = False):
    """The summaries the pipeline took before issue 12's bounded reading: of the ORM's frame."""
    frame = orm_read(services._observation_end(as_of))
    if frame.height == 0:
        return None
    return summaries_of_frame(
        frame, services._COLUMNS, dt.datetime.combine(as_of, dt.time.max), settings
    )


def _assert_same(new, old) -> None:
    assert (new.rows, new.holdout, new.split_error) == (old.rows, old.holdout, old.split_error)
    assert_frame_equal(new.summary, old.summary, check_exact=False, rel_tol=1e-12)
    if old.split is None:
        assert new.split is None
    else:
        assert_frame_equal(new.split, old.split, check_exact=False, rel_tol=1e-12)


def test_the_summaries_are_the_ones_of_the_orm_read(book, cast):
    _edge_cases(cast)
    settings = PipelineSettings()
    new = services._read_summaries(AS_OF, settings, progress=False)
    _assert_same(new, orm_summaries(AS_OF, settings))
    end = services._observation_end(AS_OF)
    assert new.rows == Transaction.objects.filter(occurred_at__lte=end).count()
    assert new.split is not None  # the book spans long enough for the holdout check


def test_a_purchase_at_one_in_the_morning_in_shanghai_counts_on_its_local_day(cast):
    make_transaction(
        account=cast.account, amount="10.00", when=dt.datetime(2026, 6, 29, 17, 0, tzinfo=dt.UTC)
    )
    daily = PipelineSettings(period="D")
    summaries = services._read_summaries(AS_OF, daily, progress=False)
    # AS_OF is June 30th: bought that local day, so 0 days old (1 if read as UTC's 29th).
    assert summaries.summary["T"].to_list() == [float((AS_OF - dt.date(2026, 6, 30)).days)]
    assert summaries.summary["total_cost"].to_list() == [0.0]


def test_reading_in_small_slices_gives_the_same_summaries(book, cast, monkeypatch):
    _edge_cases(cast)
    settings = PipelineSettings()
    whole = services._read_summaries(AS_OF, settings, progress=False)
    monkeypatch.setattr(bulk, "_READ_BYTES", 200)  # a few rows per COPY slice
    monkeypatch.setattr(bulk, "_READ_ROWS", 7)
    _assert_same(services._read_summaries(AS_OF, settings, progress=False), whole)


def test_nothing_to_read_gives_no_summaries(cast):
    assert services._read_summaries(AS_OF, PipelineSettings(), progress=False) is None


def _scores(run) -> dict[int, tuple]:
    fields = MONEY_FIELDS + OTHER_FIELDS
    return {
        s.account_id: tuple(getattr(s, f) for f in fields)
        for s in AccountScore.objects.filter(run=run)
    }


def test_scores_are_the_ones_the_orm_read_gave_to_the_cent(book, cast, monkeypatch):
    _edge_cases(cast)
    buy(book[3], dt.date(2026, 6, 29), amount="333.33", cost="111.11", hour=1)
    new = services.analysis_run(as_of=AS_OF)
    monkeypatch.setattr(services, "_read_summaries", orm_summaries)
    old = services.analysis_run(as_of=AS_OF)

    assert new.n_transactions == old.n_transactions
    assert _scores(new) == _scores(old)
    assert new.purchase_model["params"] == old.purchase_model["params"]
