"""Writes for transactions (consumption records) and payments received (回款)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction as db_transaction
from django.db.models import Count, Min, Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.core.services import UNSET, check_fields, check_no_clash, delete_as, save_as
from guanxi.transactions.models import Payment, ProductCategory, Transaction, TransactionKind
from guanxi.transactions.rollups import ledger_rollups_refresh

TRANSACTION_FIELDS = frozenset(
    {"occurred_at", "kind", "amount", "cost", "head_count", "quantity", "discount_rate",
     "channel", "source", "external_id", "description"}
)  # fmt: skip
PAYMENT_FIELDS = frozenset(
    {"received_at", "amount", "method", "reference", "source", "external_id", "notes"}
)


def _aware(value: dt.datetime) -> dt.datetime:
    # A timestamp without offset is read in the configured zone (Asia/Shanghai by default).
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _category(value: str | ProductCategory) -> ProductCategory:
    if isinstance(value, ProductCategory):
        return value
    category = ProductCategory.objects.filter(code=value).first()
    if category is None:
        codes = ", ".join(
            ProductCategory.objects.filter(is_active=True).values_list("code", flat=True)
        )
        raise ApplicationError(
            _("Unknown category '%(code)s'; use one of: %(codes)s.")
            % {"code": value, "codes": codes},
            field="category",
        )
    return category


def _contact(value: int | Contact | None, account: Account) -> Contact | None:
    if value is None:
        return None
    pk = value.pk if isinstance(value, Contact) else value
    contact = Contact.objects.filter(pk=pk, account=account).first()
    if contact is None:
        # Same words whether the contact is elsewhere or missing: existence is not revealed.
        raise ApplicationError(
            _("Contact %(id)s is not a contact of account %(account)s.")
            % {"id": pk, "account": account.pk},
            field="contact",
        )
    return contact


def _check_external_id(model: type[Model], obj: Model) -> None:
    if not obj.external_id:
        return
    check_no_clash(
        model.objects.filter(source=obj.source, external_id=obj.external_id),
        exclude_pk=obj.pk,
        field="external_id",
        message=_("A %(what)s with external_id '%(id)s' from source '%(source)s' already exists.")
        % {"what": model._meta.verbose_name, "id": obj.external_id, "source": obj.source},
    )


def transaction_amounts_check(tx: Transaction) -> None:
    """A sale's amount and quantity are zero or more, a refund's zero or less (not both 0)."""
    # The database has a CHECK on the amount's sign too; this says which field and why.
    if tx.kind not in TransactionKind.values:
        raise InvalidInput(
            _("Unknown kind '%(kind)s'; use sale or refund.") % {"kind": tx.kind}, field="kind"
        )
    refund = tx.kind == TransactionKind.REFUND
    for name in ("amount", "quantity"):
        value = getattr(tx, name)
        if value is None:
            continue
        if not refund and value < 0:
            raise InvalidInput(
                _("A sale's %(field)s must not be negative; money or units given back are a "
                  "refund (kind: refund).") % {"field": tx._meta.get_field(name).verbose_name},
                field=name,
            )  # fmt: skip
        if refund and value > 0:
            raise InvalidInput(
                _("A refund's %(field)s is zero or less: it is what is given back.")
                % {"field": tx._meta.get_field(name).verbose_name},
                field=name,
            )
    if refund and tx.discount_rate is not None:
        raise InvalidInput(
            _("A refund has no discount rate (its sale has)."), field="discount_rate"
        )
    if refund and not tx.amount and not tx.quantity:
        raise InvalidInput(_("A refund gives back money or units."), field="amount")
    if tx.cost is not None and tx.cost < 0:
        raise ApplicationError(_("Cost must not be negative."), field="cost")


def _check_refund_of(tx: Transaction) -> None:
    """A refund of a known sale: a sale of the same account and category, not after the
    refund, and the refunds of it together give back no more than it was (money and units)."""
    if tx.refund_of_id is None:
        return
    sale = Transaction.objects.filter(pk=tx.refund_of_id).first()
    if tx.kind != TransactionKind.REFUND:
        raise InvalidInput(_("Only a refund refers to a sale."), field="refund_of")
    if sale is None or sale.account_id != tx.account_id or sale.kind != TransactionKind.SALE:
        raise InvalidInput(
            _("Transaction %(id)s is not a sale of this account.") % {"id": tx.refund_of_id},
            field="refund_of",
        )
    if sale.category_id != tx.category_id:
        raise InvalidInput(
            _("A refund is in the category of its sale (%(category)s).")
            % {"category": sale.category},
            field="category",
        )
    if tx.occurred_at is not None and tx.occurred_at < sale.occurred_at:
        raise InvalidInput(_("A refund cannot come before its sale."), field="occurred_at")
    earlier = (
        Transaction.objects.filter(refund_of_id=sale.pk, occurred_at__gte=sale.occurred_at)
        .exclude(pk=tx.pk)
        .aggregate(amount=Sum("amount"), quantity=Sum("quantity"))
    )
    for name in ("amount", "quantity"):
        given = -(getattr(tx, name) or 0) - (earlier[name] or 0)
        sold = getattr(sale, name) or 0
        if given > sold:
            raise InvalidInput(
                _("The refunds of this sale would give back %(given)s of %(sold)s sold.")
                % {"given": given, "sold": sold},
                field=name,
            )


def _check_refunded_sale(tx: Transaction) -> None:
    """A sale with refunds stays a sale of its account and category, at least what they gave
    back and not after the first of them."""
    if tx.pk is None:
        return
    refunds = Transaction.objects.filter(refund_of_id=tx.pk)
    totals = refunds.aggregate(
        amount=Sum("amount"), quantity=Sum("quantity"), first=Min("occurred_at"), n=Count("id")
    )
    if not totals["n"]:
        return
    alike = refunds.filter(account_id=tx.account_id, category_id=tx.category_id).count()
    if tx.kind != TransactionKind.SALE or alike != totals["n"]:
        raise Conflict(
            _("This sale has refunds: it stays a sale of its account and category."),
            field="kind" if tx.kind != TransactionKind.SALE else "category",
        )
    if tx.occurred_at is not None and tx.occurred_at > totals["first"]:
        raise InvalidInput(_("A sale cannot come after its refunds."), field="occurred_at")
    for name in ("amount", "quantity"):
        if -(totals[name] or 0) > (getattr(tx, name) or 0):
            raise InvalidInput(
                _("Its refunds gave back %(given)s; the sale cannot be less.")
                % {"given": -totals[name]},
                field=name,
            )


def transaction_check(tx: Transaction) -> None:
    """The rules a transaction must meet however it is written (API, admin): its contact works
    at its account, a sale's amount and quantity are not negative and a refund's not positive,
    a refund of a known sale gives back no more than it, an external id is not recorded
    twice."""
    if tx.contact_id is not None and tx.contact.account_id != tx.account_id:
        _contact(tx.contact_id, tx.account)  # raises, with the usual message
    transaction_amounts_check(tx)
    _check_refund_of(tx)
    _check_refunded_sale(tx)
    _check_external_id(Transaction, tx)


def transaction_deletable(tx: Transaction) -> None:
    """A sale with refunds stays while they do (they would refer to nothing)."""
    if tx.refunds.filter(occurred_at__gte=tx.occurred_at).exists():
        raise Conflict(_("This sale has refunds; delete them first."), field="transaction")


def _pk(value: int | Transaction | None) -> int | None:
    return value.pk if isinstance(value, Transaction) else value


def payment_check(payment: Payment) -> None:
    """The rules a payment must meet however it is written (API, admin)."""
    _check_external_id(Payment, payment)
    if payment.amount is not None and payment.amount <= 0:
        raise ApplicationError(_("A payment must be more than zero."), field="amount")


def _for_actor(model: type[Model], *, actor: User, pk: int | Model, field: str) -> Any:
    pk = pk.pk if isinstance(pk, Model) else pk
    obj = visible_to(model.objects.all(), actor, prefix="account__").filter(pk=pk).first()
    if obj is None:
        raise NotFound(
            _("%(what)s %(id)s not found.") % {"what": model._meta.verbose_name, "id": pk},
            field=field,
        )
    return obj


def transaction_for_actor(
    *, actor: User, transaction_id: int | Transaction, field: str = "transaction"
) -> Transaction:
    return _for_actor(Transaction, actor=actor, pk=transaction_id, field=field)


def payment_for_actor(*, actor: User, payment_id: int | Payment, field: str = "payment") -> Payment:
    return _for_actor(Payment, actor=actor, pk=payment_id, field=field)


# Transactions and payments are written alike: the same field check, account move, time zone
# and audit; `moment` names the timestamp field read in the configured zone.
_WRITE_CLEAN = {"validate_unique": False, "validate_constraints": False}


def _assign(
    obj: Transaction | Payment,
    *,
    actor: User,
    account: int | Account,
    fields: dict[str, Any],
    allowed: frozenset[str],
    moment: str,
) -> None:
    check_fields(fields, allowed)
    if account is not UNSET and account is not None:
        obj.account = account_for_actor(actor=actor, account_id=account)
    for name, value in fields.items():
        setattr(obj, name, _aware(value) if name == moment else value)


@db_transaction.atomic
def transaction_create(
    *,
    actor: User,
    account: int | Account,
    category: str | ProductCategory,
    occurred_at: dt.datetime,
    amount: Decimal,
    contact: int | Contact | None = None,
    refund_of: int | Transaction | None = None,
    **fields: Any,
) -> Transaction:
    """A sale, or with ``kind="refund"`` a refund (amount and quantity zero or less), of the
    sale ``refund_of`` where known."""
    check_fields(fields, TRANSACTION_FIELDS)
    account_obj = account_for_actor(actor=actor, account_id=account)
    tx = Transaction(
        account=account_obj,
        contact=_contact(contact, account_obj),
        category=_category(category),
        occurred_at=_aware(occurred_at),
        amount=amount,
        refund_of_id=_pk(refund_of),
        **fields,
    )
    transaction_check(tx)
    tx = save_as(tx, actor=actor, **_WRITE_CLEAN)
    ledger_rollups_refresh([tx.account_id])
    return tx


@db_transaction.atomic
def transaction_update(
    *,
    actor: User,
    transaction: Transaction,
    account: int | Account = UNSET,
    category: str | ProductCategory = UNSET,
    contact: int | Contact | None = UNSET,
    refund_of: int | Transaction | None = UNSET,
    **fields: Any,
) -> Transaction:
    """Change the given fields. Moving to another account needs access to both, and the
    contact must belong to the account the transaction ends up on."""
    tx = transaction_for_actor(actor=actor, transaction_id=transaction)
    moved_from = tx.account_id
    _assign(
        tx,
        actor=actor,
        account=account,
        fields=fields,
        allowed=TRANSACTION_FIELDS,
        moment="occurred_at",
    )
    if category is not UNSET and category is not None:
        tx.category = _category(category)
    if contact is not UNSET:
        tx.contact = _contact(contact, tx.account)
    if refund_of is not UNSET:
        tx.refund_of_id = _pk(refund_of)
    transaction_check(tx)
    tx = save_as(tx, actor=actor, **_WRITE_CLEAN)
    ledger_rollups_refresh({moved_from, tx.account_id})
    return tx


@db_transaction.atomic
def transaction_delete(*, actor: User, transaction: Transaction) -> None:
    tx = transaction_for_actor(actor=actor, transaction_id=transaction)
    transaction_deletable(tx)
    delete_as(tx, actor=actor)
    ledger_rollups_refresh([tx.account_id])


@db_transaction.atomic
def payment_create(
    *,
    actor: User,
    account: int | Account,
    received_at: dt.datetime,
    amount: Decimal,
    **fields: Any,
) -> Payment:
    check_fields(fields, PAYMENT_FIELDS)
    payment = Payment(
        account=account_for_actor(actor=actor, account_id=account),
        received_at=_aware(received_at),
        amount=amount,
        **fields,
    )
    payment_check(payment)
    return save_as(payment, actor=actor, **_WRITE_CLEAN)


@db_transaction.atomic
def payment_update(
    *, actor: User, payment: Payment, account: int | Account = UNSET, **fields: Any
) -> Payment:
    payment = payment_for_actor(actor=actor, payment_id=payment)
    _assign(
        payment,
        actor=actor,
        account=account,
        fields=fields,
        allowed=PAYMENT_FIELDS,
        moment="received_at",
    )
    payment_check(payment)
    return save_as(payment, actor=actor, **_WRITE_CLEAN)


@db_transaction.atomic
def payment_delete(*, actor: User, payment: Payment) -> None:
    delete_as(payment_for_actor(actor=actor, payment_id=payment), actor=actor)
