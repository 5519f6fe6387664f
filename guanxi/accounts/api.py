"""/api/accounts: list, retrieve, create, update, delete, history."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from guanxi.accounts import services
from guanxi.accounts.models import Account
from guanxi.accounts.schemas import AccountFilters, AccountIn, AccountOut, AccountPatch
from guanxi.accounts.selectors import account_list
from guanxi.core.schemas import MAX_ID, HistoryEntryOut, Pagination, history_entries
from guanxi.duplicates.services import account_entry_check, account_lookalikes_queue
from guanxi.workspace import flows

router = Router(tags=["accounts"])

AccountId = Path(..., ge=1, le=MAX_ID)
FORCE = Query(False, description="Create it even if it looks like an account on file")


def _get(request: HttpRequest, account_id: int) -> Account:
    return services.account_for_actor(actor=request.auth, account_id=account_id, field="id")


@router.get("", response=list[AccountOut], summary="List accounts you can see")
@paginate(Pagination)
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]):
    return account_list(actor=request.auth, filters=filters)


@router.post(
    "",
    response={201: AccountOut},
    summary="Create an account",
    description="409 with `extra.candidates` when it looks like an account on file (same credit "
    "code, or a name alike once legal forms, brackets and a leading city are removed, when "
    "the names do not name different places); send `force=true` to create it anyway, and the "
    "pairs go to the duplicates review queue at once.",
)
@transaction.atomic
def create_account(request: HttpRequest, payload: AccountIn, force: bool = FORCE):
    account = services.account_create(actor=request.auth, **payload.model_dump())
    if force:
        account_lookalikes_queue(account=account)
    else:
        account_entry_check(
            actor=request.auth,
            name=account.name,
            credit_code=account.credit_code,
            exclude_pk=account.pk,
            phone=account.phone,
            city=account.city,
            address=account.address,
        )
    return Status(201, account)


@router.get("/{account_id}", response=AccountOut, summary="Retrieve an account")
def get_account(request: HttpRequest, account_id: int = AccountId):
    return _get(request, account_id)


@router.patch("/{account_id}", response=AccountOut, summary="Update some fields of an account")
def patch_account(request: HttpRequest, payload: AccountPatch, account_id: int = AccountId):
    account = flows.account_change(
        actor=request.auth,
        account=_get(request, account_id),
        **payload.model_dump(exclude_unset=True),
    )
    return Account.objects.get(pk=account.pk)


@router.put("/{account_id}", response=AccountOut, summary="Replace an account")
def put_account(request: HttpRequest, payload: AccountIn, account_id: int = AccountId):
    data = payload.model_dump()
    # A replace keeps the owner and team unless given: clearing them is never meant.
    for name in ("owner", "team"):
        if data[name] is None:
            del data[name]
    account = flows.account_change(actor=request.auth, account=_get(request, account_id), **data)
    return Account.objects.get(pk=account.pk)


@router.delete("/{account_id}", response={204: None}, summary="Delete an account")
def delete_account(request: HttpRequest, account_id: int = AccountId):
    services.account_delete(actor=request.auth, account=_get(request, account_id))
    return Status(204, None)


@router.get(
    "/{account_id}/history",
    response=list[HistoryEntryOut],
    summary="Audit history of an account: who changed what, old → new",
)
def account_history(request: HttpRequest, account_id: int = AccountId):
    return history_entries(_get(request, account_id))
