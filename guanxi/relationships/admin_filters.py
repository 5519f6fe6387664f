"""Account-list filter by relationship risk (see risks.py): any risk, one kind of risk, or a
buying centre not mapped yet.

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

from guanxi.relationships.health import at_risk
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
