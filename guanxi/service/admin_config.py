"""The service's configuration pages: case categories, SLA policies (the green channel by tier)
and the knowledge base of solutions. Every user reads them; managers change them."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from guanxi.core.admin_mixins import ConfigAccessMixin
from guanxi.service.models import CalendarDay, CaseCategory, SlaPolicy, Solution


@admin.register(CaseCategory)
class CaseCategoryAdmin(ConfigAccessMixin, ModelAdmin):
    list_display = ("__str__", "code", "position", "active")
    fields = ("code", "name", "name_en", "position", "active")
    search_fields = ("code", "name", "name_en")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("__str__", "tier", "is_default", "first_response_hours", "resolution_hours",
                    "around_the_clock", "active")  # fmt: skip
    list_select_related = ("tier", "tier__scheme")
    fields = (
        ("name", "name_en"),
        ("tier", "is_default"),
        ("first_response_hours", "resolution_hours"),
        "around_the_clock",
        ("work_starts", "work_ends"),
        "near_breach_percent",
        "active",
    )


@admin.register(Solution)
class SolutionAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("__str__", "category", "position", "active")
    list_filter = ("category", "active")
    search_fields = ("title", "title_en", "body", "body_en")
    fields = ("category", ("title", "title_en"), "body", "body_en", "position", "active")


@admin.register(CalendarDay)
class CalendarDayAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    """Holidays and make-up working days the SLA clock reads before the holiday packages."""

    list_display = ("day", "name", "is_working")
    list_filter = ("is_working",)
    search_fields = ("name",)
    date_hierarchy = "day"
    fields = ("day", "name", "is_working")
