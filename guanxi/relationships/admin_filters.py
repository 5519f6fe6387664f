"""Account-list filter by relationship risk (see risks.py): any risk, one kind of risk, or a
buying centre not mapped yet.

The risks are computed, not stored, so the filter reads the buying centres of the accounts in
the list that have one (`relationship_health_for`: a fixed number of queries) and keeps the ids
whose risks match.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.relationships.models import BuyingCentreMember
from guanxi.relationships.risks import RISK_CODES, relationship_health_for
from guanxi.relationships.selectors import accounts_with_buying_centre

ANY = "any"
UNMAPPED = "unmapped"


def accounts_at_risk(queryset: QuerySet, code: str | None = None) -> list[int]:
    """Ids of the accounts in ``queryset`` with a relationship risk (of kind ``code``)."""
    ids = accounts_with_buying_centre(queryset.order_by())
    return [
        pk
        for pk, health in relationship_health_for(ids).items()
        if health.risks and (code is None or code in health.codes)
    ]


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
            return queryset.filter(pk__in=accounts_at_risk(queryset))
        if value in RISK_CODES:
            return queryset.filter(pk__in=accounts_at_risk(queryset, value))
        return queryset
