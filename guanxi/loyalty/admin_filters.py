"""Account-list filters (the list lives in `workspace.admin`): by the warning light lit on the
account, and by its loyalty cell (the matrix's cells link here). Both read stored rows through
an indexed id subquery."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.loyalty.models import AccountLight, AccountLoyalty, LightColour, LoyaltyCell

ANY = "any"


class LightColourFilter(DropdownFilter):
    """ "警报": accounts with a red light, a yellow one, or any."""

    title = _("warning light")
    parameter_name = "light"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(ANY, _("any warning light")), *LightColour.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        lit = AccountLight.objects.filter(cleared_at__isnull=True)
        if value in LightColour.values:
            lit = lit.filter(colour=value)
        elif value != ANY:
            return queryset
        return queryset.filter(pk__in=lit.values("account_id"))


class LoyaltyCellFilter(DropdownFilter):
    """The loyalty matrix's cell (不忠诚 / 虚假忠诚 / 潜在忠诚 / 真正忠诚, or no survey yet)."""

    title = _("loyalty")
    parameter_name = "loyalty"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(LoyaltyCell.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value not in LoyaltyCell.values:
            return queryset
        cells = AccountLoyalty.objects.filter(cell=value)
        return queryset.filter(pk__in=cells.values("account_id"))
