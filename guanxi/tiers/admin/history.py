"""The tier history: every move between tiers — when, from → to, why (the figures, or the note
of a change by hand), who or which run. Read-only customer data within the account access rule.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.decorators import display

from guanxi.tiers.admin.shared import (
    LIFECYCLE,
    TIERS,
    PurposeRelatedFilter,
    SchemeColumn,
    ScopedReadAdmin,
    date_column,
    iso_time,
    metrics_text,
    tier_badge,
)
from guanxi.tiers.models import ChangeReason, TierChange
from guanxi.tiers.templatetags.tiers_tags import change_figures, change_reason, change_who


@admin.register(TierChange)
class TierChangeAdmin(SchemeColumn, ScopedReadAdmin):
    purpose = TIERS
    list_title = gettext_lazy("Tier history")  # the sidebar's name; the model's stays
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
    # No date drill-down: its DISTINCT over every change's date cost more than the page; the
    # "effective on" range filter does the same job.

    effective_on_display = date_column(
        "effective_on", gettext_lazy("effective on"), ordering="effective_on"
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(scheme__purpose=self.purpose)

    @display(description=gettext_lazy("from → to"))
    def move_display(self, obj: TierChange) -> str:
        if self.purpose == LIFECYCLE:
            # No up/down arrows: a lifecycle moves on, it is not ranked like tiers.
            return format_html("{} → {}", tier_badge(obj.from_tier), tier_badge(obj.to_tier))
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
        text = metrics_text(obj.metrics)
        if obj.reason != ChangeReason.RULES and obj.note:
            return obj.note if text == "—" else f"{obj.note} · {text}"
        return text

    @display(description=gettext_lazy("recorded at"), ordering="changed_at")
    def changed_at_display(self, obj: TierChange) -> str:
        return iso_time(obj.changed_at)

    @display(description=gettext_lazy("changed by"))
    def who_display(self, obj: TierChange) -> str:
        return change_who(obj)

    @display(description=gettext_lazy("reason"))
    def reason_display(self, obj: TierChange) -> str:
        return change_reason(obj)

    @display(description=gettext_lazy("figures"))
    def figures_display(self, obj: TierChange) -> str:
        return change_figures(obj)
