"""Admin pages of agreement reviews (协议复盘) and switching costs (seed 001), scoped like every
page of customer data (an agreement's review reaches its account through the agreement)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.contrib.filters.admin import ChoicesDropdownFilter

from guanxi.accounts.admin_base import ScopedModelAdmin, visible_contacts
from guanxi.accounts.selectors import visible_to
from guanxi.agreements.models import Agreement, AgreementReview, SwitchingCost
from guanxi.agreements.reviews import review_prefill
from guanxi.core.models import User


@admin.register(AgreementReview)
class AgreementReviewAdmin(ScopedModelAdmin):
    account_path = "agreement__account__"
    list_display = ("agreement", "held_on", "decision", "nps", "revenue", "margin", "rebate")
    list_select_related = ("agreement",)
    list_filter = (("decision", ChoicesDropdownFilter),)
    search_fields = ("agreement__name", "agreement__account__name", "minutes")
    date_hierarchy = "held_on"
    # Searched as typed (within the user's view): the form listed every contact as an option.
    autocomplete_fields = ("agreement", "contacts")
    fields = (
        "agreement",
        "held_on",
        "attendees",
        "contacts",
        "minutes",
        "decision",
        "nps",
        ("period_start", "period_end"),
        ("revenue", "margin", "rebate"),
    )
    filter_horizontal = ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.related_model is Agreement:
            kwargs["queryset"] = visible_to(
                Agreement.objects.select_related("account"), request.user, prefix="account__"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "contacts":
            kwargs["queryset"] = visible_contacts(request.user)
        elif db_field.name == "attendees":
            kwargs["queryset"] = User.objects.filter(is_active=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: AgreementReview, form: Any, change: bool):
        if not change:
            obj.recorded_by = request.user
        review_prefill(obj)
        super().save_model(request, obj, form, change)


@admin.register(SwitchingCost)
class SwitchingCostAdmin(ScopedModelAdmin):
    list_display = ("account", "kind", "strength", "recorded_by", "recorded_at")
    list_select_related = ("account", "recorded_by")
    list_filter = (("kind", ChoicesDropdownFilter), "strength")
    search_fields = ("account__name", "account__code", "evidence")
    autocomplete_fields = ("account",)
    fields = ("account", "kind", "strength", "evidence")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("account", "recorded_by")

    def save_model(self, request: HttpRequest, obj: SwitchingCost, form: Any, change: bool):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
