import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.transactions.models import Payment, Transaction
from tests.support import (
    JSON,
    ROLES_SEE_ALICES,
    make_account,
    make_contact,
    make_payment,
    make_transaction,
)

pytestmark = pytest.mark.usefixtures("english")


def at(day: str, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def new_tx(account, /, **extra):
    return {
        "account": account.pk,
        "category": "rooms",
        "occurred_at": "2024-05-01T19:30:00+08:00",
        "amount": "8800.00",
        "external_id": "PMS-1",
        "source": "pms",
    } | extra


def new_payment(account, /, **extra):
    return {
        "account": account.pk,
        "received_at": "2024-06-01T10:00:00+08:00",
        "amount": "5000",
    } | extra


# --- transactions -----------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_retrieve_follows_the_access_rule(cast, as_user, who, status):
    tx = make_transaction(account=cast.account, amount="320.00")
    r = as_user(who).get(f"/api/transactions/{tx.pk}")
    assert r.status_code == status
    if status == 200:
        assert (r.json()["amount"], r.json()["category"]) == ("320.00", "fnb")


@pytest.mark.parametrize(
    "who,expected",
    [("alice", {"1.00"}), ("bob", set()), ("charlie", {"2.00"}), ("lena", {"1.00"}),
     ("mia", {"1.00", "2.00"})],
)  # fmt: skip
def test_list_contains_only_visible_transactions(cast, as_user, who, expected):
    make_transaction(account=cast.account, amount="1.00")
    make_transaction(account=cast.west_account, amount="2.00")
    r = as_user(who).get("/api/transactions")
    assert r.status_code == 200
    assert {t["amount"] for t in r.json()["items"]} == expected
    assert r.json()["count"] == len(expected)


def test_list_count_comes_from_the_rollups_unless_filtered(cast, as_user):
    for amount in ("1.00", "2.00", "3.00"):
        make_transaction(account=cast.account, amount=amount)
    client = as_user("mia")
    with CaptureQueriesContext(connection) as queries:
        r = client.get("/api/transactions", {"limit": 2})
    assert (r.json()["count"], len(r.json()["items"])) == (3, 2)
    ledger = Transaction._meta.db_table
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and ledger in q["sql"]]
    r = client.get("/api/transactions", {"min_amount": "2", "limit": 1})
    assert (r.json()["count"], len(r.json()["items"])) == (2, 1)


def test_create_records_the_transaction_and_the_actor(cast, as_user):
    contact = make_contact(account=cast.account)
    r = as_user("alice").post(
        "/api/transactions",
        new_tx(cast.account, contact=contact.pk, head_count=12, cost="4000", channel="phone"),
        content_type=JSON,
    )
    assert r.status_code == 201, r.json()
    tx = Transaction.objects.get(source="pms", external_id="PMS-1")
    assert (tx.account, tx.contact, tx.category.code) == (cast.account, contact, "rooms")
    assert (tx.amount, tx.cost, tx.head_count) == (Decimal("8800.00"), Decimal("4000"), 12)
    assert tx.occurred_at == at("2024-05-01", 19).replace(minute=30)
    assert tx.history.get().history_user == cast.alice


def test_naive_timestamp_is_read_in_the_server_time_zone(cast, as_user):
    r = as_user("alice").post(
        "/api/transactions", new_tx(cast.account, occurred_at="2024-05-01T12:00"), content_type=JSON
    )
    assert r.status_code == 201
    assert Transaction.objects.get().occurred_at == at("2024-05-01", 12)


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_create_on_invisible_account_is_404(cast, as_user, who):
    r = as_user(who).post("/api/transactions", new_tx(cast.account), content_type=JSON)
    assert r.status_code == 404
    assert not Transaction.objects.exists()


def test_contact_must_belong_to_the_account(cast, as_user):
    stranger = make_contact(account=make_account(owner=cast.alice))
    r = as_user("alice").post(
        "/api/transactions", new_tx(cast.account, contact=stranger.pk), content_type=JSON
    )
    assert r.status_code == 400
    assert r.json()["field"] == "contact"
    assert not Transaction.objects.exists()


def test_duplicate_external_id_is_409_naming_it(cast, as_user):
    client = as_user("alice")
    assert (
        client.post("/api/transactions", new_tx(cast.account), content_type=JSON).status_code == 201
    )
    r = client.post("/api/transactions", new_tx(cast.account), content_type=JSON)
    assert r.status_code == 409
    assert r.json()["field"] == "external_id" and "PMS-1" in r.json()["message"]
    assert Transaction.objects.count() == 1
    # The same external id from another source is another record.
    other = client.post("/api/transactions", new_tx(cast.account, source="pos"), content_type=JSON)
    assert other.status_code == 201


def test_unknown_category_is_400_naming_it(cast, as_user):
    r = as_user("alice").post(
        "/api/transactions", new_tx(cast.account, category="spa"), content_type=JSON
    )
    assert r.status_code == 400
    assert r.json()["field"] == "category"


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1000000000000.00"}, "amount"),
        ({"amount": 1e300}, "amount"),
        ({"amount": "1.999"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": None}, "amount"),
        ({"cost": "-0.01"}, "cost"),
        ({"head_count": -1}, "head_count"),
        ({"head_count": 10**12}, "head_count"),
        ({"occurred_at": "2024-02-30T10:00"}, "occurred_at"),
        ({"occurred_at": "soon"}, "occurred_at"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"external_id": "x" * 65}, "external_id"),
        ({"account": "abc"}, "account"),
        ({"account": 2**70}, "account"),
        ({"contact": [1]}, "contact"),
    ],
)
def test_invalid_input_is_422_naming_the_field(cast, as_user, extra, field):
    r = as_user("alice").post("/api/transactions", new_tx(cast.account, **extra), content_type=JSON)
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == field
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_patch_follows_the_access_rule(cast, as_user, who, status):
    tx = make_transaction(account=cast.account, amount="100.00")
    r = as_user(who).patch(f"/api/transactions/{tx.pk}", {"amount": "150.00"}, content_type=JSON)
    assert r.status_code == status
    tx.refresh_from_db()
    assert (tx.amount == Decimal("150.00")) == (status == 200)


def test_patch_is_audited_with_old_and_new(cast, as_user):
    tx = make_transaction(account=cast.account, amount="100.00")
    client = as_user("lena")
    assert (
        client.patch(
            f"/api/transactions/{tx.pk}", {"amount": "150.00"}, content_type=JSON
        ).status_code
        == 200
    )
    r = client.get(f"/api/transactions/{tx.pk}/history")
    assert r.status_code == 200
    latest = r.json()[0]
    assert (latest["type"], latest["user"]) == ("~", "lena")
    assert latest["changes"] == [{"field": "amount", "old": "100.00", "new": "150.00"}]
    assert as_user("bob").get(f"/api/transactions/{tx.pk}/history").status_code == 404


def test_moving_to_an_invisible_account_is_404(cast, as_user):
    tx = make_transaction(account=cast.account)
    r = as_user("alice").patch(
        f"/api/transactions/{tx.pk}", {"account": cast.west_account.pk}, content_type=JSON
    )
    assert r.status_code == 404
    tx.refresh_from_db()
    assert tx.account == cast.account


def test_patch_to_a_taken_external_id_is_409(cast, as_user):
    make_transaction(account=cast.account, source="pms", external_id="A")
    tx = make_transaction(account=cast.account, source="pms", external_id="B")
    r = as_user("alice").patch(
        f"/api/transactions/{tx.pk}", {"external_id": "A"}, content_type=JSON
    )
    assert r.status_code == 409
    tx.refresh_from_db()
    assert tx.external_id == "B"


@pytest.mark.parametrize("who,status", [("bob", 404), ("charlie", 404), ("alice", 204)])
def test_delete_follows_the_access_rule_and_is_audited(cast, as_user, who, status):
    tx = make_transaction(account=cast.account)
    assert as_user(who).delete(f"/api/transactions/{tx.pk}").status_code == status
    assert Transaction.objects.filter(pk=tx.pk).exists() == (status != 204)
    if status == 204:
        assert Transaction.history.get(id=tx.pk, history_type="-").history_user == cast.alice


def test_transaction_filters(cast, as_user):
    contact = make_contact(account=cast.account)
    make_transaction(account=cast.account, amount="50", when=at("2024-01-10"), source="pos")
    make_transaction(
        account=cast.account, amount="500", when=at("2024-02-10", 23), contact=contact,
        channel="ota",
    )  # fmt: skip
    make_transaction(account=cast.account, amount="5000", when=at("2024-03-10"))
    client = as_user("alice")

    def amounts(query):
        r = client.get(f"/api/transactions?{query}")
        assert r.status_code == 200, r.json()
        return sorted(Decimal(t["amount"]) for t in r.json()["items"])

    assert amounts("occurred_from=2024-02-01&occurred_to=2024-02-10") == [500]
    assert amounts("occurred_to=2024-02-10T12:00:00%2B08:00") == [50]
    assert amounts("min_amount=100&max_amount=1000") == [500]
    assert amounts(f"contact={contact.pk}") == [500]
    assert amounts("channel=ota") == [500]
    assert amounts("source=pos") == [50]
    assert amounts("category=fnb") == [50, 500, 5000]
    assert amounts("category=rooms") == []
    assert amounts(f"account={cast.west_account.pk}") == []
    assert client.get("/api/transactions?occurred_from=2024-99-01").status_code == 422
    assert client.get("/api/transactions?min_amount=abc").status_code == 422


# --- payments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_payment_retrieve_follows_the_access_rule(cast, as_user, who, status):
    payment = make_payment(account=cast.account, amount="900.00")
    r = as_user(who).get(f"/api/payments/{payment.pk}")
    assert r.status_code == status
    if status == 200:
        assert r.json()["amount"] == "900.00"


@pytest.mark.parametrize(
    "who,expected",
    [("alice", {"1.00"}), ("bob", set()), ("charlie", {"2.00"}), ("lena", {"1.00"}),
     ("mia", {"1.00", "2.00"})],
)  # fmt: skip
def test_payment_list_contains_only_visible_rows(cast, as_user, who, expected):
    make_payment(account=cast.account, amount="1.00")
    make_payment(account=cast.west_account, amount="2.00")
    r = as_user(who).get("/api/payments")
    assert {p["amount"] for p in r.json()["items"]} == expected


def test_create_payment(cast, as_user):
    r = as_user("alice").post(
        "/api/payments",
        new_payment(cast.account, method="wechat_pay", reference="INV-7", external_id="F-7"),
        content_type=JSON,
    )
    assert r.status_code == 201, r.json()
    payment = Payment.objects.get(external_id="F-7")
    assert (payment.account, payment.amount, payment.method) == (
        cast.account, Decimal("5000"), "wechat_pay",
    )  # fmt: skip
    assert payment.history.get().history_user == cast.alice


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_create_payment_on_invisible_account_is_404(cast, as_user, who):
    r = as_user(who).post("/api/payments", new_payment(cast.account), content_type=JSON)
    assert r.status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "99999999999999"}, "amount"),
        ({"received_at": "2024-13-01"}, "received_at"),
        ({"method": "barter"}, "method"),
    ],
)
def test_invalid_payment_is_422(cast, as_user, extra, field):
    r = as_user("alice").post(
        "/api/payments", new_payment(cast.account, **extra), content_type=JSON
    )
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == field


def test_duplicate_payment_external_id_is_409(cast, as_user):
    make_payment(account=cast.account, source="finance", external_id="F-1")
    r = as_user("alice").post(
        "/api/payments",
        new_payment(cast.account, source="finance", external_id="F-1"),
        content_type=JSON,
    )
    assert r.status_code == 409
    assert r.json()["field"] == "external_id"


def test_payment_patch_delete_and_history(cast, as_user):
    payment = make_payment(account=cast.account, amount="100.00")
    client = as_user("alice")
    assert (
        as_user("charlie")
        .patch(f"/api/payments/{payment.pk}", {"amount": "1"}, content_type=JSON)
        .status_code
        == 404
    )
    r = client.patch(f"/api/payments/{payment.pk}", {"notes": "首付款"}, content_type=JSON)
    assert r.status_code == 200
    history = client.get(f"/api/payments/{payment.pk}/history").json()
    assert history[0]["changes"] == [{"field": "notes", "old": "", "new": "首付款"}]
    assert history[0]["user"] == "alice"
    assert as_user("bob").delete(f"/api/payments/{payment.pk}").status_code == 404
    assert client.delete(f"/api/payments/{payment.pk}").status_code == 204
    assert Payment.history.get(id=payment.pk, history_type="-").history_user == cast.alice


def test_payment_filters(cast, as_user):
    make_payment(account=cast.account, amount="10", received_at=at("2024-01-05"), method="cash")
    make_payment(account=cast.account, amount="20", received_at=at("2024-02-05"))
    client = as_user("alice")

    def amounts(query):
        r = client.get(f"/api/payments?{query}")
        assert r.status_code == 200, r.json()
        return sorted(Decimal(p["amount"]) for p in r.json()["items"])

    assert amounts("received_from=2024-02-01") == [20]
    assert amounts("received_to=2024-01-31") == [10]
    assert amounts("method=cash") == [10]
    assert amounts(f"account={cast.account.pk}") == [10, 20]


@pytest.mark.parametrize(
    "query,field",
    [
        ("occurred_to=9999-12-31", "occurred_to"),
        ("occurred_from=0001-01-01T00:00", "occurred_from"),
        ("occurred_from=2024-01-01T25:00", "occurred_from"),
        ("min_amount=1e400", "min_amount"),
        ("account=0", "account"),
    ],
)
def test_extreme_filter_values_are_422(as_user, query, field):
    r = as_user("mia").get(f"/api/transactions?{query}")
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == field


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_extreme_timestamps_are_422(cast, as_user, when):
    r = as_user("alice").post(
        "/api/transactions", new_tx(cast.account, occurred_at=when), content_type=JSON
    )
    assert r.status_code == 422
    assert r.json()["field"] == "occurred_at"
