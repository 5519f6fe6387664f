"""Transaction, payment and product-category admins with the cast."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.transactions.models import Payment, ProductCategory, Transaction
from guanxi.transactions.selectors import ledger_sources
from tests.support import make_account, make_payment, make_transaction


@pytest.fixture
def rows(cast):
    return {
        "alice_t": make_transaction(account=cast.account, external_id="PMS-1"),
        "west_t": make_transaction(account=cast.west_account, external_id="PMS-2"),
        "alice_p": make_payment(account=cast.account, reference="INV-1"),
        "west_p": make_payment(account=cast.west_account, reference="INV-2"),
    }


def _ids(client, name, **params):
    response = client.get(reverse(f"admin:transactions_{name}_changelist"), params)
    assert response.status_code == 200
    return {o.pk for o in response.context["cl"].result_list}


def test_transaction_and_payment_lists_are_scoped(client, cast, rows):
    bobs = make_account(owner=cast.bob)
    bob_t = make_transaction(account=bobs)
    cases = {
        cast.alice: ({rows["alice_t"].pk}, {rows["alice_p"].pk}),
        cast.bob: ({bob_t.pk}, set()),
        cast.charlie: ({rows["west_t"].pk}, {rows["west_p"].pk}),
        cast.lena: ({rows["alice_t"].pk, bob_t.pk}, {rows["alice_p"].pk}),
        cast.mia: (set(Transaction.objects.values_list("pk", flat=True)),
                   set(Payment.objects.values_list("pk", flat=True))),
    }  # fmt: skip
    for user, (txns, pays) in cases.items():
        client.force_login(user)
        assert _ids(client, "transaction") == txns, user.username
        assert _ids(client, "payment") == pays, user.username


def test_search_by_external_id_and_account_is_scoped(client, cast, rows):
    client.force_login(cast.alice)
    assert _ids(client, "transaction", q="PMS-2") == set()
    assert _ids(client, "transaction", q="PMS-1") == {rows["alice_t"].pk}
    assert _ids(client, "transaction", q="西部") == set()
    assert _ids(client, "payment", q="INV-2") == set()
    client.force_login(cast.mia)
    assert _ids(client, "transaction", q="西部") == {rows["west_t"].pk}


def test_date_range_source_and_channel_filters(client, cast, rows):
    client.force_login(cast.alice)
    day = timezone.localtime(rows["alice_t"].occurred_at).date()
    assert _ids(client, "transaction", occurred_at_from=day, occurred_at_to=day) == {
        rows["alice_t"].pk
    }
    assert _ids(client, "transaction", occurred_at_from=day + dt.timedelta(days=1)) == set()
    assert _ids(client, "transaction", channel="ota") == set()
    assert _ids(client, "transaction", source="manual") == {rows["alice_t"].pk}
    assert _ids(client, "transaction", source="pms") == set()


def test_source_filter_lists_each_source_once_without_distinct(client, cast, rows):
    make_transaction(account=cast.account, source="pms")
    make_transaction(account=cast.account, source="pms")
    assert ledger_sources(Transaction) == ["manual", "pms"]
    assert ledger_sources(Payment) == ["manual"]
    client.force_login(cast.alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:transactions_transaction_changelist"))
    assert b'value="pms"' in response.content
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()]


def test_unfiltered_lists_count_without_counting_the_ledger(client, cast, rows):
    client.force_login(cast.mia)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:transactions_transaction_changelist"))
    assert response.context["cl"].result_count == 2
    ledger = Transaction._meta.db_table
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and ledger in q["sql"]]
    response = client.get(reverse("admin:transactions_payment_changelist"))
    assert response.context["cl"].result_count == 2
    client.force_login(cast.alice)  # a part of the book: the rollups of her accounts
    response = client.get(reverse("admin:transactions_transaction_changelist"))
    assert response.context["cl"].result_count == 1
    response = client.get(reverse("admin:transactions_transaction_changelist"), {"q": "PMS-9"})
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("name", ["transaction", "payment"])
def test_ledger_lists_query_count_is_bounded(client, cast, django_assert_max_num_queries, name):
    for i in range(30):
        make_transaction(account=cast.account, external_id=f"B{i}")
        make_payment(account=cast.account)
    client.force_login(cast.alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(f"admin:transactions_{name}_changelist"))
    assert len(response.context["cl"].result_list) == 30


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 404), ("charlie", 404),
                                        ("lena", 200), ("mia", 200)])  # fmt: skip
def test_transaction_pages_are_404_outside_the_visible_set(client, cast, rows, who, status):
    client.force_login(getattr(cast, who))
    for name, obj in (("transaction", rows["alice_t"]), ("payment", rows["alice_p"])):
        for view in ("change", "history", "delete"):
            url = reverse(f"admin:transactions_{name}_{view}", args=(obj.pk,))
            assert client.get(url).status_code == status, (name, view)


def test_adding_a_transaction_for_an_invisible_account_is_rejected(client, cast):
    client.force_login(cast.alice)
    fnb = ProductCategory.objects.get(code="fnb")
    data = {
        "account": cast.west_account.pk,
        "occurred_at_0": "2025-03-01",
        "occurred_at_1": "12:00",
        "category": fnb.pk,
        "amount": "500",
        "kind": "sale",
        "channel": "direct",
        "source": "manual",
    }
    response = client.post(reverse("admin:transactions_transaction_add"), data)
    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert not Transaction.objects.exists()

    data["account"] = cast.account.pk
    response = client.post(reverse("admin:transactions_transaction_add"), data)
    assert response.status_code == 302
    created = Transaction.objects.get()
    assert created.account == cast.account
    assert created.history.first().history_user == cast.alice


def test_autocomplete_for_transaction_contact_is_scoped(client, cast):
    from tests.support import make_contact

    mine = make_contact(account=cast.account, name="孙立")
    make_contact(account=cast.west_account, name="孙立新")
    client.force_login(cast.alice)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "transactions", "model_name": "transaction", "field_name": "contact",
         "term": "孙"},
    )  # fmt: skip
    assert {int(r["id"]) for r in response.json()["results"]} == {mine.pk}


def test_product_categories_read_for_kam_edit_for_manager(client, cast):
    fnb = ProductCategory.objects.get(code="fnb")
    url = reverse("admin:transactions_productcategory_change", args=(fnb.pk,))
    client.force_login(cast.alice)
    assert client.get(reverse("admin:transactions_productcategory_changelist")).status_code == 200
    assert client.get(url).status_code == 200  # read-only view
    data = {"code": "fnb", "name": "餐饮改", "name_en": "F&B", "sort_order": 1, "is_active": "on"}
    assert client.post(url, data).status_code == 403
    assert client.get(reverse("admin:transactions_productcategory_add")).status_code == 403
    fnb.refresh_from_db()
    assert fnb.name != "餐饮改"
    client.force_login(cast.mia)
    assert client.post(url, data).status_code == 302
    fnb.refresh_from_db()
    assert fnb.name == "餐饮改"


def test_admin_applies_the_services_rule_contact_must_work_at_the_account(client, cast):
    from tests.support import make_contact

    mine = make_account(owner=cast.alice, name="另一家客户")
    elsewhere = make_contact(account=mine, name="孙立")
    client.force_login(cast.alice)
    data = {
        "account": cast.account.pk,
        "contact": elsewhere.pk,
        "occurred_at_0": "2025-03-01",
        "occurred_at_1": "12:00",
        "category": ProductCategory.objects.get(code="fnb").pk,
        "amount": "500",
        "kind": "sale",
        "channel": "direct",
        "source": "manual",
    }
    response = client.post(reverse("admin:transactions_transaction_add"), data)
    assert response.status_code == 200
    assert "contact" in response.context["adminform"].form.errors
    assert not Transaction.objects.exists()


def _local(*args):
    return timezone.make_aware(timezone.datetime(*args))


def test_date_range_filter_takes_plain_dates_and_includes_the_whole_last_day(client, cast):
    inside = [
        make_transaction(account=cast.account, when=_local(2026, 10, 1, 0, 5)),
        make_transaction(account=cast.account, when=_local(2026, 10, 31, 23, 50)),
    ]
    make_transaction(account=cast.account, when=_local(2026, 9, 30, 23, 59))
    november = make_transaction(account=cast.account, when=_local(2026, 11, 1, 0, 1))
    pays_in = make_payment(account=cast.account, received_at=_local(2026, 10, 31, 22, 0))
    make_payment(account=cast.account, received_at=_local(2026, 11, 1, 8, 0))
    client.force_login(cast.alice)
    window = {"occurred_at_from": "2026-10-01", "occurred_at_to": "2026-10-31"}
    assert _ids(client, "transaction", **window) == {t.pk for t in inside}
    assert _ids(client, "transaction", occurred_at_from="2026-10-31") == {
        inside[1].pk,
        november.pk,
    }
    pay_window = {"received_at_from": "2026-10-01", "received_at_to": "2026-10-31"}
    assert _ids(client, "payment", **pay_window) == {pays_in.pk}


def test_amount_columns_use_money_formatting(client, cast):
    make_transaction(account=cast.account, amount="84493.63", cost="1200.50")
    make_payment(account=cast.account, amount="5000.00")
    client.force_login(cast.alice)
    body = client.get(reverse("admin:transactions_transaction_changelist")).content.decode()
    assert "¥84,493.63" in body and "¥1,200.50" in body
    assert "84493.63" not in body
    body = client.get(reverse("admin:transactions_payment_changelist")).content.decode()
    assert "¥5,000.00" in body
