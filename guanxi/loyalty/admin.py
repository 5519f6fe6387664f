"""Admin pages of the loyalty app: the warning-light rules and the loyalty matrix thresholds
(configuration: every staff user reads, managers change, history kept), the lights (scoped
like all customer data; the 警报客户管理表 itself is /loyalty/lights/), referrals (转介绍)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.core.admin_mixins import ConfigAccessMixin, ServiceRulesForm, is_manager
from guanxi.core.formatting import money
from guanxi.leads.selectors import leads_visible_to
from guanxi.loyalty.models import AccountLight, LightRule, LoyaltyThresholds, Referral
from guanxi.loyalty.selectors import with_referral_value
from guanxi.loyalty.services import referral_check
from guanxi.loyalty.tasks import loyalty_matrix
from guanxi.loyalty.words import reason_words


@admin.register(LightRule)
class LightRuleAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("name", "name_en", "kind", "colour", "active", "position")
    list_editable = ()
    list_filter = ("active", "colour")
    fields = ("code", "name", "name_en", "kind", "colour", "params", "active", "position")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()


@admin.register(LoyaltyThresholds)
class LoyaltyThresholdsAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    """One row: managers edit it (the model's validators bound each cut-off), staff read it,
    every change is kept (history); the list opens the row. A change re-runs the matrix."""

    fieldsets = (
        (_("Behavioural loyalty"), {"fields": ("behaviour_min_repeats", "behaviour_min_p_alive")}),
        (
            _("Attitudinal loyalty"),
            {"fields": ("attitude_high_nps", "attitude_high_csat", "attitude_high_servqual_gap")},
        ),
    )
    warn_unsaved_form = True

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_manager(request) and not LoyaltyThresholds.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        loyalty_matrix()  # the cells follow the new cut-offs (a recorded job), not tomorrow

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # Django's 403
        row = LoyaltyThresholds.current()
        return HttpResponseRedirect(
            reverse("admin:loyalty_loyaltythresholds_change", args=(row.pk,))
        )


@admin.register(AccountLight)
class AccountLightAdmin(ScopedModelAdmin):
    list_display = ("account", "rule", "colour", "reason", "status", "raised_at", "cleared_at")
    list_select_related = ("account", "rule")
    list_filter = (("colour", ChoicesDropdownFilter), ("status", ChoicesDropdownFilter), "rule")
    search_fields = ("account__name", "account__code")
    readonly_fields = (
        "account", "rule", "colour", "reason", "raised_at", "last_seen_on", "cleared_at",
        "status", "kam_feedback", "countermeasure",
    )  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("reason"))
    def reason(self, obj: AccountLight) -> str:
        return reason_words(obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # lights are raised by the rules, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any):
        # Feedback, countermeasure and status are written on the light's own page.
        if self.object_is_visible(request, object_id) and str(object_id).isdigit():
            return HttpResponseRedirect(reverse("loyalty_light", args=(int(object_id),)))
        return super().change_view(request, object_id, *args, **kwargs)


class ReferralForm(ServiceRulesForm):
    class Meta:
        model = Referral
        fields = (
            "referrer_account", "referrer_contact", "referred_account", "referred_lead",
            "referred_on", "note",
        )  # fmt: skip

    def check_rules(self, obj: Referral) -> None:
        referral_check(actor=self.actor, referral=obj)


@admin.register(Referral)
class ReferralAdmin(ScopedModelAdmin):
    account_path = "referrer_account__"
    form = ReferralForm
    list_display = ("referred_on", "referrer_account", "referrer_contact", "referred_account",
                    "referred_lead", "value_display", "recorded_by")  # fmt: skip
    list_select_related = ("referrer_account", "referrer_contact", "referred_account",
                           "referred_lead", "recorded_by")  # fmt: skip
    search_fields = ("referrer_account__name", "referred_account__name", "referred_lead__company")
    date_hierarchy = "referred_on"
    # Searched as typed (each within the user's view): the form listed every contact and lead.
    autocomplete_fields = ("referrer_account", "referrer_contact", "referred_account",
                           "referred_lead")  # fmt: skip

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "referred_lead":
            kwargs["queryset"] = leads_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_referral_value(super().get_queryset(request).select_related("referrer_account"))

    @admin.display(description=_("referral value"), ordering="value")
    def value_display(self, obj: Referral) -> str:
        return money(obj.value)

    def save_model(self, request: HttpRequest, obj: Referral, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
