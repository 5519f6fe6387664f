"""Tier schemes and their tiers: the rules (conditions) and the privileges (等级特权) of each
tier, presets, activation, and the links to the attendance sheet and the migration matrix.

Schemes are configuration: every staff user may read them, only managers and admins change
them. The lifecycle stage sets are the same pages under stage words (`lifecycle.py`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminColorInputWidget

from guanxi.core.admin_mixins import ConfigAccessMixin, is_manager, is_staff
from guanxi.core.errors import ApplicationError
from guanxi.tiers import forms
from guanxi.tiers.admin import sheets
from guanxi.tiers.admin.reevaluate import offer_reevaluate, reevaluate_view
from guanxi.tiers.admin.shared import (
    LIFECYCLE,
    TIERS,
    PurposeRelatedFilter,
    Relabel,
    in_language,
    no_tier_text,
    tier_badge,
    url_name,
    visible_accounts,
)
from guanxi.tiers.models import Tier, TierCondition, TierPolicy, TierScheme
from guanxi.tiers.selectors import attach_distribution, distribution_of
from guanxi.tiers.services import scheme_load_preset
from guanxi.tiers.templatetags.tiers_tags import label_sep, rule_summary

# (code, name, English name, description, English description): shown by the active language,
# like the schemes' own name / name_en (the texts are data, not translated strings).
PRESETS = (
    ("restaurant-monthly",
     "餐厅月度客户等级（A/B/C × 品质/活跃）",
     "Restaurant monthly tiers (A/B/C × quality/active)",
     "《客户关系管理》课件中富丽华·华膳楼酒店的《客户等级管理制度》：按上一个完整月的消费次数、"
     "消费金额和人均消费分级，只统计餐饮、酒水、海鲜、特价菜和宴席；附带 A/B/C 级等级特权。",
     "The restaurant tier rules of the CRM course deck: visits, spend and "
     "spend per head in the last complete month, counting food & beverage, drinks, seafood, "
     "specials and banquets only; with the A/B/C privileges."),
    ("clp-levels",
     "客户终生利润四级（交易型/标准型/价值型/战略型）",
     "CLP four levels (transactional / standard / value / strategic)",
     "按预测终生利润（CLP）百分位把客户分为交易型、标准型、价值型和战略型。",
     "Transactional, standard, value and strategic customers by lifetime profit."),
    ("pyramid",
     "客户价值金字塔（钻石/金/银/普通）",
     "Value pyramid (diamond / gold / silver / standard)",
     "按客户价值（CLV）百分位分为钻石、金、银和普通客户。",
     "Diamond, gold, silver and standard by value percentile."),
)  # fmt: skip
PRESET_CODES = frozenset(p[0] for p in PRESETS)


class ColourWidgetMixin:
    """A tier's colour is picked, not typed."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "colour":
            kwargs["widget"] = UnfoldAdminColorInputWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TierInline(Relabel, ColourWidgetMixin, ConfigAccessMixin, TabularInline):
    model = Tier
    formset = forms.TierInlineFormSet
    fields = ("rank", "code", "name", "name_en", "colour", "rule_display", "tier_link")
    readonly_fields = ("rule_display", "tier_link")
    ordering = ("rank",)
    extra = 0
    verbose_name_plural = gettext_lazy("tiers (rank 1 is the highest)")
    edit_text = gettext_lazy("Edit the rule")

    @display(description=gettext_lazy("rule"))
    def rule_display(self, obj: Tier) -> str:
        if obj.pk is None:
            return "—"
        return rule_summary(obj.conditions.all())

    @display(description=gettext_lazy("conditions and privileges"))
    def tier_link(self, obj: Tier) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:tiers_tier_change", args=(obj.pk,))
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, self.edit_text)


@admin.register(TierScheme)
class TierSchemeAdmin(Relabel, ConfigAccessMixin, ModelAdmin):
    purpose = TIERS
    preset_cards = PRESETS
    list_display = ("name_display", "code", "show_active", "tiers_count", "distribution_display")
    list_display_links = ("name_display",)
    search_fields = ("code", "name", "name_en")
    fields = (
        "code",
        ("name", "name_en"),
        ("description", "description_en"),
        "is_active",
        "categories",
    )
    filter_horizontal = ("categories",)
    inlines = (TierInline,)
    actions = ("activate", "deactivate")
    actions_list = ("reevaluate", "load_presets", "open_attendance", "open_migration")
    warn_unsaved_form = True
    # What the page says, in its own words (a lifecycle page speaks of stage sets).
    activated_text = gettext_lazy("%(n)s schemes activated.")
    deactivated_text = gettext_lazy("%(n)s schemes deactivated.")
    preset_inactive_text = gettext_lazy(
        "Preset “%(name)s” loaded. It is inactive: review the rules, then activate it in the "
        "scheme list."
    )
    presets_intro = gettext_lazy(
        "Each preset creates a tier scheme with its tiers, rules and privileges. Loading a "
        "preset that is already there changes nothing; edit the scheme afterwards to fit your "
        "house."
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Schemes of the page's purpose only: lifecycle stage sets have their own page.
        qs = super().get_queryset(request).filter(purpose=self.purpose)
        return qs.annotate(n_tiers=Count("tiers"))

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # The accounts per tier count the accounts the viewer may see, read for the whole page.
        changelist = super().get_changelist_instance(request)
        attach_distribution(changelist.result_list, accounts=visible_accounts(request))
        return changelist

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is Tier:
            # Ranks are unique per scheme and checked row by row: park the re-ranked tiers on
            # free ranks first so a swap (1 ↔ 2) does not collide half-way.
            moved = [
                f.instance.pk
                for f in formset.initial_forms
                if f.instance.pk and "rank" in f.changed_data
            ]
            for offset, pk in enumerate(moved):
                Tier.objects.filter(pk=pk).update(rank=30000 + offset)
        super().save_formset(request, form, formset, change)

    @display(description=gettext_lazy("name"), ordering="name")
    def name_display(self, obj: TierScheme) -> str:
        return str(obj)

    @display(
        description=gettext_lazy("active"),
        label={"yes": "success", "no": "danger"},
        ordering="is_active",
    )
    def show_active(self, obj: TierScheme) -> tuple[str, str]:
        return ("yes", _("active")) if obj.is_active else ("no", _("inactive"))

    @display(description=gettext_lazy("tiers"), ordering="n_tiers")
    def tiers_count(self, obj: TierScheme) -> int:
        return getattr(obj, "n_tiers", 0)

    @display(description=gettext_lazy("accounts per tier"))
    def distribution_display(self, obj: TierScheme) -> str:
        rows = distribution_of(obj)
        if not any(n for _t, n in rows):
            return "—"
        if self.purpose == LIFECYCLE:
            # Stages in lifecycle order (the last rank first), accounts without one last.
            staged = sorted(((t, n) for t, n in rows if t is not None), key=lambda r: -r[0].rank)
            rows = staged + [(t, n) for t, n in rows if t is None]
        sep, none = label_sep(), no_tier_text(self.purpose)
        return format_html_join(" · ", "{}{}{}", ((str(t) if t else none, sep, n) for t, n in rows))

    # --- activate / deactivate ----------------------------------------------------------------

    def has_manage_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    @action(description=gettext_lazy("Activate the selected schemes"), permissions=["manage"])
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = queryset.update(is_active=True)
        messages.success(request, self.activated_text % {"n": n})
        offer_reevaluate(request, purpose=self.purpose)

    @action(description=gettext_lazy("Deactivate the selected schemes"), permissions=["manage"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Deactivated schemes are no longer evaluated; their policy tasks are cancelled by the
        # next policy-task sync.
        n = queryset.update(is_active=False)
        messages.success(request, self.deactivated_text % {"n": n})
        offer_reevaluate(request, purpose=self.purpose)

    def save_model(self, request: HttpRequest, obj: TierScheme, form: Any, change: bool) -> None:
        if not change:
            obj.purpose = self.purpose  # a new scheme is of the page's kind
        super().save_model(request, obj, form, change)
        if change and {"is_active", "categories"} & set(form.changed_data):
            offer_reevaluate(request, purpose=self.purpose)

    # --- re-evaluate now, presets, the scheme's own pages --------------------------------------

    @action(description=gettext_lazy("Re-evaluate tiers now"), icon="refresh",
            permissions=["manage"])  # fmt: skip
    def reevaluate(self, request: HttpRequest) -> HttpResponse:
        return reevaluate_view(self, request)

    @action(description=gettext_lazy("Load presets"), icon="library_add", permissions=["manage"])
    def load_presets(self, request: HttpRequest) -> HttpResponse:
        if not is_manager(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._load_preset(request, request.POST.get("code", ""))
        existing = set(TierScheme.objects.values_list("code", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Load presets"),
            "intro": str(self.presets_intro),
            "presets": [
                {
                    "code": c,
                    "name": in_language(n, n_en),
                    "description": in_language(d, d_en),
                    "loaded": c in existing,
                }
                for c, n, n_en, d, d_en in self.preset_cards
            ],
        }
        return TemplateResponse(request, "admin/tiers/tierscheme/presets.html", context)

    def _load_preset(self, request: HttpRequest, code: str) -> HttpResponse:
        if code not in {p[0] for p in self.preset_cards}:
            messages.error(request, _("Unknown preset."))
            return HttpResponseRedirect(reverse(url_name(self, "load_presets")))
        try:
            scheme = scheme_load_preset(code=code)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse(url_name(self, "load_presets")))
        if scheme.is_active:
            messages.success(request, _("Preset “%(name)s” loaded.") % {"name": scheme})
        else:
            messages.success(request, self.preset_inactive_text % {"name": scheme})
        return HttpResponseRedirect(reverse(url_name(self, "change"), args=(scheme.pk,)))

    def has_pages_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)

    @action(
        description=gettext_lazy("Attendance sheet"), icon="calendar_month", permissions=["pages"]
    )
    def open_attendance(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:tiers_tierscheme_attendance"))

    @action(description=gettext_lazy("Tier migration"), icon="swap_vert", permissions=["pages"])
    def open_migration(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:tiers_tierscheme_migration"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("attendance/", view(self.attendance_view), name="tiers_tierscheme_attendance"),
            path(
                "attendance/xlsx/",
                view(self.attendance_xlsx_view),
                name="tiers_tierscheme_attendance_xlsx",
            ),
            path("migration/", view(self.migration_view), name="tiers_tierscheme_migration"),
            *super().get_urls(),
        ]

    def attendance_view(self, request: HttpRequest) -> HttpResponse:
        return sheets.attendance_view(self, request)

    def attendance_xlsx_view(self, request: HttpRequest) -> HttpResponse:
        return sheets.attendance_xlsx_view(self, request)

    def migration_view(self, request: HttpRequest) -> HttpResponse:
        return sheets.migration_view(self, request)


class TierConditionInline(ConfigAccessMixin, TabularInline):
    model = TierCondition
    form = forms.TierConditionForm
    formset = forms.TierConditionFormSet
    fields = ("metric", "min_value", "max_value", "value_list")
    extra = 0
    verbose_name_plural = gettext_lazy("conditions (all must hold)")


class TierPolicyInline(ConfigAccessMixin, StackedInline):
    model = TierPolicy
    form = forms.TierPolicyForm
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name_plural = gettext_lazy("privileges")
    filter_horizontal = ()
    autocomplete_fields = ()
    fieldsets = (
        (None, {"fields": (("call_every_days", "visit_every_days"), "greeting_role")}),
        (gettext_lazy("Gifts"), {"fields": (
            ("birthday_gift_value", "anniversary_gift_value", "gift_lead_days"),
        )}),
        (gettext_lazy("Banquets and trips"), {"fields": (
            ("banquet_every_months", "banquet_budget_per_table", "banquet_host_role"),
            "trip_budget_per_person",
        )}),
        (gettext_lazy("Groups and discounts"), {"fields": (
            "groups", ("discount_floor", "discount_exclusions"), "notes",
        )}),
    )  # fmt: skip


@admin.register(Tier)
class TierAdmin(ColourWidgetMixin, ConfigAccessMixin, ModelAdmin):
    """One tier (or lifecycle stage) with its conditions and privileges; edited from its scheme
    (stage set), and back there after saving."""

    form = forms.TierForm
    list_display = ("name_display", "scheme", "rank", "code", "badge", "rule_display")
    list_filter = (("scheme", PurposeRelatedFilter),)
    list_select_related = ("scheme",)
    search_fields = ("code", "name", "name_en")
    ordering = ("scheme", "rank")
    fields = (
        "scheme",
        ("code", "rank"),
        ("name", "name_en"),
        "colour",
        ("description", "description_en"),
    )
    inlines = (TierConditionInline, TierPolicyInline)
    warn_unsaved_form = True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        # A tier stays in its scheme: moving it would silently rewrite two schemes.
        return ("scheme",) if obj is not None else ()

    @display(description=gettext_lazy("name"), ordering="name")
    def name_display(self, obj: Tier) -> str:
        return str(obj)

    @display(description=gettext_lazy("colour"))
    def badge(self, obj: Tier) -> str:
        return tier_badge(obj)

    @display(description=gettext_lazy("rule"))
    def rule_display(self, obj: Tier) -> str:
        return rule_summary(obj.conditions.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request).prefetch_related("conditions")
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.url_name or "").endswith("_changelist"):
            # The list is about tiers; a lifecycle stage is still edited here, from its set.
            qs = qs.filter(scheme__purpose=TIERS)
        return qs

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:  # fmt: skip
        tier = Tier.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if tier is not None and tier.scheme.purpose == LIFECYCLE:
            extra_context = {
                **(extra_context or {}),
                "title": _("Lifecycle stage: %(stage)s") % {"stage": tier},
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request: HttpRequest, obj: Tier) -> HttpResponse:
        if "_continue" not in request.POST and "_addanother" not in request.POST:
            # Back to the scheme (or stage set): the tier is edited in its context.
            if obj.scheme.purpose == LIFECYCLE:
                self.message_user(request, _("Stage “%(stage)s” saved.") % {"stage": obj})
                url = reverse("admin:tiers_lifecyclestageset_change", args=(obj.scheme_id,))
            else:
                self.message_user(request, _("Tier “%(tier)s” saved.") % {"tier": obj})
                url = reverse("admin:tiers_tierscheme_change", args=(obj.scheme_id,))
            return HttpResponseRedirect(url)
        return super().response_change(request, obj)
