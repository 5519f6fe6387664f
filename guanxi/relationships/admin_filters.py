"""Account-list filters by relationship risk (see risks.py): any risk, one kind of risk, or a
buying centre not mapped yet; and by the band of the coverage score.

The filter reads the stored relationship health (`health.py`: a row per mapped account with its
risk codes, refreshed by every write that changes them and by the nightly run): one subquery,
whatever the size of the list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.relationships.health import COVERAGE_BANDS, NO_SCORE, at_risk, coverage_band_ids
from guanxi.relationships.models import BuyingCentreMember
from guanxi.relationships.risks import RISK_CODES

ANY = "any"
UNMAPPED = "unmapped"


class RelationshipRiskFilter(DropdownFilter):
    """ "关系风险": accounts whose buying centre has a risk, or has no map at all."""

    title = _("relationship risk")
    parameter_name = "relationship_risk"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (ANY, _("any relationship risk")),
            *RISK_CODES.items(),
            (UNMAPPED, _("buying centre not mapped yet")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == UNMAPPED:
            return queryset.exclude(pk__in=BuyingCentreMember.objects.values("account_id"))
        if value == ANY:
            return queryset.filter(pk__in=at_risk())
        if value in RISK_CODES:
            return queryset.filter(pk__in=at_risk(value))
        return queryset


class CoverageFilter(DropdownFilter):
    """ "关系覆盖": accounts by the band of their stored coverage score (the dashboard's chart
    links here), or without a score (no buying centre mapped yet)."""

    title = _("relationship coverage")
    parameter_name = "coverage"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            *((key, f"{key.replace('-', '–')} / 100") for key, _l, _h in COVERAGE_BANDS),
            (NO_SCORE, _("no coverage score")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        ids = coverage_band_ids(self.value() or "")
        if ids is None:
            return queryset
        if self.value() == NO_SCORE:
            return queryset.exclude(pk__in=ids)
        return queryset.filter(pk__in=ids)
