"""The discount floor check: one transaction at a time, and set-based after imports."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from guanxi.tiers import services
from guanxi.tiers.models import AccountTier, DiscountReview, DiscountReviewStatus
from guanxi.tiers.services import discount_check, discount_reviews_flag
from guanxi.tiers.tests.conftest import build_scheme, policy, tier
from guanxi.transactions.models import ProductCategory
from tests.support import make_account, make_transaction, watch_analyze

pytestmark = pytest.mark.django_db


@pytest.fixture
def floored(cast):
    scheme = build_scheme("monthly", [("a", [{"metric": "month_visits", "min": 6}]), ("b", [])])
    drinks = ProductCategory.objects.create(code="drinks", name="酒水")
    food, _ = ProductCategory.objects.get_or_create(code="fnb", defaults={"name": "餐饮"})
    p = policy(scheme, "a", discount_floor=D("0.850"))
    p.discount_exclusions.set([drinks])
    t = tier(scheme, "a")
    AccountTier.objects.create(account=cast.account, scheme=scheme, tier=t, computed_tier=t)
    return drinks, food, t


def tx(account, rate, category):
    return make_transaction(
        account=account,
        amount="100",
        discount_rate=None if rate is None else D(rate),
        category=category,
    )


def test_below_the_floor_on_an_eligible_category_is_flagged(cast, floored):
    drinks, food, a = floored
    t = tx(cast.account, "0.800", food)
    review = discount_check(transaction=t)
    assert review is not None and review.status == DiscountReviewStatus.PENDING
    assert (review.discount_rate, review.floor, review.tier, review.account) == (
        D("0.800"),
        D("0.850"),
        a,
        cast.account,
    )
    # checking again does not duplicate
    assert discount_check(transaction=t).pk == review.pk
    assert DiscountReview.objects.count() == 1


def test_equal_to_the_floor_and_no_discount_pass(cast, floored):
    drinks, food, _ = floored
    assert discount_check(transaction=tx(cast.account, "0.850", food)) is None
    assert discount_check(transaction=tx(cast.account, "1", food)) is None
    assert discount_check(transaction=tx(cast.account, None, food)) is None
    assert not DiscountReview.objects.exists()


def test_an_excluded_category_allows_no_discount(cast, floored, english):
    drinks, food, _ = floored
    review = discount_check(transaction=tx(cast.account, "0.950", drinks))
    assert review.floor == D("1.000")
    assert "No discount is allowed on this category" in review.review_note


def test_no_tier_no_check(cast, floored):
    drinks, food, _ = floored
    assert discount_check(transaction=tx(cast.west_account, "0.100", food)) is None
    assert not DiscountReview.objects.exists()


def test_a_corrected_transaction_drops_its_pending_review(cast, floored):
    drinks, food, _ = floored
    t = tx(cast.account, "0.800", food)
    discount_check(transaction=t)
    t.discount_rate = D("0.900")
    t.save()
    assert discount_check(transaction=t) is None
    assert not DiscountReview.objects.exists()


def test_set_based_flag(cast, floored):
    drinks, food, _ = floored
    low = tx(cast.account, "0.800", food)
    tx(cast.account, "0.850", food)
    bar = tx(cast.account, "0.990", drinks)
    tx(cast.west_account, "0.500", food)  # no tier
    tx(make_account(owner=cast.alice), "0.5", food)
    already = tx(cast.account, "0.700", food)
    DiscountReview.objects.create(
        transaction=already,
        account=cast.account,
        discount_rate=D("0.7"),
        floor=D("0.85"),
        status=DiscountReviewStatus.APPROVED,
    )

    assert discount_reviews_flag() == 2
    assert set(DiscountReview.objects.values_list("transaction_id", flat=True)) == {
        low.pk,
        bar.pk,
        already.pk,
    }
    assert DiscountReview.objects.get(transaction=already).status == "approved"
    assert discount_reviews_flag() == 0  # idempotent


def test_creating_and_updating_a_transaction_checks_the_floor(cast, floored):
    from guanxi.workspace.flows import transaction_change, transaction_record

    drinks, food, _ = floored
    t = transaction_record(
        actor=cast.alice,
        account=cast.account,
        category="fnb",
        occurred_at=local_now(),
        amount=D("500"),
        discount_rate=D("0.800"),
    )
    assert DiscountReview.objects.get().transaction == t
    transaction_change(actor=cast.alice, transaction=t, discount_rate=D("0.900"))
    assert not DiscountReview.objects.exists()


def local_now():
    from django.utils import timezone

    return timezone.now()


def test_imports_read_discount_rates_and_flag_them(cast, floored, english):
    from guanxi.imports.tests.helpers import messages, run
    from guanxi.transactions.models import Transaction

    code = cast.account.code
    head = ["external_id", "account_code", "occurred_at", "category", "amount", "discount_rate"]
    rows = [
        head,
        ["D1", code, "2026-05-01 19:30", "fnb", "100", "0.85"],
        ["D2", code, "2026-05-01 19:30", "fnb", "100", "80%"],
        ["D3", code, "2026-05-01 19:30", "fnb", "100", "8.5折"],
        ["D4", code, "2026-05-01 19:30", "fnb", "100", "9折"],
        ["D5", code, "2026-05-01 19:30", "fnb", "100", ""],
        ["D6", code, "2026-05-01 19:30", "fnb", "100", "0"],  # line 7
        ["D7", code, "2026-05-01 19:30", "fnb", "100", "1.2"],  # line 8
        ["D8", code, "2026-05-01 19:30", "fnb", "100", "cheap"],  # line 9
        ["D9", code, "2026-05-01 19:30", "fnb", "100", "0.8555"],  # line 10
        ["D10", code, "2026-05-01 19:30", "fnb", "100", "1"],
    ]
    report = run("transactions", rows, user=cast.alice)
    rates = dict(Transaction.objects.values_list("external_id", "discount_rate"))
    assert rates == {
        "D1": D("0.850"),
        "D2": D("0.800"),
        "D3": D("0.850"),
        "D4": D("0.900"),
        "D5": None,
        "D10": D("1.000"),
    }
    m = messages(report)
    assert set(m) == {7, 8, 9, 10}
    assert m[7] == ["discount_rate: must be more than 0 and at most 1 (0.85 means 15 percent off)"]
    assert m[8] == ["discount_rate: must be more than 0 and at most 1 (0.85 means 15 percent off)"]
    assert m[9] == ["discount_rate: is not a discount rate (write 0.85 or 85%)"]
    assert m[10] == ["discount_rate: has more than 3 decimal places (0.855 is fine, 0.8555 is not)"]
    # D2 (0.80 < 0.85) is held for review
    assert list(DiscountReview.objects.values_list("transaction__external_id", flat=True)) == ["D2"]
    # the same file again: unchanged rows, nothing new
    again = run("transactions", rows, user=cast.alice)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 6
    assert DiscountReview.objects.count() == 1


def test_exports_carry_the_discount_rate(cast, floored):
    from guanxi.imports.exports import _transaction_rows
    from guanxi.transactions.models import Transaction

    tx(cast.account, "0.850", floored[1])
    (row,) = list(_transaction_rows(Transaction.objects.all()))
    assert row["discount_rate"] == "0.850"


def test_the_nightly_job_reviews_recent_business_only(cast, floored):
    # A transaction saved without the check (a bulk load, say) is caught by the nightly job when
    # it took place since the start of last month; one from months before is judged by its own
    # time's tier, not today's, so the job leaves it alone.
    import datetime as dt

    from django.utils import timezone

    from guanxi.tiers.tasks import discount_reviews_job
    from guanxi.transactions.models import Transaction

    drinks, food, _ = floored
    as_of = timezone.localdate()
    recent = tx(cast.account, "0.800", food)
    old = tx(cast.account, "0.800", food)
    Transaction.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - dt.timedelta(days=70))
    DiscountReview.objects.all().delete()
    summary = discount_reviews_job(as_of=as_of)
    assert summary["flagged"] == 1
    assert list(DiscountReview.objects.values_list("transaction_id", flat=True)) == [recent.pk]


def test_a_large_batch_refreshes_the_queues_planner_statistics(cast, floored, monkeypatch):
    _, food, _ = floored
    tx(cast.account, "0.800", food)
    tx(cast.account, "0.700", food)
    seen = watch_analyze(monkeypatch, services)
    monkeypatch.setattr(services, "ANALYZE_REVIEWS", 3)
    assert discount_reviews_flag() == 2
    assert seen == []  # a few rows: autovacuum's business
    tx(cast.account, "0.600", food)
    tx(cast.account, "0.650", food)
    tx(cast.account, "0.750", food)
    assert discount_reviews_flag() == 3
    assert seen == ["tiers_discountreview"]
