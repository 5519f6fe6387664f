"""Tier pages: schemes and their tiers (rules and privileges), account tiers with overrides, the
tier history, migration counts, the monthly attendance sheet (客户考勤表) and discount reviews.

Schemes are configuration: every staff user may read them, only managers and admins change
them. Account tiers, tier changes and discount reviews are customer data and follow the account
access rule (what a user may not see is a 404).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    DropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminColorInputWidget

from guanxi.accounts.admin_base import ScopedQuerysetMixin
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.admin_mixins import (
    ConfigAccessMixin,
    RoleAccessMixin,
    is_manager,
    is_staff,
    show_service_error,
)
from guanxi.core.dates import add_months
from guanxi.core.errors import ApplicationError
from guanxi.core.formatting import money
from guanxi.core.views import next_url
from guanxi.tiers import attendance, forms
from guanxi.tiers.models import (
    AccountLifecycleStage,
    AccountTier,
    ChangeReason,
    DiscountReview,
    DiscountReviewStatus,
    LifecycleStageChange,
    LifecycleStageSet,
    SchemePurpose,
    Tier,
    TierChange,
    TierCondition,
    TierPolicy,
    TierScheme,
)
from guanxi.tiers.selectors import (
    checked_on,
    last_run_on,
    lifecycle_order,
    tier_distribution,
    tier_migration_counts,
)
from guanxi.tiers.services import discount_review_decide, scheme_load_preset
from guanxi.tiers.templatetags.tiers_tags import (
    change_figures,
    change_reason,
    change_who,
    label_sep,
    labelled,
    metric_name,
    metric_value,
    rule_summary,
)
from guanxi.workspace import flows
from guanxi.workspace.tasks import tier_reevaluate

# (code, name, English name, description, English description): shown by the active language,
# like the schemes' own name / name_en (the texts are data, not translated strings).
PRESETS = (
    ("restaurant-monthly",
     "餐厅月度客户等级（A/B/C × 品质/活跃）",
     "Restaurant monthly tiers (A/B/C × quality/active)",
     "《客户关系管理》课件中富丽华·华膳楼酒店的《客户等级管理制度》：按上一个完整月的消费次数、"
     "消费金额和人均消费分级，只统计餐饮、酒水、海鲜、特价菜和宴席；附带 A/B/C 级等级特权。",
     "The restaurant tier rules (客户等级管理制度) of the CRM course deck: visits, spend and "
     "spend per head in the last complete month, counting food & beverage, drinks, seafood, "
     "specials and banquets only; with the A/B/C privileges (等级特权)."),
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
LIFECYCLE_PRESETS = (
    ("lifecycle-001",
     "关系发展周期：考察期 → 形成期 → 稳定期 → 退化期",
     "Relationship development: exploration → formation → stability → decline",
     "《战略大客户的客户关系管理》课程的客户关系四阶段模型，按客户满多少个月、近12个月和累计购买"
     "次数、收入趋势判断；退化期客户每14天安排一次挽回电话。",
     "The four relationship stages of the strategic key-account course (战略大客户的客户关系管理) "
     "by months as a customer, purchases in the last 12 months and in all, and the revenue "
     "trend; a win-back call every 14 days in decline."),
    ("lifecycle-004",
     "客户阶梯：潜在客户 → 首次购买 → 重复购买 → 忠诚 → 会员 → 拥护者",
     "Customer ladder: prospect → first purchase → repeat → loyal → member → advocate",
     "《客户关系管理》课件的客户阶梯，按购买次数、客户时长、P(alive)、会员标签和客户经理记录的"
     "态度判断。",
     "The customer ladder of the CRM course deck (客户关系管理) by purchases, tenure, P(alive), "
     "a membership tag and the attitude the KAM recorded."),
    ("lifecycle-000",
     "大客户生命周期：开发 → 活跃 → 忠诚 → 推荐",
     "Key-account lifecycle: development → active → loyal → referral",
     "《大客户全生命周期管理系统课》的生命周期管理模型，按近12个月购买、客户时长和拥护者态度判断。",
     "The lifecycle model of the key-account lifecycle course (大客户全生命周期管理系统课) by "
     "recent purchases, tenure and the advocate attitude."),
)  # fmt: skip
TIERS = SchemePurpose.TIERS.value
LIFECYCLE = SchemePurpose.LIFECYCLE.value


def _url(model_admin: Any, name: str) -> str:
    """The admin URL name ``name`` of this admin's model (tier admins are reused for the
    lifecycle proxies, whose URLs carry their own model name)."""
    opts = model_admin.model._meta
    return f"admin:{opts.app_label}_{opts.model_name}_{name}"


class PurposeRelatedFilter(RelatedDropdownFilter):
    """A scheme or tier filter offering only the schemes (tiers) of the admin's purpose: tier
    pages never list lifecycle sets, and the other way round."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        ordering = self.field_admin_ordering(field, request, model_admin)
        purpose = getattr(model_admin, "purpose", TIERS)
        limit = (
            {"purpose": purpose}
            if field.related_model is TierScheme
            else {"scheme__purpose": purpose}
        )
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


class TitledPurposeFilter(PurposeRelatedFilter):
    """A purpose filter under a title of its own ("lifecycle stage set", not the field's
    "scheme"): Django sets the title from the field in __init__, so it is replaced after."""

    label: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.label is not None:
            self.title = self.label


class StageSetFilter(TitledPurposeFilter):
    label = gettext_lazy("lifecycle stage set")


class StageFilter(TitledPurposeFilter):
    label = gettext_lazy("stage")


class ToStageFilter(TitledPurposeFilter):
    label = gettext_lazy("new stage")


class SourceFilter(ChoicesDropdownFilter):
    """The change's reason (rules / set by hand / override ended), titled "source" on the
    lifecycle history, whose "why" column already says why."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = gettext_lazy("source")


def _last_run(request: HttpRequest | None) -> dt.date | None:
    """The latest successful run's day, read once per request (list columns call it per row)."""
    if request is None:
        return last_run_on()
    if not hasattr(request, "_tiers_last_run"):
        request._tiers_last_run = last_run_on()
    return request._tiers_last_run


def _iso(day: dt.date | None) -> str:
    """A date as on every other page (2026-11-24), not the locale's long form."""
    return day.isoformat() if day else "—"


def _iso_time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _in_language(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") else zh


TIER_LABEL = '<span class="inline-block whitespace-nowrap rounded-default px-2 py-0.5 text-xs ' \
    'font-semibold text-white" style="background-color: {}">{}</span>'  # fmt: skip


# The request a changelist is rendering, for list columns that depend on the viewer (admin
# instances are shared between threads, so not an attribute of the admin).
_current = threading.local()


def _viewer_request() -> HttpRequest | None:
    return getattr(_current, "request", None)


def _render_for(request: HttpRequest, view: Any, extra_context: dict | None) -> HttpResponse:
    """Run a changelist view and render it while the request is known to the list columns."""
    _current.request = request
    try:
        response = view(request, extra_context)
        if hasattr(response, "render"):
            response.render()
        return response
    finally:
        _current.request = None


def tier_badge(tier: Tier | None) -> str:
    if tier is None:
        return "—"
    return format_html(TIER_LABEL, tier.colour or "#6b7280", str(tier))


def _visible_accounts(request: HttpRequest):
    """None = all (no filter needed); else the user's visible accounts."""
    return None if request.user.sees_all_accounts else accounts_visible_to(request.user)


def _parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def _offer_reevaluate(request: HttpRequest, *, lifecycle: bool = False) -> None:
    if lifecycle:
        url = reverse("admin:tiers_lifecyclestageset_reevaluate")
        text = _("Stages change at the next nightly evaluation.")
    else:
        url = reverse("admin:tiers_tierscheme_reevaluate")
        text = _("Tiers change at the next nightly run.")
    messages.info(
        request,
        format_html(
            '{} <a class="underline" href="{}">{}</a>',
            text,
            url,
            _("Re-evaluate now to apply"),
        ),
    )


def reevaluate_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """Confirm (GET), then run the tiering and the policy tasks (POST): inline when Huey runs in
    immediate mode, else queued for the background worker. Managers only."""
    if not is_manager(request):
        raise PermissionDenied
    lifecycle = getattr(model_admin, "purpose", TIERS) == LIFECYCLE
    back = next_url(request) or reverse(
        f"admin:{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_changelist"
    )
    if request.method != "POST":
        if lifecycle:
            title = _("Re-evaluate stages now")
            intro = _(
                "Evaluate every active lifecycle stage set (and tier scheme) for every account "
                "now, as the nightly run does, then bring the tasks in line with the new stages."
            )
        else:
            title = _("Re-evaluate tiers now")
            intro = _(
                "Evaluate every active tier scheme for every account now (as the nightly run "
                "does), then bring the policy tasks in line with the new tiers."
            )
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "intro": intro,
            "back_url": back,
            "next": back,
            "immediate": _huey_immediate(),
        }
        return TemplateResponse(request, "admin/tiers/reevaluate.html", context)
    result = tier_reevaluate(as_of=None)
    if _huey_immediate():
        try:
            summary = result.get() if result is not None else {}
        except Exception as exc:  # the job's own JobRun row keeps the traceback
            messages.error(request, _("Re-evaluation failed: %(error)s") % {"error": exc})
            return HttpResponseRedirect(back)
        summary = summary or {}
        changes = (summary.get("tiering") or {}).get("changes", 0)
        if lifecycle:
            done = _("Re-evaluation done: %(n)s stage or tier changes; tasks updated.")
        else:
            done = _("Re-evaluation done: %(n)s tier changes; policy tasks updated.")
        messages.success(request, done % {"n": changes})
    elif lifecycle:
        messages.success(
            request,
            _("Re-evaluation queued for the background worker; the stages and tasks change "
              "when it has run (see Background jobs)."),
        )  # fmt: skip
    else:
        messages.success(
            request,
            _("Re-evaluation queued for the background worker; the tiers and tasks change "
              "when it has run (see Background jobs)."),
        )  # fmt: skip
    return HttpResponseRedirect(back)


def _huey_immediate() -> bool:
    from huey.contrib.djhuey import HUEY

    return bool(getattr(HUEY, "immediate", False))


# --- schemes and tiers --------------------------------------------------------------------------


class TierInline(ConfigAccessMixin, TabularInline):
    model = Tier
    formset = forms.TierInlineFormSet
    fields = ("rank", "code", "name", "name_en", "colour", "rule_display", "tier_link")
    readonly_fields = ("rule_display", "tier_link")
    ordering = ("rank",)
    extra = 0
    verbose_name_plural = gettext_lazy("tiers (rank 1 is the highest)")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "colour":
            kwargs["widget"] = UnfoldAdminColorInputWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("Edit the rule"))


@admin.register(TierScheme)
class TierSchemeAdmin(ConfigAccessMixin, ModelAdmin):
    purpose = TIERS
    preset_cards = PRESETS
    list_display = ("name_display", "code", "show_active", "tiers_count", "distribution_display")
    list_display_links = ("name_display",)
    search_fields = ("code", "name", "name_en")
    fields = ("code", ("name", "name_en"), "description", "is_active", "categories")
    filter_horizontal = ("categories",)
    inlines = (TierInline,)
    actions = ("activate", "deactivate")
    actions_list = ("reevaluate", "load_presets", "open_attendance", "open_migration")
    warn_unsaved_form = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Tier schemes only: lifecycle stage sets have their own page.
        qs = super().get_queryset(request).filter(purpose=self.purpose)
        return qs.annotate(n_tiers=Count("tiers"))

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
        request = _viewer_request()
        if request is None:
            return "—"
        rows = tier_distribution(obj, accounts=_visible_accounts(request))
        if not any(n for _t, n in rows):
            return "—"
        sep = label_sep()
        return format_html_join(
            " · ", "{}{}{}", ((str(t) if t else _("no tier"), sep, n) for t, n in rows)
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return _render_for(request, super().changelist_view, extra_context)

    # --- activate / deactivate ----------------------------------------------------------------

    def has_manage_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    @action(description=gettext_lazy("Activate the selected schemes"), permissions=["manage"])
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = queryset.update(is_active=True)
        messages.success(request, self.activated_message(True) % {"n": n})
        _offer_reevaluate(request, lifecycle=self.purpose == LIFECYCLE)

    @action(description=gettext_lazy("Deactivate the selected schemes"), permissions=["manage"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Deactivated schemes are no longer evaluated; their policy tasks are cancelled by the
        # next policy-task sync.
        n = queryset.update(is_active=False)
        messages.success(request, self.activated_message(False) % {"n": n})
        _offer_reevaluate(request, lifecycle=self.purpose == LIFECYCLE)

    def activated_message(self, active: bool) -> str:
        return _("%(n)s schemes activated.") if active else _("%(n)s schemes deactivated.")

    def save_model(self, request: HttpRequest, obj: TierScheme, form: Any, change: bool) -> None:
        if not change:
            obj.purpose = self.purpose  # a new scheme is of the page's kind
        super().save_model(request, obj, form, change)
        if change and {"is_active", "categories"} & set(form.changed_data):
            _offer_reevaluate(request, lifecycle=self.purpose == LIFECYCLE)

    # --- re-evaluate now ------------------------------------------------------------------------

    @action(description=gettext_lazy("Re-evaluate tiers now"), icon="refresh",
            permissions=["manage"])  # fmt: skip
    def reevaluate(self, request: HttpRequest) -> HttpResponse:
        return reevaluate_view(self, request)

    # --- presets --------------------------------------------------------------------------------

    @action(description=gettext_lazy("Load presets"), icon="library_add", permissions=["manage"])
    def load_presets(self, request: HttpRequest) -> HttpResponse:
        if not is_manager(request):
            raise PermissionDenied
        existing = set(TierScheme.objects.values_list("code", flat=True))
        codes = {p[0] for p in self.preset_cards}
        if request.method == "POST":
            code = request.POST.get("code", "")
            if code not in codes:
                messages.error(request, _("Unknown preset."))
                return HttpResponseRedirect(reverse(_url(self, "load_presets")))
            try:
                scheme = scheme_load_preset(code=code)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(reverse(_url(self, "load_presets")))
            if scheme.is_active:
                messages.success(request, _("Preset “%(name)s” loaded.") % {"name": scheme})
            else:
                messages.success(request, self.preset_inactive_message() % {"name": scheme})
            return HttpResponseRedirect(reverse(_url(self, "change"), args=(scheme.pk,)))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Load presets"),
            "intro": self.presets_intro(),
            "presets": [
                {
                    "code": c,
                    "name": _in_language(n, n_en),
                    "description": _in_language(d, d_en),
                    "loaded": c in existing,
                }
                for c, n, n_en, d, d_en in self.preset_cards
            ],
        }
        return TemplateResponse(request, "admin/tiers/tierscheme/presets.html", context)

    def preset_inactive_message(self) -> str:
        return _(
            "Preset “%(name)s” loaded. It is inactive: review the rules, then activate it in the "
            "scheme list."
        )

    def presets_intro(self) -> str:
        return _(
            "Each preset creates a tier scheme with its tiers, rules and privileges. Loading a "
            "preset that is already there changes nothing; edit the scheme afterwards to fit your "
            "house."
        )

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

    # --- custom pages ---------------------------------------------------------------------------

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
        ] + super().get_urls()

    def _sheet_params(self, request: HttpRequest) -> tuple[forms.SheetForm, TierScheme | None]:
        """Month and scheme from the query string; the defaults (this month, the restaurant's
        monthly scheme) are filled in so the form shows what the sheet uses."""
        default = attendance.default_scheme()
        data = {
            "month": request.GET.get("month") or timezone.localdate().strftime("%Y-%m"),
            "scheme": request.GET.get("scheme", default.pk if default else ""),
        }
        form = forms.SheetForm(data)
        scheme = form.cleaned_data.get("scheme") if form.is_valid() else default
        return form, scheme

    def attendance_view(self, request: HttpRequest) -> HttpResponse:
        if not is_staff(request):
            raise PermissionDenied
        form, scheme = self._sheet_params(request)
        try:
            page = int(request.GET.get("p", "1"))
        except ValueError:
            page = 1
        sheet = attendance.attendance_sheet(
            user=request.user, month=form.month_start(), scheme=scheme, page=page
        )
        query = {"month": sheet.month.strftime("%Y-%m"), "scheme": scheme.pk if scheme else ""}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": sheet.title,
            "form": form,
            "sheet": sheet,
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "prev_month": add_months(sheet.month, -1),
            "next_month": add_months(sheet.month, 1),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tiers/tierscheme/attendance.html", context)

    def attendance_xlsx_view(self, request: HttpRequest) -> HttpResponse:
        if not is_staff(request):
            raise PermissionDenied
        form, scheme = self._sheet_params(request)
        sheet = attendance.attendance_sheet(
            user=request.user, month=form.month_start(), scheme=scheme, per_page=None
        )
        response = HttpResponse(
            attendance.attendance_xlsx(sheet),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"attendance-{sheet.month:%Y-%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def migration_view(self, request: HttpRequest) -> HttpResponse:
        if not is_staff(request):
            raise PermissionDenied
        schemes = list(TierScheme.objects.filter(purpose=TIERS).order_by("-is_active", "code"))
        scheme = None
        wanted = request.GET.get("scheme", "")
        if wanted.isdigit():
            scheme = next((s for s in schemes if s.pk == int(wanted)), None)
        if scheme is None:
            scheme = attendance.default_scheme() or (schemes[0] if schemes else None)
        today = timezone.localdate()
        first = today.replace(day=1)
        start = first
        for _i in range(11):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Tier migration"),
            "schemes": schemes,
            "scheme": scheme,
        }
        if scheme is not None:
            accounts = _visible_accounts(request)
            periods = tier_migration_counts(
                scheme=scheme, start=start, end=today, accounts=accounts
            )
            by_month = {p.period: p for p in periods}
            months = []
            month = start
            while month <= first:
                months.append(by_month.get(month) or _empty_period(month))
                month = add_months(month, 1)
            chosen = _parse_month(request.GET.get("month"))
            picked = [p for p in months if chosen is None or p.period == chosen]
            tiers = list(scheme.tiers.order_by("rank"))
            axis: list[Tier | None] = [*tiers, None]
            moves: dict[tuple, int] = {}
            for p in picked:
                for key, n in p.moves.items():
                    moves[key] = moves.get(key, 0) + n
            matrix = [
                {
                    "from": f,
                    "cells": [
                        {
                            "to": t,
                            "n": moves.get((f.pk if f else None, t.pk if t else None), 0),
                            "diagonal": f == t,
                        }
                        for t in axis
                    ],
                }
                for f in axis
            ]
            context.update(
                {
                    "months": list(reversed(months)),
                    "chosen": chosen,
                    "axis": axis,
                    "matrix": matrix,
                    "totals": {
                        k: sum(getattr(p, k) for p in picked)
                        for k in ("upgrades", "downgrades", "new", "lost")
                    },
                    "distribution": tier_distribution(scheme, accounts=accounts),
                }
            )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tiers/tierscheme/migration.html", context)


def _empty_period(month: dt.date):
    from guanxi.tiers.selectors import MigrationPeriod

    return MigrationPeriod(period=month)


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
    verbose_name_plural = gettext_lazy("privileges (等级特权)")
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
class TierAdmin(ConfigAccessMixin, ModelAdmin):
    form = forms.TierForm
    list_display = ("name_display", "scheme", "rank", "code", "badge", "rule_display")
    list_filter = (("scheme", PurposeRelatedFilter),)
    list_select_related = ("scheme",)
    search_fields = ("code", "name", "name_en")
    ordering = ("scheme", "rank")
    fields = ("scheme", ("code", "rank"), ("name", "name_en"), "colour", "description")
    inlines = (TierConditionInline, TierPolicyInline)
    warn_unsaved_form = True

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "colour":
            kwargs["widget"] = UnfoldAdminColorInputWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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


# --- account tiers and history ------------------------------------------------------------------


class ScopedReadAdmin(ScopedQuerysetMixin, RoleAccessMixin, ModelAdmin):
    """Customer data shown read-only (written by the tiering run and the services)."""

    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OverrideStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("source")
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [("rules", _("by the rules")), ("override", _("set by hand"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "override":
            return queryset.filter(override_tier__isnull=False)
        if self.value() == "rules":
            return queryset.filter(override_tier__isnull=True)
        return queryset


@admin.register(AccountTier)
class AccountTierAdmin(ScopedReadAdmin):
    purpose = TIERS
    list_display = ("account", "scheme", "tier_display", "since_display", "source_display",
                    "override_until_display", "checked_display", "override_link")  # fmt: skip
    list_select_related = ("account", "scheme", "tier", "computed_tier", "override_tier")
    ordering = ("scheme__code", "tier__rank", "account__name")
    list_filter = (("scheme", PurposeRelatedFilter), ("tier", PurposeRelatedFilter),
                   OverrideStateFilter)  # fmt: skip
    search_fields = ("account__name", "account__code")
    readonly_fields = ("account", "scheme", "tier", "computed_tier", "since_display",
                       "metrics_display", "evaluated_on_display", "checked_display",
                       "override_tier", "override_reason", "override_until_display",
                       "override_by")  # fmt: skip
    fields = readonly_fields
    actions_detail = ("override", "clear_override")
    actions_list = ("reevaluate",)

    @display(description=gettext_lazy("tier"), ordering="tier__rank")
    def tier_display(self, obj: AccountTier) -> str:
        return tier_badge(obj.tier)

    @display(description=gettext_lazy("source"))
    def source_display(self, obj: AccountTier) -> str:
        # Plain text, not an (upper-cased) label: the reason is a sentence.
        if obj.override_active(timezone.localdate()):
            return format_html(
                '<span class="text-amber-700 dark:text-amber-400" data-source="override">{}</span>',
                _("Set by hand: %(reason)s") % {"reason": obj.override_reason},
            )
        return format_html('<span data-source="rules">{}</span>', _("By the rules"))

    @display(description=gettext_lazy("in this tier since"), ordering="since")
    def since_display(self, obj: AccountTier) -> str:
        return _iso(obj.since)

    @display(description=gettext_lazy("evaluated on"), ordering="evaluated_on")
    def evaluated_on_display(self, obj: AccountTier) -> str:
        return _iso(obj.evaluated_on)

    @display(description=gettext_lazy("override until"), ordering="override_until")
    def override_until_display(self, obj: AccountTier) -> str:
        return _iso(obj.override_until)

    @display(description=gettext_lazy("metric values"))
    def metrics_display(self, obj: AccountTier) -> str:
        return _metrics_text(obj.metrics)

    @display(description=gettext_lazy("last checked"), ordering="evaluated_on")
    def checked_display(self, obj: AccountTier) -> str:
        # The nightly run checks every row but writes only the changed ones: the latest run's
        # day, read once per page, is when an unchanged row was last checked.
        day = checked_on(obj, _last_run(_viewer_request()))
        return day.isoformat() if day else "—"

    @display(description="")
    def override_link(self, obj: AccountTier) -> str:
        request = _viewer_request()
        if request is None or not is_manager(request):
            return ""
        url = reverse(_url(self, "override"), args=(obj.pk,))
        return format_html(
            '<a class="text-primary-600" href="{}">{}</a>', url, self.override_link_text()
        )

    def override_link_text(self) -> str:
        return _("Set by hand")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(scheme__purpose=self.purpose)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return _render_for(request, super().changelist_view, extra_context)

    def has_override_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # A row the user cannot see is not found (404), whoever asks; only then does the role
        # matter: overrides change what the account is granted, managers and admins decide.
        if object_id is not None:
            self._row(request, object_id)
        return is_manager(request)

    def has_manage_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    @action(description=gettext_lazy("Re-evaluate tiers now"), icon="refresh",
            permissions=["manage"])  # fmt: skip
    def reevaluate(self, request: HttpRequest) -> HttpResponse:
        return reevaluate_view(self, request)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "override-for/<int:account_id>/<int:scheme_id>/",
                view(self.override_for_view),
                name=_url(self, "override_for").removeprefix("admin:"),
            ),
        ] + super().get_urls()

    def _row(self, request: HttpRequest, object_id: str) -> AccountTier:
        row = (
            self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if str(object_id).isdigit()
            else None
        )
        if row is None:
            raise Http404
        return row

    def _back(self, request: HttpRequest) -> str:
        return next_url(request) or reverse(_url(self, "changelist"))

    @action(description=gettext_lazy("Set by hand"), icon="edit",
            permissions=["override"])  # fmt: skip
    def override(self, request: HttpRequest, object_id: str) -> HttpResponse:
        row = self._row(request, object_id)
        return self._override_page(request, row)

    def override_for_view(
        self, request: HttpRequest, account_id: int, scheme_id: int
    ) -> HttpResponse:
        """Set by hand from the 360° card, also for an account with no tier in the scheme yet
        (most accounts have no row in a monthly scheme)."""
        account = accounts_visible_to(request.user).filter(pk=account_id).first()
        scheme = TierScheme.objects.filter(pk=scheme_id, purpose=self.purpose).first()
        if account is None or scheme is None:
            raise Http404  # what the user cannot see is not found, before any role check
        if not is_manager(request):
            raise PermissionDenied
        row = AccountTier.objects.filter(account=account, scheme=scheme).select_related(
            "tier", "computed_tier", "override_tier"
        ).first() or AccountTier(account=account, scheme=scheme)
        return self._override_page(request, row)

    def _override_page(self, request: HttpRequest, row: AccountTier) -> HttpResponse:
        form = forms.OverrideForm(
            request.POST or None,
            scheme=row.scheme,
            initial={"tier": row.override_tier_id or row.tier_id},
        )
        if request.method == "POST" and form.is_valid():
            try:
                # The account's calls, visits and gifts follow the new tier at once.
                flows.tier_set_by_hand(
                    account=row.account,
                    scheme=row.scheme,
                    tier=form.cleaned_data["tier"],
                    reason=form.cleaned_data["reason"],
                    until=form.cleaned_data["until"],
                    user=request.user,
                )
            except ApplicationError as exc:
                show_service_error(form, exc)
            else:
                what = f"{row.account} · {form.cleaned_data['tier']}"
                messages.success(request, labelled(self.set_by_hand(), what))
                return HttpResponseRedirect(self._back(request))
        back = self._back(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": labelled(self.set_by_hand(), f"{row.account} · {row.scheme}"),
            "row": row,
            "form": form,
            "no_row": _("No stage in this set yet.")
            if self.purpose == LIFECYCLE
            else _("No tier in this scheme yet."),
            "today": timezone.localdate(),
            "next": next_url(request) or "",
            "back_url": back,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tiers/accounttier/override.html", context)

    def set_by_hand(self) -> str:
        # One wording for the link on the 360° card and list, the page's title and its message.
        return _("Set by hand")

    @action(description=gettext_lazy("Clear the override"), icon="undo",
            permissions=["override"])  # fmt: skip
    def clear_override(self, request: HttpRequest, object_id: str) -> HttpResponse:
        row = self._row(request, object_id)
        back = self._back(request)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Clear the override"),
                "row": row,
                "lifecycle": self.purpose == LIFECYCLE,
                "next": next_url(request) or "",
                "back_url": back,
            }
            return TemplateResponse(request, "admin/tiers/accounttier/clear.html", context)
        if flows.tier_by_hand_cleared(account=row.account, scheme=row.scheme, user=request.user):
            messages.success(request, _("Override cleared; the rules decide again."))
        else:
            messages.info(request, _("There was no override to clear."))
        return HttpResponseRedirect(back)


def _metrics_text(metrics: dict | None) -> str:
    if not metrics:
        return "—"
    return " · ".join(f"{metric_name(m)} {metric_value(v, m)}" for m, v in sorted(metrics.items()))


@admin.register(TierChange)
class TierChangeAdmin(ScopedReadAdmin):
    purpose = TIERS
    list_display = ("account", "scheme", "move_display", "effective_on_display", "reason",
                    "why_display", "who_display")  # fmt: skip
    list_select_related = ("account", "scheme", "from_tier", "to_tier", "changed_by", "run")
    list_filter = (
        ("scheme", PurposeRelatedFilter),
        ("to_tier", PurposeRelatedFilter),
        ("reason", ChoicesDropdownFilter),
        ("effective_on", RangeDateFilter),
    )
    search_fields = ("account__name", "account__code")
    # The detail reads as one record: who or what made the move (a person, or the rules with
    # their run), the reason once, the figures, ISO dates.
    readonly_fields = ("account", "scheme", "from_tier", "to_tier", "effective_on_display",
                       "who_display", "reason_display", "figures_display",
                       "changed_at_display")  # fmt: skip
    fields = readonly_fields
    date_hierarchy = "effective_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(scheme__purpose=self.purpose)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        # The sidebar calls this page "Tier history"; the model's verbose name stays.
        extra_context = {**(extra_context or {}), "title": self.history_title()}
        return super().changelist_view(request, extra_context)

    def history_title(self) -> str:
        return _("Tier history")

    @display(description=gettext_lazy("from → to"))
    def move_display(self, obj: TierChange) -> str:
        arrow = {True: ("↑", "text-green-700"), False: ("↓", "text-red-700")}.get(
            obj.is_upgrade, ("", "")
        )
        return format_html(
            '{} → {} <span class="{}" data-move="{}">{}</span>',
            tier_badge(obj.from_tier),
            tier_badge(obj.to_tier),
            arrow[1],
            {True: "up", False: "down"}.get(obj.is_upgrade, ""),
            arrow[0],
        )

    @display(description=gettext_lazy("why"))
    def why_display(self, obj: TierChange) -> str:
        text = _metrics_text(obj.metrics)
        if obj.reason != ChangeReason.RULES and obj.note:
            return obj.note if text == "—" else f"{obj.note} · {text}"
        return text

    @display(description=gettext_lazy("effective on"), ordering="effective_on")
    def effective_on_display(self, obj: TierChange) -> str:
        return _iso(obj.effective_on)

    @display(description=gettext_lazy("recorded at"), ordering="changed_at")
    def changed_at_display(self, obj: TierChange) -> str:
        return _iso_time(obj.changed_at)

    @display(description=gettext_lazy("changed by"))
    def who_display(self, obj: TierChange) -> str:
        return change_who(obj)

    @display(description=gettext_lazy("reason"))
    def reason_display(self, obj: TierChange) -> str:
        return change_reason(obj)

    @display(description=gettext_lazy("figures"))
    def figures_display(self, obj: TierChange) -> str:
        return change_figures(obj)


def _zhe(rate) -> str:
    """0.85 → 8.5折, the way the floor is written in the seed."""
    return f"{(rate * 10).normalize():f}折"


def _review_title(review: DiscountReview) -> str:
    return _("%(account)s: %(given)s < %(floor)s") % {
        "account": review.account,
        "given": _zhe(review.discount_rate),
        "floor": _zhe(review.floor),
    }


# --- discount reviews ---------------------------------------------------------------------------


class ReviewStatusFilter(DropdownFilter):
    """Status, waiting for review by default: the list is a work queue; "all" shows history."""

    title = gettext_lazy("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [*DiscountReviewStatus.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or DiscountReviewStatus.PENDING.value

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in DiscountReviewStatus.values:
            return queryset.filter(status=value)
        return queryset


@admin.register(DiscountReview)
class DiscountReviewAdmin(ScopedReadAdmin):
    list_display = ("account", "txn_date", "category", "amount", "discount_display",
                    "tier_display", "status_display", "reviewed_by", "reviewed_at")  # fmt: skip
    list_select_related = ("account", "transaction__category", "tier", "reviewed_by")
    list_filter = (ReviewStatusFilter,)
    search_fields = ("account__name", "account__code")
    readonly_fields = ("account", "transaction", "discount_rate", "floor", "tier", "status",
                       "flagged_at", "reviewed_by", "reviewed_at", "review_note")  # fmt: skip
    fields = readonly_fields
    actions_detail = ("approve", "reject")
    actions = ("approve_selected", "reject_selected")

    @display(description=gettext_lazy("transaction date"), ordering="transaction__occurred_at")
    def txn_date(self, obj: DiscountReview) -> str:
        return timezone.localtime(obj.transaction.occurred_at).strftime("%Y-%m-%d %H:%M")

    @display(description=gettext_lazy("category"))
    def category(self, obj: DiscountReview) -> str:
        return str(obj.transaction.category)

    @display(description=gettext_lazy("amount"), ordering="transaction__amount")
    def amount(self, obj: DiscountReview) -> str:
        return money(obj.transaction.amount, 2)

    @display(description=gettext_lazy("discount given / floor"))
    def discount_display(self, obj: DiscountReview) -> str:
        return f"{_zhe(obj.discount_rate)} / {_zhe(obj.floor)}"

    @display(description=gettext_lazy("tier"))
    def tier_display(self, obj: DiscountReview) -> str:
        return tier_badge(obj.tier)

    @display(
        description=gettext_lazy("status"),
        label={
            DiscountReviewStatus.PENDING: "warning",
            DiscountReviewStatus.APPROVED: "success",
            DiscountReviewStatus.REJECTED: "danger",
        },
    )
    def status_display(self, obj: DiscountReview) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    def has_review_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return is_manager(request)  # KAMs read their accounts' reviews; managers decide

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:  # fmt: skip
        review = (
            self.get_queryset(request).filter(pk=object_id).first()
            if str(object_id).isdigit()
            else None
        )
        if review is not None:
            # The model's str() shows raw rates (0.850 < 0.900); people read 折.
            extra_context = {**(extra_context or {}), "title": _review_title(review)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide(self, request: HttpRequest, object_id: str, status: str) -> HttpResponse:
        review = (
            self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if str(object_id).isdigit()
            else None
        )
        if review is None:
            raise Http404
        form = forms.ReviewForm(
            request.POST or None, note_required=status == DiscountReviewStatus.REJECTED
        )
        if request.method == "POST" and form.is_valid():
            discount_review_decide(
                review=review, status=status, note=form.cleaned_data["note"], user=request.user
            )
            messages.success(request, _("Review recorded."))
            return HttpResponseRedirect(reverse("admin:tiers_discountreview_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Approve the discount")
            if status == DiscountReviewStatus.APPROVED
            else _("Reject the discount"),
            "review": review,
            "heading": _review_title(review),
            "given": _zhe(review.discount_rate),
            "floor": _zhe(review.floor),
            "form": form,
            "status": status,
        }
        return TemplateResponse(request, "admin/tiers/discountreview/decide.html", context)

    @action(description=gettext_lazy("Approve"), icon="check", permissions=["review"])
    def approve(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, DiscountReviewStatus.APPROVED)

    @action(description=gettext_lazy("Reject"), icon="close", permissions=["review"])
    def reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, DiscountReviewStatus.REJECTED)

    def _decide_many(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        n = 0
        for review in queryset.select_related("transaction"):
            discount_review_decide(review=review, status=status, note="", user=request.user)
            n += 1
        messages.success(request, _("%(n)s reviews recorded.") % {"n": n})

    @action(description=gettext_lazy("Approve the selected discounts"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide_many(request, queryset, DiscountReviewStatus.APPROVED)

    @action(description=gettext_lazy("Reject the selected discounts"), permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A rejection must say why (the KAM reads it); there is no note in a bulk action.
        messages.error(
            request,
            _("A rejection needs a note: open the discount and reject it there, with the reason."),
        )


# --- lifecycle stages: the tier engine under lifecycle words ------------------------------------


def progression_html(stages: list[Tier], current: Tier | None = None) -> str:
    """The stages in lifecycle order as badges joined by arrows (the current one outlined)."""
    if not stages:
        return "—"
    parts = []
    for stage in lifecycle_order(stages):
        badge = tier_badge(stage)
        if current is not None and stage.pk == current.pk:
            badge = format_html('<strong data-current-stage="{}">[{}]</strong>', stage.code, badge)
        parts.append(badge)
    return format_html_join(" → ", "{}", ((p,) for p in parts))


class StageInline(TierInline):
    verbose_name = gettext_lazy("stage")
    verbose_name_plural = gettext_lazy(
        "stages (rank 1 is checked first: give the lifecycle's last stage rank 1 and the "
        "catch-all first stage the last rank)"
    )

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "rank" and field is not None:
            field.help_text = _("Rank 1 is checked first: the lifecycle's last stage.")
        return field

    @display(description=gettext_lazy("stage conditions"))
    def rule_display(self, obj: Tier) -> str:
        return super().rule_display(obj)

    @display(description=gettext_lazy("conditions and policy"))
    def tier_link(self, obj: Tier) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:tiers_tier_change", args=(obj.pk,))
        return format_html(
            '<a class="text-primary-600" href="{}">{}</a>', url, _("Edit the conditions")
        )


@admin.register(LifecycleStageSet)
class LifecycleStageSetAdmin(TierSchemeAdmin):
    """Lifecycle stage sets: tier schemes with purpose "lifecycle", under stage words, with the
    progression in lifecycle order."""

    purpose = LIFECYCLE
    preset_cards = LIFECYCLE_PRESETS
    list_display = ("name_display", "code", "show_active", "tiers_count", "progression_display",
                    "distribution_display")  # fmt: skip
    fields = ("code", ("name", "name_en"), "description", "is_active", "progression_display")
    readonly_fields = ("progression_display",)
    filter_horizontal = ()
    inlines = (StageInline,)
    actions_list = ("reevaluate", "load_presets")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("tiers")

    def get_urls(self):
        # Not the attendance sheet or tier migration pages: those are about tiers.
        return ModelAdmin.get_urls(self)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "is_active" and field is not None:
            field.help_text = _(
                "Active stage sets are evaluated every night; a stage's policy (e.g. the "
                "win-back call in decline) creates tasks."
            )
        return field

    @action(description=gettext_lazy("Activate the selected stage sets"), permissions=["manage"])
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().activate(request, queryset)

    @action(description=gettext_lazy("Deactivate the selected stage sets"),
            permissions=["manage"])  # fmt: skip
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().deactivate(request, queryset)

    def activated_message(self, active: bool) -> str:
        if active:
            return _("%(n)s lifecycle stage sets activated.")
        return _("%(n)s lifecycle stage sets deactivated.")

    @action(description=gettext_lazy("Re-evaluate stages now"), icon="refresh",
            permissions=["manage"])  # fmt: skip
    def reevaluate(self, request: HttpRequest) -> HttpResponse:
        return reevaluate_view(self, request)

    def preset_inactive_message(self) -> str:
        return _(
            "Preset “%(name)s” loaded. It is inactive: review the stages and their conditions, "
            "then activate it in the list of lifecycle stage sets."
        )

    @display(description=gettext_lazy("stages"), ordering="n_tiers")
    def tiers_count(self, obj: TierScheme) -> int:
        return getattr(obj, "n_tiers", 0)

    @display(description=gettext_lazy("progression (first stage first)"))
    def progression_display(self, obj: TierScheme) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return progression_html(list(obj.tiers.all()))

    @display(description=gettext_lazy("accounts per stage"))
    def distribution_display(self, obj: TierScheme) -> str:
        request = _viewer_request()
        if request is None:
            return "—"
        rows = tier_distribution(obj, accounts=_visible_accounts(request))
        if not any(n for _t, n in rows):
            return "—"
        staged = [(t, n) for t, n in rows if t is not None]
        ordered = sorted(staged, key=lambda r: r[0].rank, reverse=True)
        ordered += [(t, n) for t, n in rows if t is None]
        sep = label_sep()
        return format_html_join(
            " · ", "{}{}{}", ((str(t) if t else _("no stage"), sep, n) for t, n in ordered)
        )

    def presets_intro(self) -> str:
        return _(
            "Each preset creates a lifecycle stage set with its stages and their conditions "
            "(and a win-back call for decline). Loading a preset that is already there changes "
            "nothing; activate the set when its stages suit you."
        )


@admin.register(AccountLifecycleStage)
class AccountLifecycleStageAdmin(AccountTierAdmin):
    """Each account's stage per lifecycle set: why, since when, set by hand or by the rules."""

    purpose = LIFECYCLE
    list_display = ("account", "set_display", "stage_display", "since_display", "why_display",
                    "source_display", "override_until_display", "checked_display",
                    "override_link")  # fmt: skip
    list_filter = (("scheme", StageSetFilter), ("tier", StageFilter), OverrideStateFilter)
    ordering = ("scheme__code", "-tier__rank", "account__name")
    readonly_fields = ("account", "set_display", "stage_display", "computed_stage_display",
                       "since_display", "metrics_display", "evaluated_on_display",
                       "checked_display", "override_stage_display", "override_reason",
                       "override_until_display", "override_by")  # fmt: skip
    fields = readonly_fields
    actions_detail = ("override", "clear_override")

    @display(description=gettext_lazy("lifecycle stage set"), ordering="scheme__code")
    def set_display(self, obj: AccountTier) -> str:
        return str(obj.scheme)

    @display(description=gettext_lazy("stage"), ordering="-tier__rank")
    def stage_display(self, obj: AccountTier) -> str:
        return tier_badge(obj.tier)

    @display(description=gettext_lazy("stage by the rules"))
    def computed_stage_display(self, obj: AccountTier) -> str:
        return tier_badge(obj.computed_tier)

    @display(description=gettext_lazy("stage set by hand"))
    def override_stage_display(self, obj: AccountTier) -> str:
        return tier_badge(obj.override_tier)

    @display(description=gettext_lazy("in this stage since"), ordering="since")
    def since_display(self, obj: AccountTier) -> str:
        return _iso(obj.since)

    @display(description=gettext_lazy("stage last changed by the rules"))
    def evaluated_on_display(self, obj: AccountTier) -> str:
        return _iso(obj.evaluated_on)

    @action(description=gettext_lazy("Re-evaluate stages now"), icon="refresh",
            permissions=["manage"])  # fmt: skip
    def reevaluate(self, request: HttpRequest) -> HttpResponse:
        return reevaluate_view(self, request)

    @display(description=gettext_lazy("why"))
    def why_display(self, obj: AccountTier) -> str:
        return _metrics_text(obj.metrics)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "title": _("Account lifecycle stages")}
        return super().changelist_view(request, extra_context)


@admin.register(LifecycleStageChange)
class LifecycleStageChangeAdmin(TierChangeAdmin):
    """Every move between lifecycle stages: when, from → to, why, who or which run."""

    purpose = LIFECYCLE
    list_display = ("account", "set_display", "move_display", "effective_on_display",
                    "source_display", "why_display", "who_display")  # fmt: skip
    list_select_related = ("account", "scheme", "from_tier", "to_tier", "changed_by", "run")
    list_filter = (
        ("scheme", StageSetFilter),
        ("to_tier", ToStageFilter),
        ("reason", SourceFilter),
        ("effective_on", RangeDateFilter),
    )
    readonly_fields = ("account", "set_display", "from_stage_display", "to_stage_display",
                       "effective_on_display", "who_display", "reason_display",
                       "figures_display", "changed_at_display")  # fmt: skip
    fields = readonly_fields

    def history_title(self) -> str:
        return _("Lifecycle history")

    @display(description=gettext_lazy("lifecycle stage set"), ordering="scheme__code")
    def set_display(self, obj: TierChange) -> str:
        return str(obj.scheme)

    @display(description=gettext_lazy("previous stage"))
    def from_stage_display(self, obj: TierChange) -> str:
        return tier_badge(obj.from_tier)

    @display(description=gettext_lazy("new stage"))
    def to_stage_display(self, obj: TierChange) -> str:
        return tier_badge(obj.to_tier)

    @display(description=gettext_lazy("source"), ordering="reason")
    def source_display(self, obj: TierChange) -> str:
        return obj.get_reason_display()

    @display(description=gettext_lazy("previous stage → new stage"))
    def move_display(self, obj: TierChange) -> str:
        # No up/down arrows: a lifecycle moves on, it is not ranked like tiers.
        return format_html("{} → {}", tier_badge(obj.from_tier), tier_badge(obj.to_tier))
