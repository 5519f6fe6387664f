"""/api/transactions and /api/payments: list, retrieve, create, update, delete, history."""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from guanxi.accounts.selectors import visible_to
from guanxi.core.api import MAX_ID, HistoryEntryOut, Pagination, history_entries, ordered
from guanxi.transactions import services
from guanxi.transactions.models import Payment, Transaction
from guanxi.transactions.schemas import (
    PaymentFilters,
    PaymentIn,
    PaymentOut,
    PaymentPatch,
    TransactionFilters,
    TransactionIn,
    TransactionOut,
    TransactionPatch,
)

transactions_router = Router(tags=["transactions"])
payments_router = Router(tags=["payments"])

ObjectId = Path(..., ge=1, le=MAX_ID)


def _moment(value: dt.datetime | dt.date, *, end: bool) -> dt.datetime:
    """A filter bound as an aware datetime; a date `to` bound covers that whole day."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    day = value + dt.timedelta(days=1) if end else value
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _range(qs: QuerySet, field: str, start, end) -> QuerySet:
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": _moment(start, end=False)})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": _moment(end, end=True)})
    return qs


def transaction_list(*, user, filters: TransactionFilters) -> QuerySet[Transaction]:
    qs = visible_to(
        Transaction.objects.select_related("account", "category"), user, prefix="account__"
    )
    f = filters
    if f.account:
        qs = qs.filter(account_id=f.account)
    if f.contact:
        qs = qs.filter(contact_id=f.contact)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.external_id:
        qs = qs.filter(external_id=f.external_id)
    qs = _range(qs, "occurred_at", f.occurred_from, f.occurred_to)
    if f.min_amount is not None:
        qs = qs.filter(amount__gte=f.min_amount)
    if f.max_amount is not None:
        qs = qs.filter(amount__lte=f.max_amount)
    return ordered(qs)


def payment_list(*, user, filters: PaymentFilters) -> QuerySet[Payment]:
    qs = visible_to(Payment.objects.select_related("account"), user, prefix="account__")
    f = filters
    if f.account:
        qs = qs.filter(account_id=f.account)
    if f.method:
        qs = qs.filter(method=f.method)
    if f.source:
        qs = qs.filter(source=f.source)
    qs = _range(qs, "received_at", f.received_from, f.received_to)
    if f.min_amount is not None:
        qs = qs.filter(amount__gte=f.min_amount)
    if f.max_amount is not None:
        qs = qs.filter(amount__lte=f.max_amount)
    return ordered(qs)


def _tx(request: HttpRequest, transaction_id: int) -> Transaction:
    return services.transaction_for_actor(
        actor=request.auth, transaction_id=transaction_id, field="id"
    )


def _reload_tx(tx: Transaction) -> Transaction:
    return Transaction.objects.select_related("account", "category").get(pk=tx.pk)


# --- Transactions ------------------------------------------------------------------------------


@transactions_router.get(
    "", response=list[TransactionOut], summary="List transactions of accounts you can see"
)
@paginate(Pagination)
def list_transactions(request: HttpRequest, filters: Query[TransactionFilters]):
    return transaction_list(user=request.auth, filters=filters)


@transactions_router.post("", response={201: TransactionOut}, summary="Record a transaction")
def create_transaction(request: HttpRequest, payload: TransactionIn):
    tx = services.transaction_create(actor=request.auth, **payload.model_dump())
    return Status(201, _reload_tx(tx))


@transactions_router.get(
    "/{transaction_id}", response=TransactionOut, summary="Retrieve a transaction"
)
def get_transaction(request: HttpRequest, transaction_id: int = ObjectId):
    return _reload_tx(_tx(request, transaction_id))


@transactions_router.patch(
    "/{transaction_id}", response=TransactionOut, summary="Update some fields of a transaction"
)
def patch_transaction(
    request: HttpRequest, payload: TransactionPatch, transaction_id: int = ObjectId
):
    tx = services.transaction_update(
        actor=request.auth,
        transaction=_tx(request, transaction_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _reload_tx(tx)


@transactions_router.put(
    "/{transaction_id}", response=TransactionOut, summary="Replace a transaction"
)
def put_transaction(request: HttpRequest, payload: TransactionIn, transaction_id: int = ObjectId):
    tx = services.transaction_update(
        actor=request.auth, transaction=_tx(request, transaction_id), **payload.model_dump()
    )
    return _reload_tx(tx)


@transactions_router.delete(
    "/{transaction_id}", response={204: None}, summary="Delete a transaction"
)
def delete_transaction(request: HttpRequest, transaction_id: int = ObjectId):
    services.transaction_delete(actor=request.auth, transaction=_tx(request, transaction_id))
    return Status(204, None)


@transactions_router.get(
    "/{transaction_id}/history",
    response=list[HistoryEntryOut],
    summary="Audit history of a transaction: who changed what, old → new",
)
def transaction_history(request: HttpRequest, transaction_id: int = ObjectId):
    return history_entries(_tx(request, transaction_id))


# --- Payments ----------------------------------------------------------------------------------


def _payment(request: HttpRequest, payment_id: int) -> Payment:
    payment = services.payment_for_actor(actor=request.auth, payment_id=payment_id, field="id")
    return Payment.objects.select_related("account").get(pk=payment.pk)


@payments_router.get("", response=list[PaymentOut], summary="List payments received (回款)")
@paginate(Pagination)
def list_payments(request: HttpRequest, filters: Query[PaymentFilters]):
    return payment_list(user=request.auth, filters=filters)


@payments_router.post("", response={201: PaymentOut}, summary="Record a payment received")
def create_payment(request: HttpRequest, payload: PaymentIn):
    payment = services.payment_create(actor=request.auth, **payload.model_dump())
    return Status(201, _payment(request, payment.pk))


@payments_router.get("/{payment_id}", response=PaymentOut, summary="Retrieve a payment")
def get_payment(request: HttpRequest, payment_id: int = ObjectId):
    return _payment(request, payment_id)


@payments_router.patch(
    "/{payment_id}", response=PaymentOut, summary="Update some fields of a payment"
)
def patch_payment(request: HttpRequest, payload: PaymentPatch, payment_id: int = ObjectId):
    payment = services.payment_update(
        actor=request.auth,
        payment=_payment(request, payment_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _payment(request, payment.pk)


@payments_router.put("/{payment_id}", response=PaymentOut, summary="Replace a payment")
def put_payment(request: HttpRequest, payload: PaymentIn, payment_id: int = ObjectId):
    payment = services.payment_update(
        actor=request.auth, payment=_payment(request, payment_id), **payload.model_dump()
    )
    return _payment(request, payment.pk)


@payments_router.delete("/{payment_id}", response={204: None}, summary="Delete a payment")
def delete_payment(request: HttpRequest, payment_id: int = ObjectId):
    services.payment_delete(actor=request.auth, payment=_payment(request, payment_id))
    return Status(204, None)


@payments_router.get(
    "/{payment_id}/history",
    response=list[HistoryEntryOut],
    summary="Audit history of a payment: who changed what, old → new",
)
def payment_history(request: HttpRequest, payment_id: int = ObjectId):
    return history_entries(_payment(request, payment_id))
