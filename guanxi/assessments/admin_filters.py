"""Account-list filters on the latest assessment: its willingness band and its quality band
(the latest one of each account is marked, so a filter reads a small indexed set)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.assessments.models import Band
from guanxi.assessments.selectors import accounts_in_band


class _BandFilter(DropdownFilter):
    kind: str

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Band.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in Band.values:
            return queryset.filter(pk__in=accounts_in_band(self.kind, self.value()))
        return queryset


class WillingnessBandFilter(_BandFilter):
    title = _("willingness (latest assessment)")
    parameter_name = "willingness"
    kind = "willingness"


class QualityBandFilter(_BandFilter):
    title = _("quality (latest assessment)")
    parameter_name = "quality"
    kind = "quality"
