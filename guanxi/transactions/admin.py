"""Transactions (消费记录), payments received (回款) and product categories."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import display

from guanxi.accounts.admin_base import EXPORT_ACTIONS, ScopedModelAdmin
from guanxi.core.admin_mixins import (
    ConfigAccessMixin,
    LocalDateRangeFilter,
    ServiceRulesForm,
    StaffModelAdmin,
)
from guanxi.core.formatting import money
from guanxi.transactions import services
from guanxi.transactions.models import Payment, ProductCategory, Transaction
from guanxi.workspace.flows import transaction_saved


def money_cell(value: Any) -> SafeString:
    """A list cell with the amount as on the 360° page (¥84,493.63), right-aligned so the
    digits line up."""
    return format_html('<span class="block text-right tabular-nums">{}</span>', money(value, 2))


class TransactionAdminForm(ServiceRulesForm):
    def check_rules(self, tx: Transaction) -> None:
        services.transaction_check(tx)


class PaymentAdminForm(ServiceRulesForm):
    def check_rules(self, payment: Payment) -> None:
        services.payment_check(payment)


@admin.register(Transaction)
class TransactionAdmin(ScopedModelAdmin):
    form = TransactionAdminForm
    list_display = (
        "occurred_at",
        "account",
        "category",
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
        ("channel", ChoicesDropdownFilter),
        "source",
        ("occurred_at", LocalDateRangeFilter),
    )
    date_hierarchy = "occurred_at"
    search_fields = ("account__name", "account__code", "external_id", "description")
    search_help_text = _("Account name or code, external id or description")
    autocomplete_fields = ("account", "contact")
    actions = EXPORT_ACTIONS
    fieldsets = (
        (None, {"fields": (("account", "contact"), ("occurred_at", "category"))}),
        (
            _("Amounts"),
            {"fields": (("amount", "cost"), ("head_count", "channel"), "discount_rate")},
        ),
        (_("Origin"), {"fields": (("source", "external_id"), "description")}),
    )

    @display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Transaction) -> SafeString:
        return money_cell(obj.amount)

    def save_model(self, request: HttpRequest, obj: Transaction, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Below the account's tier discount floor → held for review (DiscountReview).
        transaction_saved(transaction=obj)

    @display(description=_("cost"), ordering="cost")
    def cost_display(self, obj: Transaction) -> SafeString:
        return money_cell(obj.cost)


@admin.register(Payment)
class PaymentAdmin(ScopedModelAdmin):
    form = PaymentAdminForm
    list_display = ("received_at", "account", "amount_display", "method", "reference", "source")
    list_select_related = ("account",)
    list_filter = (
        ("method", ChoicesDropdownFilter),
        "source",
        ("received_at", LocalDateRangeFilter),
    )
    date_hierarchy = "received_at"
    search_fields = ("account__name", "account__code", "external_id", "reference")
    search_help_text = _("Account name or code, external id or reference")
    autocomplete_fields = ("account",)
    actions = EXPORT_ACTIONS

    @display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Payment) -> SafeString:
        return money_cell(obj.amount)


@admin.register(ProductCategory)
class ProductCategoryAdmin(ConfigAccessMixin, StaffModelAdmin):
    """Configurable: managers and admins edit, everyone else reads."""

    list_display = ("code", "name", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("code", "name", "name_en")
