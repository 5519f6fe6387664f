"""The per-account rollups of the ledger: right after every kind of write, and after the nightly
refresh."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from guanxi.imports.tests.helpers import run
from guanxi.transactions import services
from guanxi.transactions.models import AccountLedgerRollup, AccountMonth, Transaction
from guanxi.transactions.rollups import ledger_rollups_refresh
from guanxi.transactions.tasks import ledger_rollups_job
from guanxi.workspace.tasks import NIGHTLY_STEPS
from tests.support import make_account, make_transaction

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 8, 15)


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(2025, 8, 15, 10), tick=False):
        yield


def rollup(account):
    row = AccountLedgerRollup.objects.filter(account=account).first()
    if row is None:
        return None
    return {
        "as_of": row.as_of,
        "12m": (row.revenue_12m, row.count_12m),
        "year": row.revenue_year,
        "month": row.revenue_month,
        "lifetime": (row.revenue_lifetime, row.count_lifetime),
        "first": row.first_purchase_at,
        "last": row.last_purchase_at,
    }


def months(account):
    return {
        (m.month, m.category.code): (m.revenue, m.cost, m.margin, m.count, m.costed, m.heads,
                                     m.headed_revenue)
        for m in AccountMonth.objects.filter(account=account).select_related("category")
    }  # fmt: skip


def record(actor, account, amount, when, **fields):
    return services.transaction_create(
        actor=actor, account=account, category="fnb", occurred_at=when, amount=Decimal(amount),
        **fields,
    )  # fmt: skip


def test_create_change_and_delete_keep_the_rollups(cast):
    a, other = cast.account, make_account(owner=cast.alice)
    old = record(cast.alice, a, "100", at(2024, 3, 1, 12), cost=Decimal("60"), head_count=4)
    # 23:30 on 31 July in Shanghai is July's, though already 15:30 UTC.
    july = record(cast.alice, a, "40", at(2025, 7, 31, 23, 30))
    record(cast.alice, a, "7", at(2025, 8, 2))
    assert rollup(a) == {
        "as_of": TODAY,
        "12m": (Decimal("47.00"), 2),
        "year": Decimal("47.00"),
        "month": Decimal("7.00"),
        "lifetime": (Decimal("147.00"), 3),
        "first": at(2024, 3, 1, 12),
        "last": at(2025, 8, 2),
    }
    assert months(a) == {
        (dt.date(2024, 3, 1), "fnb"): (100, 60, 40, 1, 1, 4, 100),
        (dt.date(2025, 7, 1), "fnb"): (40, 0, 0, 1, 0, 0, 0),
        (dt.date(2025, 8, 1), "fnb"): (7, 0, 0, 1, 0, 0, 0),
    }
    services.transaction_update(actor=cast.alice, transaction=july, account=other)
    assert rollup(a)["lifetime"] == (Decimal("107.00"), 2)
    assert rollup(other)["lifetime"] == (Decimal("40.00"), 1)
    assert (dt.date(2025, 7, 1), "fnb") not in months(a)
    services.transaction_update(actor=cast.alice, transaction=old, amount=Decimal("90"))
    assert months(a)[(dt.date(2024, 3, 1), "fnb")][:3] == (90, 60, 30)
    services.transaction_delete(actor=cast.alice, transaction=july)
    assert rollup(other) is None and months(other) == {}


def test_the_admin_form_and_delete_keep_the_rollups(client, cast):
    tx = make_transaction(account=cast.account, amount="50", when=at(2025, 8, 1))
    client.force_login(cast.alice)
    url = reverse("admin:transactions_transaction_change", args=(tx.pk,))
    data = {
        "account": cast.account.pk, "occurred_at_0": "2025-08-01", "occurred_at_1": "12:00",
        "category": tx.category_id, "kind": "sale", "amount": "80", "channel": "direct",
        "source": "manual",
        "external_id": tx.external_id,
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert rollup(cast.account)["lifetime"] == (Decimal("80.00"), 1)
    delete = reverse("admin:transactions_transaction_delete", args=(tx.pk,))
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert rollup(cast.account) is None
    make_transaction(account=cast.account, amount="5")
    changelist = reverse("admin:transactions_transaction_changelist")
    ids = list(Transaction.objects.values_list("pk", flat=True))
    client.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not Transaction.objects.exists() and rollup(cast.account) is None


def test_an_import_refreshes_the_accounts_it_touched(cast):
    moved_from = make_account(owner=cast.alice)
    make_transaction(account=moved_from, amount="9", source="import", external_id="P1")
    head = ["external_id", "account_code", "occurred_at", "category", "amount", "head_count"]
    rows = [
        head,
        ["P1", cast.account.code, "2025-08-01 19:30", "fnb", "300", "3"],  # moved here
        ["P2", cast.account.code, "2024-12-31 23:30", "fnb", "20", ""],
    ]
    report = run("transactions", rows, user=cast.alice)
    assert report.ok and (report.created, report.updated) == (1, 1)
    assert rollup(moved_from) is None
    assert rollup(cast.account)["lifetime"] == (Decimal("320.00"), 2)
    assert rollup(cast.account)["year"] == Decimal("300.00")
    assert months(cast.account) == {
        (dt.date(2024, 12, 1), "fnb"): (20, 0, 0, 1, 0, 0, 0),
        (dt.date(2025, 8, 1), "fnb"): (300, 0, 0, 1, 0, 3, 300),
    }


def test_the_nightly_refresh_slides_the_windows(cast):
    make_transaction(account=cast.account, amount="10", when=at(2024, 8, 20))
    make_transaction(account=cast.account, amount="5", when=at(2025, 8, 10))
    assert rollup(cast.account)["12m"] == (Decimal("15.00"), 2)
    assert NIGHTLY_STEPS[0] == ("ledger_rollups", ledger_rollups_job)
    summary = ledger_rollups_job(as_of=dt.date(2025, 9, 1))
    assert summary == {"as_of": "2025-09-01", "accounts": 1}
    row = rollup(cast.account)
    assert row["as_of"] == dt.date(2025, 9, 1)
    assert (row["12m"], row["month"], row["year"]) == ((Decimal("5.00"), 1), 0, Decimal("5.00"))
    assert row["lifetime"] == (Decimal("15.00"), 2)


def test_a_full_rebuild_equals_the_per_account_refresh(cast):
    accounts = [cast.account, cast.west_account, make_account(owner=cast.bob)]
    for i, account in enumerate(accounts):
        for day in range(1, 4):
            make_transaction(account=account, amount=str(10 * i + day), when=at(2025, day, 5))
    before = {a.pk: (rollup(a), months(a)) for a in accounts}
    AccountMonth.objects.all().delete()
    AccountLedgerRollup.objects.all().delete()
    assert ledger_rollups_refresh() == {"accounts": 3}
    assert {a.pk: (rollup(a), months(a)) for a in accounts} == before
