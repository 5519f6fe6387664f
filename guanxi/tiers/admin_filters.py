"""Tier pieces of the account list (客户档案): a filter by scheme tier and a compact column of
small colour badges, one per active scheme the account has a tier in.

The column reads a prefetch (`with_active_tiers`), so the list costs one extra query for the
whole page, never one per row.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.tiers.models import AccountTier, Tier

ACTIVE_TIERS = "active_tiers"
BADGE = (
    '<span class="inline-block whitespace-nowrap rounded-default px-1.5 py-0.5 text-[11px] '
    'font-semibold text-white" style="background-color: {}" title="{}" data-tier="{}">{}</span>'
)


def with_active_tiers(qs: QuerySet) -> QuerySet:
    """Prefetch each account's tiers in the active schemes into ``account.active_tiers``."""
    rows = (
        AccountTier.objects.filter(scheme__is_active=True, tier__isnull=False)
        .select_related("tier", "scheme")
        .order_by("scheme__code")
    )
    return qs.prefetch_related(Prefetch("tiers", queryset=rows, to_attr=ACTIVE_TIERS))


def tier_badges(account: Any) -> str:
    rows = getattr(account, ACTIVE_TIERS, None)
    if not rows:
        return "—"
    return format_html_join(
        " ",
        BADGE,
        (
            (r.tier.colour or "#6b7280", f"{r.scheme}: {r.tier}", r.tier.code, r.tier)
            for r in rows
        ),
    )


class AccountTierFilter(DropdownFilter):
    """"客户等级方案: A级品质客户": accounts currently in one tier of an active scheme."""

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tiers = Tier.objects.filter(scheme__is_active=True).select_related("scheme")
        return [
            (str(t.pk), format_html("{}: {}", t.scheme, t))
            for t in tiers.order_by("scheme__code", "rank")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and str(value).isdigit():
            return queryset.filter(
                pk__in=AccountTier.objects.filter(tier_id=int(value)).values("account_id")
            )
        return queryset
