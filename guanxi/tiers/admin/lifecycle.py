"""Lifecycle stages: the tier engine under lifecycle words. A stage set is a tier scheme with
purpose "lifecycle", a stage is a tier, an account's stage an account tier, the lifecycle history
the tier history. Each page here is its tier page (`schemes`, `account_tiers`, `history`) with a
label map (tier → stage words), its own columns where a stage reads differently (a badge, the
progression), and stages in lifecycle order (the last rank first).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import display

from guanxi.tiers.admin.account_tiers import AccountTierAdmin, OverrideStateFilter
from guanxi.tiers.admin.history import TierChangeAdmin
from guanxi.tiers.admin.schemes import TierInline, TierSchemeAdmin
from guanxi.tiers.admin.shared import (
    LIFECYCLE,
    SourceFilter,
    StageFilter,
    StageSetFilter,
    ToStageFilter,
    badge_column,
    relabelled,
    tier_badge,
)
from guanxi.tiers.models import (
    AccountLifecycleStage,
    LifecycleStageChange,
    LifecycleStageSet,
    Tier,
    TierChange,
    TierScheme,
)
from guanxi.tiers.selectors import lifecycle_order

LIFECYCLE_PRESETS = (
    ("lifecycle-001",
     "关系发展周期：考察期 → 形成期 → 稳定期 → 退化期",
     "Relationship development: exploration → formation → stability → decline",
     "《战略大客户的客户关系管理》课程的客户关系四阶段模型，按客户满多少个月、近12个月和累计购买"
     "次数、收入趋势判断；退化期客户每14天安排一次挽回电话。",
     "The four relationship stages of the strategic key-account course "
     "by months as a customer, purchases in the last 12 months and in all, and the revenue "
     "trend; a win-back call every 14 days in decline."),
    ("lifecycle-004",
     "客户阶梯：潜在客户 → 首次购买 → 重复购买 → 忠诚 → 会员 → 拥护者",
     "Customer ladder: prospect → first purchase → repeat → loyal → member → advocate",
     "《客户关系管理》课件的客户阶梯，按购买次数、客户时长、P(alive)、会员标签和客户经理记录的"
     "态度判断。",
     "The customer ladder of the CRM course deck by purchases, tenure, P(alive), "
     "a membership tag and the attitude the KAM recorded."),
    ("lifecycle-000",
     "大客户生命周期：开发 → 活跃 → 忠诚 → 推荐",
     "Key-account lifecycle: development → active → loyal → referral",
     "《大客户全生命周期管理系统课》的生命周期管理模型，按近12个月购买、客户时长和拥护者态度判断。",
     "The lifecycle model of the key-account lifecycle course by "
     "recent purchases, tenure and the advocate attitude."),
)  # fmt: skip
# Lifecycle order: the stage of the last rank comes first.
IN_LIFECYCLE_ORDER = "-tier__rank"


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
    labels = {
        "rule_display": gettext_lazy("stage conditions"),
        "tier_link": gettext_lazy("conditions and policy"),
    }
    edit_text = gettext_lazy("Edit the conditions")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "rank" and field is not None:
            field.help_text = _("Rank 1 is checked first: the lifecycle's last stage.")
        return field


@admin.register(LifecycleStageSet)
class LifecycleStageSetAdmin(TierSchemeAdmin):
    """Lifecycle stage sets: tier schemes with purpose "lifecycle", under stage words, with the
    progression in lifecycle order."""

    purpose = LIFECYCLE
    preset_cards = LIFECYCLE_PRESETS
    list_display = ("name_display", "code", "show_active", "tiers_count", "progression_display",
                    "distribution_display")  # fmt: skip
    fields = (
        "code",
        ("name", "name_en"),
        ("description", "description_en"),
        "is_active",
        "progression_display",
    )
    readonly_fields = ("progression_display",)
    filter_horizontal = ()
    inlines = (StageInline,)
    actions_list = ("reevaluate", "load_presets")
    labels = {
        "activate": gettext_lazy("Activate the selected stage sets"),
        "deactivate": gettext_lazy("Deactivate the selected stage sets"),
        "reevaluate": gettext_lazy("Re-evaluate stages now"),
        "tiers_count": gettext_lazy("stages"),
        "distribution_display": gettext_lazy("accounts per stage"),
    }
    activated_text = gettext_lazy("%(n)s lifecycle stage sets activated.")
    deactivated_text = gettext_lazy("%(n)s lifecycle stage sets deactivated.")
    preset_inactive_text = gettext_lazy(
        "Preset “%(name)s” loaded. It is inactive: review the stages and their conditions, "
        "then activate it in the list of lifecycle stage sets."
    )
    presets_intro = gettext_lazy(
        "Each preset creates a lifecycle stage set with its stages and their conditions "
        "(and a win-back call for decline). Loading a preset that is already there changes "
        "nothing; activate the set when its stages suit you."
    )

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

    @display(description=gettext_lazy("progression (first stage first)"))
    def progression_display(self, obj: TierScheme) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return progression_html(list(obj.tiers.all()))


@admin.register(AccountLifecycleStage)
class AccountLifecycleStageAdmin(AccountTierAdmin):
    """Each account's stage per lifecycle set: why, since when, set by hand or by the rules."""

    purpose = LIFECYCLE
    list_title = gettext_lazy("Account lifecycle stages")
    list_display = ("account", "scheme_display", "tier_display", "since_display", "why_display",
                    "source_display", "override_until_display", "checked_display",
                    "override_link")  # fmt: skip
    list_filter = (("scheme", StageSetFilter), ("tier", StageFilter), OverrideStateFilter)
    ordering = ("-since", "-id")  # as the tier list: latest moves first, off an index
    readonly_fields = ("account", "scheme_display", "tier_display", "computed_tier_display",
                       "since_display", "metrics_display", "evaluated_on_display",
                       "checked_display", "override_tier_display", "override_reason",
                       "override_until_display", "override_by")  # fmt: skip
    fields = readonly_fields
    labels = {
        "scheme_display": gettext_lazy("lifecycle stage set"),
        "tier_display": gettext_lazy("stage"),
        "since_display": gettext_lazy("in this stage since"),
        "evaluated_on_display": gettext_lazy("stage last changed by the rules"),
        "reevaluate": gettext_lazy("Re-evaluate stages now"),
    }
    orderings = {"tier_display": IN_LIFECYCLE_ORDER}

    # The tier page links these to the tier; a stage reads as its badge.
    computed_tier_display = badge_column("computed_tier", gettext_lazy("stage by the rules"))
    override_tier_display = badge_column("override_tier", gettext_lazy("stage set by hand"))
    why_display = relabelled(AccountTierAdmin.metrics_display, gettext_lazy("why"))


@admin.register(LifecycleStageChange)
class LifecycleStageChangeAdmin(TierChangeAdmin):
    """Every move between lifecycle stages: when, from → to, why, who or which run."""

    purpose = LIFECYCLE
    list_title = gettext_lazy("Lifecycle history")
    list_display = ("account", "scheme_display", "move_display", "effective_on_display",
                    "source_display", "why_display", "who_display")  # fmt: skip
    list_filter = (
        ("scheme", StageSetFilter),
        ("to_tier", ToStageFilter),
        ("reason", SourceFilter),
        ("effective_on", RangeDateFilter),
    )
    readonly_fields = ("account", "scheme_display", "from_tier_display", "to_tier_display",
                       "effective_on_display", "who_display", "reason_display",
                       "figures_display", "changed_at_display")  # fmt: skip
    fields = readonly_fields
    labels = {
        "scheme_display": gettext_lazy("lifecycle stage set"),
        "move_display": gettext_lazy("previous stage → new stage"),
    }

    # The tier page links these to the tier; a stage reads as its badge.
    from_tier_display = badge_column("from_tier", gettext_lazy("previous stage"))
    to_tier_display = badge_column("to_tier", gettext_lazy("new stage"))

    @display(description=gettext_lazy("source"), ordering="reason")
    def source_display(self, obj: TierChange) -> str:
        # The tier list shows the reason field itself; here "why" already says why.
        return obj.get_reason_display()
