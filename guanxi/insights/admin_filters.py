"""Account-list filters on the latest analysis scores (see selectors.with_latest_scores)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter, RangeNumericListFilter

from guanxi.insights.models import AbcClass, Segment
from guanxi.insights.selectors import NOT_SCORED

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


class _ScoreChoiceFilter(DropdownFilter):
    """Filter on a choice field of the latest score; the URL parameter is the field's name."""

    # Not `choices`: that is the list filter's own method.
    values_of: type[models.TextChoices]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(self.values_of.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in self.values_of.values:
            return queryset.filter(**{f"score_{self.parameter_name}": self.value()})
        return queryset


class SegmentFilter(_ScoreChoiceFilter):
    title = _("RFM segment")
    parameter_name = "segment"
    values_of = Segment


class AbcClassFilter(_ScoreChoiceFilter):
    title = _("ABC class")
    parameter_name = "abc_class"
    values_of = AbcClass

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*super().lookups(request, model_admin), (NOT_SCORED, _("not scored"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == NOT_SCORED:
            return queryset.filter(score_abc_class__isnull=True)
        return super().queryset(request, queryset)


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
