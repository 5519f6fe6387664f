"""An account-list filter for the distribution's "not set" rows: the accounts whose industry,
enterprise nature, scale or province is blank (``?unset=industry``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.accounts.models import Account

#: The account fields a blank is counted for (the distribution's tables).
UNSET_FIELDS = ("industry", "enterprise_nature", "scale", "province")


class UnsetFieldFilter(DropdownFilter):
    title = _("not set")
    parameter_name = "unset"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(name, Account._meta.get_field(name).verbose_name) for name in UNSET_FIELDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in UNSET_FIELDS:
            return queryset.filter(**{self.value(): ""})
        return queryset
