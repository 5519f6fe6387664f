"""Filters of the case list: late (breached), the account's tier, and when a case is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.service import sla
from guanxi.service.models import OPEN_STATUSES
from guanxi.tiers.models import AccountTier, SchemePurpose, Tier


class BreachedFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "breached"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Breached")), ("no", _("Within SLA"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(sla.late_q(timezone.now()))
        if self.value() == "no":
            return queryset.exclude(sla.late_q(timezone.now()))
        return queryset


class TierFilter(admin.SimpleListFilter):
    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        tiers = Tier.objects.filter(
            scheme__is_active=True, scheme__purpose=SchemePurpose.TIERS
        ).select_related("scheme")
        return [(str(t.pk), f"{t.scheme} · {t}") for t in tiers.order_by("scheme__code", "rank")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            accounts = AccountTier.objects.filter(tier_id=int(value)).values("account_id")
            return queryset.filter(account_id__in=accounts)
        return queryset


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("overdue", _("Overdue")),
            ("24h", _("Due within 24 hours")),
            ("week", _("Due within 7 days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        running = queryset.filter(status__in=OPEN_STATUSES).exclude(status="waiting")
        if self.value() == "overdue":
            return running.filter(resolution_due_at__lt=now)
        if self.value() == "24h":
            until = now + dt.timedelta(hours=24)
            return running.filter(resolution_due_at__gte=now, resolution_due_at__lt=until)
        if self.value() == "week":
            until = now + dt.timedelta(days=7)
            return running.filter(resolution_due_at__gte=now, resolution_due_at__lt=until)
        return queryset
