"""Account-list filters on the latest analysis scores (see selectors.with_latest_scores)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter, RangeNumericListFilter

from guanxi.insights.models import AbcClass, Segment

# P(alive) bands a KAM acts on: likely gone, uncertain, active.
P_ALIVE_BANDS = {
    "low": (0.0, 0.3),
    "mid": (0.3, 0.7),
    "high": (0.7, 1.01),
}


# Label colours in the account list: keep, grow, rescue, let go.
SEGMENT_COLOURS = {
    Segment.CHAMPIONS: "success",
    Segment.LOYAL: "success",
    Segment.POTENTIAL_LOYALIST: "info",
    Segment.NEW: "info",
    Segment.PROMISING: "info",
    Segment.NEED_ATTENTION: "warning",
    Segment.ABOUT_TO_SLEEP: "warning",
    Segment.HIBERNATING: "warning",
    Segment.AT_RISK: "danger",
    Segment.CANT_LOSE: "danger",
    Segment.LOST: "danger",
}


class SegmentFilter(DropdownFilter):
    title = _("RFM segment")
    parameter_name = "segment"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Segment.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Segment.values:
            return queryset.filter(score_segment=self.value())
        return queryset


class AbcClassFilter(DropdownFilter):
    title = _("ABC class")
    parameter_name = "abc_class"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(AbcClass.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in AbcClass.values:
            return queryset.filter(score_abc_class=self.value())
        return queryset


class PAliveFilter(DropdownFilter):
    title = _("probability alive")
    parameter_name = "p_alive"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("low", _("below 30% (likely lost)")),
            ("mid", _("30–70% (uncertain)")),
            ("high", _("70% and above (active)")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        band = P_ALIVE_BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        return queryset.filter(score_p_alive__gte=low, score_p_alive__lt=high)


class ClvRangeFilter(RangeNumericListFilter):
    title = _("CLV (CNY)")
    parameter_name = "score_clv"
