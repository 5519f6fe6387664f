"""The tiering run: first match per account, history, idempotency, overrides, atomic failure."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.activities.models import Task
from guanxi.core.errors import ApplicationError, InvalidInput
from guanxi.tiers import services
from guanxi.tiers.models import AccountTier, ChangeReason, TierChange, TierRun, TierRunStatus
from guanxi.tiers.selectors import account_tiers, tier_distribution, tier_migration_counts
from guanxi.tiers.services import account_tier_override, account_tier_override_clear, tiering_run
from guanxi.tiers.tests.conftest import local, spend, tier
from tests.support import analyze_count, make_account, watch_analyze

pytestmark = pytest.mark.django_db

JULY = dt.date(2026, 7, 5)
AUGUST = dt.date(2026, 8, 3)


def _tier_of(account, scheme):
    row = AccountTier.objects.filter(account=account, scheme=scheme).first()
    return row.tier.code if row and row.tier else None


def test_accounts_get_the_first_matching_tier_and_a_history(cast, spend_scheme):
    spend(cast.account, 600, 600, when=local(2026, 6, 10))
    spend(cast.west_account, 150, when=local(2026, 6, 10))
    nobody = make_account(owner=cast.alice)

    run = tiering_run(as_of=JULY)

    assert run.status == TierRunStatus.SUCCEEDED and run.n_accounts == 3 and run.n_changes == 2
    assert _tier_of(cast.account, spend_scheme) == "gold"
    assert _tier_of(cast.west_account, spend_scheme) == "silver"
    assert not AccountTier.objects.filter(account=nobody).exists()  # no tier, nothing stored
    gold = AccountTier.objects.get(account=cast.account)
    assert gold.since == JULY and gold.computed_tier == gold.tier
    assert gold.metrics == {"month_spend": 1200.0}
    change = TierChange.objects.get(account=cast.account)
    assert change.from_tier is None and change.to_tier.code == "gold"
    assert change.reason == ChangeReason.RULES and change.run == run
    assert change.metrics == {"month_spend": 1200.0} and change.effective_on == JULY


def test_a_second_run_on_unchanged_data_writes_nothing(cast, spend_scheme):
    spend(cast.account, 1200, when=local(2026, 6, 10))
    spend(cast.west_account, 150, when=local(2026, 6, 10))
    tiering_run(as_of=JULY)
    before = list(AccountTier.objects.order_by("id").values())
    n_changes, n_tasks = TierChange.objects.count(), Task.objects.count()

    with CaptureQueriesContext(connection) as ctx:
        run = tiering_run(as_of=JULY)

    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # Only the TierRun row itself: one INSERT and one UPDATE of tiers_tierrun.
    assert len(writes) == 2 and all("tiers_tierrun" in sql for sql in writes)
    assert run.n_changes == 0
    assert list(AccountTier.objects.order_by("id").values()) == before
    assert TierChange.objects.count() == n_changes and Task.objects.count() == n_tasks


def test_moves_update_the_row_and_add_history(cast, spend_scheme):
    spend(cast.account, 1200, when=local(2026, 6, 10))
    tiering_run(as_of=JULY)
    spend(cast.account, 150, when=local(2026, 7, 10))  # July: only silver
    tiering_run(as_of=AUGUST)
    row = AccountTier.objects.get(account=cast.account)
    assert row.tier.code == "silver" and row.since == AUGUST
    down = TierChange.objects.filter(account=cast.account).order_by("id").last()
    assert (down.from_tier.code, down.to_tier.code) == ("gold", "silver")
    assert down.is_upgrade is False and down.metrics == {"month_spend": 150.0}
    # September: nothing in August → the tier is lost
    tiering_run(as_of=dt.date(2026, 9, 2))
    row.refresh_from_db()
    assert row.tier is None and row.computed_tier is None
    lost = TierChange.objects.filter(account=cast.account).order_by("id").last()
    assert lost.from_tier.code == "silver" and lost.to_tier is None

    counts = tier_migration_counts(
        scheme=spend_scheme, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)
    )
    assert [(p.period, p.new, p.upgrades, p.downgrades, p.lost) for p in counts] == [
        (dt.date(2026, 7, 1), 1, 0, 0, 0),
        (dt.date(2026, 8, 1), 0, 0, 1, 0),
        (dt.date(2026, 9, 1), 0, 0, 0, 1),
    ]


def test_inactive_schemes_are_not_evaluated(cast, spend_scheme):
    spend_scheme.is_active = False
    spend_scheme.save()
    spend(cast.account, 1200, when=local(2026, 6, 10))
    tiering_run(as_of=JULY)
    assert not AccountTier.objects.exists()


def test_a_failure_leaves_nothing_half_written(cast, spend_scheme, monkeypatch):
    spend(cast.account, 1200, when=local(2026, 6, 10))
    spend(cast.west_account, 150, when=local(2026, 6, 10))
    tiering_run(as_of=JULY)
    before = list(AccountTier.objects.order_by("id").values())
    n_changes = TierChange.objects.count()
    spend(cast.account, 150, when=local(2026, 7, 10))
    spend(cast.west_account, 1500, when=local(2026, 7, 10))

    real_insert = services.insert_rows

    def boom(table, columns, rows):  # after the AccountTier rows were updated
        if table == TierChange._meta.db_table:
            raise RuntimeError("disk full")
        real_insert(table, columns, rows)

    monkeypatch.setattr(services, "insert_rows", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        tiering_run(as_of=AUGUST)
    monkeypatch.setattr(services, "insert_rows", real_insert)

    assert list(AccountTier.objects.order_by("id").values()) == before
    assert TierChange.objects.count() == n_changes
    failed = TierRun.objects.order_by("-id").first()
    assert failed.status == TierRunStatus.FAILED and "disk full" in failed.error
    assert failed.finished_at is not None


@time_machine.travel(dt.datetime(2026, 7, 5, 10, 0, tzinfo=dt.UTC), tick=False)
def test_override_with_expiry(cast, spend_scheme):
    spend(cast.account, 150, when=local(2026, 6, 10))
    spend(cast.account, 150, when=local(2026, 7, 10))
    tiering_run(as_of=JULY)
    gold = tier(spend_scheme, "gold")

    row = account_tier_override(
        account=cast.account,
        scheme=spend_scheme,
        tier=gold,
        reason="Opening the new branch",
        until=dt.date(2026, 7, 31),
        actor=cast.mia,
    )
    assert row.tier == gold and row.computed_tier.code == "silver" and row.override_active(JULY)
    change = TierChange.objects.filter(reason=ChangeReason.OVERRIDE).get()
    assert change.note == "Opening the new branch" and change.changed_by == cast.mia

    # the nightly run keeps the override while it lasts …
    tiering_run(as_of=dt.date(2026, 7, 31))
    assert _tier_of(cast.account, spend_scheme) == "gold"
    assert account_tiers(cast.account)[0].tier == gold
    # … and ends it the day after
    tiering_run(as_of=dt.date(2026, 8, 1))
    row.refresh_from_db()
    assert row.tier.code == "silver" and row.override_tier is None and row.override_reason == ""
    ended = TierChange.objects.filter(reason=ChangeReason.OVERRIDE_ENDED).get()
    assert (ended.from_tier, ended.to_tier.code) == (gold, "silver")


@time_machine.travel(dt.datetime(2026, 7, 5, 10, 0, tzinfo=dt.UTC), tick=False)
def test_override_needs_a_reason_and_can_be_cleared(cast, spend_scheme):
    gold = tier(spend_scheme, "gold")
    with pytest.raises(ApplicationError) as err:
        account_tier_override(
            account=cast.account, scheme=spend_scheme, tier=gold, reason=" ", until=None, actor=None
        )
    assert err.value.field == "reason"
    with pytest.raises(InvalidInput):
        account_tier_override(
            account=cast.account,
            scheme=spend_scheme,
            tier=gold,
            reason="x",
            until=dt.date(2026, 7, 4),
            actor=None,
        )
    account_tier_override(
        account=cast.account, scheme=spend_scheme, tier=gold, reason="VIP", until=None, actor=None
    )
    row = account_tier_override_clear(account=cast.account, scheme=spend_scheme, actor=cast.mia)
    assert row.tier is None and row.override_tier is None
    assert TierChange.objects.filter(reason=ChangeReason.OVERRIDE_ENDED).count() == 1


def test_distribution(cast, spend_scheme):
    spend(cast.account, 1200, when=local(2026, 6, 10))
    spend(cast.west_account, 1200, when=local(2026, 6, 10))
    tiering_run(as_of=JULY)
    assert [(t.code if t else None, n) for t, n in tier_distribution(spend_scheme)] == [
        ("gold", 2),
        ("silver", 0),
    ]


def test_progress_is_reported(cast, spend_scheme):
    messages = []
    tiering_run(as_of=JULY, progress=messages.append)
    assert messages


def test_json_values():
    from decimal import Decimal

    assert services._json_value(Decimal("12.345")) == 12.35
    assert services._json_value(frozenset({"b", "a"})) == ["a", "b"]


def test_a_run_refreshes_the_planner_statistics_of_what_it_wrote(cast, spend_scheme, monkeypatch):
    spend(cast.account, 1200, when=local(2026, 6, 10))
    seen = watch_analyze(monkeypatch, services)
    before = analyze_count("tiers_accounttier")
    tiering_run(as_of=JULY)
    assert seen == ["tiers_accounttier", "tiers_tierchange"]
    if before is not None:  # PostgreSQL: it really ran
        assert analyze_count("tiers_accounttier") == before + 1
