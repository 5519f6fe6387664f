"""Transactions (消费记录), payments received (回款) and product categories."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, IS_POPUP_VAR, PAGE_VAR
from django.core.paginator import Paginator
from django.db import transaction as db_transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    DropdownFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display
from unfold.views import ChangeList

from guanxi.accounts.admin_base import EXPORT_ACTIONS, ScopedModelAdmin
from guanxi.core.admin_mixins import (
    ConfigAccessMixin,
    LocalDateRangeFilter,
    ServiceRulesForm,
    StaffModelAdmin,
    show_service_error,
)
from guanxi.core.errors import ApplicationError
from guanxi.core.formatting import money
from guanxi.core.selectors import estimated_count
from guanxi.transactions import services
from guanxi.transactions.models import Payment, ProductCategory, Transaction
from guanxi.transactions.rollups import ledger_rollups_refresh
from guanxi.transactions.selectors import (
    categories_matching,
    ledger_count_visible_to,
    ledger_sources,
    newest_first_page,
    planned_count,
)
from guanxi.workspace.flows import transaction_saved


def money_cell(value: Any) -> SafeString:
    """A list cell with the amount as on the 360° page (¥84,493.63), right-aligned so the
    digits line up."""
    return format_html('<span class="block text-right tabular-nums">{}</span>', money(value, 2))


class SourceFilter(DropdownFilter):
    """The source systems, read with one index probe each (`ledger_sources`), not a SELECT
    DISTINCT over the ledger."""

    title = _("source system")
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(source, source) for source in ledger_sources(model_admin.model)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(source=value) if value else queryset


class CountedPaginator(Paginator):
    """A paginator told its count (a function) instead of running COUNT(*) over the list;
    else the count is exact for a small result and PostgreSQL's estimate for a big one."""

    def __init__(self, *args: Any, count: Callable[[], int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        if self._known_count is not None:
            return self._known_count()
        return planned_count(self.object_list)


class LedgerListMixin:
    """The ledger lists at millions of rows: no date drill-down (its SELECT DISTINCT of years
    and months sorts the ledger; the date range filter narrows instead), no second COUNT of the
    unfiltered list, and the count of an unfiltered list from `unfiltered_count`."""

    date_hierarchy = None
    show_full_result_count = False
    visible_as_list = True  # the newest rows of a KAM's book without sorting it all
    #: Query parameters that sort, page or pop up, but do not narrow the rows.
    NOT_FILTERS = frozenset({"o", "p", "e", "_changelist_filters", "_to_field", "_popup"})

    def unfiltered_count(self, request: HttpRequest) -> int | None:
        return None

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        count = None
        if not set(request.GET) - self.NOT_FILTERS:
            known = self.unfiltered_count(request)
            count = None if known is None else (lambda: known)
        return CountedPaginator(queryset, per_page, orphans, allow_empty_first_page, count=count)


#: The ways a link narrows the transaction list to one account (the 360° page's link, the
#: cards' links to other lists use ``account__id__exact``).
ONE_ACCOUNT_PARAMS = frozenset({"account__id__exact", "account__exact", "account", "account_id"})
#: Parameters that page or show the list without narrowing or re-sorting it.
PAGING_PARAMS = frozenset({PAGE_VAR, ALL_VAR, ERROR_FLAG, IS_POPUP_VAR})


class TransactionChangeList(ChangeList):
    """The transaction list narrowed to one account and nothing else, newest first (the
    default order): the page's rows are read from the months that hold them
    (`newest_first_page`), so on a partitioned ledger only those months' partitions are read —
    the same rows as before, every month of the account a page away."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        account_id = self.one_account(request)
        if account_id is None:
            return
        if self.multi_page and not (self.show_all and self.can_show_all):
            offset, limit = (self.page_num - 1) * self.list_per_page, self.list_per_page
        else:
            offset, limit = 0, self.result_count
        self.result_list = newest_first_page(
            self.queryset, account_id=account_id, offset=offset, limit=limit
        )

    def one_account(self, request: HttpRequest) -> int | None:
        """The account id when the list is narrowed to that account only (no other filter,
        search or sort), else None."""
        narrowing = set(request.GET) - PAGING_PARAMS
        if len(narrowing) != 1 or not narrowing <= ONE_ACCOUNT_PARAMS:
            return None
        values = request.GET.getlist(next(iter(narrowing)))
        if len(values) != 1 or not (values[0].isascii() and values[0].isdigit()):
            return None
        return int(values[0])


class TransactionAdminForm(ServiceRulesForm):
    def clean(self) -> dict[str, Any]:
        # The sign by kind before the model's CHECK would refuse it without naming the field.
        data = super().clean()
        numbers = ("kind", "amount", "cost", "quantity", "discount_rate")
        try:
            services.transaction_amounts_check(
                Transaction(**{name: data.get(name) for name in numbers})
            )
        except ApplicationError as exc:
            show_service_error(self, exc)
        return data

    def check_rules(self, tx: Transaction) -> None:
        services.transaction_check(tx)


class PaymentAdminForm(ServiceRulesForm):
    def check_rules(self, payment: Payment) -> None:
        services.payment_check(payment)


@admin.register(Transaction)
class TransactionAdmin(LedgerListMixin, ScopedModelAdmin):
    form = TransactionAdminForm
    list_display = (
        "occurred_at",
        "account",
        "category",
        "kind",
        "amount_display",
        "cost_display",
        "head_count",
        "channel",
        "source",
        "external_id",
    )
    list_select_related = ("account", "category")
    list_filter = (
        ("category", RelatedDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        ("channel", ChoicesDropdownFilter),
        SourceFilter,
        ("occurred_at", LocalDateRangeFilter),
    )
    search_fields = ("account__name", "account__code", "external_id", "description")
    search_help_text = _("Account name or code, external id or description")
    autocomplete_fields = ("account", "contact")
    # A refund names the sale it gives money back for by id (the sale's page shows it).
    raw_id_fields = ("refund_of",)
    actions = EXPORT_ACTIONS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("account", "contact"),
                    ("occurred_at", "category"),
                    ("kind", "refund_of"),
                )
            },
        ),
        (
            _("Amounts"),
            {
                "fields": (
                    ("amount", "cost"),
                    ("head_count", "quantity"),
                    ("channel", "discount_rate"),
                )
            },
        ),
        (_("Origin"), {"fields": (("source", "external_id"), "description")}),
    )

    def unfiltered_count(self, request: HttpRequest) -> int:
        return ledger_count_visible_to(request.user)  # exact, from the rollups

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TransactionChangeList

    @display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Transaction) -> SafeString:
        return money_cell(obj.amount)

    def save_model(self, request: HttpRequest, obj: Transaction, form: Any, change: bool) -> None:
        # The form may have moved the sale to another account: both accounts' rollups change.
        before = Transaction.objects.filter(pk=obj.pk).values_list("account_id", flat=True)
        touched = {*before, obj.account_id} if change else {obj.account_id}
        super().save_model(request, obj, form, change)
        ledger_rollups_refresh(touched)  # in the admin's transaction, like the services
        # Below the account's tier discount floor → held for review (DiscountReview).
        transaction_saved(transaction=obj)

    def delete_model(self, request: HttpRequest, obj: Transaction) -> None:
        super().delete_model(request, obj)
        ledger_rollups_refresh([obj.account_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with db_transaction.atomic():
            touched = set(queryset.values_list("account_id", flat=True).distinct())
            super().delete_queryset(request, queryset)
            ledger_rollups_refresh(touched)

    @display(description=_("cost"), ordering="cost")
    def cost_display(self, obj: Transaction) -> SafeString:
        return money_cell(obj.cost)


@admin.register(Payment)
class PaymentAdmin(LedgerListMixin, ScopedModelAdmin):
    form = PaymentAdminForm
    list_display = ("received_at", "account", "amount_display", "method", "reference", "source")
    list_select_related = ("account",)
    list_filter = (
        ("method", ChoicesDropdownFilter),
        SourceFilter,
        ("received_at", LocalDateRangeFilter),
    )
    search_fields = ("account__name", "account__code", "external_id", "reference")
    search_help_text = _("Account name or code, external id or reference")
    autocomplete_fields = ("account",)
    actions = EXPORT_ACTIONS

    def unfiltered_count(self, request: HttpRequest) -> int | None:
        # Everything: PostgreSQL's estimate; a part of the book: counted (index on account).
        if getattr(request.user, "sees_all_accounts", False):
            return estimated_count(Payment)
        return None

    @display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Payment) -> SafeString:
        return money_cell(obj.amount)


@admin.register(ProductCategory)
class ProductCategoryAdmin(ConfigAccessMixin, StaffModelAdmin):
    """Configurable: managers and admins edit, everyone else reads."""

    list_display = ("code", "name", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("code", "name", "name_en")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # Traditional characters read as simplified, as accounts' names are.
        return categories_matching(queryset, search_term), False
