"""The transaction list and API narrowed to one account: the same rows on every page as the
unbounded read, read only from the months that hold the page (on a partitioned ledger, only
those months' partitions: the plans are read here)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.transactions.admin import TransactionAdmin
from guanxi.transactions.models import Transaction
from tests.support import make_account, make_transaction

UTC = dt.UTC
LIST = reverse("admin:transactions_transaction_changelist")


def _ledger(account, months: int = 8, per_month: int = 4, year: int = 2025) -> list[Transaction]:
    """``per_month`` sales a month from January of ``year`` (months that have partitions in
    either test set-up), two of them at the same moment (the order's tie-break on the id)."""
    return [
        make_transaction(
            account=account, when=dt.datetime(year, 1 + m, 3 + min(d, 2), 2 + d, tzinfo=UTC)
        )
        for m in range(months)
        for d in range(per_month)
    ]


def _newest_first(account, *, admin: bool) -> list[int]:
    # The admin's order breaks ties on -pk, the API's (core.selectors.ordered) on pk.
    tie = "-id" if admin else "id"
    qs = Transaction.objects.filter(account=account).order_by("-occurred_at", tie)
    return list(qs.values_list("id", flat=True))


def _page_sql(queries) -> str:
    """The page's row query: the ledger read with a LIMIT (not the count, not the rollups)."""
    pages = [
        q["sql"]
        for q in queries
        if 'FROM "transactions_transaction"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    return pages[-1]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(TransactionAdmin, "list_per_page", 5)


def _admin_page(client, account, page: int | None = None, **params):
    params = {"account__id__exact": account.pk, **params}
    if page is not None:
        params["p"] = page
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.context["cl"]


@pytest.mark.django_db
def test_every_admin_page_of_one_account_holds_the_rows_of_the_unbounded_list(
    client, cast, small_pages
):
    sales = _ledger(cast.account)
    # A refund (not counted by the month rollups: the bound only moves earlier) and another
    # account's purchases in the same months.
    make_transaction(
        account=cast.account, amount="-20.00", kind="refund", refund_of=sales[-1],
        when=dt.datetime(2025, 8, 20, tzinfo=UTC),
    )  # fmt: skip
    _ledger(make_account(owner=cast.alice), months=3)
    client.force_login(cast.alice)
    expected = _newest_first(cast.account, admin=True)
    seen = []
    for page in range(1, 8):  # 33 rows, 5 a page
        cl = _admin_page(client, cast.account, page)
        assert cl.result_count == 33
        seen += [t.pk for t in cl.result_list]
    assert seen == expected
    # "Show all", and the list sorted another way or narrowed further, as before.
    assert [t.pk for t in _admin_page(client, cast.account, all="").result_list] == expected
    by_amount = _admin_page(client, cast.account, o="-5")
    assert len(by_amount.result_list) == 5
    only_refunds = _admin_page(client, cast.account, kind__exact="refund")
    assert [t.kind for t in only_refunds.result_list] == ["refund"]


@pytest.mark.django_db
def test_one_page_accounts_and_accounts_out_of_sight(client, cast, small_pages):
    _ledger(cast.account, months=1, per_month=3)
    client.force_login(cast.alice)
    cl = _admin_page(client, cast.account)
    assert len(cl.result_list) == 3
    assert [t.pk for t in cl.result_list] == _newest_first(cast.account, admin=True)
    # Charlie (team west) does not see Alice's account: an empty list, not its rows.
    client.force_login(cast.charlie)
    assert list(_admin_page(client, cast.account).result_list) == []
    # A malformed account id is no narrowing the page understands: Django's own handling.
    response = client.get(LIST, {"account__id__exact": "x"})
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_every_api_page_of_one_account_holds_the_rows_of_the_unbounded_list(cast, as_user):
    _ledger(cast.account)
    _ledger(make_account(owner=cast.alice), months=2)
    api = as_user("alice")
    expected = _newest_first(cast.account, admin=False)
    seen = []
    for offset in range(0, 40, 6):
        r = api.get(f"/api/transactions?account={cast.account.pk}&limit=6&offset={offset}")
        assert r.status_code == 200
        body = r.json()
        assert body["count"] == 32
        seen += [item["id"] for item in body["items"]]
    assert seen == expected
    assert all(Decimal(item["amount"]) > 0 for item in body["items"])


@pytest.mark.django_db
def test_on_a_partitioned_ledger_an_accounts_page_reads_only_its_months(
    client, cast, small_pages, partitioned_ledger, as_user
):
    _ledger(cast.account)  # 4 a month, January … August 2025
    client.force_login(cast.alice)
    # Page 1 (the 5 latest): August and July; page 2 (the 6th to 10th): back to June.
    for page, months, before in ((1, ("202508", "202507"), "202506"), (2, ("202506",), "202505")):
        with CaptureQueriesContext(connection) as queries:
            cl = _admin_page(client, cast.account, page)
        assert [t.pk for t in cl.result_list] == _newest_first(cast.account, admin=True)[
            (page - 1) * 5 : page * 5
        ]
        plan = _plan(_page_sql(queries))
        for month in months:
            assert f"transactions_transaction_p{month}" in plan
        assert f"transactions_transaction_p{before}" not in plan
        assert "transactions_transaction_p202501" not in plan
    # The API's first page of 6: August and July only.
    with CaptureQueriesContext(connection) as queries:
        r = as_user("alice").get(f"/api/transactions?account={cast.account.pk}&limit=6")
    assert [i["id"] for i in r.json()["items"]] == _newest_first(cast.account, admin=False)[:6]
    plan = _plan(_page_sql(queries))
    assert "transactions_transaction_p202507" in plan
    assert "transactions_transaction_p202506" not in plan


@pytest.mark.django_db
def test_the_360_page_links_to_all_of_the_accounts_transactions(client, cast):
    _ledger(cast.account, months=1, per_month=2)
    client.force_login(cast.alice)
    page = client.get(reverse("admin:accounts_account_view_360", args=[cast.account.pk]))
    found = re.search(r'data-all-transactions href="([^"]+)"', page.content.decode())
    assert found and found.group(1) == f"{LIST}?account__id__exact={cast.account.pk}"
    listed = client.get(found.group(1).replace("&amp;", "&")).context["cl"].result_list
    assert [t.pk for t in listed] == _newest_first(cast.account, admin=True)
