"""The demo data set: what it contains, that its lifecycle patterns are real in the transactions
and that every row has its audit record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone

from guanxi.accounts.models import Account, AccountKind, AccountType
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.core.models import Role, Team, User
from guanxi.demo import catalog
from guanxi.demo.keyaccounts import GROUP_SIZE
from guanxi.demo.scenarios import Pattern, demo_accounts_with_pattern, demo_pattern_of
from guanxi.demo.services import (
    CHANGE_REASON,
    DEMO_SOURCE,
    demo_build,
)
from guanxi.plans.models import AccountPlan
from guanxi.relationships.models import AccountRelationship, BuyingCentreMember
from guanxi.transactions.models import Payment, Transaction

AS_OF = dt.date(2026, 6, 30)
N = 40
SEED = 7


def local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One 40-account demo shared by the read-only tests, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        yield summary
        transaction.set_rollback(True)


# ------------------------------------------------------------------ contents


def test_demo_has_every_kind_of_account_owned_by_demo_kams(demo, db):
    assert demo.built and demo.accounts == N
    types = set(Account.objects.values_list("account_type", flat=True))
    assert types == {
        AccountType.MICE, AccountType.GOVERNMENT_ENTERPRISE, AccountType.CORPORATE,
        AccountType.OTA, AccountType.TRAVEL_AGENCY, AccountType.WEDDING, AccountType.INDIVIDUAL,
    }  # fmt: skip
    assert Account.objects.filter(kind=AccountKind.INDIVIDUAL).exists()
    assert Account.objects.filter(enterprise_nature="government").exists()
    assert Account.objects.filter(enterprise_nature="soe").exists()
    # a group with 2–5 subsidiaries
    parents = Account.objects.filter(subsidiaries__isnull=False).distinct()
    assert parents.exists()
    for parent in parents:
        assert 2 <= parent.subsidiaries.count() <= 5
    assert Account.objects.filter(co_owners__isnull=False).exists()
    owners = set(Account.objects.values_list("owner__username", flat=True))
    assert owners <= {u for u, *_rest in catalog.STAFF}
    assert Team.objects.filter(name__in=[t for t, _d in catalog.TEAMS]).count() == 3
    kams = User.objects.filter(role=Role.KAM, username__in=[u for u, *_r in catalog.STAFF])
    assert 6 <= kams.count() <= 10
    # Chinese names, realistic city/province pairs
    gov = Account.objects.filter(enterprise_nature="government").first()
    assert gov.city and gov.city in gov.name
    assert all(a.province and a.city for a in Account.objects.all())
    # one pattern tag per account, and the helper finds it
    for account in Account.objects.all():
        assert demo_pattern_of(account) is not None
    assert sum(demo_accounts_with_pattern(p).count() for p in Pattern) == N


def test_contacts_have_profiles_with_provenance_family_and_key_dates(demo, db):
    for account in Account.objects.annotate(seats=Count("buying_centre")):
        n = account.contacts.count()
        outsiders = BuyingCentreMember.objects.filter(contact__account=account).exclude(
            account=account
        )
        if account.seats:  # a key account: the people on its map were added (see keyaccounts)
            assert n <= 16 or n == GROUP_SIZE, account
        elif outsiders.exists():  # a government body with someone who sways a key account
            assert 1 <= n <= 6
        else:
            assert (n == 1) if account.kind == AccountKind.INDIVIDUAL else (1 <= n <= 5)
    assert Contact.objects.exclude(title="").count() == Contact.objects.count()
    facts = ProfileFact.objects.all()
    profiled = Contact.objects.filter(facts__isnull=False).distinct()
    assert profiled.count() >= 0.8 * Contact.objects.filter(buying_centre_seats=None).count()
    assert facts.count() >= 5 * profiled.count()
    assert not facts.filter(recorded_by__isnull=True).exists()
    assert not facts.filter(recorded_at__isnull=True).exists()
    assert facts.values("source").distinct().count() >= 5
    share_verified = facts.filter(verified=True).count() / facts.count()
    assert 0.5 <= share_verified <= 0.7
    verified = facts.filter(verified=True)
    assert not verified.filter(verified_by__isnull=True).exists()
    assert all(f.verified_at >= f.recorded_at for f in verified)
    assert facts.filter(group="taboos", key="dietary").exists()
    assert {"basic", "preferences", "product_needs", "taboos", "work", "life"} <= set(
        facts.values_list("group", flat=True)
    )
    relations = set(RelatedPerson.objects.values_list("relation", flat=True))
    assert {"spouse", "child"} <= relations and relations & {"driver", "secretary"}
    assert RelatedPerson.objects.filter(relation="child", birthday__isnull=False).exists()
    assert KeyDate.objects.filter(kind="wedding").exists()


# ------------------------------------------------------------------ transactions


def test_transactions_span_three_years_with_every_category_and_mice_linkage(demo, db):
    span = Transaction.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    assert local_day(span["first"]) <= AS_OF - dt.timedelta(days=3 * 365 - 30)
    assert local_day(span["last"]) < AS_OF
    assert set(Transaction.objects.values_list("category__code", flat=True)) == {
        "rooms", "fnb", "meeting", "travel", "other"
    }  # fmt: skip
    assert not Transaction.objects.exclude(source=DEMO_SOURCE).exists()
    assert not Transaction.objects.filter(external_id="").exists()
    assert not Transaction.objects.filter(cost__gt=F("amount")).exists()
    assert Transaction.objects.filter(channel="ota").exists()
    assert not Transaction.objects.filter(
        account__account_type=AccountType.OTA
    ).exclude(channel="ota").exists()  # fmt: skip
    # MICE 联动: a meeting day also books F&B for the same account on the same day
    meeting = Transaction.objects.filter(
        category__code="meeting", account__account_type=AccountType.MICE
    ).first()
    assert meeting is not None
    same_day = Transaction.objects.filter(
        account=meeting.account,
        occurred_at__date=local_day(meeting.occurred_at),
        category__code="fnb",
    )
    assert same_day.exists()
    fnb = Transaction.objects.filter(category__code="fnb", head_count__gt=0)
    assert fnb.exists()


def test_revenue_is_concentrated_in_a_few_accounts(demo, db):
    totals = sorted(
        (r["v"] for r in Transaction.objects.values("account").annotate(v=Sum("amount"))),
        reverse=True,
    )
    top = sum(totals[: N // 5]) / sum(totals)
    assert 0.6 <= top <= 0.9
    assert demo.top20_share == pytest.approx(float(top), abs=0.01)


def test_lifecycle_patterns_are_visible_in_the_transactions(demo, db):
    half_year_ago = at(AS_OF - dt.timedelta(days=183))
    year_ago = at(AS_OF - dt.timedelta(days=365))
    first_year_end = at(AS_OF - dt.timedelta(days=2 * 365))

    def revenue(account, **filters):
        return account.transactions.filter(**filters).aggregate(s=Sum("amount"))["s"] or 0

    for pattern in Pattern:
        assert demo_accounts_with_pattern(pattern).exists(), pattern
    for account in demo_accounts_with_pattern(Pattern.CHURNED):
        assert account.transactions.count() >= 3
        assert not account.transactions.filter(occurred_at__gte=half_year_ago).exists()
    for account in demo_accounts_with_pattern(Pattern.GROWING):
        first = revenue(account, occurred_at__lt=first_year_end)
        assert revenue(account, occurred_at__gte=year_ago) > first > 0
    for account in demo_accounts_with_pattern(Pattern.DECLINING):
        assert revenue(account, occurred_at__lt=first_year_end) > revenue(
            account, occurred_at__gte=year_ago
        )
        assert account.transactions.filter(occurred_at__gte=half_year_ago).exists()
    for account in demo_accounts_with_pattern(Pattern.NEW):
        first = account.transactions.aggregate(m=Min("occurred_at"))["m"]
        assert first >= at(AS_OF - dt.timedelta(days=366))
        assert account.customer_since >= (AS_OF - dt.timedelta(days=366))
    for account in demo_accounts_with_pattern(Pattern.ONE_OFF):
        span = account.transactions.aggregate(a=Min("occurred_at"), b=Max("occurred_at"))
        assert (span["b"] - span["a"]).days <= 6  # one stay, banquet or event
    for account in demo_accounts_with_pattern(Pattern.STEADY):
        assert revenue(account, occurred_at__lt=first_year_end) > 0
        assert revenue(account, occurred_at__gte=year_ago) > 0


def test_payments_never_exceed_what_was_invoiced_and_some_are_outstanding(demo, db):
    invoiced = dict(Transaction.objects.values_list("account").annotate(s=Sum("amount")))
    paid = dict(Payment.objects.values_list("account").annotate(s=Sum("amount")))
    assert paid
    for account_id, amount in paid.items():
        assert amount <= invoiced[account_id]
    outstanding = sum(invoiced.values()) - sum(paid.values())
    assert outstanding > 0
    assert not Payment.objects.filter(received_at__gte=at(AS_OF)).exists()
    # government pays slowly: its median lag is longer than individuals' (who pay on the spot)
    gov = Payment.objects.filter(account__account_type=AccountType.GOVERNMENT_ENTERPRISE)
    assert gov.filter(method="bank_transfer").exists()
    assert Payment.objects.filter(account__kind=AccountKind.INDIVIDUAL).exclude(
        method="bank_transfer"
    ).exists()  # fmt: skip


def test_every_demo_row_has_a_created_audit_record_by_the_loader(demo, db):
    admin = User.objects.get(username=catalog.ADMIN_USERNAME)
    models = (Account, Contact, ProfileFact, RelatedPerson, KeyDate, Transaction, Payment,
              BuyingCentreMember, AccountRelationship, AccountPlan)  # fmt: skip
    assert all(model.objects.exists() for model in models)
    for model in models:
        records = model.history.all()
        assert records.count() == model.objects.count(), model
        assert set(records.values_list("history_type", flat=True)) == {"+"}
        assert set(records.values_list("history_user", flat=True)) == {admin.pk}
        assert set(records.values_list("history_change_reason", flat=True)) == {CHANGE_REASON}
    account = Account.objects.filter(co_owners__isnull=False).first()
    record = account.history.get()
    assert {t.tag_id for t in record.tags.all()} == set(account.tags.values_list("id", flat=True))
    assert record.co_owners.count() == account.co_owners.count()
