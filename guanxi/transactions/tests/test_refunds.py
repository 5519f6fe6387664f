"""Refunds (退款 / credit notes): a ledger line of kind refund with a negative amount, netted into
every total, never counted as a purchase; checked by the services, the API and the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.errors import Conflict, InvalidInput
from guanxi.transactions import services
from guanxi.transactions.models import AccountLedgerRollup, AccountMonth, Transaction
from guanxi.transactions.tests.test_rollups import _today, at  # noqa: F401 (15 Aug 2025)
from tests.support import JSON, make_account

D = Decimal


def record(cast, amount, when, account=None, **fields):
    return services.transaction_create(
        actor=cast.alice, account=account or cast.account, category=fields.pop("category", "fnb"),
        occurred_at=when, amount=D(amount), **fields,
    )  # fmt: skip


def test_a_refund_nets_revenue_and_margin_but_is_no_purchase(cast):
    sale = record(cast, "1000", at(2025, 8, 1, 12), cost=D("400"), quantity=D("10"))
    refund = record(cast, "-300", at(2025, 8, 10, 9), kind="refund", refund_of=sale,
                    quantity=D("-3"))  # fmt: skip
    assert (refund.kind, refund.refund_of_id, refund.amount) == ("refund", sale.pk, D("-300"))
    row = AccountLedgerRollup.objects.get(account=cast.account)
    assert (row.revenue_lifetime, row.count_lifetime) == (D("700"), 1)
    assert (row.revenue_12m, row.count_12m, row.revenue_month) == (D("700"), 1, D("700"))
    # The last purchase is the sale's day, not the refund's.
    assert (row.first_purchase_at, row.last_purchase_at) == (sale.occurred_at, sale.occurred_at)
    month = AccountMonth.objects.get(account=cast.account)
    # margin: (1000 − 400) on the sale, − 300 given back
    assert (month.revenue, month.cost, month.margin, month.count, month.costed) == (
        D("700"), D("400"), D("300"), 1, 1
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": D("-5")}, "amount"),  # a negative sale: a typo, not a refund
        ({"amount": D("5"), "quantity": D("-1")}, "quantity"),
        ({"amount": D("5"), "kind": "refund"}, "amount"),  # a refund gives back
        ({"amount": D("0"), "kind": "refund"}, "amount"),  # … something
        ({"amount": D("-5"), "kind": "refund", "discount_rate": D("0.9")}, "discount_rate"),
    ],
)
def test_the_sign_follows_the_kind(cast, fields, field):
    with pytest.raises(InvalidInput) as error:
        record(cast, fields.pop("amount"), at(2025, 8, 1), **fields)
    assert error.value.field == field
    assert not Transaction.objects.exists()


def test_a_refund_of_a_sale_stays_within_it(cast):
    sale = record(cast, "100", at(2025, 8, 1), quantity=D("2"))
    record(cast, "-60", at(2025, 8, 2), kind="refund", refund_of=sale.pk)
    with pytest.raises(InvalidInput) as too_much:
        record(cast, "-50", at(2025, 8, 3), kind="refund", refund_of=sale.pk)
    assert too_much.value.field == "amount"
    with pytest.raises(InvalidInput) as units:
        record(cast, "-10", at(2025, 8, 3), kind="refund", refund_of=sale.pk, quantity=D("-3"))
    assert units.value.field == "quantity"
    ok = record(cast, "-40", at(2025, 8, 3), kind="refund", refund_of=sale.pk, quantity=D("-2"))
    # The sale cannot shrink below, move from or outlive what its refunds gave back.
    for change, field in [({"amount": D("99")}, "amount"), ({"category": "rooms"}, "category"),
                          ({"occurred_at": at(2025, 8, 3)}, "occurred_at")]:  # fmt: skip
        with pytest.raises((InvalidInput, Conflict)) as error:
            services.transaction_update(actor=cast.alice, transaction=sale, **change)
        assert error.value.field == field
    # Changing a refund counts the others, not itself.
    services.transaction_update(actor=cast.alice, transaction=ok, amount=D("-30"))
    with pytest.raises(InvalidInput):
        services.transaction_update(actor=cast.alice, transaction=ok, amount=D("-41"))


def test_what_a_refund_may_refer_to(cast):
    sale = record(cast, "100", at(2025, 8, 1))
    other = make_account(owner=cast.alice)
    elsewhere = record(cast, "100", at(2025, 8, 1), account=other)
    refund = record(cast, "-10", at(2025, 8, 2), kind="refund", refund_of=sale)
    cases = [
        ({"refund_of": elsewhere}, "refund_of"),  # another account's sale
        ({"refund_of": refund}, "refund_of"),  # a refund is not a sale
        ({"refund_of": sale, "category": "rooms"}, "category"),
    ]
    for fields, field in cases:
        with pytest.raises(InvalidInput) as error:
            record(cast, "-1", at(2025, 8, 2), kind="refund", **fields)
        assert error.value.field == field, fields
    with pytest.raises(InvalidInput) as early:
        record(cast, "-1", at(2025, 7, 31), kind="refund", refund_of=sale)
    assert early.value.field == "occurred_at"
    with pytest.raises(InvalidInput) as sale_of_sale:
        record(cast, "1", at(2025, 8, 2), refund_of=sale)
    assert sale_of_sale.value.field == "refund_of"
    # A sale with refunds stays while they do.
    with pytest.raises(Conflict):
        services.transaction_delete(actor=cast.alice, transaction=sale)
    # Together (an account's whole ledger, a list's bulk delete) they go.
    pair = record(cast, "50", at(2025, 8, 4), account=other)
    record(cast, "-5", at(2025, 8, 5), account=other, kind="refund", refund_of=pair)
    Transaction.objects.filter(account=other).delete()
    assert not Transaction.objects.filter(account=other).exists()
    services.transaction_delete(actor=cast.alice, transaction=refund)
    services.transaction_delete(actor=cast.alice, transaction=sale)
    assert not Transaction.objects.filter(account=cast.account).exists()
    assert not AccountLedgerRollup.objects.filter(account=cast.account).exists()


def test_the_api_records_and_lists_refunds(cast, as_user):
    api = as_user("alice")
    body = {"account": cast.account.pk, "category": "fnb", "occurred_at": "2025-08-01T12:00:00",
            "amount": "500.00"}  # fmt: skip
    sale = api.post("/api/transactions", body, content_type=JSON).json()
    assert (sale["kind"], sale["refund_of"]) == ("sale", None)
    bad = api.post("/api/transactions", body | {"amount": "-500"}, content_type=JSON)
    assert (bad.status_code, bad.json()["field"]) == (422, "amount")
    over = body | {"kind": "refund", "amount": "-501", "refund_of": sale["id"]}
    bad = api.post("/api/transactions", over, content_type=JSON)
    assert (bad.status_code, bad.json()["field"]) == (422, "amount")
    refund = api.post("/api/transactions", over | {"amount": "-120"}, content_type=JSON)
    assert refund.status_code == 201, refund.json()
    assert (refund.json()["kind"], refund.json()["refund_of"]) == ("refund", sale["id"])
    assert refund.json()["amount"] == "-120.00"
    listed = api.get("/api/transactions?kind=refund").json()
    assert [row["id"] for row in listed["items"]] == [refund.json()["id"]]
    rollup = AccountLedgerRollup.objects.get(account=cast.account)
    assert (rollup.revenue_lifetime, rollup.count_lifetime) == (D("380"), 1)


def test_the_admin_takes_a_refund_and_refuses_a_negative_sale(client, cast):
    sale = record(cast, "200", at(2025, 8, 1))
    client.force_login(cast.alice)
    data = {
        "account": cast.account.pk, "occurred_at_0": "2025-08-05", "occurred_at_1": "12:00",
        "category": sale.category_id, "kind": "sale", "amount": "-50", "channel": "direct",
        "source": "manual",
    }  # fmt: skip
    url = reverse("admin:transactions_transaction_add")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    response = client.post(url, data | {"kind": "refund", "refund_of": sale.pk})
    assert response.status_code == 302
    refund = Transaction.objects.get(kind="refund")
    assert (refund.amount, refund.refund_of_id) == (D("-50"), sale.pk)
    assert AccountLedgerRollup.objects.get(account=cast.account).revenue_lifetime == D("150")
