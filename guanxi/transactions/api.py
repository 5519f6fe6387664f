"""/api/transactions and /api/payments: list, retrieve, create, update, delete, history."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from guanxi.core.schemas import MAX_ID, HistoryEntryOut, Pagination, history_entries
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
from guanxi.transactions.selectors import (
    ledger_count_visible_to,
    newest_first_page,
    payment_list,
    transaction_list,
)
from guanxi.workspace import flows

transactions_router = Router(tags=["transactions"])
payments_router = Router(tags=["payments"])

ObjectId = Path(..., ge=1, le=MAX_ID)


class LedgerPagination(Pagination):
    """`?limit=&offset=` with the total `count`, as everywhere; with no filter given the count
    comes from the per-account rollups (exact) instead of COUNT(*) over the ledger, and a list
    narrowed to one account (`?account=`) reads its page from the months that hold it
    (`newest_first_page`: on a partitioned ledger, only those months' partitions)."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        filters = params.get("filters")
        given = None if filters is None else filters.model_dump(exclude_none=True)
        if given is None or set(given) - {"account"} or queryset.model is not Transaction:
            return super().paginate_queryset(queryset, pagination, request, **params)
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        if not given:
            items: Any = queryset[offset : offset + limit]
            count = ledger_count_visible_to(request.auth)
        else:
            items = newest_first_page(
                queryset, account_id=given["account"], offset=offset, limit=limit
            )
            count = self._items_count(queryset)
        return {self.items_attribute: items, "count": count}


def _tx(request: HttpRequest, transaction_id: int) -> Transaction:
    return services.transaction_for_actor(
        actor=request.auth, transaction_id=transaction_id, field="id"
    )


def _payment(request: HttpRequest, payment_id: int) -> Payment:
    return services.payment_for_actor(actor=request.auth, payment_id=payment_id, field="id")


def _reload(obj: Transaction | Payment) -> Transaction | Payment:
    """The row again with what its Out schema shows, after a write changed it."""
    related = ("account", "category") if isinstance(obj, Transaction) else ("account",)
    return type(obj).objects.select_related(*related).get(pk=obj.pk)


# --- Transactions ------------------------------------------------------------------------------


@transactions_router.get(
    "", response=list[TransactionOut], summary="List transactions of accounts you can see"
)
@paginate(LedgerPagination)
def list_transactions(request: HttpRequest, filters: Query[TransactionFilters]):
    return transaction_list(actor=request.auth, filters=filters)


@transactions_router.post("", response={201: TransactionOut}, summary="Record a transaction")
def create_transaction(request: HttpRequest, payload: TransactionIn):
    tx = flows.transaction_record(actor=request.auth, **payload.model_dump())
    return Status(201, _reload(tx))


@transactions_router.get(
    "/{transaction_id}", response=TransactionOut, summary="Retrieve a transaction"
)
def get_transaction(request: HttpRequest, transaction_id: int = ObjectId):
    return _reload(_tx(request, transaction_id))


@transactions_router.patch(
    "/{transaction_id}", response=TransactionOut, summary="Update some fields of a transaction"
)
def patch_transaction(
    request: HttpRequest, payload: TransactionPatch, transaction_id: int = ObjectId
):
    tx = flows.transaction_change(
        actor=request.auth,
        transaction=_tx(request, transaction_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _reload(tx)


@transactions_router.put(
    "/{transaction_id}", response=TransactionOut, summary="Replace a transaction"
)
def put_transaction(request: HttpRequest, payload: TransactionIn, transaction_id: int = ObjectId):
    tx = flows.transaction_change(
        actor=request.auth, transaction=_tx(request, transaction_id), **payload.model_dump()
    )
    return _reload(tx)


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


@payments_router.get("", response=list[PaymentOut], summary="List payments received")
@paginate(Pagination)
def list_payments(request: HttpRequest, filters: Query[PaymentFilters]):
    return payment_list(actor=request.auth, filters=filters)


@payments_router.post("", response={201: PaymentOut}, summary="Record a payment received")
def create_payment(request: HttpRequest, payload: PaymentIn):
    payment = services.payment_create(actor=request.auth, **payload.model_dump())
    return Status(201, _reload(payment))


@payments_router.get("/{payment_id}", response=PaymentOut, summary="Retrieve a payment")
def get_payment(request: HttpRequest, payment_id: int = ObjectId):
    return _reload(_payment(request, payment_id))


@payments_router.patch(
    "/{payment_id}", response=PaymentOut, summary="Update some fields of a payment"
)
def patch_payment(request: HttpRequest, payload: PaymentPatch, payment_id: int = ObjectId):
    payment = services.payment_update(
        actor=request.auth,
        payment=_payment(request, payment_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _reload(payment)


@payments_router.put("/{payment_id}", response=PaymentOut, summary="Replace a payment")
def put_payment(request: HttpRequest, payload: PaymentIn, payment_id: int = ObjectId):
    payment = services.payment_update(
        actor=request.auth, payment=_payment(request, payment_id), **payload.model_dump()
    )
    return _reload(payment)


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
